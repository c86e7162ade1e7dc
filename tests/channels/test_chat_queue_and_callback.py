"""Waiting in a queue on CHAT, and callbacks for a chat (which has no phone number), through the real
flows and the real callback function on moto.

On chat Connect's loop prompts (hold music, "press 1") take the error branch (loop-prompts.html), so
the queue flow's chat twin shows the position and the wait as text, then waits for a typed message
(LexTimeoutSeconds: the update period): 1/"callback" asks for a phone number, 2/"leave" leaves the
line, 0 moves to the operator queue. A callback number is typed, validated by the callback function
(NANP by default) and stored before it is confirmed; a wrong or empty number is asked once more,
then a clear message follows."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from civicline.engine import (
    CallerScript,
    CallResult,
    ContactState,
    Engine,
    FlowLibrary,
    LambdaInvoker,
    QueueMetrics,
    StaticCenter,
)
from civicline.engine.arns import local_arn
from infra.registry import QUEUES

#: a number typed by the customer (fictional 555-01xx range); never in a log
TYPED = "303 555 0142"
E164 = "+13035550142"


@pytest.fixture
def function_logs() -> Iterator[Callable[[], str]]:
    """What the functions' logger writes (DEBUG, through its masking formatter). The stream is
    swapped without flushing the old one: a CLI test before may have left it pointing at a closed
    runner stream (the shared ``captured_logs`` fixture flushes it and fails then)."""
    import io

    from functions.core.observability import logger

    buffer = io.StringIO()
    handler = logger.registered_handler
    previous, previous_level = handler.stream, logger.log_level
    handler.stream = buffer
    logger.setLevel("DEBUG")
    yield buffer.getvalue
    handler.stream = previous
    logger.setLevel(previous_level)


def callbacks() -> list[dict[str, Any]]:
    """Every stored callback request (the functions' own table, read back)."""
    import boto3

    from functions.core.settings import get_settings

    table = boto3.resource("dynamodb").Table(get_settings().table("callbacks"))
    return [item for item in table.scan()["Items"] if "callback_number" in item]


def queued(library: FlowLibrary, *typed: str, language: str = "en", max_loops: int = 2) -> CallResult:
    metrics = QueueMetrics(size=4, oldest_age_seconds=300, expected_wait_seconds=240)
    engine = Engine(library, invoker=LambdaInvoker(), center=StaticCenter(default_metrics=metrics))
    contact = ContactState(
        channel="CHAT",
        caller_number=None,
        attributes={"language": language, "intent": "CONSULTATION"},
        queue_arn=local_arn("queue", "general"),
        queue_name="general",
    )
    return engine.run_queue_flow(contact, "customer-queue", CallerScript.typed(typed), max_loops=max_loops)


def entry(library: FlowLibrary, *typed: str, full: bool = True) -> CallResult:
    center = StaticCenter(full_queues=frozenset(q.name for q in QUEUES) if full else frozenset())
    engine = Engine(library, invoker=LambdaInvoker(), center=center)
    return engine.run_contact("main-inbound", CallerScript.typed(typed), channel="CHAT", caller_number=None)


def test_waiting_on_chat_shows_position_and_wait_as_text_and_keeps_the_place(
    library: FlowLibrary, local: Any
) -> None:
    # Given a chat contact waiting in the general queue who types nothing
    result = queued(library)
    # Then no voice-only block ran (no loop prompts, no keypad menu)
    types = {s.type for s in result.steps}
    assert "MessageParticipantIteratively" not in types and "GetParticipantInput" not in types
    # And the position and wait were shown periodically, written for reading
    position = [p for p in result.prompts if p.startswith("Thank you for waiting. Chats ahead of you: 4.")]
    assert len(position) == 3  # the first update, then one per time-out (max_loops=2)
    assert "Expected wait: about 240 seconds." in position[0]
    assert not [p for p in result.prompts if "press" in p.lower() or "hang up" in p.lower()]
    # And the contact is still waiting in its queue (never dropped)
    assert result.ended["how"] == "QUEUE"
    assert "chat time-outs" in result.ended["detail"]


def test_typing_callback_and_a_number_stores_the_callback_before_confirming(
    library: FlowLibrary, local: Any, function_logs: Callable[[], str]
) -> None:
    # When the customer types "callback", then a phone number in a sentence
    result = queued(library, "callback", f"please call me at {TYPED}")
    # Then the callback function got the typed number and answered CREATED
    [call] = [c for c in result.lambda_calls if c["function"] == "callback"]
    assert call["result"]["result"] == "CREATED"
    # And the request is stored with the number in E.164, as soon as possible, for the contact's queue
    [stored] = [c for c in callbacks() if c.get("callback_number") == E164]
    assert stored["queue"] == "general"
    # And the customer read the confirmation, and the chat ended (the callback replaces the wait)
    assert result.prompts[-1].startswith("Thank you. We will call you back")
    assert result.ended["how"] == "DISCONNECT"
    # And the number was never logged (flow logging off around it, nothing in the functions' logs)
    logs = function_logs()
    assert "callback requested" in logs and E164 not in logs and "0142" not in logs
    off = [s.identifier for s in result.steps if s.identifier.startswith("cb-chat-logging")]
    assert off[:2] == ["cb-chat-logging-off", "cb-chat-logging-on"]


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("555 0142", "no thanks"),  # too short to be a number, then no number at all
        ("", ""),  # empty messages
        ("+44 20 7946 0958", "1 202 555"),  # outside NANP (refused by the function), then incomplete
    ],
)
def test_a_wrong_or_empty_number_is_asked_again_then_the_place_is_kept(
    library: FlowLibrary, local: Any, first: str, second: str
) -> None:
    result = queued(library, "1", first, second, "leave")
    # Then the number was asked twice, with the reason between, and nothing was stored
    asked = [p for p in result.prompts if p.startswith("A chat has no phone number we can call.")]
    assert len(asked) == 2
    assert any(p.startswith("That does not look like a phone number we can call.") for p in result.prompts)
    assert not [
        c for c in result.lambda_calls if c["function"] == "callback" and c["result"]["result"] == "CREATED"
    ]
    assert callbacks() == []
    # And a clear message says so; the customer keeps the place in line (the options come back)
    said = result.prompts.index(
        "Without a phone number we cannot call you back. You keep your place in this line."
    )
    assert result.prompts[said + 1].startswith("Keep this chat open")
    assert result.ended["how"] == "DISCONNECT"  # the customer typed "leave" afterwards


