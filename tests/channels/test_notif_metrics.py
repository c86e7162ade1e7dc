"""Notification outcomes reach the metrics the way the stack routes them: the notifier puts its
Contract N event on the default bus, the outcomes rule (infra/constructs/channels.py, and its local
twin in civicline/local/aws.py) takes it to the aggregator's queue, and the real aggregator handler
counts it once."""

from __future__ import annotations

import json
from typing import Any

from civicline.metrics.queries import query
from functions.handlers.contact_events import default_store
from functions.handlers.contact_events import handler as aggregator
from functions.handlers.notifier import handler as notifier
from schemas.records import CaseStatus, Grain
from tests.channels.conftest import Clock
from tests.channels.test_notifications import ADDRESS, change_record, consent


def drained(shared_aws: Any) -> list[dict[str, Any]]:
    """Every envelope the rules routed to the aggregator's queue, as SQS records."""
    bodies = [envelope for batch in shared_aws.drain_contact_events() for envelope in batch]
    return [
        {"messageId": f"m{i}", "body": json.dumps(body), "eventSource": "aws:sqs"}
        for i, body in enumerate(bodies)
    ]


def test_a_sent_notification_is_counted_by_the_aggregator_through_the_bus(
    shared_aws: Any, ses: list[Any], cases: Any, clock: Clock
) -> None:
    # Given an e-mail consent, an empty aggregator queue and a status change in the day
    drained(shared_aws)
    case = cases[0]
    consent(caseNumber=case.case_number, channel="EMAIL", destination=ADDRESS)
    notifier({"Records": [change_record(case.case_number, CaseStatus.DECIDED, clock.moment)]}, None)
    # When the aggregator takes what the rule routed to its queue (delivered twice, at least once)
    records = drained(shared_aws)
    assert [json.loads(r["body"])["source"] for r in records] == ["civicline.notifications"]
    for _ in range(2):
        assert aggregator({"Records": records}, None)["batchItemFailures"] == []
    # Then the day's rollup counts one e-mail notification sent
    [day] = query(default_store(), queues=["NOTIFY"], grain=Grain.DAY)
    assert day.rollup.notifications_sent == 1
    assert day.channels()["EMAIL"]["notifications_sent"] == 1
    assert len(ses) == 1
