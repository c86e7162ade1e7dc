"""Lambda ``email_triage``: screen, classify, acknowledge and route one inbound e-mail contact.

Order: read the message as the contact carries it (the subject from the flow's parameter or
Connect's ``connect:EmailSubject`` segment attribute, RFC 2047 decoded; the sender's bare address;
an HTML body as text); screen it (auto-replies and our own acknowledgements coming back get nothing:
no mail loop; a reply to our acknowledgement is routed without a second one); classify its content
(terms in functions/domain/email_terms.py); claim the sender's acknowledgement window with one
conditional write (at most one acknowledgement per sender per window, even for parallel
deliveries); send the acknowledgement with Amazon SES (SESv2 SendEmail); answer the flow with the
queue, the office and the 24-hour deadline it stores as contact attributes. A failed send gives the
claim back and says SEND_FAILED: the message is still routed, and no acknowledgement is reported
that was not sent. No address, subject or body is logged.
"""

from __future__ import annotations

import json
import os
from datetime import datetime
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from functions.adapters import email_acks, reference
from functions.core.address_pseudonym import address_pseudonym
from functions.core.aws import client
from functions.core.clock import now
from functions.core.connect import handle_connect
from functions.core.observability import logger
from functions.core.settings import get_settings
from functions.domain import email_triage as triage
from functions.domain.email_terms import GENERAL
from functions.domain.email_text import decode_subject, readable_body, sender_address
from schemas.connect_lambda import ContactData
from schemas.functions import EmailTriageParameters, EmailTriageResponse

#: the agency's address acknowledgements come from (the Connect e-mail address; set by the stack)
FROM_ADDRESS_ENV = "EMAIL_FROM_ADDRESS"
DEFAULT_FROM_ADDRESS = "help@civicline.example"
#: the SES verdicts an e-mail contact carries as segment attributes (``connect:<name>``)
SES_VERDICTS = ("X-SES-SPAM-VERDICT", "X-SES-VIRUS-VERDICT")


def handler(event: Any, context: Any) -> dict[str, str]:
    return handle_connect(event, EmailTriageParameters, _triage, function="email_triage")


def _headers(raw: str) -> dict[str, str]:
    if not raw:
        return {}
    try:
        parsed = json.loads(raw)
    except ValueError:
        return {}
    if not isinstance(parsed, dict):
        return {}
    return {str(k): str(v) for k, v in parsed.items()}


def _segment(contact: ContactData, name: str) -> str:
    """A segment attribute's string value (``{"ValueString": ...}``), blank when absent or not a string."""
    value = (contact.SegmentAttributes or {}).get(name)
    text = value.get("ValueString") if isinstance(value, dict) else None
    return text if isinstance(text, str) else ""


def _inbound(contact: ContactData, params: EmailTriageParameters) -> triage.InboundEmail:
    """The message as the contact carries it: the subject from the parameters or Connect's segment
    attribute, decoded; the body as text; the SES verdicts among the headers."""
    headers = _headers(params.headers)
    given = dict(zip(SES_VERDICTS, (params.spamVerdict, params.virusVerdict), strict=True))
    for name in SES_VERDICTS:
        verdict = given[name].strip() or _segment(contact, f"connect:{name}")
        if verdict:
            headers.setdefault(name, verdict)
    subject = decode_subject(params.subject or _segment(contact, "connect:EmailSubject"))
    body = readable_body(params.body, params.contentType)
    return triage.InboundEmail(sender_address(contact.caller_number or ""), subject, body, headers)


def _screening(mail: triage.InboundEmail, unread: bool) -> triage.Screening:
    """The screen; when the body could not be loaded it is unknown, not empty: a blank subject is
    not EMPTY, and a reply to our acknowledgement is a follow-up (its text may be the sender's)."""
    screened = triage.screening(mail)
    if unread and screened.kind is triage.Screen.EMPTY:
        return triage.Screening(triage.Screen.MESSAGE, "BODY_NOT_LOADED")
    if unread and screened.signal == "NO_BODY":
        return triage.Screening(triage.Screen.MESSAGE)  # not loaded, so not known to be empty
    if unread and screened.signal == "OUR_ACK_RETURNED":
        return triage.Screening(triage.Screen.MESSAGE, "FOLLOW_UP", screened.replies_to)
    return screened


