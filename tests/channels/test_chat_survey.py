"""The post-chat survey, whoever ends the chat: `civicline call --ended-by agent|customer` on the real
flows and the real survey function.

What Connect does (chat.html): the disconnect flow runs "when the agent or Amazon Lex bot has
disconnected from the chat and only the customer remains", so the survey is asked when the agent
closes the chat; a customer who closes the chat is gone and no message reaches them. The safe way
the pages allow is to offer the survey before anyone closes: the chat says, while connecting,
that the agent will close the chat and a short survey follows. When the customer closes it
anyway, nothing is asked and no answer is invented."""

from __future__ import annotations

import json
from typing import Any

from typer.testing import CliRunner

from civicline.cli import app

ANSWERS = ["1", "2", "yes", "no", "5", "four", "3", "5", "4", "5", "5", "5"]


def call(*args: str, code: int = 0) -> Any:
    result = CliRunner().invoke(app, ["call", *args])
    assert result.exit_code == code, result.output
    return json.loads(result.stdout) if "--json" in args else result.output


def chat(*typed: str, ended_by: str | None = None) -> Any:
    args = ["--json", "--channel", "chat"] + [a for text in typed for a in ("--say", text)]
    return call(*args, *(("--ended-by", ended_by) if ended_by else ()))


def test_the_survey_is_offered_before_the_agent_joins() -> None:
    transcript = chat("English", "agent")
    assert transcript["prompts"][-1].startswith(
        "Please stay in this chat while we connect you with an agent."
    )
    assert "let the agent close the chat: a short survey" in transcript["prompts"][-1]
    assert transcript["after_agent"] is None  # nobody ended it yet: the chat waits for the agent


def test_when_the_agent_ends_the_chat_the_typed_answers_are_stored() -> None:
    # Given a chat that reached an agent / When the agent ends it and the customer types the answers
    transcript = chat("English", "agent", *ANSWERS, ended_by="agent")
    after = transcript["after_agent"]
    # Then the disconnect flow ran with the customer present, in the same contact
    assert transcript["ended"]["how"] == "QUEUE"
    assert after["contact_id"] == transcript["contact_id"] and after["channel"] == "CHAT"
    assert after["ended"]["disconnect_reason"] == "AGENT_DISCONNECT" and after["ended"]["participant"] is True
    # And the survey function stored every answer (digits and words) in one call
    [survey] = [c for c in after["lambda_calls"] if c["function"] == "survey"]
    assert survey["result"] == {"result": "COMPLETE", "answered": "11"}
    assert survey["parameters"]["fcrTimesCalled"] == "2" and survey["parameters"]["trust"] == "4"
    assert after["inputs"] == ANSWERS
    assert after["prompts"][-1] == "Thank you for your time. Goodbye."


def test_when_the_customer_ends_the_chat_nothing_is_asked_or_invented() -> None:
    # Given the same chat / When the customer closes it after the agent answered
    transcript = chat("English", "agent", "5", ended_by="customer")
    after = transcript["after_agent"]
    # Then no question reached anybody, no typed message was read, no survey answer recorded
    assert after["ended"]["disconnect_reason"] == "CUSTOMER_DISCONNECT"
    assert after["ended"]["participant"] is False
    assert after["prompts"] == [] and after["inputs"] == []
    answered = [c["parameters"].get("trust") for c in after["lambda_calls"] if c["function"] == "survey"]
    assert not any(answered)


def test_an_agent_ending_the_chat_with_no_answers_typed_ends_politely() -> None:
    transcript = chat("English", "agent", ended_by="agent")
    after = transcript["after_agent"]
    assert after["customer"] == "IDLE"
    assert after["ended"]["how"] in ("DISCONNECT", "END")
    assert after["ended"]["how"] != "ERROR"


def test_a_voice_call_can_be_ended_by_the_agent_too() -> None:
    transcript = call(
        "--json", "--dtmf", "1 0 " + " ".join(["1", "2", "1", "2", *["5"] * 8]), "--ended-by", "agent"
    )
    [survey] = [c for c in transcript["after_agent"]["lambda_calls"] if c["function"] == "survey"]
    assert survey["result"]["result"] == "COMPLETE"


def test_a_contact_that_never_reached_an_agent_has_no_after_agent() -> None:
    # Given an office's number given as text, then an unusable answer twice: the chat ends itself
    transcript = chat("English", "office", "2", "no", "no", ended_by="agent")
    assert transcript["ended"]["how"] == "DISCONNECT"
    assert transcript["after_agent"] is None


def test_bad_ended_by_values_are_refused() -> None:
    assert "agent or customer" in call("--channel", "chat", "--say", "1", "--ended-by", "nobody", code=2)
    assert "agent or customer" in call(
        "--channel", "chat", "--say", "1", "--end-chat", "--ended-by", "agent", code=2
    )


def test_the_transcript_prints_the_survey_after_the_contact() -> None:
    text = call(
        "--channel", "chat", "--say", "English", "--say", "agent", "--ended-by", "agent", "--say", "2"
    )
    assert "after the agent answered, the agent ended the contact" in text
    assert "post-call-survey" in text
