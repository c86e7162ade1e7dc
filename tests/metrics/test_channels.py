"""Per-channel measures (Contract M), e-mail answered within 24 h and backlog, notification outcomes
(Contract N): through the real aggregator handler, duplicated and out of order, on moto.

Contact events are in Amazon Connect's shape (contact-events.html: ``channel`` VOICE, CHAT, TASK,
EMAIL; queueInfo, agentInfo, attributes); notification outcomes in the shape SEAMS2 Contract N fixes.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from civicline.metrics.channels import email_backlog
from civicline.metrics.queries import query
from functions.handlers.contact_events import process
from schemas.records import Grain
from tests.metrics.conftest import RULES, deliver, envelope, fresh_store, sqs_event
from tests.metrics.lifecycles import INSTANCE, queue_arn, ts

START = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)


def contact(
    cid: str,
    channel: str,
    start: datetime,
    *,
    queue: str,
    agent_after: timedelta | None = None,
    closed_after: timedelta | None = None,
    attributes: dict[str, str] | None = None,
) -> list[dict[str, Any]]:
    """The contact events Connect publishes for one contact the customer opened on ``channel``: a chat
    says initiation method API, as Connect records every StartChatContact chat (the AWS contact-event
    sample of a chat; integrate-with-startchatcontact-api.html), a call or an e-mail INBOUND."""
    base = {
        "contactId": cid,
        "initialContactId": cid,
        "channel": channel,
        "instanceArn": INSTANCE,
        "initiationMethod": "API" if channel == "CHAT" else "INBOUND",
        "initiationTimestamp": ts(start),
    }
    queue_info = {"queueArn": queue_arn(queue), "queueType": "STANDARD", "enqueueTimestamp": ts(start)}
    events = [{**base, "eventType": "INITIATED"}]
    if attributes:
        events.append({**base, "eventType": "CONTACT_DATA_UPDATED", "attributes": attributes})
    events.append({**base, "eventType": "QUEUED", "queueInfo": queue_info})
    if agent_after is not None:
        agent = {"agentArn": f"{INSTANCE}/agent/a1", "connectedToAgentTimestamp": ts(start + agent_after)}
        events.append(
            {**base, "eventType": "CONNECTED_TO_AGENT", "queueInfo": queue_info, "agentInfo": agent}
        )
        end = start + agent_after + timedelta(minutes=10)
        events.append(
            {
                **base,
                "eventType": "DISCONNECTED",
                "queueInfo": queue_info,
                "agentInfo": agent,
                "disconnectReason": "AGENT_DISCONNECT",
                "disconnectTimestamp": ts(end),
            }
        )
    elif closed_after is not None:
        events.append(
            {
                **base,
                "eventType": "DISCONNECTED",
                "queueInfo": queue_info,
                "disconnectReason": "CUSTOMER_DISCONNECT",
                "disconnectTimestamp": ts(start + closed_after),
            }
        )
    return events


def deadline(start: datetime, hours: float) -> dict[str, str]:
    return {"answerDeadline": (start + timedelta(hours=hours)).isoformat().replace("+00:00", "Z")}


def email(
    cid: str,
    *,
    start: datetime = START,
    answered_after: timedelta | None = None,
    closed_after: timedelta | None = None,
    deadline_hours: float | None = None,
) -> list[dict[str, Any]]:
    """An inbound e-mail in the mail queue, answered, closed or waiting, with an answerDeadline."""
    attributes = deadline(start, deadline_hours) if deadline_hours is not None else None
    return contact(
        cid,
        "EMAIL",
        start,
        queue="mail",
        agent_after=answered_after,
        closed_after=closed_after,
        attributes=attributes,
    )


def twice_reversed(details: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every event twice (a fresh envelope id each time, as a re-publish), newest first."""
    return [envelope(d) for d in reversed(details)] + [envelope(d) for d in details]


