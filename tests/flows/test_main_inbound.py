"""main-inbound: every menu branch driven through the engine with scripted DTMF.

Lambdas are the contract-checked stand-ins of conftest.py (a test scripts the answer it needs)."""

from __future__ import annotations

import pytest

from civicline.engine.arns import local_arn
from tests.flows.conftest import OFFICE_PHONE, Caller, ContractLambdas, assert_path, spoken

HOOKS = {
    "CustomerQueue": "customer-queue",
    "CustomerRemaining": "post-call-survey",
    "AgentWhisper": "agent-whisper",
}
EN = ["1"]  # language menu: English
ES = ["2"]  # language menu: Spanish


def fail(function: str):
    return lambda name, attempt: "error" if name == function else None


def assert_queued(result, queue: str, intent: str) -> None:
    assert result.ended["how"] == "QUEUE", result.ended
    assert result.ended["queue"] == queue
    assert result.attributes["intent"] == intent
    assert result.attributes["queueArn"] == local_arn("QUEUE", queue)  # an ARN, never a name
    assert result.attributes["language"] in ("en", "es")
    assert result.contact.event_hooks == HOOKS
    assert_path(result, ["queue-name", "connecting", "transfer"])


# --- greeting and language ---------------------------------------------------------------------


def test_english_caller_hears_greeting_and_main_menu(call: Caller) -> None:
    # Given an English caller during opening hours / When they press 1 then 6
    result = call("main-inbound", [*EN, "6"])
    # Then greeting, language menu and main menu in English, language attribute and LanguageCode set
    assert result.prompts[0].startswith("Thank you for calling CivicLine")
    assert "Para español, oprima 2" in result.prompts[1]
    assert "For a complex question, press 6" in result.prompts[2]
    assert result.contact.language == "en-US"
    assert_path(
        result,
        [
            "language-menu",
            "lang-en",
            "voice-en",
            "language-en",
            "prompts-en",
            "prompts-en-channel",
            "hook-queue-flow",
        ],
        ["hook-survey", "hook-whisper", "check-hours"],
    )
    assert_queued(result, "tier2", "TIER2")


def test_spanish_caller_hears_spanish_prompts_and_lambdas_get_es(
    call: Caller, lambdas: ContractLambdas
) -> None:
    # Given a caller who picks Spanish / When they choose a consultation topic
    result = call("main-inbound", [*ES, "1", "2"])
    # Then every menu after the language choice is Spanish and the knowledge lookup asks for Spanish
    assert result.contact.language == "es-US"
    assert result.contact.voice == "Lupe"
    assert result.attributes["language"] == "es"
    assert "Para respuestas a preguntas generales, oprima 1" in result.prompts[2]
    assert "Para planes de pago, oprima 2" in result.prompts[3]
    assert ("routing", {"action": "knowledge", "topic": "2", "language": "es"}) in lambdas.received
    assert "Para hablar con un agente, oprima 1" in spoken(result)


@pytest.mark.parametrize(
    "keys", [["0"], ["", "", ""], ["9", "8", "7"]], ids=["zero", "silence", "wrong-keys"]
)
def test_language_menu_operator_or_retries_reach_operator_in_english(call: Caller, keys: list[str]) -> None:
    # Given the language menu / When the caller presses 0, or gives no valid answer three times
    result = call("main-inbound", keys)
    # Then English is assumed and the operator queue is reached after the hours check
    assert result.attributes["language"] == "en"
    assert_path(result, ["lang-operator", "lang-en"], ["check-hours", "after-language", "operator"])
    assert_queued(result, "operator", "OPERATOR")
    assert result.prompts.count(result.prompts[1]) == (3 if keys != ["0"] else 1)


# --- hours and holidays ------------------------------------------------------------------------


