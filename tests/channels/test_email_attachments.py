"""Attachments: Connect keeps an e-mail's attachments beside the contact (StartEmailContact's
``Attachments``, the contact's ``ATTACHMENT`` references with a status), but no flow attribute or
Lambda input field found on the AWS pages says a message had any. So the triage function never
reads, names or quotes a file; a message with nothing but a subject (what an attachments-only
message looks like to the flow) is screened ``NO_BODY`` and, when its subject routes nowhere,
reaches the general queue with the reason ``NO_TEXT``, acknowledged with the line saying that
attachments arrived if any were sent."""

from __future__ import annotations

import json
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from civicline.cli import app
from civicline.commands.email import from_mime
from functions.handlers.email_triage import handler
from tests.functional.conftest import make_event

SENDER = "ana.citizen@example.org"
SECRET_LINE = "Tax ID 999-88-7777, my bank account 123456789"


def deliver(contact_id: str = "aaaaaaaa-1111-4222-8333-444444444444", **params: str) -> dict[str, str]:
    return handler(make_event(params, contact_id, number=SENDER), None)


def test_a_subject_only_message_gets_a_defined_reason_and_the_attachment_line(ses: list[Any]) -> None:
    """Given a message with a subject that routes nowhere and an empty body (attachments only)
    When the real function triages it
    Then it is screened NO_BODY, routed to the general queue with reason NO_TEXT (not NO_SIGNAL),
    and acknowledged with the line that says attachments arrived, naming no file."""
    answer = deliver(subject="Scan_0042.pdf", body="")
    assert (answer["screenSignal"], answer["queueName"], answer["reason"]) == (
        "NO_BODY",
        "general",
        "NO_TEXT",
    )
    assert answer["acknowledgement"] == "SENT"
    assert "If you sent attachments, they arrived with it" in ses[0].body
    assert "Scan_0042" not in ses[0].body and "pdf" not in ses[0].body.lower()


def test_a_subject_only_message_whose_subject_routes_keeps_its_office(ses: list[Any]) -> None:
    """Given an attachments-only message whose subject names an office's matter
    When triaged
    Then it goes to that office by the subject (reason RULE), still screened NO_BODY and told
    attachments arrived."""
    answer = deliver(subject="Appeal form", body="")
    assert (answer["screenSignal"], answer["queueName"], answer["reason"]) == ("NO_BODY", "appeals", "RULE")
    assert "If you sent attachments" in ses[0].body


def test_a_body_that_could_not_be_loaded_is_not_called_empty(ses: list[Any]) -> None:
    """Given the flow's error branch (body NOT_LOADED) with a subject
    When triaged
    Then it is not NO_BODY or NO_TEXT (the text is unknown, not absent) and the acknowledgement
    says staff will read it in full."""
    answer = deliver(subject="Scan_0042.pdf", body="", bodyStatus="NOT_LOADED")
    assert answer["screenSignal"] != "NO_BODY" and answer["reason"] != "NO_TEXT"
    assert "read it in full" in ses[0].body


def test_the_acknowledgement_never_quotes_the_message(ses: list[Any]) -> None:
    """Given a message whose body holds personal data beside a matter
    When triaged and acknowledged
    Then the acknowledgement holds nothing of the body or subject (a fixed text with the reference)."""
    answer = deliver(subject="Estate tax question", body=f"I am the executor. {SECRET_LINE}")
    assert answer["acknowledgement"] == "SENT"
    assert "999-88-7777" not in ses[0].body and "123456789" not in ses[0].body
    assert "executor" not in ses[0].body and "Estate tax" not in ses[0].body


def attachment_only(tmp_path: Path, text: str = "") -> Path:
    message = EmailMessage()
    message["From"] = SENDER
    message["To"] = "help@agency.example.gov"
    message["Subject"] = "Scan 0042"
    message.set_content(text)
    message.add_attachment(
        SECRET_LINE.encode(), maintype="application", subtype="pdf", filename="tax-return-2025.pdf"
    )
    path = tmp_path / "attachment.eml"
    path.write_bytes(message.as_bytes())
    return path


def test_an_eml_with_only_an_attachment_runs_end_to_end(tmp_path: Path) -> None:
    """Given a raw message whose only content is a PDF attachment (an empty text part)
    When ``civicline email --eml`` runs it through the flow and the function on moto
    Then the parser counts the attachment, and the contact is routed with reason NO_TEXT (screen
    NO_BODY), acknowledged, and the output names neither the file nor its contents."""
    path = attachment_only(tmp_path)
    assert from_mime(path.read_bytes()).attachments == 1
    result = CliRunner().invoke(app, ["email", "--eml", str(path), "--json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    assert out["reason"] == "NO_TEXT" and out["acknowledgement"] == "SENT", out
    assert "tax-return" not in result.output and "999-88-7777" not in result.output


def test_the_ses_verdicts_passed_by_the_flow_screen_the_message(ses: list[Any]) -> None:
    """Given SES's virus verdict FAIL passed as the flow's parameter (no SegmentAttributes in the
    Lambda input: that the input carries them is UNCONFIRMED)
    When triaged
    Then the message is SUSPECT: routed to the general queue, never acknowledged; PASS changes nothing."""
    suspect = deliver(subject="Estate tax question", body="I am the executor.", virusVerdict="FAIL")
    assert (suspect["screen"], suspect["acknowledgement"], suspect["queueName"]) == (
        "SUSPECT",
        "SUSPECT",
        "general",
    )
    clean = deliver(
        "bbbbbbbb-1111-4222-8333-444444444444", subject="Estate tax", body="Executor.", spamVerdict="PASS"
    )
    assert clean["screen"] == "MESSAGE" and clean["acknowledgement"] == "SENT"
    assert len(ses) == 1


def test_both_triage_blocks_pass_the_verdicts_from_the_segment_attributes() -> None:
    """Given the inbound-email flow as shipped
    When its Lambda blocks are read
    Then each passes the subject and both SES verdicts from the contact's segment attributes."""
    flow = json.loads((Path(__file__).resolve().parents[2] / "flows" / "inbound-email.json").read_text())
    blocks = [a for a in flow["Actions"] if a["Type"] == "InvokeLambdaFunction"]
    assert len(blocks) == 2
    for block in blocks:
        attrs = block["Parameters"]["LambdaInvocationAttributes"]
        assert attrs["spamVerdict"] == "$.SegmentAttributes['connect:X-SES-SPAM-VERDICT']"
        assert attrs["virusVerdict"] == "$.SegmentAttributes['connect:X-SES-VIRUS-VERDICT']"