def test_chat_and_email_measures_split_by_channel_counted_once(local_aws: Any) -> None:
    store = fresh_store(local_aws)
    # Given a chat answered in 20 s, and five e-mails: answered in 3 h, answered in 30 h, still
    # waiting, closed unanswered, and answered in 2 h against a 1-hour answerDeadline
    details = [
        *contact("chat-1", "CHAT", START, queue="general", agent_after=timedelta(seconds=20)),
        *email("mail-1", answered_after=timedelta(hours=3), deadline_hours=24),
        *email("mail-2", answered_after=timedelta(hours=30), deadline_hours=24),
        *email("mail-3", start=START + timedelta(minutes=20)),
        *email("mail-4", closed_after=timedelta(hours=1)),
        *email("mail-5", answered_after=timedelta(hours=2), deadline_hours=1),
    ]
    # When every event arrives twice, newest first
    deliver(store, twice_reversed(details), [])
    [day] = query(store, queues=["ALL"], grain=Grain.DAY)
    r = day.rollup
    # Then the e-mail measures count each e-mail once: received 5, answered 3, by the deadline 1
    # (the 3-hour one; the 2-hour one missed its own 1-hour deadline), closed unanswered 1
    assert (r.emails_received, r.emails_answered, r.emails_answered_within_24h) == (5, 3, 1)
    assert r.emails_closed_unanswered == 1
    assert day.ratios["email_answered_within_24h_rate"] == 0.2
    # And every measure is split by channel, totals equal to the sum of the channels
    channels = day.channels()
    assert set(channels) == {"CHAT", "EMAIL"}
    # (the chat recorded with initiation method API is the customer's own contact, as a call is)
    assert (channels["CHAT"]["offered"], channels["CHAT"]["answered"]) == (1, 1)
    assert channels["CHAT"]["inbound_contacts"] == 1
    assert channels["CHAT"]["answered_within_threshold"] == 1
    assert channels["EMAIL"]["offered"] == 5 and channels["EMAIL"]["emails_received"] == 5
    assert channels["EMAIL"].get("answered_within_threshold", 0) == 0
    assert channels["CHAT"]["level_of_service"] == 1.0
    for name in ("inbound_contacts", "offered", "answered", "abandoned"):
        assert getattr(r, name) == sum(float(c.get(name) or 0) for c in channels.values()), name
    # And the e-mail backlog: one waiting in "mail", the oldest arrived at 14:15 UTC
    rows = query(store, queues=["mail"], grain=Grain.INTERVAL)
    [backlog] = email_backlog(rows, now=START + timedelta(days=2))
    assert (backlog.queue, backlog.waiting) == ("mail", 1)
    assert backlog.oldest == START + timedelta(minutes=15)
    assert backlog.age_seconds == timedelta(days=2, minutes=-15).total_seconds()


def outcome(notification: str, kind: str, channel: str, result: str, minute: int) -> dict[str, Any]:
    """A Notification Outcome envelope as Contract N publishes it."""
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": "Notification Outcome",
        "source": "civicline.notifications",
        "account": "123456789012",
        "time": "2026-11-23T15:00:00Z",
        "region": "us-east-1",
        "resources": [],
        "detail": {
            "notificationId": notification,
            "kind": kind,
            "channel": channel,
            "outcome": result,
            "reason": None,
            "occurredAt": f"2026-11-23T15:{minute:02d}:00Z",
            "officeId": None,
        },
    }


def test_notification_outcomes_are_counted_once_per_notification_and_channel(local_aws: Any) -> None:
    store = fresh_store(local_aws)
    # Given an SMS sent then delivered (its SENT published twice, the receipt first), an e-mail
    # not sent because the citizen opted out, and a call that failed
    envelopes = [
        outcome("h-sms", "STATUS_CHANGE", "SMS", "DELIVERED", 5),
        outcome("h-sms", "STATUS_CHANGE", "SMS", "SENT", 1),
        outcome("h-sms", "STATUS_CHANGE", "SMS", "SENT", 1),
        outcome("h-mail", "DEADLINE_REMINDER", "EMAIL", "OPTED_OUT", 2),
        outcome("h-call", "STATUS_CHANGE", "VOICE", "FAILED", 3),
    ]
    deliver(store, envelopes + envelopes[::-1], [])
    [day] = query(store, queues=["NOTIFY"], grain=Grain.DAY)
    r = day.rollup
    # Then sent 1, delivered 1, opted out 1, failed 1, in the NOTIFY pseudo-queue and in ALL
    sent = (
        r.notifications_sent,
        r.notifications_delivered,
        r.notifications_opted_out,
        r.notifications_failed,
    )
    assert sent == (1, 1, 1, 1)
    assert day.ratios["notification_delivery_rate"] == 1.0
    [everything] = query(store, queues=["ALL"], grain=Grain.DAY)
    assert everything.rollup.notifications_sent == 1
    # And per notification channel
    channels = day.channels()
    assert channels["SMS"]["notifications_sent"] == channels["SMS"]["notifications_delivered"] == 1
    assert channels["EMAIL"]["notifications_opted_out"] == 1
    assert channels["VOICE"]["notifications_failed"] == 1


def test_bad_notification_outcomes_are_skipped_with_a_typed_reason(local_aws: Any) -> None:
    store = fresh_store(local_aws)
    # Given an outcome outside the contract, one without an id, and another detail type of the source
    bad = outcome("h-1", "STATUS_CHANGE", "SMS", "MAYBE", 1)
    anonymous = outcome("", "STATUS_CHANGE", "SMS", "SENT", 1)
    other = {**outcome("h-2", "STATUS_CHANGE", "SMS", "SENT", 1), "detail-type": "Notification Scheduled"}
    # When delivered, Then nothing fails (nothing to retry) and each is skipped with its reason
    response = process(sqs_event([bad, anonymous, other]), store, RULES, now_ms=0)
    assert response["batchItemFailures"] == []
    skipped = response["summary"]["skipped"]
    assert skipped.get("malformed", 0) >= 2 and sum(skipped.values()) == 3
    assert query(store, queues=["NOTIFY"], grain=Grain.DAY) == []
