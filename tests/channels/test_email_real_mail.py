"""Real mail shapes through ``email_triage``'s Lambda entry point on moto (DynamoDB + SES).

Each message is built with Python's email package the way mailers write them (multipart, charsets,
RFC 2047 subjects, HTML only, attachments only, RFC 3834 auto-replies, RFC 3464 bounces, mailing
lists, replies quoting our acknowledgement), read as ``civicline email --eml`` reads it, and given to
the handler as Connect's Lambda event carries an e-mail contact: the sender as the customer endpoint,
the subject also as the ``connect:EmailSubject`` segment attribute. Every case: a typed outcome, at
most one acknowledgement per window, the message routed or marked (never dropped), and none of the
sender's address, subject or words in the logs.
"""

from __future__ import annotations

import itertools
import json
import uuid
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from email import message_from_bytes, policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.mime.message import MIMEMessage
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import formataddr
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from civicline.commands.email import from_mime
from functions.adapters.email_acks import ACK_WINDOW_SECONDS
from functions.domain.email_triage import acknowledgement
from functions.handlers.email_triage import handler
from tests.functional.conftest import Clock, make_event

CITIZEN = "Ana.Citizen@Example.ORG"
#: every acknowledgement outcome the response may name (schemas/functions.py EmailTriageResponse)
ACKNOWLEDGEMENTS = {
    "SENT",
    "RECENT",
    "AUTO_REPLY",
    "LOOP",
    "MALFORMED",
    "SEND_FAILED",
    "FOLLOW_UP",
    "SUSPECT",
}
OURS = "help@civicline.example"


def connect_event(
    message: EmailMessage | MIMEMultipart,
    contact_id: str = "aaaaaaaa-1111-4222-8333-444444444444",
    *,
    subject_in_parameters: bool = False,
    segments: dict[str, str] | None = None,
) -> dict[str, Any]:
    """The Lambda event of an e-mail contact carrying ``message`` (as Connect's Lambda input names it)."""
    mime = from_mime(message.as_bytes())
    params = {"body": mime.body, "headers": json.dumps(mime.headers)}
    if subject_in_parameters:
        params["subject"] = mime.subject
    event = make_event(params, contact_id, number=mime.sender or None)
    data = event["Details"]["ContactData"]
    data["Channel"] = "EMAIL"
    if data["CustomerEndpoint"]:
        data["CustomerEndpoint"]["Type"] = "EMAIL_ADDRESS"
    data["SystemEndpoint"] = {"Address": OURS, "Type": "EMAIL_ADDRESS"}
    values = {"connect:EmailSubject": mime.subject, **(segments or {})}
    data["SegmentAttributes"] = {name: {"ValueString": value} for name, value in values.items()}
    return event


def mail(
    subject: str, body: str, sender: str = CITIZEN, subtype: str = "plain", charset: str = "utf-8"
) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = OURS
    message["Subject"] = subject
    message.set_content(body, subtype=subtype, charset=charset)
    return message


@pytest.fixture
def run(ses: list[Any], captured_logs: Callable[[], str]) -> Iterator[Callable[..., dict[str, str]]]:
    """``run(message, ...)``: the handler's answer; after the test, nothing personal was logged."""
    seen: list[EmailMessage | MIMEMultipart] = []

    def deliver(message: EmailMessage | MIMEMultipart, *args: Any, **kwargs: Any) -> dict[str, str]:
        seen.append(message)
        answer = handler(connect_event(message, *args, **kwargs), None)
        assert answer["result"] in {"ROUTED", "IGNORED"}  # the flow queues both (nothing is dropped)
        return answer

    yield deliver
    logs = captured_logs().lower()
    assert CITIZEN.lower() not in logs and Address(addr_spec=CITIZEN).username.lower() not in logs
    for message in seen:
        mime = from_mime(message.as_bytes())
        texts = [mime.subject.strip(), *mime.body.split("\n")]
        for text in (t.strip().lower() for t in texts):
            if len(text) > 15:
                assert text not in logs, text


