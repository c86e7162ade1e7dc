"""The post-chat survey, whoever ends the chat: `civicline call --ended-by agent|customer` on the real
flows and the real survey function, and the engine's rule underneath it.

What Connect does: the disconnect flow runs "when the agent or Amazon Lex bot has disconnected from
the chat and only the customer remains" (chat.html). A chat started with StartChatContact's
``DisconnectOnCustomerExit=["AGENT"]`` makes the customer's End chat disconnect the agent too,
"allowing them to continue through disconnect flows such as surveys or feedback forms" (botocore's
connect model; adminguide enable-post-chat-survey.html). Every chat `civicline call` starts is
started that way, by the deployed chat_start function itself (civicline/local/chat_start.py). A
customer who closes the window (or loses the connection) is still in the chat for Connect (closing
is not End chat: adminguide programmatic-chat-disconnect.html, setup-chat-timeouts.html): the
disconnect flow runs, its messages reach nobody, its inputs time out, and no answer is invented.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from typer.testing import CliRunner

from civicline.cli import app
from civicline.commands.call import after_agent
from civicline.engine import CallerScript, Engine, FlowLibrary, LambdaInvoker, StaticCenter
from civicline.engine.contact import ContactState, customer_remains
from civicline.local.chat_start import chat_start_options

ANSWERS = ["1", "2", "yes", "no", "5", "four", "3", "5", "4", "5", "5", "5"]


def call(*args: str, code: int = 0) -> Any:
    result = CliRunner().invoke(app, ["call", *args])
    assert result.exit_code == code, result.output
    return json.loads(result.stdout) if "--json" in args else result.output


def chat(*typed: str, ended_by: str | None = None, end_chat: bool = False) -> Any:
    args = ["--json", "--channel", "chat"] + [a for text in typed for a in ("--say", text)]
    if end_chat:
        args.append("--end-chat")
    return call(*args, *(("--ended-by", ended_by) if ended_by else ()))


def survey_calls(after: dict[str, Any]) -> list[dict[str, Any]]:
    return [c for c in after["lambda_calls"] if c["function"] == "survey"]


def test_the_connecting_message_promises_the_survey_whoever_ends_the_chat() -> None:
    transcript = chat("English", "agent")
    connecting = transcript["prompts"][-1]
    assert connecting.startswith("Please stay in this chat while we connect you with an agent.")
    # the customer is no longer asked to let the agent close the chat
    assert "let the agent close" not in connecting
    assert "a short survey about this chat follows here, whether you or the agent end the chat" in connecting
    assert transcript["after_agent"] is None  # nobody ended it yet: the chat waits for the agent


def test_the_spanish_connecting_message_says_the_same() -> None:
    transcript = chat("Español", "agente")
    connecting = transcript["prompts"][-1]
    assert "deje que el agente cierre" not in connecting
    assert "breve encuesta sobre este chat, lo termine usted o el agente" in connecting


def test_when_the_agent_ends_the_chat_the_typed_answers_are_stored() -> None:
    # Given a chat that reached an agent / When the agent ends it and the customer types the answers
    transcript = chat("English", "agent", *ANSWERS, ended_by="agent")
    after = transcript["after_agent"]
    # Then the disconnect flow ran with the customer present, in the same contact
    assert transcript["ended"]["how"] == "QUEUE"
    assert after["contact_id"] == transcript["contact_id"] and after["channel"] == "CHAT"
    assert after["ended"]["disconnect_reason"] == "AGENT_DISCONNECT" and after["ended"]["participant"] is True
    # And the survey function stored every answer (digits and words) in one call
    [survey] = survey_calls(after)
    assert survey["result"] == {"result": "COMPLETE", "answered": "11"}
    assert survey["parameters"]["fcrTimesCalled"] == "2" and survey["parameters"]["trust"] == "4"
    assert after["inputs"] == ANSWERS
    assert after["prompts"][-1] == "Thank you for your time. Goodbye."


def test_when_the_customer_presses_end_chat_the_survey_is_asked_and_stored() -> None:
    # Given a chat started as the web chat starts one (DisconnectOnCustomerExit=AGENT) that reached
    # an agent / When the customer presses End chat and types the answers
    transcript = chat("English", "agent", *ANSWERS, ended_by="customer")
    after = transcript["after_agent"]
    # Then Connect disconnected the agent and the customer went on through the disconnect flow
    assert after["contact_id"] == transcript["contact_id"]
    assert after["ended"]["disconnect_reason"] == "CUSTOMER_DISCONNECT"
    assert after["ended"]["participant"] is True
    # And the survey was asked and every answer stored, as when the agent ends the chat
    [survey] = survey_calls(after)
    assert survey["result"] == {"result": "COMPLETE", "answered": "11"}
    assert after["inputs"] == ANSWERS
    assert after["prompts"][-1] == "Thank you for your time. Goodbye."


def test_when_the_customer_closes_the_window_the_survey_reaches_nobody_and_nothing_is_invented() -> None:
    # Given the same chat / When the customer closes the window after the agent answered (the page
    # ends the chat on close: Connect records the End chat disconnect, CUSTOMER_DISCONNECT)
    transcript = chat("English", "agent", "5", ended_by="customer", end_chat=True)
    after = transcript["after_agent"]
    # Then Connect keeps the customer in the chat (closing is not leaving it), so the disconnect
    # flow runs: its questions are sent to a closed window, nothing typed before is read as an answer
    assert after["ended"]["disconnect_reason"] == "CUSTOMER_DISCONNECT"
    assert after["ended"]["participant"] is True
    assert after["prompts"] and after["inputs"] == []
    assert after["customer"] == "IDLE"
    # And the survey stores an offer nobody answered: no answer invented
    [survey] = survey_calls(after)
    assert not any(survey["parameters"].get(q) for q in ("trust", "satisfaction", "fcrTimesCalled"))
    assert survey["result"]["answered"] == "0"


def test_a_customer_who_closes_the_window_mid_survey_keeps_the_answers_typed_so_far() -> None:
    # Given the agent ended the chat / When the customer answers two questions and closes the window
    transcript = chat("English", "agent", "1", "2", ended_by="agent", end_chat=True)
    after = transcript["after_agent"]
    # Then the two answers were read, the later questions reached nobody and timed out, and what
    # was answered is stored
    assert after["inputs"][:2] == ["1", "2"]
    assert after["customer"] == "IDLE"
    assert after["ended"]["how"] != "ERROR"
    [survey] = survey_calls(after)
    assert survey["parameters"]["fcrTimesCalled"] == "2"


def test_an_agent_ending_the_chat_with_no_answers_typed_ends_politely() -> None:
    transcript = chat("English", "agent", ended_by="agent")
    after = transcript["after_agent"]
    assert after["customer"] == "IDLE"
    assert after["ended"]["how"] in ("DISCONNECT", "END")


def test_a_voice_call_can_be_ended_by_the_agent_too() -> None:
    transcript = call(
        "--json", "--dtmf", "1 0 " + " ".join(["1", "2", "1", "2", *["5"] * 8]), "--ended-by", "agent"
    )
    [survey] = survey_calls(transcript["after_agent"])
    assert survey["result"]["result"] == "COMPLETE"


def test_a_voice_caller_who_hangs_up_is_gone() -> None:
    # Given a call that reached an agent / When the caller hangs up (the flag is a chat's only)
    transcript = call("--json", "--dtmf", "1 0 5 5", "--ended-by", "customer")
    after = transcript["after_agent"]
    # Then nobody is left on the line and nothing is asked
    assert after["ended"]["participant"] is False and after["prompts"] == []


def test_a_contact_that_never_reached_an_agent_has_no_after_agent() -> None:
    # Given an office's number given as text, then an unusable answer twice: the chat ends itself
    transcript = chat("English", "office", "2", "no", "no", ended_by="agent")
    assert transcript["ended"]["how"] == "DISCONNECT"
    assert transcript["after_agent"] is None


def test_bad_ended_by_values_are_refused() -> None:
    assert "agent or customer" in call("--channel", "chat", "--say", "1", "--ended-by", "nobody", code=2)
    assert "--channel chat" in call("--dtmf", "1", "--end-chat", code=2)


def test_the_transcript_prints_the_survey_after_the_contact() -> None:
    text = call(
        "--channel", "chat", "--say", "English", "--say", "agent", "--ended-by", "customer", "--say", "2"
    )
    assert "after the agent answered, the customer ended the contact" in text
    assert "post-call-survey" in text


def test_the_help_tells_end_chat_from_closing_the_window() -> None:
    import re

    # (rich wraps the help in a box: compare the words)
    text = " ".join(re.sub(r"[│╭╮╰╯─]", " ", call("--help")).split())
    assert "the customer pressed End chat" in text
    assert "the customer closes the chat window (or loses the connection)" in text


# --- the engine's rule, without the command line -------------------------------------------------


def engine(library: FlowLibrary) -> Engine:
    return Engine(library, invoker=LambdaInvoker(), center=StaticCenter())


def queued_chat(eng: Engine, script: CallerScript, **start: Any) -> Any:
    result = eng.run_contact("main-inbound", script, caller_number=None, channel="CHAT", **start)
    assert result.how == "QUEUE"
    return result


def test_a_chat_started_without_the_flag_keeps_todays_behaviour(library: FlowLibrary, local: Any) -> None:
    # Given a chat started without DisconnectOnCustomerExit (another widget, an older backend)
    eng = engine(library)
    script = CallerScript.typed(["English", "agent", *ANSWERS])
    result = queued_chat(eng, script)
    # When the customer ends it after the agent answered
    after = after_agent(eng, result, script, "customer")
    # Then, as before, nobody is left: nothing is asked and no survey is stored
    assert after is not None
    assert after.ended["participant"] is False and after.prompts == []
    assert not any(c["parameters"].get("trust") for c in after.lambda_calls if c["function"] == "survey")


def test_the_survey_answers_are_stored_once_when_connect_delivers_them_again(
    library: FlowLibrary, local: Any
) -> None:
    from functions.adapters import surveys
    from functions.handlers.survey import handler
    from tests.functional.conftest import make_event

    # Given a customer-ended chat whose survey was answered and stored
    eng = engine(library)
    script = CallerScript.typed(["English", "agent", *ANSWERS])
    result = queued_chat(eng, script, **chat_start_options("en-US"))
    after = after_agent(eng, result, script, "customer")
    assert after is not None
    [survey] = [c for c in after.lambda_calls if c["function"] == "survey"]
    stored = surveys.get(result.contact.contact_id)
    assert stored is not None and survey["result"]["result"] == "COMPLETE"
    # When Connect delivers the same invocation again (a retry after a lost answer)
    event = make_event(dict(survey["parameters"]), result.contact.contact_id, number=None)
    event["Details"]["ContactData"]["Channel"] = "CHAT"
    again = handler(event, None)
    # Then the answer is the same and the stored survey is the first one, unchanged
    assert again["result"] == survey["result"]["result"]
    assert surveys.get(result.contact.contact_id) == stored


@pytest.mark.parametrize(
    ("channel", "reason", "flag", "connected", "remains"),
    [
        ("CHAT", "AGENT_DISCONNECT", (), True, True),
        ("CHAT", "CUSTOMER_DISCONNECT", ("AGENT",), True, True),
        ("CHAT", "CUSTOMER_DISCONNECT", (), True, False),
        ("CHAT", "CUSTOMER_DISCONNECT", ("AGENT",), False, False),
        ("CHAT", "AGENT_DISCONNECT", ("AGENT",), False, False),
        ("VOICE", "CUSTOMER_DISCONNECT", ("AGENT",), True, False),
        ("CHAT", "TELECOM_PROBLEM", ("AGENT",), True, False),
        ("CHAT", None, ("AGENT",), True, False),
    ],
)
def test_who_remains_for_the_disconnect_flow(
    channel: str, reason: str | None, flag: tuple[str, ...], connected: bool, remains: bool
) -> None:
    contact = ContactState(channel=channel, disconnect_on_customer_exit=flag)
    assert customer_remains(contact, reason, connected=connected) is remains


def test_an_unknown_participant_type_is_refused() -> None:
    # StartChatContact's DisconnectOnCustomerExit takes AGENT only (botocore's connect model)
    with pytest.raises(ValueError, match="AGENT"):
        ContactState(channel="CHAT", disconnect_on_customer_exit=("CUSTOMER",))
