"""Amazon Connect shaped payloads built from a contact: contact-event details and Lambda events.

``contact_event`` builds the ``detail`` of an "Amazon Connect Contact Event" (camelCase, reference
section 5.3) for the engine and for the simulator (which adds CONNECTED_TO_AGENT, DISCONNECTED and
COMPLETED with ``agentInfo``). ``lambda_event`` builds the event of reference 4.1 that an
``InvokeLambdaFunction`` action sends.
"""

from __future__ import annotations

from datetime import UTC, datetime
from functools import lru_cache
from typing import Any, Protocol

from civicline.engine.contact import ContactState


class _HasContact(Protocol):
    contact: ContactState


@lru_cache(maxsize=256)
def timestamp(moment: datetime) -> str:
    """``yyyy-MM-ddTHH:mm:ss.SSSZ`` in UTC, the format contact events use (remembered by the moment:
    every event of a contact stamps its initiation and enqueue times again; equal moments are the
    same instant, or the same naive time, so they read the same)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    utc = moment.astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


def queue_info(contact: ContactState) -> dict[str, Any] | None:
    if not contact.queue_arn:
        return None
    info: dict[str, Any] = {"queueArn": contact.queue_arn, "queueType": "STANDARD"}
    if contact.enqueued_at is not None:
        info["enqueueTimestamp"] = timestamp(contact.enqueued_at)
    return info


def contact_event(
    event_type: str, contact: ContactState | _HasContact, now: datetime | None = None, **fields: Any
) -> dict[str, Any]:
    """The ``detail`` of a contact event for ``contact`` (a ContactState or a CallResult).

    Common fields come from the contact; ``fields`` are added last and override them (e.g.
    ``agentInfo={...}``, ``disconnectReason="CUSTOMER_DISCONNECT"``). ``now`` stamps
    ``disconnectTimestamp`` on DISCONNECTED when the caller does not give one.
    """
    state: ContactState = contact if isinstance(contact, ContactState) else contact.contact
    detail: dict[str, Any] = {
        "eventType": event_type,
        "contactId": state.contact_id,
        "initialContactId": state.initial_contact_id,
        "channel": state.channel,
        "instanceArn": state.instance_arn,
        "initiationMethod": state.initiation_method,
    }
    if state.previous_contact_id:
        detail["previousContactId"] = state.previous_contact_id
    if state.initiated_at is not None:
        detail["initiationTimestamp"] = timestamp(state.initiated_at)
    info = queue_info(state)
    if info is not None and state.enqueued_at is not None:
        detail["queueInfo"] = info
    if event_type == "DISCONNECTED" and now is not None and "disconnectTimestamp" not in fields:
        detail["disconnectTimestamp"] = timestamp(now)
    if event_type == "CONNECTED_TO_SYSTEM" and now is not None:
        detail["connectedToSystemTimestamp"] = timestamp(now)
    detail["tags"] = {"aws:connect:instanceId": state.instance_arn.rsplit("/", 1)[-1], **state.tags}
    detail.update(fields)
    return detail


def lambda_event(contact: ContactState, parameters: dict[str, str]) -> dict[str, Any]:
    """The event Connect sends to a Lambda function (reference 4.1) for the contact as it is now."""
    queue: dict[str, Any] | None = None
    if contact.queue_arn:
        queue = {"ARN": contact.queue_arn, "Name": contact.queue_name, "OutboundCallerId": None}
    return {
        "Details": {
            "ContactData": {
                "Attributes": dict(contact.attributes),
                "Channel": contact.channel,
                "ContactId": contact.contact_id,
                "CustomerEndpoint": (
                    {"Address": contact.caller_number, "Type": "TELEPHONE_NUMBER"}
                    if contact.caller_number
                    else None
                ),
                "CustomerId": contact.customer_id,
                "Description": contact.description,
                "InitialContactId": contact.initial_contact_id,
                "InitiationMethod": contact.initiation_method,
                "InstanceARN": contact.instance_arn,
                "LanguageCode": contact.language,
                "MediaStreams": {"Customer": {"Audio": None}},
                "Name": "ContactFlowEvent",
                "PreviousContactId": contact.previous_contact_id or contact.contact_id,
                "Queue": queue,
                "References": dict(contact.references),
                "SystemEndpoint": (
                    {"Address": contact.system_number, "Type": "TELEPHONE_NUMBER"}
                    if contact.system_number
                    else None
                ),
            },
            "Parameters": dict(parameters),
        },
        "Name": "ContactFlowEvent",
    }