def test_a_multipart_spanish_message_in_latin1_with_an_encoded_subject_is_routed_and_acknowledged(
    run: Callable[..., dict[str, str]], ses: list[Any]
) -> None:
    # Given a multipart/alternative message written in ISO-8859-1, its subject RFC 2047-encoded
    message = MIMEMultipart("alternative")
    message["From"] = formataddr(("Ana María", CITIZEN))
    message["To"] = OURS
    message["Subject"] = "Renovación del pasaporte de mi hijo"
    message.attach(
        MIMEText("Necesito renovar el pasaporte de mi niño. ¿Qué documentos llevo?", "plain", "iso-8859-1")
    )
    message.attach(MIMEText("<p>Necesito renovar el <b>pasaporte</b> de mi niño.</p>", "html", "iso-8859-1"))
    assert "=?" in message.as_string()  # the subject really travels encoded
    answer = run(message)
    # Then it is routed by content, in Spanish, and acknowledged once to the bare address
    assert (answer["result"], answer["topic"], answer["language"]) == ("ROUTED", "passports", "es")
    assert answer["acknowledgement"] == "SENT"
    assert ses[0].destinations["ToAddresses"] == [CITIZEN]


def test_an_html_only_message_is_classified_on_its_text(run: Callable[..., dict[str, str]]) -> None:
    message = mail(
        "Question", "<html><body><div>My <b>driver license</b> expired.</div></body></html>", subtype="html"
    )
    answer = run(message)
    assert (answer["result"], answer["topic"]) == ("ROUTED", "dmv")


def test_a_very_long_body_and_subject_are_classified_on_their_start(
    run: Callable[..., dict[str, str]],
) -> None:
    # Given a subject of 5,000 characters and a body near Connect's 32 KB plain-text limit
    message = mail("Passport " + "very " * 1000, "I need a passport. " + "blah " * 5200)
    answer = run(message)
    assert (answer["result"], answer["topic"], answer["truncated"]) == ("ROUTED", "passports", "true")
    assert answer["acknowledgement"] == "SENT"


def test_an_over_limit_event_is_invalid_input_which_the_flow_sends_to_the_general_queue(
    ses: list[Any],
) -> None:
    # parameters beyond what any flow can pass (a loaded body is at most 32 KB) are refused, typed
    answer = handler(connect_event(mail("Passport", "x " * 70_000)), None)
    assert answer == {"result": "INVALID_INPUT"}
    assert ses == []


def test_an_attachments_only_message_without_subject_is_empty_and_asks_for_details(
    run: Callable[..., dict[str, str]], ses: list[Any]
) -> None:
    message = EmailMessage()
    message["From"] = CITIZEN
    message["To"] = OURS
    message["Subject"] = "   "
    message.add_attachment(b"%PDF-1.4 scanned", maintype="application", subtype="pdf", filename="scan.pdf")
    assert from_mime(message.as_bytes()).attachments == 1
    answer = run(message)
    assert (answer["result"], answer["screen"], answer["acknowledgement"]) == ("ROUTED", "EMPTY", "SENT")
    # Then the acknowledgement says attachments arrived (Connect gives the flow no attachment signal,
    # so the text holds for an empty message too) and asks what the sender wants, never "empty"
    assert "If you sent attachments, they arrived" in ses[0].body
    assert "empty" not in ses[0].body.lower()


def test_an_attachments_only_message_with_a_subject_is_routed_by_its_subject(
    run: Callable[..., dict[str, str]],
) -> None:
    message = EmailMessage()
    message["From"] = CITIZEN
    message["To"] = OURS
    message["Subject"] = "Property tax assessment appeal form"
    message.add_attachment(b"%PDF-1.4", maintype="application", subtype="pdf", filename="form.pdf")
    answer = run(message)
    assert (answer["screen"], answer["acknowledgement"]) == ("MESSAGE", "SENT")


@pytest.mark.parametrize("written", [formataddr(("Pérez, Ana", CITIZEN)), CITIZEN.upper(), f"<{CITIZEN}>"])
def test_one_sender_however_written_has_one_window(
    run: Callable[..., dict[str, str]], ses: list[Any], written: str
) -> None:
    first = run(mail("Estate tax", "I am the executor."), "aaaaaaaa-1111-4222-8333-444444444444")
    again = run(mail("Estate tax", "Also this.", sender=written), "bbbbbbbb-1111-4222-8333-444444444444")
    assert (first["acknowledgement"], again["acknowledgement"]) == ("SENT", "RECENT")
    assert len(ses) == 1


def test_an_unusual_but_valid_address_is_acknowledged(
    run: Callable[..., dict[str, str]], ses: list[Any]
) -> None:
    answer = run(mail("Passport", "renewal please", sender="O'Brien+Tax.Help@Sub.Example.co.uk"))
    assert answer["acknowledgement"] == "SENT"
    assert ses[0].destinations["ToAddresses"] == ["O'Brien+Tax.Help@Sub.Example.co.uk"]


def auto_reply(
    subject: str, body: str = "I am away until Monday.", sender: str = CITIZEN, **headers: str
) -> EmailMessage:
    message = mail(subject, body, sender=sender)
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    return message


