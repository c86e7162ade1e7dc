"""Sending a notification and announcing its outcome: Amazon SES (e-mail), AWS End User Messaging
SMS (text), Amazon Connect (a call running flows/notification-call.json), Amazon EventBridge (the
Contract N outcome events).

Each send carries the notification's id (SES message tags, SMS ``Context``), so the delivery
receipts the channels publish name it without a lookup and without any personal data. Errors
propagate (botocore's ``ClientError``/``BotoCoreError``): the caller decides what a refusal means.
"""

from __future__ import annotations

import json
import os
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from functions.core.aws import client
from functions.core.settings import get_settings
from functions.domain import notifications as rules
from functions.handlers.email_triage import DEFAULT_FROM_ADDRESS, FROM_ADDRESS_ENV

#: the SES configuration set whose event destination publishes delivery receipts (set by the stack)
EMAIL_CONFIGURATION_SET_ENV = "EMAIL_CONFIGURATION_SET"
#: the agency's End User Messaging SMS origination identity (a pool id or ARN; set by the stack)
SMS_ORIGINATION_ENV = "SMS_ORIGINATION_IDENTITY"
DEFAULT_SMS_ORIGINATION = "pool-civicline-notifications"
#: the contact flow a notification call runs (flows/notification-call.json; set by the stack)
CALL_FLOW_ENV = "NOTIFICATION_CALL_FLOW_ARN"
#: the flow's id under the local naming (civicline.engine.arns: the id is the registry name)
DEFAULT_CALL_FLOW = "notification-call"


class EmitFailed(Exception):
    """EventBridge did not take the outcome event (retry: the outcome is stored, the event is owed)."""


def _tags(notice: rules.Notice) -> dict[str, str]:
    tags = {"notificationId": notice.key, "kind": notice.kind.value}
    if notice.office_id:
        tags["officeId"] = notice.office_id
    return tags


def send_email(notice: rules.Notice, address: str, language: str) -> str:
    """Send by SES; the MessageId SES accepted it under."""
    extra: dict[str, Any] = {}
    configuration_set = os.environ.get(EMAIL_CONFIGURATION_SET_ENV)
    if configuration_set:
        extra["ConfigurationSetName"] = configuration_set
    answer = client("sesv2").send_email(
        FromEmailAddress=os.environ.get(FROM_ADDRESS_ENV, DEFAULT_FROM_ADDRESS),
        Destination={"ToAddresses": [address]},
        Content={
            "Simple": {
                "Subject": {"Data": rules.subject(notice, language), "Charset": "UTF-8"},
                "Body": {"Text": {"Data": rules.text(notice, language), "Charset": "UTF-8"}},
            }
        },
        EmailTags=[{"Name": k, "Value": v} for k, v in _tags(notice).items()],
        **extra,
    )
    return str(answer.get("MessageId", ""))


def send_sms(notice: rules.Notice, number: str, language: str) -> str:
    """Send by End User Messaging SMS from the agency's pool; the MessageId it accepted."""
    answer = client("pinpoint-sms-voice-v2").send_text_message(
        DestinationPhoneNumber=number,
        OriginationIdentity=os.environ.get(SMS_ORIGINATION_ENV, DEFAULT_SMS_ORIGINATION),
        MessageBody=rules.text(notice, language),
        MessageType="TRANSACTIONAL",
        Context=_tags(notice),
    )
    return str(answer.get("MessageId", ""))


def call_attributes(notice: rules.Notice, language: str) -> dict[str, str]:
    """What flows/notification-call.json reads: the new status code (a status change) or the days
    left (a deadline reminder: 7 or 1), and the language, nothing else (contact attributes land in
    contact records: no case number, name, number or deadline date)."""
    if notice.kind is rules.Kind.DEADLINE_REMINDER:
        return {"reminderDays": str(notice.days_left or ""), "language": language}
    return {"status": notice.status.value if notice.status else "", "language": language}


def send_call(notice: rules.Notice, number: str, language: str) -> str:
    """Place the call by Connect ``StartOutboundVoiceContact``; the ContactId Connect accepted it under.

    ``ClientToken`` is the notification id: however often this notification is retried (botocore's
    retries, the stream's, the sweep's), Connect returns the contact already started instead of
    ringing again (API reference: "If a contact is already started, the contact ID is returned").
    No queue: the caller id is the agency's number (``SOURCE_PHONE_NUMBER``).
    """
    settings = get_settings()
    kwargs: dict[str, Any] = {
        "InstanceId": settings.instance_arn.rsplit("/", 1)[-1],
        "ContactFlowId": os.environ.get(CALL_FLOW_ENV, DEFAULT_CALL_FLOW).rsplit("/", 1)[-1],
        "DestinationPhoneNumber": number,
        "Attributes": call_attributes(notice, language),
        "ClientToken": notice.key,
    }
    if settings.source_phone_number:
        kwargs["SourcePhoneNumber"] = settings.source_phone_number
    answer = client("connect").start_outbound_voice_contact(**kwargs)
    return str(answer.get("ContactId", ""))


def emit(details: list[dict[str, Any]]) -> None:
    """Put Contract N outcome events on the default bus (where the metrics rule listens)."""
    if not details:
        return
    entries = [
        {
            "Source": rules.EVENT_SOURCE,
            "DetailType": rules.EVENT_DETAIL_TYPE,
            "Detail": json.dumps(detail, sort_keys=True),
        }
        for detail in details
    ]
    for start in range(0, len(entries), 10):  # PutEvents takes at most 10 entries per call
        try:
            answer = client("events").put_events(Entries=entries[start : start + 10])
        except (ClientError, BotoCoreError) as exc:
            raise EmitFailed(type(exc).__name__) from exc
        if answer.get("FailedEntryCount"):
            raise EmitFailed(f"{answer['FailedEntryCount']} outcome events refused")