@pytest.mark.parametrize("window", ["1", "2"])
def test_after_hours_caller_books_a_callback_window(
    call: Caller, lambdas: ContractLambdas, window: str
) -> None:
    # Given the hours (holidays included) are closed / When the caller picks a callback window
    result = call("main-inbound", [*EN, window], open=False)
    # Then the after-hours message, a SCHEDULED callback for that window, its confirmation, goodbye
    assert "Our offices are closed now" in spoken(result)
    assert (
        "callback",
        {
            "mode": "SCHEDULED",
            "queueArn": local_arn("QUEUE", "general"),
            "window": window,
            "language": "en",
        },
    ) in lambdas.received
    assert "We will call you back tomorrow between 8 AM and noon. Thank you for calling CivicLine." in spoken(
        result
    )
    assert result.attributes["callbackOffered"] == "true"
    assert result.ended["how"] == "DISCONNECT"
    assert_path(
        result,
        [
            "check-hours",
            "closed-message",
            "closed-offered",
            "closed-offer-channel",
            "closed-offer",
            f"closed-window-{window}",
        ],
    )
    assert result.path[-2:] == ["callback-confirmed", "hangup"]


def test_after_hours_existing_callback_is_not_booked_twice(call: Caller, lambdas: ContractLambdas) -> None:
    # Given the caller already has a callback / When they ask for another after hours
    lambdas.respond("callback", {"result": "EXISTING", "callbackId": "cb-0001"})
    result = call("main-inbound", [*EN, "1"], open=False)
    # Then they hear that one is scheduled, then goodbye
    assert "You already have a callback scheduled" in result.prompts[-1]
    assert result.path[-2:] == ["callback-existing", "hangup"]


@pytest.mark.parametrize("fault", ["error", "timeout"])
def test_after_hours_callback_failure_is_explained(call: Caller, fault: str) -> None:
    # Given the callback function fails or times out / When an after-hours caller asks for a callback
    result = call("main-inbound", [*EN, "2"], open=False, fault=lambda name, attempt: fault)
    # Then they are told it could not be scheduled before the goodbye (never a silent drop)
    assert "could not schedule a callback" in result.prompts[-1]
    assert result.path[-2:] == ["callback-failed", "hangup"]


def test_after_hours_silence_says_goodbye(call: Caller) -> None:
    # Given an after-hours caller who presses nothing / Then the offer is repeated once, then goodbye
    result = call("main-inbound", EN, open=False)
    assert result.path[-4:] == ["closed-offer", "closed-retry", "goodbye", "hangup"]
    assert result.prompts[-1] == "Thank you for calling CivicLine. Goodbye."
    assert result.ended["how"] == "DISCONNECT"


def test_after_hours_zero_still_reaches_the_operator(call: Caller) -> None:
    result = call("main-inbound", [*EN, "0"], open=False)
    assert_queued(result, "operator", "OPERATOR")


# --- main menu ---------------------------------------------------------------------------------


@pytest.mark.parametrize("topic", ["1", "2", "3"])
def test_consultation_answer_then_agent(call: Caller, lambdas: ContractLambdas, topic: str) -> None:
    # Given a consultation topic / When the caller hears the answer and presses 1
    result = call("main-inbound", [*EN, "1", topic, "1"])
    # Then the knowledge answer is spoken, then the general queue through the routing function
    assert f"Knowledge answer {topic} (en)." in result.prompts
    assert_path(
        result,
        ["consult-menu", f"consult-topic-{topic}", "consult-intent", "consult-lookup", "consult-result"],
        [
            "consult-answer",
            "consult-contained",
            "consult-after-channel",
            "consult-after",
            "consult-agent",
            "route-queue",
            "route-result",
        ],
        ["route-dynamic", "route-office", "queue-name"],
    )
    route = [p for f, p in lambdas.received if f == "routing" and p["action"] == "route"]
    assert route == [
        {
            "action": "route",
            "intent": "CONSULTATION",
            "topic": topic,
            "language": "en",
        }
    ]
    assert_queued(result, "general", "CONSULTATION")
    assert result.attributes["selfService"] == "false"


def test_consultation_answer_repeated_then_hang_up_is_self_service(call: Caller) -> None:
    # Given an answer / When the caller presses 2 (repeat) and then nothing
    result = call("main-inbound", [*EN, "1", "3", "2"])
    # Then the answer is heard twice, the offer repeated once, and the call ends contained
    assert result.prompts.count("Knowledge answer 3 (en).") == 2
    assert result.attributes["selfService"] == "true"
    assert result.path[-2:] == ["goodbye", "hangup"]
    assert result.prompts[-1] == "Thank you for calling CivicLine. Goodbye."
    assert result.ended["how"] == "DISCONNECT"


