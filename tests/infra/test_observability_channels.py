"""The stack's dashboard shows every channel, reading the metrics the aggregator publishes (same
names and dimensions, from the same registry definitions), and alarms on the e-mail 24 h promise."""

from __future__ import annotations

import json
from typing import Any

import pytest

from functions.domain.metrics_cloudwatch import CHANNEL_DIMENSION, channel_sets
from functions.domain.metrics_registry import BY_NAME, PUBLISHED, channel_key
from infra.constructs.observability import CHANNEL_COUNTS, CHANNEL_RATIOS, CONTACT_CHANNELS
from tests.infra.test_stacks import _flatten, _of

pytestmark = [pytest.mark.infra, pytest.mark.xdist_group("infra")]


def _dashboard(synth: Any) -> dict[str, Any]:
    (dashboard,) = _of(synth.center, "AWS::CloudWatch::Dashboard").values()
    return dict(json.loads(_flatten(dashboard["Properties"]["DashboardBody"])))


def _lines(widget: dict[str, Any]) -> list[list[Any]]:
    return list(widget["properties"].get("metrics", []))


def _metric_of(line: list[Any]) -> tuple[str, str, dict[str, str]] | None:
    """(namespace, name, dimensions) of a dashboard metric line (None for an expression)."""
    if not line or not isinstance(line[0], str) or line[0] == "..." or isinstance(line[0], dict):
        return None
    namespace, name, *rest = line
    values = [v for v in rest if not isinstance(v, dict)]
    return namespace, name, dict(zip(values[::2], values[1::2], strict=True))


def _published_by_the_handler() -> dict[str, set[tuple[str, str]]]:
    """{channel: {(metric name, dimensions)}} the handler publishes when every counter moved."""
    totals = {channel_key(ch, c.name): 1 for ch in (*CONTACT_CHANNELS, "SMS") for c in PUBLISHED}
    out: dict[str, set[tuple[str, str]]] = {}
    for metric_set in channel_sets(totals):
        channel = dict(metric_set.dimensions)[CHANNEL_DIMENSION]
        out[channel] = {(m.name, channel) for m in metric_set.metrics}
    return out


def test_the_dashboard_has_a_widget_per_measure_with_a_line_per_channel(synth: Any) -> None:
    # Given the synthesized dashboard
    widgets = {w["properties"].get("title"): w for w in _dashboard(synth)["widgets"]}
    published = _published_by_the_handler()
    # Then each per-channel ratio widget has one expression per contact channel
    for title, ratio in CHANNEL_RATIOS:
        lines = _lines(widgets[title])
        expressions = [
            line[0]["label"] for line in lines if isinstance(line[0], dict) and "expression" in line[0]
        ]
        assert expressions == [
            f"{ch}{' (%)' if BY_NAME[ratio].unit == 'ratio' else ' (s)'}" for ch in CONTACT_CHANNELS
        ]
    # And every CivicLine metric a per-channel widget reads is one the handler publishes, same
    # name, same namespace, dimensions service + Channel
    seen: set[str] = set()
    for title in [t for t, _ in CHANNEL_RATIOS] + [t for t, _, _ in CHANNEL_COUNTS]:
        for line in _lines(widgets[title]):
            metric = _metric_of(line)
            if metric is None:
                continue
            namespace, name, dims = metric
            assert namespace == "CivicLine"
            assert set(dims) == {"service", CHANNEL_DIMENSION}
            assert (name, dims[CHANNEL_DIMENSION]) in published[dims[CHANNEL_DIMENSION]]
            seen.add(dims[CHANNEL_DIMENSION])
    assert seen == {"VOICE", "CHAT", "EMAIL", "SMS"}
    # And the e-mail promise and notifications are on it
    for title in (
        "E-mail answered within 24 h (%, per day)",
        "Notifications by channel",
        "Contacts by channel",
    ):
        assert title in widgets


def test_an_alarm_watches_the_email_24h_promise_from_published_metrics(synth: Any) -> None:
    # Given the alarms
    alarms = _of(synth.center, "AWS::CloudWatch::Alarm")
    [late] = [a["Properties"] for k, a in alarms.items() if "EmailAnsweredAfterDeadline" in k]
    # Then it compares e-mails answered with those answered by their deadline, on Channel=EMAIL
    [expression] = [q["Expression"] for q in late["Metrics"] if "Expression" in q]
    assert expression == "answered - ontime"
    stats = [q["MetricStat"]["Metric"] for q in late["Metrics"] if "MetricStat" in q]
    names = {s["MetricName"] for s in stats}
    assert names == {
        cloudwatch_name("emails_answered"),
        cloudwatch_name("emails_answered_within_24h"),
    }
    for stat in stats:
        assert {"Name": CHANNEL_DIMENSION, "Value": "EMAIL"} in stat["Dimensions"]
    assert late["ComparisonOperator"] == "GreaterThanOrEqualToThreshold" and late["Threshold"] == 1
    assert late["AlarmActions"]


def cloudwatch_name(counter: str) -> str:
    [published] = [c.cloudwatch.name for c in PUBLISHED if c.name == counter and c.cloudwatch]
    return published
