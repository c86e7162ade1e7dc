"""The aggregator's CloudWatch metrics per channel: real Connect contact events and notification
outcomes through the real Lambda entry point on moto, its EMF output read back from stdout.

EMF (Embedded Metric Format, CloudWatch_Embedded_Metric_Format_Specification.html) is a JSON log
line with an ``_aws.CloudWatchMetrics`` directive naming the namespace, the dimension sets and the
metrics, the values at the top level. Powertools writes one per Metrics object it flushes.
"""

from __future__ import annotations

import json
import random
from datetime import timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from functions.domain.metrics_cloudwatch import CHANNEL_DIMENSION, channel_sets
from functions.domain.metrics_registry import PUBLISHED
from functions.handlers.contact_events import handler, process
from tests.metrics.conftest import RULES, envelope, fresh_store, sqs_event
from tests.metrics.lifecycles import lifecycles
from tests.metrics.test_channels import START, contact, deadline, outcome

PUBLISHED_NAMES = {c.cloudwatch.name for c in PUBLISHED if c.cloudwatch}


def emf_documents(out: str) -> list[dict[str, Any]]:
    docs = []
    for raw in out.splitlines():
        line = raw.strip()
        if line.startswith("{") and '"_aws"' in line:
            docs.append(json.loads(line))
    return docs


def value(doc: dict[str, Any], name: str) -> float:
    """A metric's value in an EMF document (Powertools writes a list of the values added)."""
    raw = doc[name]
    return float(sum(raw)) if isinstance(raw, list) else float(raw)


def by_channel(docs: list[dict[str, Any]]) -> dict[str, dict[str, float]]:
    """``{channel: {metric: value}}`` of the documents that carry the Channel dimension."""
    out: dict[str, dict[str, float]] = {}
    for doc in docs:
        directive = doc["_aws"]["CloudWatchMetrics"][0]
        assert directive["Namespace"] == "CivicLine"
        if CHANNEL_DIMENSION not in directive["Dimensions"][0]:
            continue
        assert set(directive["Dimensions"][0]) == {"service", CHANNEL_DIMENSION}
        names = {m["Name"] for m in directive["Metrics"]}
        assert names == PUBLISHED_NAMES
        out[doc[CHANNEL_DIMENSION]] = {n: value(doc, n) for n in names}
    return out


def stack_wide(docs: list[dict[str, Any]]) -> dict[str, float]:
    [doc] = [d for d in docs if CHANNEL_DIMENSION not in d["_aws"]["CloudWatchMetrics"][0]["Dimensions"][0]]
    return {n: value(doc, n) for n in PUBLISHED_NAMES}


@pytest.fixture
def emf_on(monkeypatch: pytest.MonkeyPatch) -> None:
    """EMF written (the suite disables it), starting from an empty Metrics object: with metrics
    disabled, earlier tests' handler calls leave their values in the shared one unflushed."""
    from functions.core.observability import metrics

    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "false")
    metrics.clear_metrics()