def test_consultation_without_answer_goes_to_an_agent(call: Caller, lambdas: ContractLambdas) -> None:
    lambdas.respond("routing", {"result": "NOT_FOUND"})
    result = call("main-inbound", [*EN, "1", "1"])
    assert "We do not have a recorded answer on that topic" in spoken(result)
    assert_path(result, ["consult-result", "consult-none", "static-queue", "static-general"])
    assert_queued(result, "general", "CONSULTATION")


def test_consultation_lookup_failure_apologises_and_queues(call: Caller) -> None:
    result = call("main-inbound", [*EN, "1", "1"], fault=fail("routing"))
    assert "technical difficulties" in spoken(result)
    assert_path(result, ["consult-lookup", "consult-error", "static-queue", "static-general"])
    assert_queued(result, "general", "CONSULTATION")


def test_case_status_continues_in_the_case_status_flow(call: Caller) -> None:
    # Given the main menu / When the caller presses 2
    result = call("main-inbound", [*EN, "2"])
    # Then the same contact continues in case-status with intent and language already set
    assert result.flows == ["main-inbound", "case-status"]
    assert_path(
        result,
        ["status-intent", "status-flow", "language", "prompts-en", "prompts-en-channel", "hook-queue-flow"],
        ["hook-whisper", "status-intent", "logging-off", "case-entry-channel", "case-entry"],
    )
    assert "Please enter your 8 digit case number" in spoken(result)
    assert result.ended["flow"] == "case-status"


@pytest.mark.parametrize("topic", ["1", "2", "3", "4"])
def test_redirect_warm_transfer_to_the_responsible_office(
    call: Caller, lambdas: ContractLambdas, topic: str
) -> None:
    # Given routing says another agency handles the topic / When the caller picks it
    lambdas.respond(
        "routing",
        {
            "result": "TRANSFER",
            "officeId": f"office-{topic}",
            "officeName": "Department of Motor Vehicles",
            "officePhone": OFFICE_PHONE,
            "prompt": "Transferring you to Department of Motor Vehicles.",
            "reason": "RULE",
        },
    )
    result = call("main-inbound", [*EN, "3", topic])
    # Then the office is announced and the call is transferred to its number
    assert lambdas.received[-1] == (
        "routing",
        {"action": "route", "intent": "REDIRECT", "topic": topic, "language": "en"},
    )
    assert result.prompts[-1] == "Transferring you to Department of Motor Vehicles."
    assert result.ended["how"] == "TRANSFER_PHONE"
    assert result.ended["number"] == OFFICE_PHONE
    assert result.attributes["officeId"] == f"office-{topic}"
    assert result.attributes["intent"] == "REDIRECT"
    assert result.path[-5:] == [
        "redirect-result",
        "redirect-channel",  # voice: the warm transfer; chat: the number as text (test_chat_redirect)
        "redirect-announce",
        "redirect-office",
        "redirect-transfer",
    ]


def test_redirect_routed_to_one_of_our_queues(call: Caller, lambdas: ContractLambdas) -> None:
    lambdas.respond(
        "routing",
        {
            "result": "ROUTED",
            "queueName": "tier2",
            "queueArn": local_arn("queue", "tier2"),
            "officeId": "tax",
        },
    )
    result = call("main-inbound", [*EN, "3", "2"])
    assert_path(result, ["redirect-result", "route-dynamic", "route-office", "queue-name"])
    assert_queued(result, "tier2", "REDIRECT")
    assert result.attributes["officeId"] == "tax"


def test_redirect_failed_transfer_falls_back_to_an_agent(call: Caller, lambdas: ContractLambdas) -> None:
    # Given the office's line cannot be reached (not a dialable number)
    lambdas.respond("routing", {"result": "TRANSFER", "officePhone": "0", "prompt": "Transferring you."})
    result = call("main-inbound", [*EN, "3", "1"])
    # Then the caller is told and queued with our general agents
    assert "We could not reach that office" in spoken(result)
    assert_path(result, ["redirect-transfer", "redirect-failed", "static-queue", "static-general"])
    assert_queued(result, "general", "REDIRECT")


