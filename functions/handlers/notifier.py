"""Lambda ``notifier``: a case's status changed (cases table stream) -> notify the citizen who asked.

Per record: the change (status differs from the old image); the consent (none, or STOP: nothing);
quiet hours in the agency's time zone (deferred: stored, not sent, see docs/channels.md); a claim
on the change (a conditional put: the same change delivered twice is sent once); the send (Amazon
SES for e-mail, AWS End User Messaging SMS ``SendTextMessage`` for SMS). A failed send removes the
claim and reports the record as a batch item failure, so the stream retries it: a failure is never
counted as sent. CALL consents are recorded but not placed yet (reported as CALL_NOT_BUILT).
Logs carry outcomes and channels only: no case number, phone or address.
"""

from __future__ import annotations

import os
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from functions.adapters import notifications as store
from functions.adapters.dynamo import from_item
from functions.core.aws import client
from functions.core.clock import now
from functions.core.observability import logger
from functions.core.settings import get_settings
from functions.domain import notifications as rules
from functions.handlers.email_triage import DEFAULT_FROM_ADDRESS, FROM_ADDRESS_ENV

#: the agency's End User Messaging SMS origination identity (a pool id or ARN; set by the stack)
SMS_ORIGINATION_ENV = "SMS_ORIGINATION_IDENTITY"
DEFAULT_SMS_ORIGINATION = "pool-civicline-notifications"


class SendFailed(Exception):
    """The channel refused or timed out: retry the record."""


def handler(event: Any, context: Any) -> dict[str, Any]:
    failures: list[dict[str, str]] = []
    outcomes: list[str] = []
    for record in event.get("Records", []) if isinstance(event, dict) else []:
        try:
            outcomes.append(_notify(record))
        except SendFailed:
            failures.append({"itemIdentifier": str(record.get("dynamodb", {}).get("SequenceNumber", ""))})
            outcomes.append("RETRY")
    logger.info("notifications", outcomes=outcomes)
    return {"batchItemFailures": failures}


def _image(record: dict[str, Any], name: str) -> dict[str, Any] | None:
    raw = record.get("dynamodb", {}).get(name)
    return from_item(raw) if isinstance(raw, dict) else None


def _notify(record: dict[str, Any]) -> str:
    if record.get("eventName") not in {"INSERT", "MODIFY"}:
        return "NOT_A_CHANGE"
    change = rules.status_change(_image(record, "OldImage"), _image(record, "NewImage"))
    if change is None:
        return "NOT_A_CHANGE"
    consent = store.get_consent(change.case_number)
    moment = now()
    decision = rules.decide(consent, moment, get_settings().time_zone)
    if decision is not rules.Decision.SEND or consent is None:
        return decision.value
    if consent.channel is rules.Channel.CALL:
        return "CALL_NOT_BUILT"
    key = rules.notification_key(change)
    if not store.claim(key, int(moment.timestamp()), "SENT"):
        return "ALREADY_SENT"
    try:
        _send(consent, rules.message(change.status, consent.language))
    except (ClientError, BotoCoreError) as exc:
        store.release(key)
        logger.warning("notification not sent", channel=consent.channel.value, error=type(exc).__name__)
        raise SendFailed from exc
    return "SENT"


def _send(consent: rules.Consent, text: str) -> None:
    if consent.channel is rules.Channel.EMAIL:
        subject = "Actualización de su caso" if consent.language == "es" else "Your case was updated"
        client("sesv2").send_email(
            FromEmailAddress=os.environ.get(FROM_ADDRESS_ENV, DEFAULT_FROM_ADDRESS),
            Destination={"ToAddresses": [consent.destination]},
            Content={"Simple": {"Subject": {"Data": subject}, "Body": {"Text": {"Data": text}}}},
        )
        return
    client("pinpoint-sms-voice-v2").send_text_message(
        DestinationPhoneNumber=consent.destination,
        OriginationIdentity=os.environ.get(SMS_ORIGINATION_ENV, DEFAULT_SMS_ORIGINATION),
        MessageBody=text,
        MessageType="TRANSACTIONAL",
    )