@pytest.mark.parametrize(
    ("message", "signal"),
    [
        (auto_reply("Out of Office: Re: my case", Auto_Submitted="auto-replied"), "AUTO_SUBMITTED"),
        (auto_reply("Respuesta automática: Consulta", "Estoy fuera de la oficina."), "AUTO_REPLY_SUBJECT"),
        (auto_reply("Fuera de la oficina", "Vuelvo el lunes."), "AUTO_REPLY_SUBJECT"),
        (auto_reply("Away", X_Autoreply="yes"), "AUTORESPONDER_HEADER"),
        (auto_reply("City newsletter", "Parks news", List_Id="<news.city.example>"), "MAILING_LIST"),
        (auto_reply("Weekly digest", "News", List_Unsubscribe="<mailto:x@city.example>"), "MAILING_LIST"),
        (auto_reply("Sale!", "Buy", Precedence="bulk"), "PRECEDENCE"),
    ],
)
def test_automatic_messages_are_marked_not_acknowledged(
    run: Callable[..., dict[str, str]], ses: list[Any], message: EmailMessage, signal: str
) -> None:
    answer = run(message)
    assert (answer["result"], answer["screen"], answer["screenSignal"]) == ("IGNORED", "AUTO_REPLY", signal)
    assert ses == []


def dsn(sender: str = "MAILER-DAEMON@mx.example.org") -> MIMEMultipart:
    """A delivery status notification (RFC 3464) as a mail server writes it."""
    report = MIMEMultipart("report", report_type="delivery-status")
    report["From"] = formataddr(("Mail Delivery System", sender))
    report["To"] = OURS
    report["Subject"] = "Undelivered Mail Returned to Sender"
    report.attach(MIMEText("I'm sorry to have to inform you that your message could not be delivered."))
    status = EmailMessage()
    status["Reporting-MTA"] = "dns; mx.example.org"
    status["Final-Recipient"] = "rfc822; gone@example.org"
    status["Action"] = "failed"
    report.attach(MIMEMessage(status, "delivery-status"))
    return report


@pytest.mark.parametrize("sender", ["MAILER-DAEMON@mx.example.org", "mail@relay.example.org"])
def test_a_bounce_is_marked_whoever_sends_it(
    run: Callable[..., dict[str, str]], ses: list[Any], sender: str
) -> None:
    answer = run(dsn(sender))
    assert (answer["result"], answer["screen"]) == ("IGNORED", "AUTO_REPLY")
    assert ses == []


def our_ack() -> tuple[str, str]:
    return acknowledgement(
        "E-AB12-CD34", "2026-11-24 15:00 UTC", "en", empty=False, answer="Check your case status online."
    )


def test_a_citizens_reply_quoting_our_acknowledgement_is_a_message_routed_by_the_new_text(
    run: Callable[..., dict[str, str]], ses: list[Any]
) -> None:
    # Given a real reply: our subject with "Re:", In-Reply-To, new text on top, our text quoted below
    subject, body = our_ack()
    quoted = "\n".join(f"> {line}" for line in body.split("\n"))
    message = mail(f"Re: {subject}", f"I also need to renew my passport.\n\nOn Mon, {OURS} wrote:\n{quoted}")
    message["In-Reply-To"] = "<0100018c.ack@email.amazonses.com>"
    answer = run(message)
    # Then it is a citizen's message for the passport office, tied to the reference, not acknowledged again
    assert (answer["result"], answer["screen"], answer["screenSignal"]) == ("ROUTED", "MESSAGE", "FOLLOW_UP")
    assert (answer["topic"], answer["repliesTo"], answer["acknowledgement"]) == (
        "passports",
        "E-AB12-CD34",
        "FOLLOW_UP",
    )
    assert ses == []


def test_our_acknowledgement_answered_automatically_or_returned_whole_is_a_loop(
    run: Callable[..., dict[str, str]], ses: list[Any]
) -> None:
    subject, body = our_ack()
    vacation = auto_reply(f"Automatic reply: {subject}", "I am away.", Auto_Submitted="auto-replied")
    returned = mail(subject, body)  # a forwarding rule sent our own message back to us
    answers = [run(vacation), run(returned, "bbbbbbbb-1111-4222-8333-444444444444")]
    assert [(a["result"], a["screen"]) for a in answers] == [("IGNORED", "LOOP"), ("IGNORED", "LOOP")]
    assert ses == []