@pytest.mark.parametrize(
    ("answer", "fault", "step", "heard"),
    [
        ({"result": "NOT_FOUND"}, None, "redirect-none", "could not find the responsible office"),
        (None, "error", "redirect-error", "technical difficulties"),
    ],
    ids=["no-office", "lambda-error"],
)
def test_redirect_without_an_office_goes_to_an_agent(
    call: Caller, lambdas: ContractLambdas, answer: dict | None, fault: str | None, step: str, heard: str
) -> None:
    if answer:
        lambdas.respond("routing", answer)
    result = call("main-inbound", [*EN, "3", "4"], fault=fail("routing") if fault else None)
    assert heard in spoken(result)
    assert_path(result, [step, "static-queue", "static-general"])
    assert_queued(result, "general", "REDIRECT")


def test_appeal_receipt_and_due_date_then_appeals_agent(call: Caller, lambdas: ContractLambdas) -> None:
    # Given the appeal menu / When the caller registers an appeal and presses 1
    result = call("main-inbound", [*EN, "4", "1"])
    # Then receipt and statutory due date are read back and the appeals queue is reached
    assert ("appeals", {"category": "APPEAL", "language": "en"}) in lambdas.received
    assert (
        "Your appeal is registered. Your receipt number is A P 1 0 0 0 0 0 0 1. "
        "By law, we will answer by December 23, 2026."
    ) in result.prompts
    assert result.attributes["receipt"] == "AP-10000001"
    assert_queued(result, "appeals", "APPEAL")


def test_appeal_read_again_then_hang_up(call: Caller) -> None:
    result = call("main-inbound", [*EN, "4", "2"])
    assert sum("Your receipt number is" in p for p in result.prompts) == 2
    assert result.attributes["selfService"] == "true"
    assert result.path[-2:] == ["goodbye", "hangup"]


@pytest.mark.parametrize("broken", ["invalid", "error"])
def test_appeal_not_registered_goes_to_appeals_agent(
    call: Caller, lambdas: ContractLambdas, broken: str
) -> None:
    if broken == "invalid":
        lambdas.respond("appeals", {"result": "INVALID_INPUT"})
    result = call("main-inbound", [*EN, "4"], fault=fail("appeals") if broken == "error" else None)
    assert "could not register your appeal by phone" in spoken(result)
    assert "receipt" not in result.attributes
    assert_path(result, ["appeal-failed", "static-queue", "static-appeals"])
    assert_queued(result, "appeals", "APPEAL")


def test_identity_theft_report_then_specialist(call: Caller, lambdas: ContractLambdas) -> None:
    result = call("main-inbound", [*EN, "5"])
    assert (
        "appeals",
        {"category": "IDENTITY_THEFT", "language": "en"},
    ) in lambdas.received
    assert (
        "Your identity theft report is registered. Your receipt number is I T 1 0 0 0 0 0 0 1. "
        "An identity theft specialist will now take your call."
    ) in result.prompts
    assert result.attributes["receipt"] == "IT-10000001"
    assert_queued(result, "identity_theft", "IDENTITY_THEFT")


def test_identity_theft_failure_still_reaches_specialists(call: Caller) -> None:
    result = call("main-inbound", [*EN, "5"], fault=fail("appeals"))
    assert "could not register your report by phone" in spoken(result)
    assert_queued(result, "identity_theft", "IDENTITY_THEFT")


def test_complex_question_goes_to_tier2(call: Caller) -> None:
    result = call("main-inbound", [*EN, "6"])
    assert_path(result, ["main-menu", "complex-intent", "route-queue"])
    assert_queued(result, "tier2", "TIER2")


@pytest.mark.parametrize(
    "keys",
    [[*EN, "0"], [*EN, "1", "0"], [*EN, "3", "0"], [*EN, "1", "1", "0"], [*EN, "4", "0"], [*ES, "0"]],
    ids=["main", "consult", "redirect", "after-answer", "after-appeal", "main-es"],
)
def test_zero_reaches_the_operator_from_every_menu(call: Caller, keys: list[str]) -> None:
    result = call("main-inbound", keys)
    assert_queued(result, "operator", "OPERATOR")
    assert_path(result, ["operator", "route-queue"])


