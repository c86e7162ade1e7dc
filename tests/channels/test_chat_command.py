"""`civicline call --channel chat --say ...`: a chat contact through the real flows and functions."""

from __future__ import annotations

import json
from typing import Any

from typer.testing import CliRunner

from civicline.cli import app
from civicline.data.demo import demo_cases


def call(*args: str, code: int = 0) -> Any:
    result = CliRunner().invoke(app, ["call", *args])
    assert result.exit_code == code, result.output
    return json.loads(result.stdout) if "--json" in args else result.output


def test_chat_json_has_the_same_keys_as_a_voice_call() -> None:
    # Given the same path taken by keypad and by typed text
    case = demo_cases()[1]
    voice = call("--json", "--dtmf", f"1 2 {case.case_number}# {case.pin}# 1")
    chat = call(
        "--json",
        "--channel",
        "chat",
        "--say",
        "1",
        "--say",
        "status",
        "--say",
        case.case_number,
        "--say",
        case.pin,
        "--say",
        "1",
    )
    # Then both transcripts have exactly the same keys, and the same lookup result
    assert sorted(chat) == sorted(voice)
    assert (voice["channel"], chat["channel"]) == ("VOICE", "CHAT")
    found = [c["result"]["result"] for c in chat["lambda_calls"] if c["function"] == "case_status"]
    assert found == ["FOUND"]
    assert chat["flows"][:2] == voice["flows"][:2] == ["main-inbound", "case-status"]
    assert chat["inputs"] == ["1", "status", case.case_number, case.pin, "1"]
    assert chat["customer"] == voice["customer"] == "PRESENT"


def test_chat_out_of_messages_is_idle() -> None:
    transcript = call("--json", "--channel", "chat", "--say", "English")
    assert transcript["customer"] == "IDLE"
    assert transcript["ended"]["how"] == "QUEUE"  # the retries end with a person, never a drop


def test_chat_customer_who_ends_the_chat_has_left() -> None:
    transcript = call("--json", "--channel", "chat", "--say", "English", "--end-chat")
    assert transcript["customer"] == "LEFT"
    assert transcript["events"][-1]["disconnectReason"] == "CUSTOMER_DISCONNECT"


def test_unrecognised_text_is_listed() -> None:
    transcript = call("--json", "--channel", "chat", "--say", "bonjour", "--say", "English", "--say", "0")
    assert transcript["unmatched"] == ["bonjour"]
    assert transcript["ended"]["queue"] == "operator"


def test_a_chat_has_no_keypad_and_a_call_does_not_type() -> None:
    assert "--say" in call("--channel", "chat", "--dtmf", "1", code=2)
    assert "--channel chat" in call("--say", "hello", code=2)
    assert "voice, chat" in call("--channel", "fax", code=2)


def test_the_chat_transcript_reads_as_a_chat() -> None:
    output = call("--channel", "chat", "--say", "English", "--say", "0")
    assert "For English, type 1" in output
