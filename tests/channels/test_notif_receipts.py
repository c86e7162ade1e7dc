"""Delivery receipts -> Contract N outcomes: the pure mapping (examples and a property: any JSON gets
an answer, never an exception) and the real ``notification_receipts`` entry point on moto."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from functions.domain.notification_receipts import receipt
from functions.domain.notifications import Outcome
from functions.handlers.notification_receipts import handler
from tests.deployed.scenarios import receipt_events

TAGS = {
    "notificationId": ["0123456789abcdef0123456789abcdef"],
    "kind": ["STATUS_CHANGE"],
    "officeId": ["north"],
}


def ses_event(event_type: str, **more: Any) -> dict[str, Any]:
    return {"source": "aws.ses", "detail": {"eventType": event_type, "mail": {"tags": TAGS}, **more}}


def sms_event(event_type: str, **more: Any) -> dict[str, Any]:
    """An End User Messaging SMS receipt as EventBridge delivers it (monitor-event-bridge.html:
    detail-type "Text Message Delivery Status Updated", detail.eventType / isFinal / context)."""
    context = {"notificationId": "fedcba9876543210fedcba9876543210", "kind": "DEADLINE_REMINDER"}
    return {
        "source": "aws.sms-voice",
        "detail-type": "Text Message Delivery Status Updated",
        "detail": {"eventType": event_type, "context": context, **more},
    }


@pytest.mark.parametrize(
    ("event", "expected"),
    [
        (ses_event("Delivery"), ("EMAIL", Outcome.DELIVERED, None)),
        (
            ses_event("Bounce", bounce={"bounceType": "Permanent"}),
            ("EMAIL", Outcome.FAILED, "BOUNCE_PERMANENT"),
        ),
        (ses_event("Reject"), ("EMAIL", Outcome.FAILED, "REJECTED")),
        (sms_event("TEXT_DELIVERED"), ("SMS", Outcome.DELIVERED, None)),
        (sms_event("TEXT_BLOCKED"), ("SMS", Outcome.FAILED, "TEXT_BLOCKED")),
        (sms_event("TEXT_BLOCKED", isFinal=True), ("SMS", Outcome.FAILED, "TEXT_BLOCKED")),
        # AWS's own "Event for a delivered SMS message" is a final TEXT_SUCCESSFUL: where the country's
        # carriers send no delivery report, TEXT_DELIVERED and TEXT_SUCCESSFUL are used interchangeably
        # (configuration-sets-event-types.html)
        (sms_event("TEXT_SUCCESSFUL", isFinal=True), ("SMS", Outcome.DELIVERED, "CARRIER_ACCEPTED")),
    ],
)
def test_receipts_that_end_a_delivery_map_to_delivered_or_failed(
    event: dict[str, Any], expected: tuple[str, Outcome, str | None]
) -> None:
    found = receipt(event)
    assert found is not None
    assert (found.channel, found.outcome, found.reason) == expected


@pytest.mark.parametrize(
    "event",
    [
        ses_event("Send"),
        ses_event("DeliveryDelay"),
        ses_event("Complaint"),
        sms_event("TEXT_SUCCESSFUL"),  # accepted by the carrier, a delivery report may follow
        sms_event("TEXT_SUCCESSFUL", isFinal=False),
        sms_event("TEXT_CARRIER_UNREACHABLE", isFinal=False),  # a temporary error: retried, not final
        sms_event("TEXT_QUEUED"),
        {"source": "aws.ses", "detail": {"eventType": "Delivery", "mail": {"tags": {}}}},  # not ours
        {"source": "aws.connect", "detail": {"eventType": "Delivery"}},
        {"source": "aws.ses"},
    ],
)
def test_other_receipts_are_not_outcomes(event: dict[str, Any]) -> None:
    assert receipt(event) is None


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=12,
)


@given(
    st.sampled_from(["aws.ses", "aws.sms-voice", "other"]),
    st.dictionaries(st.sampled_from(["eventType", "mail", "context", "bounce"]), json_values),
)
def test_any_receipt_gets_an_answer_never_an_exception(source: str, detail: dict[str, Any]) -> None:
    found = receipt({"source": source, "detail": detail})
    assert found is None or found.outcome in (Outcome.DELIVERED, Outcome.FAILED)


def test_the_receipts_function_emits_the_outcome_event(
    outcomes: Callable[[], list[dict[str, Any]]],
) -> None:
    events = receipt_events()
    assert handler(events["email_delivered"], None) == {"outcome": "DELIVERED"}
    assert handler(events["sms_failed"], None) == {"outcome": "FAILED"}
    assert handler(events["not_ours"], None) == {"outcome": None}
    assert outcomes() == [
        {
            "notificationId": "0123456789abcdef0123456789abcdef",
            "kind": "STATUS_CHANGE",
            "channel": "EMAIL",
            "outcome": "DELIVERED",
            "reason": None,
            "occurredAt": "2026-11-23T15:00:05Z",
            "officeId": None,
        },
        {
            "notificationId": "fedcba9876543210fedcba9876543210",
            "kind": "DEADLINE_REMINDER",
            "channel": "SMS",
            "outcome": "FAILED",
            "reason": "TEXT_CARRIER_UNREACHABLE",
            "occurredAt": "2026-11-23T15:00:09Z",
            "officeId": None,
        },
    ]
