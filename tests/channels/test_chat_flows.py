"""Chat contacts through the real flows and functions (moto): typed choices, words, case status with
the notification offer (Contract C), the survey after the agent or the customer ends the chat."""

from __future__ import annotations

from typing import Any

from civicline.engine import CallerScript, CallResult, Engine, FlowLibrary, LambdaInvoker, StaticCenter

CALLER = "+15555550123"


def chat(library: FlowLibrary, flow: str, *typed: str, leaves: bool = False, **contact: Any) -> CallResult:
    engine = Engine(library, invoker=LambdaInvoker(), center=StaticCenter())
    script = CallerScript.typed(typed, leaves=leaves)
    return engine.run_contact(flow, script, channel="CHAT", caller_number=None, **contact)


def demo_case() -> tuple[str, str]:
    from civicline.data.demo import demo_cases

    case = demo_cases()[0]
    return case.case_number, case.pin


def test_words_reach_case_status_and_the_status_is_read(library: FlowLibrary, local: Any) -> None:
    # Given a chat customer who types words, not keys / When they pick English and "status"
    number, pin = demo_case()
    result = chat(library, "main-inbound", "English", "status", number, pin, "agent")
    # Then the flows ran the Lex twins (no keypad block on chat), the case was looked up for real
    assert "GetParticipantInput" not in {s.type for s in result.steps if s.entry is not None}
    assert result.flows[:2] == ["main-inbound", "case-status"]
    lookup = next(c for c in result.lambda_calls if c["function"] == "case_status")
    assert lookup["result"]["result"] == "FOUND"
    assert any(p.startswith("The status of your case is") for p in result.prompts)
    # and the texts are for reading: nothing says press, dial or hang up
    assert not [p for p in result.prompts if any(w in p.lower() for w in ("press", "hang up", "pound"))]
    assert result.ended["how"] == "QUEUE"  # the routing function's queue for the case's office
    assert result.to_json()["channel"] == "CHAT"


def test_chat_consent_by_email_is_stored_for_the_case(library: FlowLibrary, local: Any) -> None:
    # Given a verified case on chat / When the customer types "email" and an address
    from functions.adapters.notifications import get_consent

    number, pin = demo_case()
    result = chat(
        library, "case-status", number, pin, "email", "ana@example.org", "9", attributes={"language": "en"}
    )
    # Then notify_consent ran with the typed address and the consent is stored with it
    calls = [c for c in result.lambda_calls if c["function"] == "notify_consent"]
    assert [c["result"]["result"] for c in calls] == ["RECORDED"]
    consent = get_consent(number)
    assert consent is not None and consent.channel.value == "EMAIL"
    assert consent.destination == "ana@example.org"
    assert any("We will let you know" in p for p in result.prompts)
    # and flow logging was off while the address was in the contact, on again after
    assert result.contact.logging == "Enabled"


def test_voice_consent_by_text_uses_the_callers_own_number(library: FlowLibrary, local: Any) -> None:
    # Given a verified case on a voice call / When the caller presses 3 (text message)
    from functions.adapters.notifications import get_consent

    number, pin = demo_case()
    engine = Engine(library, invoker=LambdaInvoker(), center=StaticCenter())
    result = engine.run_contact(
        "case-status", CallerScript([f"{number}#", f"{pin}#", "3", "1"]), caller_number=CALLER
    )
    # Then the function got no destination parameter and stored the contact's own number
    call = next(c for c in result.lambda_calls if c["function"] == "notify_consent")
    assert "destination" not in call["parameters"] and CALLER not in str(call["parameters"])
    consent = get_consent(number)
    assert consent is not None and (consent.channel.value, consent.destination) == ("SMS", CALLER)
    assert result.ended["how"] == "QUEUE"


def test_chat_consent_with_text_that_is_no_address_records_nothing(library: FlowLibrary, local: Any) -> None:
    from functions.adapters.notifications import get_consent

    number, pin = demo_case()
    result = chat(library, "case-status", number, pin, "3", "tomorrow please", attributes={"language": "en"})
    assert not [c for c in result.lambda_calls if c["function"] == "notify_consent"]
    assert get_consent(number) is None
    assert "That does not look like an e-mail address." in result.prompts


def test_chat_that_runs_out_of_messages_is_idle_and_ends_politely(library: FlowLibrary, local: Any) -> None:
    # Given a customer who types one message and then nothing
    result = chat(library, "main-inbound", "1")
    # Then every later prompt timed out (LexTimeoutSeconds), the typed outcome is IDLE and the
    # contact was not dropped: it reached the operator queue after the retries
    assert result.customer == "IDLE"
    assert result.ended["how"] == "QUEUE" and result.ended["queue"] == "operator"
    assert any("no chat message within LexTimeoutSeconds" in s.detail for s in result.steps)


def test_unrecognised_text_is_reported_and_the_menu_asks_again(library: FlowLibrary, local: Any) -> None:
    result = chat(library, "main-inbound", "English", "where is my refund??", "7", "0")
    assert result.unmatched == ["where is my refund??", "7"]
    main_menu = [p for p in result.prompts if p.startswith("How can we help?")]
    assert len(main_menu) == 3
    assert result.ended["queue"] == "operator"


def test_customer_ending_the_chat_is_left(library: FlowLibrary, local: Any) -> None:
    result = chat(library, "main-inbound", "English", leaves=True)
    assert result.customer == "LEFT"
    assert result.ended["how"] == "DISCONNECT"
    assert result.events[-1]["disconnectReason"] == "CUSTOMER_DISCONNECT"


def test_post_chat_survey_after_the_agent_ends_the_chat(library: FlowLibrary, local: Any) -> None:
    # Given the agent ended the chat (the customer still sees messages: the disconnect flow runs)
    answers = ["1", "2", "yes", "no", *["5", "four", "3", "5", "4", "5", "5", "5"]]
    result = chat(
        library,
        "post-call-survey",
        *answers,
        attributes={"language": "en", "intent": "APPEAL", "queueName": "appeals"},
        initiation_method="DISCONNECT",
        disconnect_reason="AGENT_DISCONNECT",
    )
    # Then the answers typed (digits or words) reach the survey function in one call and it stored them
    (submitted,) = [c for c in result.lambda_calls if c["function"] == "survey"]
    assert submitted["parameters"]["fcrTimesCalled"] == "2"
    assert (
        submitted["parameters"]["fcrAllAnswered"] == "1" and submitted["parameters"]["fcrAvoidsCall"] == "2"
    )
    assert submitted["parameters"]["trust"] == "4"
    assert submitted["result"] == {"result": "COMPLETE", "answered": "11"}
    assert result.prompts[-1].startswith("Thank you")


def test_post_chat_survey_after_the_customer_ends_the_chat_asks_nothing(
    library: FlowLibrary, local: Any
) -> None:
    # Given the customer closed the chat: nobody is left to read a message (adminguide: the
    # disconnect flow runs, but a participant action has no participant)
    result = chat(
        library,
        "post-call-survey",
        "5",
        attributes={"language": "en", "intent": "APPEAL"},
        initiation_method="DISCONNECT",
        disconnect_reason="CUSTOMER_DISCONNECT",
    )
    # Then no question was sent, no typed entry consumed, and no survey invented
    assert result.prompts == [] and result.inputs == []
    answered = [c["parameters"].get("trust") for c in result.lambda_calls if c["function"] == "survey"]
    assert not any(answered)
    assert result.ended["participant"] is False