def test_typing_leave_leaves_the_line_politely(library: FlowLibrary, local: Any) -> None:
    result = queued(library, "leave")
    assert result.prompts[-1] == "You have left the line. Thank you for contacting CivicLine. Goodbye."
    assert result.ended["how"] == "DISCONNECT"


def test_zero_moves_the_chat_to_the_operator_queue(library: FlowLibrary, local: Any) -> None:
    result = queued(library, "0")
    assert result.path[-1] == "chat-to-operator"
    assert result.ended["queue"] == "operator"


def test_unknown_text_and_a_very_long_message_show_the_options_again(
    library: FlowLibrary, local: Any
) -> None:
    result = queued(library, "what is going on?", "x" * 5000, max_loops=0)
    assert result.unmatched[:2] == ["what is going on?", "x" * 5000]
    options = [p for p in result.prompts if p.startswith("Keep this chat open")]
    assert len(options) == 3  # shown again after each message it could not use
    assert result.ended["how"] == "QUEUE"


def test_spanish_waiting_chat(library: FlowLibrary, local: Any) -> None:
    result = queued(library, "salir", language="es")
    assert result.prompts[0].startswith("Gracias por esperar. Chats antes que usted: 4.")
    assert result.prompts[-1].startswith("Ha salido de la fila.")


def test_queue_full_on_chat_takes_a_typed_number_for_the_callback(library: FlowLibrary, local: Any) -> None:
    # Given every queue at capacity / When the chat customer asks for a callback and types a number
    result = entry(library, "English", "6", "1", TYPED)
    [call] = [c for c in result.lambda_calls if c["function"] == "callback"]
    assert call["result"]["result"] == "CREATED"
    assert [c for c in callbacks() if c.get("callback_number") == E164]
    assert result.prompts[-1].startswith("Thank you. We will call you back")
    assert result.ended["how"] == "DISCONNECT"


def test_after_hours_on_chat_the_morning_callback_takes_a_typed_number(
    library: FlowLibrary, local: Any
) -> None:
    center = StaticCenter(open=False)
    engine = Engine(library, invoker=LambdaInvoker(), center=center)
    result = engine.run_contact(
        "main-inbound", CallerScript.typed(["English", "1", TYPED]), channel="CHAT", caller_number=None
    )
    [call] = [c for c in result.lambda_calls if c["function"] == "callback"]
    assert call["result"]["result"] == "CREATED"
    assert json.loads(json.dumps(call))["result"]["windowSpoken"]
    assert result.prompts[-1].startswith("Thank you. We will call you back")


@pytest.mark.parametrize(
    ("typed", "result"),
    [
        ("202 555 0123", "CREATED"),
        ("(202) 555-0123", "CREATED"),
        ("+1 202 555 0123", "CREATED"),
        ("555 0100", "INVALID_INPUT"),  # 7 digits: became +15550100 and was booked before the fix
        ("1 202 555", "INVALID_INPUT"),  # incomplete
        ("202 155 0123", "INVALID_INPUT"),  # an exchange cannot start with 1 in NANP
        ("+44 20 7946 0958", "INVALID_INPUT"),  # outside the default dial prefixes (NANP)
        ("", "INVALID_INPUT"),  # a chat contact has no caller number to fall back on
    ],
)
def test_the_callback_function_takes_only_whole_typed_numbers_from_a_chat(
    seeded: Any, typed: str, result: str
) -> None:
    # Given the real Lambda entry point with a Connect event of a chat contact (no CustomerEndpoint)
    from functions.handlers.callback import handler
    from tests.functional.conftest import make_event

    params = {"mode": "SCHEDULED", "queueName": "general", "window": "3", "callbackNumber": typed}
    answer = handler(make_event(params, f"chat-{abs(hash(typed))}", None, "general"), None)
    # Then only a whole dialable number is booked; anything else is a typed INVALID_INPUT
    assert answer["result"] == result