def test_each_channel_publishes_what_its_stored_update_counted_and_a_redelivery_nothing(
    local_aws: Any, emf_on: None, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given a voice call answered in 20 s, a chat abandoned after 2 min, an e-mail answered in 3 h
    # against its 24 h deadline and one answered after 30 h, and an SMS notification delivered
    details = [
        *contact("v-1", "VOICE", START, queue="general", agent_after=timedelta(seconds=20)),
        *contact("c-1", "CHAT", START, queue="general", closed_after=timedelta(minutes=2)),
        *contact(
            "m-1",
            "EMAIL",
            START,
            queue="mail",
            agent_after=timedelta(hours=3),
            attributes=deadline(START, 24),
        ),
        *contact(
            "m-2",
            "EMAIL",
            START,
            queue="mail",
            agent_after=timedelta(hours=30),
            attributes=deadline(START, 24),
        ),
    ]
    batch = [envelope(d) for d in details] + [
        outcome("n-1", "STATUS_CHANGE", "SMS", "SENT", 1),
        outcome("n-1", "STATUS_CHANGE", "SMS", "DELIVERED", 5),
    ]
    capsys.readouterr()
    # When the batch reaches the aggregator Lambda
    response = handler(sqs_event(batch), None)
    assert response["batchItemFailures"] == []
    docs = emf_documents(capsys.readouterr().out)
    channels = by_channel(docs)
    # Then each channel's EMF document carries that channel's counts, and nothing else
    assert set(channels) == {"VOICE", "CHAT", "EMAIL", "SMS"}
    voice, chat, mail, sms = channels["VOICE"], channels["CHAT"], channels["EMAIL"], channels["SMS"]
    assert (voice["ContactsOffered"], voice["ContactsAnswered"], voice["AnswerTimeSeconds"]) == (1, 1, 20)
    assert voice["ContactsRemovedWithinThreshold"] == 1
    assert (chat["ContactsOffered"], chat["ContactsAbandoned"], chat["ContactsRemovedWithinThreshold"]) == (
        1,
        1,
        0,
    )
    assert (mail["EmailsReceived"], mail["EmailsAnswered"], mail["EmailsAnsweredWithin24h"]) == (2, 2, 1)
    assert voice["EmailsReceived"] == 0 and chat["EmailsReceived"] == 0
    assert (sms["NotificationsSent"], sms["NotificationsDelivered"], sms["NotificationsOptedOut"]) == (
        1,
        1,
        0,
    )
    assert sms["ContactsOffered"] == 0
    # And the stack-wide document is the sum of the contact channels
    total = stack_wide(docs)
    assert total["ContactsOffered"] == 4 and total["EmailsAnsweredWithin24h"] == 1
    assert total["NotificationsDelivered"] == 1

    # When the same events arrive again (a re-publish: fresh envelope ids) and as an SQS retry
    again = [envelope(d) for d in details] + [outcome("n-1", "STATUS_CHANGE", "SMS", "DELIVERED", 5)]
    handler(sqs_event(again), None)
    handler(sqs_event(batch), None)
    docs = emf_documents(capsys.readouterr().out)
    # Then no channel publishes anything, and the stack-wide figures add zero
    assert by_channel(docs) == {}
    assert all(not any(value(doc, n) for n in PUBLISHED_NAMES) for doc in docs)


def test_a_channel_only_moved_by_zero_deltas_publishes_nothing() -> None:
    # Given totals where the CHAT counters net to zero (a contact re-counted elsewhere) and a family key
    totals = {"ch|CHAT|offered": 0, "ch|VOICE|offered": 1, "offered": 1, "a11v|customers|GENERAL|VOICE": 1}
    # Then only VOICE gets a document
    assert [s.dimensions for s in channel_sets(totals)] == [((CHANNEL_DIMENSION, "VOICE"),)]


@pytest.mark.slow
@settings(
    max_examples=5,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(lives=lifecycles(max_size=5), seed=st.integers(0, 2**32 - 1), batch=st.sampled_from([1, 4, 10]))
def test_what_each_channel_publishes_adds_up_to_its_stored_rollups(
    local_aws: Any, lives: list[Any], seed: int, batch: int
) -> None:
    # Given generated lifecycles (VOICE, CHAT, TASK), every event also re-sent and re-published,
    # shuffled, in batches of one size
    rng = random.Random(seed)
    envelopes = [envelope(e.detail) for life in lives for e in life.events]
    noisy = envelopes + [dict(e) for e in envelopes] + [envelope(e["detail"]) for e in envelopes]
    rng.shuffle(noisy)
    store = fresh_store(local_aws)
    # When the aggregator takes them, and what it would publish per channel is summed over the runs
    published: dict[tuple[str, str], float] = {}
    for start in range(0, len(noisy), batch):
        response = process(sqs_event(noisy[start : start + batch]), store, RULES, now_ms=0)
        assert response["batchItemFailures"] == []
        for metric_set in channel_sets(response["summary"]["totals"]):
            channel = dict(metric_set.dimensions)[CHANNEL_DIMENSION]
            for metric in metric_set.metrics:
                key = (channel, metric.name)
                published[key] = published.get(key, 0.0) + metric.value
    # Then each channel's published total is its stored counter (ALL queue, every 15-minute row)
    stored: dict[tuple[str, str], float] = {}
    for row in store.query_rollups("ALL", "15m"):
        for counter in PUBLISHED:
            assert counter.cloudwatch is not None
            for channel in ("VOICE", "CHAT", "TASK"):
                value = float(row["counters"].get(f"ch|{channel}|{counter.name}", 0))
                if value:
                    key = (channel, counter.cloudwatch.name)
                    stored[key] = stored.get(key, 0.0) + value / counter.cloudwatch.divisor
    assert {k: round(v, 6) for k, v in published.items() if v} == {k: round(v, 6) for k, v in stored.items()}
    assert stored or all(life.kind == "outbound" for life in lives)  # the comparison is not vacuous
