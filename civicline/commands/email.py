"""``civicline email``: one inbound e-mail through flows/inbound-email.json and the real
``email_triage`` function, on moto (SES included), with the demo data seeded.

The JSON names the acknowledgement (SENT, or why none was), the queue (registry name), the office,
and the classifier's topic, reason, confidence and matched terms.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from email import policy
from email.errors import HeaderParseError
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from typing import Annotated, Any

import typer

from civicline.engine import CallResult, Engine, LambdaInvoker, QueueMetrics, StaticCenter
from civicline.engine.library import FlowLoadError

FLOW = "inbound-email"
#: InboundRawMessage.Subject: at most 998 characters
MAX_SUBJECT_CHARS = 998
_ATTRIBUTES = (
    "emailReference",
    "emailAcknowledgement",
    "emailTopic",
    "emailOffice",
    "emailReason",
    "emailConfidence",
    "emailTermsVersion",
    "answerDeadline",
    "language",
    "emailBodyStatus",
    "emailScreenSignal",
    "emailRepliesTo",
)


def run_email(
    sender: str,
    subject: str,
    body: str,
    headers: dict[str, str] | None = None,
    *,
    now: datetime | None = None,
    html_only: bool = False,
) -> dict[str, Any]:
    """Run one e-mail contact inside a fresh local AWS and return its summary (see module doc)."""
    from rich.console import Console

    from civicline.commands.call import _library
    from civicline.local.aws import LocalAws

    err = Console(stderr=True)
    with LocalAws():
        from civicline.data import seed_demo

        seed_demo(now or datetime.now(UTC))
        _verify_sender_identity()
        result = deliver(
            Engine(_library(None, err), invoker=LambdaInvoker(), center=_center()),
            sender,
            subject,
            body,
            headers,
            html_only=html_only,
        )
        return summarize(result, sent=sent_emails())


def deliver(
    engine: Engine,
    sender: str,
    subject: str,
    body: str,
    headers: dict[str, str] | None = None,
    *,
    html_only: bool = False,
    **contact: Any,
) -> CallResult:
    """Start one EMAIL contact the way Connect does: the sender as the customer endpoint, the subject
    as the ``connect:EmailSubject`` segment attribute (InboundRawMessage: at most 998 characters), the
    message's plain text stored in S3 where the instance's EMAIL_MESSAGES storage puts it (the flow's
    ``Get stored content`` downloads it; an ``html_only`` message has no plain text). Headers, which a
    deployed contact does not carry beyond five keys, go in a contact attribute. ``contact``: further
    ``run_contact`` keywords (the simulated day gives each e-mail its contact id)."""
    from civicline.local.email_store import store_message

    contact_id = contact.pop("contact_id", None) or str(uuid.uuid4())
    stored = store_message(contact_id, None if html_only else body)
    return engine.run_contact(
        FLOW,
        None,
        caller_number=sender,
        channel="EMAIL",
        attributes={"emailHeaders": json.dumps(headers or {})},
        segment_attributes={"connect:EmailSubject": subject[:MAX_SUBJECT_CHARS]},
        email_message=stored,
        contact_id=contact_id,
        **contact,
    )


#: the headers a message's screening reads, when the mail has them (a Connect contact has fewer)
SCREENING_HEADERS = (
    "Auto-Submitted",
    "X-Autoreply",
    "X-Autorespond",
    "X-Autoresponder",
    "Precedence",
    "List-Id",
    "List-Unsubscribe",
    "List-Post",
    "Return-Path",
    "Content-Type",
    "Message-ID",
    "In-Reply-To",
    "References",
    "X-CivicLine-Ack",
)


@dataclass(frozen=True)
class MimeMessage:
    """A raw RFC 5322 message as an e-mail contact carries it: sender, decoded subject, one body (the
    plain-text part, else the HTML part), the screening headers and how many attachments it had."""

    sender: str
    subject: str
    body: str
    headers: dict[str, str]
    attachments: int
    #: the message has no text/plain part (its body is the HTML part): Connect has no plain text
    #: version for the flow's Get stored content block
    html_only: bool = False


def from_mime(raw: bytes) -> MimeMessage:
    """Parse a message the way SES and Connect present it to the flow (``civicline email --eml``)."""
    message = BytesParser(policy=policy.default).parsebytes(raw)
    headers = {
        name: _header_text(message, name) for name in SCREENING_HEADERS if message.get(name) is not None
    }
    attachments = sum(1 for _ in message.iter_attachments()) if message.is_multipart() else 0
    html_only = _has_html_only(message)
    return MimeMessage(
        _header_text(message, "From"),
        _header_text(message, "Subject"),
        _body(message),
        headers,
        attachments,
        html_only,
    )


def _has_html_only(message: EmailMessage) -> bool:
    try:
        return message.get_body(preferencelist=("plain",)) is None and message.get_body(("html",)) is not None
    except (LookupError, UnicodeError, ValueError):
        return False


def _header_text(message: EmailMessage, name: str) -> str:
    try:
        return str(message.get(name, ""))
    except (HeaderParseError, LookupError, UnicodeError, ValueError):
        return str(message.get_all(name, [""])[0])


def _body(message: EmailMessage) -> str:
    """The plain-text part (else the HTML part) decoded by its charset; an unknown charset replaced."""
    part = message.get_body(preferencelist=("plain", "html"))
    if part is None:
        return ""
    try:
        content = part.get_content()
    except (LookupError, UnicodeError):
        payload = part.get_payload(decode=True)
        content = payload.decode("utf-8", errors="replace") if isinstance(payload, bytes) else ""
    return content if isinstance(content, str) else ""


def _center() -> StaticCenter:
    return StaticCenter(
        open=True, default_metrics=QueueMetrics(agents_online=3, agents_staffed=3, agents_available=3)
    )


def _verify_sender_identity() -> None:
    """SES sends only from a verified identity; the local stack verifies the agency's address."""
    from functions.core.aws import client
    from functions.handlers.email_triage import DEFAULT_FROM_ADDRESS

    client("sesv2").create_email_identity(EmailIdentity=DEFAULT_FROM_ADDRESS)