@pytest.mark.parametrize(
    ("keys", "menu", "retry"),
    [
        ([*EN], "main-menu", "main-retry"),
        ([*EN, "7", "8", "9"], "main-menu", "main-retry"),
        ([*EN, "1"], "consult-menu", "consult-retry"),
        ([*EN, "3", "5", "", "9"], "redirect-menu", "redirect-retry"),
    ],
    ids=["main-silence", "main-wrong-keys", "consult-silence", "redirect-mixed"],
)
def test_menus_reprompt_twice_then_operator(call: Caller, keys: list[str], menu: str, retry: str) -> None:
    # Given a menu / When the caller gives no valid choice three times
    result = call("main-inbound", keys)
    # Then the menu is played three times, then the operator
    assert result.path.count(menu) == 3
    assert_path(result, [menu, retry, "operator"])
    assert_queued(result, "operator", "OPERATOR")


@pytest.mark.parametrize(
    ("keys", "queue", "intent"),
    [
        ([*EN, "1", "1", "1"], "general", "CONSULTATION"),
        ([*EN, "4", "1"], "appeals", "APPEAL"),
        ([*EN, "5"], "identity_theft", "IDENTITY_THEFT"),
        ([*EN, "6"], "tier2", "TIER2"),
        ([*EN, "0"], "operator", "OPERATOR"),
    ],
)
def test_routing_failure_falls_back_to_the_static_queue(
    call: Caller, lambdas: ContractLambdas, keys: list[str], queue: str, intent: str
) -> None:
    # Given routing answers knowledge lookups but its route action is broken (INVALID_INPUT)
    lambdas.respond(
        "routing", *([{"result": "FOUND", "answer": "An answer."}] if intent == "CONSULTATION" else [])
    )
    lambdas.respond("routing", {"result": "INVALID_INPUT"})
    result = call("main-inbound", keys)
    # Then the intent's own queue is used
    assert_path(result, ["route-queue", "route-result", "static-queue"])
    assert_queued(result, queue, intent)


def test_repeat_caller_is_routed_to_the_office_that_handled_them(
    call: Caller, lambdas: ContractLambdas
) -> None:
    lambdas.respond(
        "routing",
        {
            "result": "ROUTED",
            "queueName": "appeals",
            "queueArn": local_arn("queue", "appeals"),
            "officeId": "appeals-office",
            "reason": "REPEAT",
        },
    )
    result = call("main-inbound", [*EN, "6"])
    assert_queued(result, "appeals", "TIER2")
    assert result.attributes["officeId"] == "appeals-office"


# --- queue at capacity -------------------------------------------------------------------------


def test_full_queue_offers_a_callback(call: Caller, lambdas: ContractLambdas) -> None:
    # Given the tier-2 queue is full / When the caller accepts the callback
    result = call("main-inbound", [*EN, "6", "1"], full={"tier2"})
    # Then an as-soon-as-possible callback for that queue, confirmed, then goodbye
    assert "all our lines are busy" in spoken(result)
    assert lambdas.received[-1] == (
        "callback",
        {
            "mode": "SCHEDULED",
            "queueArn": local_arn("QUEUE", "tier2"),
            "window": "3",
            "intent": "TIER2",
            "language": "en",
        },
    )
    assert result.path[-2:] == ["callback-confirmed", "hangup"]
    assert result.ended["how"] == "DISCONNECT"


def test_full_queue_zero_tries_the_operator(call: Caller) -> None:
    result = call("main-inbound", [*EN, "6", "0"], full={"tier2"})
    assert result.ended["how"] == "QUEUE"
    assert result.ended["queue"] == "operator"
    assert_path(result, ["queue-full", "last-resort", "last-transfer"])


def test_everything_full_apologises_before_hanging_up(call: Caller) -> None:
    result = call("main-inbound", [*EN, "6"], full={"tier2", "operator"})
    assert result.path[-4:] == ["queue-full", "full-retry", "sorry", "hangup"]
    assert result.prompts[-1].startswith("We are sorry, we cannot connect your call right now")
    assert result.ended["how"] == "DISCONNECT"
