"""The measure registry is the one definition: everything that names a measure is produced from it,
and these tests fail when any of them drifts (rollup record, CloudWatch, stack dashboard, summary,
table, CSV columns, simulator truth keys)."""

from __future__ import annotations

import dataclasses
import re

from functions.domain.metrics_registry import (
    ALL_RATIOS,
    BY_NAME,
    COUNTER_NAMES,
    COUNTERS,
    HEADLINE,
    PUBLISHED,
    TABLE,
    ContactCase,
    contact_counters,
    survey_counters,
)
from schemas.records import MetricRollup


def test_the_rollup_record_has_exactly_the_registry_counters() -> None:
    # Given the published rollup contract, Then its counter fields are the registry's counters
    fields = {f.name for f in dataclasses.fields(MetricRollup) if f.type in ("int", int)}
    assert fields == set(COUNTER_NAMES)


def test_every_measure_has_one_unique_name_label_and_column() -> None:
    names = [m.name for m in (*COUNTERS, *ALL_RATIOS)]
    assert len(names) == len(set(names))
    columns = [m.column for m in (*COUNTERS, *ALL_RATIOS)]
    assert len(columns) == len(set(columns))
    for measure in (*COUNTERS, *ALL_RATIOS):
        assert measure.label and measure.definition and measure.formula, measure.name
    for ratio in ALL_RATIOS:
        assert all(n in COUNTER_NAMES or "|" in n for n in (*ratio.numerator, *ratio.denominator))


def test_csv_columns_carry_their_units() -> None:
    from civicline.metrics.render import csv_columns

    units = "contacts|callbacks|surveys|notifications|ms|seconds|ratio|score|points_sum|responses"
    unit = re.compile(rf"_({units})$")
    for column in csv_columns()[5:]:
        assert unit.search(column), column


def test_summary_and_table_name_registry_measures_only() -> None:
    from civicline.metrics.render import TABLE_COLUMNS
    from civicline.sim.summary import HEADLINE as SUMMARY_ROWS

    assert [key for key, _, _ in SUMMARY_ROWS] == list(HEADLINE)
    assert [label for _, label, _ in SUMMARY_ROWS] == [BY_NAME[n].label for n in HEADLINE]
    assert [name for _, name, _ in TABLE_COLUMNS] == list(TABLE)


def test_cloudwatch_publication_and_the_stack_dashboard_use_the_same_names() -> None:
    # Given what the aggregator publishes and what the stack's widgets and LOS alarm read
    from aws_cdk import Duration

    from infra.constructs.observability import AGGREGATE_METRICS, DASHBOARD_RATIOS, ratio_expression

    published = {c.name: c.cloudwatch.name for c in PUBLISHED if c.cloudwatch}
    assert published == AGGREGATE_METRICS
    # Then every ratio on the dashboard is computable from published counters only
    for _, names in DASHBOARD_RATIOS:
        for name in names:
            ratio = BY_NAME[name]
            assert {*ratio.numerator, *ratio.denominator} <= set(published)  # type: ignore[union-attr]
            ratio_expression(name, Duration.minutes(15))


def test_the_handler_publishes_every_registry_cloudwatch_metric(monkeypatch: object) -> None:
    from functions.handlers import contact_events

    seen: list[tuple[str, str]] = []

    class Recorder:
        def add_metric(self, *, name: str, unit: object, value: float) -> None:
            seen.append((name, str(getattr(unit, "value", unit))))

    import pytest

    patch = pytest.MonkeyPatch()
    patch.setattr(contact_events, "metrics", Recorder())
    patch.setattr(
        contact_events,
        "process",
        lambda *a, **k: {"summary": {"skipped": {}, "rollup_updates": 0, "failed": 0, "totals": {}}},
    )
    patch.setattr(contact_events, "default_store", lambda: None)
    try:
        contact_events.handler.__wrapped__({}, None)  # type: ignore[attr-defined]
    finally:
        patch.undo()
    names = {n for n, _ in seen}
    assert {c.cloudwatch.name for c in PUBLISHED if c.cloudwatch} <= names


def test_contact_and_survey_rules_give_counters_by_registry_name() -> None:
    case = ContactCase(
        method="INBOUND",
        queued=True,
        agent=True,
        disconnected=True,
        flow_ended=False,
        answer_ms=30_000,
        removed_ms=30_000,
        courtesy=False,
        self_service=None,
        transferred_out=False,
        callback_offered=True,
        callback_accepted=False,
        callback_dialed=False,
        callback_connected=False,
    )
    assert contact_counters(case, 60_000) == {
        "inbound_contacts": 1,
        "offered": 1,
        "answered": 1,
        "answer_time_sum_ms": 30_000,
        "answer_time_count": 1,
        "answered_within_threshold": 1,
        "removed_within_threshold": 1,
        "callbacks_offered": 1,
    }
    survey = {"fcr_all": True, "fcr_times": 1, "service": "tax", "channel": "VOICE", "drivers": {"trust": 4}}
    assert survey_counters(survey) == {
        "survey_responses": 1,
        "surveys_offered": 1,
        "a11v|offered|tax|VOICE": 1,
        "a11v|respondents|tax|VOICE": 1,
        "fcr_survey_responses": 1,
        "fcr_survey_yes": 1,
        "driver_sum|trust": 4,
        "driver_count|trust": 1,
        "driver_agree|trust": 1,
        "a11|tax|VOICE|trust|4": 1,
    }


def test_a_declined_survey_is_offered_but_not_a_response() -> None:
    # Given a survey stored with no answer (the customer pressed 2 or gave no input)
    declined = {"declined": True, "service": "tax", "channel": "VOICE", "drivers": {}}
    # Then it counts as offered, under its service and channel, and as nothing else
    assert survey_counters(declined) == {"surveys_offered": 1, "a11v|offered|tax|VOICE": 1}
