"""``civicline email``: one inbound e-mail through flows/inbound-email.json and the real
``email_triage`` function, on moto (SES included), with the demo data seeded.

The JSON names the acknowledgement (SENT, or why none was), the queue (registry name), the office,
and the classifier's topic, reason, confidence and matched terms.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Annotated, Any

import typer

from civicline.engine import CallResult, Engine, LambdaInvoker, QueueMetrics, StaticCenter
from civicline.engine.library import FlowLoadError

FLOW = "inbound-email"
#: Connect caps user-defined contact attributes at 32 KB in total: the body is cut to fit, and said so
MAX_BODY_CHARS = 16_000
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
)


def run_email(
    sender: str,
    subject: str,
    body: str,
    headers: dict[str, str] | None = None,
    *,
    now: datetime | None = None,
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
        )
        return summarize(result, sent=sent_emails())


def deliver(
    engine: Engine,
    sender: str,
    subject: str,
    body: str,
    headers: dict[str, str] | None = None,
    **contact: Any,
) -> CallResult:
    """Start one EMAIL contact the way Connect would: sender as the customer endpoint, the message
    in contact attributes (cut to Connect's attribute limit). ``contact``: further ``run_contact``
    keywords (the simulated day gives each e-mail its contact id)."""
    attributes = {
        "emailSubject": subject[:998],
        "emailBody": body[:MAX_BODY_CHARS],
        "emailHeaders": json.dumps(headers or {}),
    }
    if len(body) > MAX_BODY_CHARS:
        attributes["emailTruncated"] = "true"
    return engine.run_contact(
        FLOW, None, caller_number=sender, channel="EMAIL", attributes=attributes, **contact
    )


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
        "truncated": attrs.get("emailTruncated") == "true",
        "ended": result.ended,
    }


def register(app: typer.Typer) -> None:
    @app.command("email")
    def email_cmd(
        sender: Annotated[str, typer.Option("--from", help="Sender address.")],
        subject: Annotated[str, typer.Option("--subject", help="Subject line.")] = "",
        body: Annotated[str, typer.Option("--body", help="Plain-text body.")] = "",
        header: Annotated[
            list[str] | None, typer.Option("--header", help='A header, "Name: value" (repeatable).')
        ] = None,
        as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
    ) -> None:
        """Run one inbound e-mail through the e-mail flow and the triage function (locally, on moto)."""
        headers = {}
        for item in header or []:
            name, sep, value = item.partition(":")
            if not sep or not name.strip():
                raise typer.BadParameter(f"{item!r}: expected 'Name: value'", param_hint="--header")
            headers[name.strip()] = value.strip()
        try:
            summary = run_email(sender, subject, body, headers)
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