def sent_emails() -> list[dict[str, Any]]:
    """What SES accepted on moto (the moto backend's record of sent messages)."""
    from moto.core.models import DEFAULT_ACCOUNT_ID
    from moto.ses.models import ses_backends

    backend = ses_backends[DEFAULT_ACCOUNT_ID]["us-east-1"]
    return [
        {"to": list(m.destinations.get("ToAddresses", [])), "subject": m.subject, "body": m.body}
        for m in backend.sent_messages
    ]


def summarize(result: CallResult, sent: list[dict[str, Any]]) -> dict[str, Any]:
    attrs = result.contact.attributes
    return {
        "acknowledgement": attrs.get("emailAcknowledgement", "NONE"),
        "acknowledgement_email": sent[-1] if sent else None,
        "reference": attrs.get("emailReference"),
        "queue": result.queue,
        "office": attrs.get("emailOffice"),
        "topic": attrs.get("emailTopic"),
        "reason": attrs.get("emailReason"),
        "confidence": attrs.get("emailConfidence"),
        "terms_version": attrs.get("emailTermsVersion"),
        "answer_deadline": attrs.get("answerDeadline"),
        "language": attrs.get("language"),
        "body_status": attrs.get("emailBodyStatus"),
        "screen_signal": attrs.get("emailScreenSignal"),
        "replies_to": attrs.get("emailRepliesTo"),
        "truncated": attrs.get("emailTruncated") == "true",
        "ended": result.ended,
    }


def _header_options(items: list[str] | None) -> dict[str, str]:
    headers = {}
    for item in items or []:
        name, sep, value = item.partition(":")
        if not sep or not name.strip():
            raise typer.BadParameter(f"{item!r}: expected 'Name: value'", param_hint="--header")
        headers[name.strip()] = value.strip()
    return headers


def register(app: typer.Typer) -> None:
    @app.command("email")
    def email_cmd(  # noqa: PLR0917 - one typer option per parameter
        sender: Annotated[str, typer.Option("--from", help="Sender address.")] = "",
        subject: Annotated[str, typer.Option("--subject", help="Subject line.")] = "",
        body: Annotated[str, typer.Option("--body", help="Plain-text body.")] = "",
        header: Annotated[
            list[str] | None, typer.Option("--header", help='A header, "Name: value" (repeatable).')
        ] = None,
        eml: Annotated[
            Path | None,
            typer.Option("--eml", help="A raw message file (RFC 5322): sender, subject, body and headers."),
        ] = None,
        as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
    ) -> None:
        """Run one inbound e-mail through the e-mail flow and the triage function (locally, on moto)."""
        headers = _header_options(header)
        html_only = False
        if eml is not None:
            try:
                mime = from_mime(eml.read_bytes())
            except OSError as exc:
                typer.echo(f"error: {exc}", err=True)
                raise typer.Exit(2) from exc
            html_only = mime.html_only and not body  # a --body given is the plain text
            sender, subject, body = sender or mime.sender, subject or mime.subject, body or mime.body
            headers = {**mime.headers, **headers}
        if not sender and eml is None:
            raise typer.BadParameter("give --from ADDRESS (or --eml FILE)", param_hint="--from")
        try:
            summary = run_email(sender, subject, body, headers, html_only=html_only)
        except (KeyError, FlowLoadError, OSError) as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(2) from exc
        if as_json:
            typer.echo(json.dumps(summary, indent=2, ensure_ascii=False, default=str))
            return
        for name in (
            "acknowledgement",
            "reference",
            "queue",
            "office",
            "topic",
            "reason",
            "confidence",
            "answer_deadline",
        ):
            typer.echo(f"{name:>16}: {summary[name]}")
