"""``civicline email``: one e-mail through flows/inbound-email.json, the engine and the real function."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from civicline.cli import app
from civicline.commands.email import MAX_BODY_CHARS, run_email


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


def test_a_huge_body_is_cut_to_the_attribute_limit_and_still_routed() -> None:
    out = run_email("bob@example.org", "Medicaid", "medicaid " * (MAX_BODY_CHARS // 3))
    assert out["truncated"] is True
    assert (out["office"], out["acknowledgement"]) == ("social_services", "SENT")


def test_a_bad_header_option_is_a_usage_error() -> None:
    result = CliRunner().invoke(app, ["email", "--from", "a@example.org", "--header", "nocolon"])
    assert result.exit_code == 2
