"""The e-mail backlog in CloudWatch: the schedule that runs the function, the alarms before and after
the 24 h answer deadline, the per-queue widgets (reading exactly what the function publishes), and
the function's role (a read of the 15-minute rollups' e-mail counters, nothing else)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from functions.domain.email_backlog import BacklogReading
from functions.domain.metrics_cloudwatch import QUEUE_DIMENSION, backlog_sets
from functions.domain.metrics_registry import GAUGES_BY_NAME
from infra.registry import EMAIL_BACKLOG_ATTRIBUTES, FUNCTIONS_BY_NAME, QUEUES
from tests.infra.test_observability_channels import _dashboard, _lines, _metric_of
from tests.infra.test_stacks import _of

pytestmark = [pytest.mark.infra, pytest.mark.xdist_group("infra")]

AGE = GAUGES_BY_NAME["email_backlog_oldest_age_seconds"].cloudwatch.name
FUNCTION_ID = FUNCTIONS_BY_NAME["email_backlog"].construct_id


def _published() -> set[tuple[str, tuple[tuple[str, str], ...]]]:
    """(metric name, dimensions) of everything the function publishes in a run."""
    out = set()
    for metric_set in backlog_sets(BacklogReading(()), [q.name for q in QUEUES]):
        dims = tuple(sorted((("service", "civicline"), *metric_set.dimensions)))
        out |= {(m.name, dims) for m in metric_set.metrics}
    return out


def _refs(value: Any) -> str:
    return json.dumps(value)


def test_a_schedule_runs_the_function_every_five_minutes_with_a_dead_letter_queue(synth: Any) -> None:
    # Given the synthesized rules
    rules = _of(synth.center, "AWS::Events::Rule")
    [rule] = [r["Properties"] for k, r in rules.items() if "EmailBacklogSchedule" in k]
    # Then it runs every 5 minutes and targets the backlog function, with retries and a DLQ
    assert rule["ScheduleExpression"] == "rate(5 minutes)"
    [target] = rule["Targets"]
    assert FUNCTION_ID in _refs(target["Arn"])
    assert "EmailBacklogScheduleDeadLetters" in _refs(target["DeadLetterConfig"])
    assert target["RetryPolicy"]["MaximumEventAgeInSeconds"] == 300


def test_alarms_fire_before_the_deadline_passes_and_once_it_has(synth: Any) -> None:
    # Given the alarms
    alarms = {k: a["Properties"] for k, a in _of(synth.center, "AWS::CloudWatch::Alarm").items()}
    [near] = [a for k, a in alarms.items() if "EmailBacklogNearDeadline" in k]
    [past] = [a for k, a in alarms.items() if "EmailBacklogPastDeadline" in k]
    # Then both watch the stack-wide oldest age the function publishes, its maximum per 5 minutes
    for alarm in (near, past):
        [query] = alarm["Metrics"]
        stat = query["MetricStat"]
        assert stat["Metric"]["MetricName"] == AGE and stat["Metric"]["Namespace"] == "CivicLine"
        dims = tuple(sorted((d["Name"], d["Value"]) for d in stat["Metric"]["Dimensions"]))
        assert (AGE, dims) in _published()
        assert stat["Stat"] == "Maximum" and stat["Period"] == 300
        assert alarm["ComparisonOperator"] == "GreaterThanOrEqualToThreshold"
        assert alarm["AlarmActions"]
    # And the first fires at the configured warning age (20 h: 4 h left), the second at 24 h
    assert near["Threshold"] == synth.config.thresholds.email_backlog_warn_hours * 3600 == 72000
    assert past["Threshold"] == 24 * 3600


def test_the_dashboard_shows_each_queues_backlog_and_oldest_age_as_published(synth: Any) -> None:
    # Given the dashboard
    widgets = {w["properties"].get("title"): w for w in _dashboard(synth)["widgets"]}
    published = _published()
    # Then each backlog widget has one line per registry queue, each a metric the function publishes
    for title in ("E-mails waiting by queue", "Oldest waiting e-mail by queue (h)"):
        queues = []
        for line in _lines(widgets[title]):
            metric = _metric_of(line)
            if metric is None:
                continue
            namespace, name, dims = metric
            assert namespace == "CivicLine"
            assert (name, tuple(sorted(dims.items()))) in published
            queues.append(dims[QUEUE_DIMENSION])
        assert queues == [q.name for q in QUEUES]
    # And the age widget marks the warning and the deadline
    annotations = widgets["Oldest waiting e-mail by queue (h)"]["properties"]["annotations"]["horizontal"]
    assert [a["value"] for a in annotations] == [20, 24]


def test_the_function_may_only_read_the_rollups_email_counters(synth: Any) -> None:
    # Given the backlog function's role policy
    policies = _of(synth.center, "AWS::IAM::Policy")
    statements = [
        s
        for k, p in policies.items()
        if k.startswith(f"Functions{FUNCTION_ID}Role")
        for s in p["Properties"]["PolicyDocument"]["Statement"]
    ]
    ddb = [s for s in statements if any(str(a).startswith("dynamodb:") for a in _listed(s["Action"]))]
    # Then its one DynamoDB statement is a Query of the 15-minute rollup partitions, projecting
    # only the e-mail counters
    [query] = ddb
    assert _listed(query["Action"]) == ["dynamodb:Query"]
    assert query["Condition"]["ForAllValues:StringLike"] == {"dynamodb:LeadingKeys": ["ROLLUP#*#15m"]}
    assert query["Condition"]["ForAllValues:StringEquals"] == {
        "dynamodb:Attributes": list(EMAIL_BACKLOG_ATTRIBUTES)
    }
    assert "MetricsTable" in _refs(query["Resource"]) and "index" not in _refs(query["Resource"])


def _listed(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def test_an_unmeasured_backlog_and_malformed_rows_raise_their_own_alarms(synth: Any) -> None:
    # Given the alarms
    alarms = {k: a["Properties"] for k, a in _of(synth.center, "AWS::CloudWatch::Alarm").items()}
    [silent] = [a for k, a in alarms.items() if "EmailBacklogNotMeasured" in k]
    [malformed] = [a for k, a in alarms.items() if "EmailBacklogMalformedRows" in k]
    published = _published()
    # Then no reading for 15 minutes (fewer than one sample of the stack-wide backlog, missing data
    # breaching) alarms: without it the deadline alarms would stay quiet while nothing is measured
    [stat] = [q["MetricStat"] for q in silent["Metrics"]]
    dims = tuple(sorted((d["Name"], d["Value"]) for d in stat["Metric"]["Dimensions"]))
    assert (stat["Metric"]["MetricName"], dims) in published
    assert stat["Stat"] == "SampleCount" and stat["Period"] == 900
    assert silent["ComparisonOperator"] == "LessThanThreshold" and silent["Threshold"] == 1
    assert silent["TreatMissingData"] == "breaching" and silent["AlarmActions"]
    # And a malformed row seen alarms, on the metric the function publishes
    [stat] = [q["MetricStat"] for q in malformed["Metrics"]]
    assert stat["Metric"]["MetricName"] == GAUGES_BY_NAME["email_backlog_malformed_rows"].cloudwatch.name
    assert malformed["Threshold"] == 1 and malformed["AlarmActions"]