@pytest.mark.parametrize("verdict", ["connect:X-SES-SPAM-VERDICT", "connect:X-SES-VIRUS-VERDICT"])
def test_a_message_ses_marked_as_spam_or_virus_is_routed_to_general_and_never_answered(
    run: Callable[..., dict[str, str]], ses: list[Any], verdict: str
) -> None:
    answer = run(mail("Estate tax refund!!!", "Click here"), segments={verdict: "FAIL"})
    assert (answer["result"], answer["screen"], answer["acknowledgement"]) == ("ROUTED", "SUSPECT", "SUSPECT")
    assert answer["queueName"] == "general"
    assert ses == []


def test_the_subject_comes_from_connects_segment_attribute_when_the_flow_passes_none(
    run: Callable[..., dict[str, str]],
) -> None:
    # A deployed flow has the subject in $.SegmentAttributes['connect:EmailSubject'] only
    answer = run(mail("Estate tax return", ""))
    assert (answer["screen"], answer["topic"]) == ("MESSAGE", "tier2")


def test_a_storm_from_one_address_gets_one_acknowledgement(
    run: Callable[..., dict[str, str]], ses: list[Any]
) -> None:
    # Given an auto-responder and a human writing in turns from one address, twelve messages at once
    answers = []
    for n in range(12):
        message = (
            auto_reply("Out of office", Auto_Submitted="auto-replied")
            if n % 2
            else mail("Passport", f"try {n}")
        )
        answers.append(run(message, f"{n:08x}-1111-4222-8333-444444444444"))
    # Then one acknowledgement went out, every message was routed or marked
    assert [a["acknowledgement"] for a in answers].count("SENT") == 1
    assert len(ses) == 1


_KINDS = st.sampled_from(["citizen", "vacation", "bounce", "list", "reply-to-ack", "spam"])


def shaped(kind: str, sender: str) -> tuple[EmailMessage | MIMEMultipart, dict[str, str]]:
    if kind == "vacation":
        return auto_reply("Respuesta automática: Consulta", "Fuera de la oficina", sender=sender), {}
    if kind == "bounce":
        return dsn(), {}
    if kind == "list":
        return auto_reply("Digest", "News", sender=sender, List_Id="<l.example>"), {}
    if kind == "reply-to-ack":
        return mail(f"Re: {our_ack()[0]}", "one more question", sender=sender), {}
    if kind == "spam":
        return mail("Prize", "Click", sender=sender), {"connect:X-SES-SPAM-VERDICT": "FAIL"}
    return mail("Passport renewal", "please help", sender=sender), {}


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(_KINDS, st.integers(0, 900)), min_size=1, max_size=8))
def test_any_sequence_from_one_sender_is_acknowledged_at_most_once_per_window_and_never_dropped(
    ses: list[Any], clock: Clock, sequence: list[tuple[str, int]]
) -> None:
    # Given one new sender writing any mix of messages, any number of seconds apart
    sender = f"p{uuid.uuid4().hex[:12]}@example.org"
    start = clock.moment
    sent: list[datetime] = []
    for n, (kind, gap) in enumerate(sequence):
        clock.moment += timedelta(seconds=gap)
        message, segments = shaped(kind, sender)
        answer = handler(connect_event(message, str(uuid.uuid4()), segments=segments), None)
        # Then every message is routed or marked for the flow (never dropped), with a typed outcome
        assert answer["result"] in {"ROUTED", "IGNORED"}, n
        assert answer["acknowledgement"] in ACKNOWLEDGEMENTS
        if answer["acknowledgement"] == "SENT":
            assert kind == "citizen"
            sent.append(clock.moment)
    # and no two acknowledgements fall inside one window
    assert all((b - a).total_seconds() > ACK_WINDOW_SECONDS for a, b in itertools.pairwise(sent))
    clock.moment = start


def test_an_unknown_charset_is_read_with_replacement_and_still_routed(
    run: Callable[..., dict[str, str]],
) -> None:
    raw = (
        b"From: ana@example.org\r\nTo: help@civicline.example\r\nSubject: Passport\r\n"
        b'MIME-Version: 1.0\r\nContent-Type: text/plain; charset="x-unknown-8"\r\n'
        b"Content-Transfer-Encoding: 8bit\r\n\r\nMy passport \xff\xfe expired.\r\n"
    )
    message = message_from_bytes(raw, policy=policy.default)
    assert isinstance(message, EmailMessage)
    assert "passport" in from_mime(raw).body
    answer = run(message)
    assert (answer["result"], answer["topic"], answer["acknowledgement"]) == ("ROUTED", "passports", "SENT")
