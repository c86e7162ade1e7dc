"""Delivery receipts -> Contract N outcomes, pure.

Amazon SES publishes sending events to EventBridge through a configuration set's event destination
(``source`` ``aws.ses``; the message tags a send carried come back in ``detail.mail.tags``, each a
list); AWS End User Messaging SMS publishes "Text Message Delivery Status Updated" to EventBridge
(``source`` ``aws.sms-voice``; the send's ``Context`` comes back in ``detail.context``). Only a
receipt that says the message reached the recipient is DELIVERED; one that says it never will is
FAILED with the channel's reason; the rest (queued, pending, delayed, complaints) are not delivery
outcomes and are ignored. SMS receipts carry ``isFinal`` ("Messaging Events", end-user-messaging/
latest/userguide/nx-features-messaging-events.html): TEXT_SUCCESSFUL ("accepted by the recipient's
carrier") is DELIVERED only when it is final, because AWS says TEXT_DELIVERED and TEXT_SUCCESSFUL
"may be used interchangeably" depending on the destination country (configuration-sets-event-
types.html) and its own "Event for a delivered SMS message" is a final TEXT_SUCCESSFUL
(monitor-event-bridge.html); it carries the reason CARRIER_ACCEPTED so the two stay apart. A
failure that is not final (a temporary carrier error being retried) is not an outcome yet.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from functions.domain.notifications import Kind, Outcome

SES_SOURCE = "aws.ses"
SMS_SOURCE = "aws.sms-voice"
SMS_DETAIL_TYPE = "Text Message Delivery Status Updated"
#: SES event types (detail.eventType) that end a message's delivery
_SES = {
    "Delivery": (Outcome.DELIVERED, None),
    "Bounce": (Outcome.FAILED, "BOUNCE"),
    "Reject": (Outcome.FAILED, "REJECTED"),
    "Rendering Failure": (Outcome.FAILED, "RENDERING_FAILURE"),
}
#: End User Messaging SMS event types that end a message's delivery (EventDestination
#: MatchingEventTypes, pinpoint/latest/apireference_smsvoicev2/API_EventDestination.html)
_SMS_FAILED = frozenset(
    {
        "TEXT_INVALID",
        "TEXT_INVALID_MESSAGE",
        "TEXT_UNREACHABLE",
        "TEXT_CARRIER_UNREACHABLE",
        "TEXT_BLOCKED",
        "TEXT_CARRIER_BLOCKED",
        "TEXT_SPAM",
        "TEXT_UNKNOWN",
        "TEXT_TTL_EXPIRED",
        "TEXT_PROTECT_BLOCKED",
    }
)


@dataclass(frozen=True)
class Receipt:
    notification_id: str
    kind: Kind
    channel: str
    outcome: Outcome
    reason: str | None
    office_id: str | None


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _first(value: Any) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else None
    return str(value) if isinstance(value, str | int) and str(value) else None


def _receipt(tags: dict[str, Any], channel: str, outcome: Outcome, reason: str | None) -> Receipt | None:
    notification_id = _first(tags.get("notificationId"))
    kind = _first(tags.get("kind"))
    if not notification_id or kind not in Kind.__members__.values():
        return None  # not a CivicLine notification (or tags lost): nothing to count
    return Receipt(notification_id, Kind(str(kind)), channel, outcome, reason, _first(tags.get("officeId")))


def receipt(event: Any) -> Receipt | None:
    """The outcome an EventBridge receipt reports, or None when it reports none of ours."""
    if not isinstance(event, dict) or not isinstance(event.get("detail"), dict):
        return None
    detail = event["detail"]
    if event.get("source") == SES_SOURCE:
        mapped = _SES.get(str(detail.get("eventType", "")))
        tags = _dict(_dict(detail.get("mail")).get("tags"))
        if mapped is None:
            return None
        outcome, reason = mapped
        if reason == "BOUNCE":
            bounce_type = _dict(detail.get("bounce")).get("bounceType", "UNDETERMINED")
            reason = f"BOUNCE_{str(bounce_type).upper()}"
        return _receipt(tags, "EMAIL", outcome, reason)
    if event.get("source") == SMS_SOURCE:
        return _sms_receipt(detail)
    return None


def _sms_receipt(detail: dict[str, Any]) -> Receipt | None:
    """An SMS receipt's outcome: ``isFinal`` absent counts as final (older events lack it)."""
    kind = str(detail.get("eventType", ""))
    context = _dict(detail.get("context"))
    final = detail.get("isFinal") is not False
    if kind == "TEXT_DELIVERED":
        return _receipt(context, "SMS", Outcome.DELIVERED, None)
    if kind == "TEXT_SUCCESSFUL" and detail.get("isFinal") is True:
        return _receipt(context, "SMS", Outcome.DELIVERED, "CARRIER_ACCEPTED")
    if kind in _SMS_FAILED and final:
        return _receipt(context, "SMS", Outcome.FAILED, kind)
    return None


def outcome_detail(found: Receipt, occurred_at: str) -> dict[str, Any]:
    """The Contract N detail of a receipt (the same shape :func:`notifications.outcome_detail` makes)."""
    return {
        "notificationId": found.notification_id,
        "kind": found.kind.value,
        "channel": found.channel,
        "outcome": found.outcome.value,
        "reason": found.reason,
        "occurredAt": occurred_at,
        "officeId": found.office_id,
    }
