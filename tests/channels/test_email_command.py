"""``civicline email``: one e-mail through flows/inbound-email.json, the engine and the real function."""

from __future__ import annotations

import json
from email.message import EmailMessage
from email.utils import formataddr
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from civicline.cli import app
from civicline.commands.email import from_mime, run_email


def test_json_names_the_acknowledgement_queue_office_reason_and_confidence() -> None:
    result = CliRunner().invoke(
        app,
        [
            "email",
            "--from",
            "ana@example.org",
            "--subject",
            "Pasaporte",
            "--body",
            "¿Cómo renuevo mi pasaporte?",
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    assert out["acknowledgement"] == "SENT"
    assert out["acknowledgement_email"]["to"] == ["ana@example.org"]
    assert "Recibimos su mensaje" in out["acknowledgement_email"]["subject"]
    assert (out["queue"], out["office"], out["topic"], out["reason"]) == (
        "general",
        "passports",
        "passports",
        "RULE",
    )
    assert float(out["confidence"]) >= 0.5
    assert out["answer_deadline"]
    assert out["ended"]["how"] == "QUEUE"


def test_an_auto_reply_is_queued_for_an_agent_but_never_acknowledged() -> None:
    out = run_email("bob@example.org", "Automatic reply", "I am away", {"Auto-Submitted": "auto-replied"})
    assert (out["acknowledgement"], out["acknowledgement_email"], out["queue"]) == (
        "AUTO_REPLY",
        None,
        "general",
    )


def test_a_body_over_32_kb_is_not_loaded_and_the_message_is_routed_on_its_subject() -> None:
    # Given a message whose plain text is over Get stored content's 32 KB (get-stored-content.html:
    # the block takes its error branch, it does not cut the text)
    out = run_email("bob@example.org", "Medicaid", "renewal question " * 2_000)
    # Then the flow triages it on its subject alone, says so, and acknowledges it without calling it empty
    assert (out["body_status"], out["office"], out["acknowledgement"]) == (
        "NOT_LOADED",
        "social_services",
        "SENT",
    )
    assert "read it in full" in out["acknowledgement_email"]["body"]
    assert "no text" not in out["acknowledgement_email"]["body"]


def test_a_spanish_message_whose_body_cannot_be_loaded_is_acknowledged_in_spanish_on_its_subject() -> None:
    out = run_email("ana@example.org", "Renovación de pasaporte", "necesito ayuda " * 3_000)
    assert (out["body_status"], out["topic"], out["language"]) == ("NOT_LOADED", "passports", "es")
    assert "lo leerá completo" in out["acknowledgement_email"]["body"]


def test_an_attachments_only_raw_message_through_the_flow_is_told_its_attachments_arrived(
    tmp_path: Path,
) -> None:
    # Given a raw message with no subject and no text, only a scanned PDF
    message = EmailMessage()
    message["From"] = "ana@example.org"
    message["To"] = "help@civicline.example"
    message.add_attachment(b"%PDF-1.4 scan", maintype="application", subtype="pdf", filename="scan.pdf")
    path = tmp_path / "scan.eml"
    path.write_bytes(message.as_bytes())
    # When it runs through the flow (its empty plain text is stored and loaded)
    out = json.loads(CliRunner().invoke(app, ["email", "--eml", str(path), "--json"]).output)
    # Then the acknowledgement says attachments arrived and asks what the sender wants
    assert (out["body_status"], out["acknowledgement"], out["queue"]) == ("LOADED", "SENT", "general")
    assert "If you sent attachments, they arrived" in out["acknowledgement_email"]["body"]
    assert "empty" not in out["acknowledgement_email"]["body"].lower()


def test_a_bad_header_option_is_a_usage_error() -> None:
    result = CliRunner().invoke(app, ["email", "--from", "a@example.org", "--header", "nocolon"])
    assert result.exit_code == 2


def test_a_raw_message_file_runs_with_its_decoded_subject_display_name_sender_and_html_body(
    tmp_path: Path,
) -> None:
    # Given a raw HTML-only message with an RFC 2047 subject and a display-name sender
    message = EmailMessage()
    message["From"] = formataddr(("Ana María", "Ana@Example.org"))
    message["To"] = "help@civicline.example"
    message["Subject"] = "Renovación de pasaporte"
    message.set_content("<p>¿Cómo renuevo mi <b>pasaporte</b>?</p>", subtype="html")
    path = tmp_path / "message.eml"
    path.write_bytes(message.as_bytes())
    assert b"=?utf-8?" in path.read_bytes()
    # When it runs through the flow and the function
    result = CliRunner().invoke(app, ["email", "--eml", str(path), "--json"])
    # Then it is acknowledged to the bare address and, having no plain-text version for Get stored
    # content, routed by its subject
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    assert (out["acknowledgement"], out["topic"], out["language"]) == ("SENT", "passports", "es")
    assert out["body_status"] == "NOT_LOADED"
    assert out["acknowledgement_email"]["to"] == ["Ana@Example.org"]


def test_a_raw_mailing_list_message_is_marked_not_acknowledged(tmp_path: Path) -> None:
    path = tmp_path / "list.eml"
    path.write_bytes(
        b"From: City News <news@city.example>\r\nTo: help@civicline.example\r\nSubject: Weekly\r\n"
        b"List-Id: <news.city.example>\r\n\r\nParks reopen.\r\n"
    )
    out = json.loads(CliRunner().invoke(app, ["email", "--eml", str(path), "--json"]).output)
    assert (out["acknowledgement"], out["queue"]) == ("AUTO_REPLY", "general")


def test_neither_a_sender_nor_a_file_is_a_usage_error() -> None:
    assert CliRunner().invoke(app, ["email", "--subject", "hi"]).exit_code == 2


@settings(max_examples=300, deadline=None)
@given(
    st.one_of(
        st.binary(max_size=600),
        st.builds(
            lambda head, body: head + b"\r\n\r\n" + body,
            st.sampled_from(
                [
                    b"Subject: =?utf-8?B?w4E=?=\r\nFrom: =?x?Q?bad?= <a@b.c>",
                    b"Content-Type: multipart/mixed; boundary=XX\r\nFrom: a@b.c",
                    b'Content-Type: text/plain; charset="nope"\r\nContent-Transfer-Encoding: base64',
                    b"Content-Type: text/html\r\nSubject: hi",
                ]
            ),
            st.binary(max_size=400),
        ),
    )
)
def test_any_bytes_read_as_a_message_give_strings_never_an_exception(raw: bytes) -> None:
    message = from_mime(raw)
    assert all(isinstance(v, str) for v in (message.sender, message.subject, message.body))
    assert message.attachments >= 0


def test_a_reply_to_our_acknowledgement_runs_through_the_flow_to_the_office_without_a_second_one() -> None:
    # Given the acknowledgement a first message got
    first = run_email("ana@example.org", "Passport", "How do I renew my passport?")
    subject = first["acknowledgement_email"]["subject"]
    quoted = "\n".join(f"> {line}" for line in first["acknowledgement_email"]["body"].split("\n"))
    # When the citizen answers it (a fresh local stack: no window is open)
    out = run_email("ana@example.org", f"Re: {subject}", f"Also my driver license expired.\n\n{quoted}")
    # Then the flow queues it for the office its new text names, and no acknowledgement is sent
    assert (out["acknowledgement"], out["acknowledgement_email"], out["office"]) == ("FOLLOW_UP", None, "dmv")
    assert out["ended"]["how"] == "QUEUE"