def _triage(contact: ContactData, params: EmailTriageParameters) -> EmailTriageResponse:
    mail = _inbound(contact, params)
    unread = params.bodyStatus == "NOT_LOADED"
    screened = _screening(mail, unread)
    kind = screened.kind
    if kind in {triage.Screen.AUTO_REPLY, triage.Screen.LOOP}:
        logger.info("e-mail ignored", screen=kind.value, signal=screened.signal)
        return EmailTriageResponse(
            result="IGNORED",
            screen=kind.value,
            acknowledgement=kind.value,
            screenSignal=screened.signal,
            repliesTo=screened.replies_to or None,
            bodyStatus=params.bodyStatus or None,
        )
    found = triage.classify(mail.subject, mail.body)
    if screened.signal == "NO_BODY":
        found = triage.without_text(found)
    if kind is triage.Screen.SUSPECT:
        found = triage.unrouted(found)  # spam or virus: the general queue, never a specialist
    received = now()
    reference_no = triage.reference_number(contact.ContactId)
    due = triage.answer_deadline(received)
    moment = int(received.timestamp())
    ack = _acknowledgement_outcome(mail, screened, found, reference_no, due, moment, unread)
    logger.info(
        "e-mail routed",
        screen=kind.value,
        signal=screened.signal,
        topic=found.topic.topic,
        reason=found.reason,
        confidence=found.confidence,
        acknowledgement=ack,
        terms=found.version,
    )
    return EmailTriageResponse(
        result="ROUTED",
        screen=kind.value,
        acknowledgement=ack,
        reference=reference_no,
        queueName=found.topic.queue,
        queueArn=get_settings().queue_arns.get(found.topic.queue),
        officeId=found.topic.office_id,
        topic=found.topic.topic,
        reason=found.reason if kind is triage.Screen.MESSAGE else kind.value,
        confidence=f"{found.confidence:.2f}",
        matched=",".join(found.matched[:8]),
        termsVersion=found.version,
        language=found.language,
        answerDeadline=due.isoformat(timespec="seconds"),
        knowledgeAnswer="true" if _answer(found) else "false",
        screenSignal=screened.signal,
        repliesTo=screened.replies_to or None,
        truncated="true" if found.truncated else "false",
        bodyStatus=params.bodyStatus or None,
    )


def _acknowledgement_outcome(  # noqa: PLR0917 - one message's facts, each used once
    mail: triage.InboundEmail,
    screened: triage.Screening,
    found: triage.Classification,
    reference_no: str,
    due: datetime,
    moment: int,
    unread: bool = False,
) -> str:
    """SENT, or why no acknowledgement goes out for a routed message (see the response's field)."""
    if screened.kind in {triage.Screen.MALFORMED, triage.Screen.SUSPECT}:
        return screened.kind.value
    if screened.signal == "FOLLOW_UP":
        return "FOLLOW_UP"
    empty = screened.kind is triage.Screen.EMPTY or screened.signal == "NO_BODY"
    return _acknowledge(mail, found, reference_no, due.strftime("%Y-%m-%d %H:%M UTC"), empty, moment, unread)


def _answer(found: triage.Classification) -> str | None:
    if not found.knowledge_topic or found.topic.topic != GENERAL:
        return None
    entry = reference.knowledge(found.knowledge_topic, found.language)
    return entry.answer if entry else None


def _acknowledge(  # noqa: PLR0917 - one message's facts, each used once
    mail: triage.InboundEmail,
    found: triage.Classification,
    reference_no: str,
    due: str,
    empty: bool,
    moment: int,
    unread: bool = False,
) -> str:
    """SENT when the claim is stored and SES accepted the message; else why not. ``empty``: no text
    to read (nothing, or a subject only): the acknowledgement says so, and that attachments arrived
    if any were sent; it never quotes the message or names a file."""
    sender_key = address_pseudonym(mail.sender)
    if not email_acks.claim(sender_key, moment):
        return "RECENT"
    subject, body = triage.acknowledgement(reference_no, due, found.language, empty, _answer(found), unread)
    try:
        client("sesv2").send_email(
            FromEmailAddress=os.environ.get(FROM_ADDRESS_ENV, DEFAULT_FROM_ADDRESS),
            Destination={"ToAddresses": [mail.sender.strip()]},
            Content={
                "Simple": {
                    "Subject": {"Data": subject, "Charset": "UTF-8"},
                    "Body": {"Text": {"Data": body, "Charset": "UTF-8"}},
                    "Headers": [
                        {"Name": "Auto-Submitted", "Value": "auto-replied"},
                        {"Name": triage.ACK_HEADER, "Value": reference_no},
                    ],
                }
            },
        )
    except (ClientError, BotoCoreError) as exc:
        logger.warning("acknowledgement not sent", error=type(exc).__name__)
        email_acks.release(sender_key, moment)
        return "SEND_FAILED"
    return "SENT"
