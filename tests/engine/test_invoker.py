"""The Lambda invoker: Connect's rules for a flow's Lambda call (reference section 4)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from civicline.engine import CallerScript, ContactState, Engine, LambdaInvoker
from civicline.engine.arns import local_arn
from civicline.engine.events import lambda_event
from schemas.connect_lambda import parse_event
from tests.engine.conftest import act, doc, library_of

EVENT = lambda_event(ContactState(contact_id="c-1", attributes={"a": "b"}), {"k": "v"})


def invoker(handler: Callable[[dict[str, Any], Any], Any], **kw: Any) -> LambdaInvoker:
    return LambdaInvoker(handlers={"routing": handler}, **kw)


def test_lambda_event_is_a_valid_connect_event() -> None:
    # Given a contact with a working queue, When its Lambda event is built
    contact = ContactState(contact_id="c-2", queue_arn=local_arn("QUEUE", "general"), queue_name="general")
    event = lambda_event(contact, {"caseNumber": "123"})
    # Then it parses with the Connect event model and carries the contact's data
    parsed = parse_event(event)
    assert parsed.contact.ContactId == "c-2"
    assert parsed.contact.Queue is not None and parsed.contact.Queue.Name == "general"
    assert parsed.parameters == {"caseNumber": "123"}
    assert event["Name"] == event["Details"]["ContactData"]["Name"] == "ContactFlowEvent"


def test_success_returns_the_string_map() -> None:
    seen: list[dict[str, Any]] = []

    def handler(event: dict[str, Any], context: Any) -> dict[str, str]:
        seen.append(event)
        assert context.get_remaining_time_in_millis() > 0
        assert context.function_name == "civicline-routing"
        return {"result": "ROUTED", "queueName": "general"}

    outcome = invoker(handler).invoke("routing", EVENT, timeout_seconds=3)
    assert outcome.ok
    assert outcome.result == {"result": "ROUTED", "queueName": "general"}
    assert outcome.attempts == 1
    assert seen[0] == EVENT and seen[0] is not EVENT  # a JSON copy, not the caller's object


def test_errors_are_retried_three_times_then_fail() -> None:
    calls: list[int] = []

    def handler(event: dict[str, Any], context: Any) -> dict[str, str]:
        calls.append(1)
        raise RuntimeError("boom")

    outcome = invoker(handler).invoke("routing", EVENT)
    assert outcome.error == "ERROR"
    assert outcome.attempts == 4 == len(calls)
    assert "boom" in (outcome.detail or "")


def test_fault_injection_error_then_success() -> None:
    outcome = invoker(lambda e, c: {"result": "ok"}, fault=lambda fn, n: "error" if n == 1 else None).invoke(
        "routing", EVENT
    )
    assert outcome.ok and outcome.attempts == 2


def test_fault_injection_timeout_is_final() -> None:
    outcome = invoker(lambda e, c: {"result": "ok"}, fault=lambda fn, n: "timeout").invoke(
        "routing", EVENT, timeout_seconds=4
    )
    assert outcome.error == "TIMEOUT"
    assert outcome.attempts == 1
    assert outcome.elapsed_seconds == 4


def test_slow_handler_times_out_on_wall_time() -> None:
    # Given a clock where each call takes 5 s and a 3 s limit
    ticks = iter([0.0, 5.0])
    outcome = invoker(lambda e, c: {"result": "ok"}, clock=lambda: next(ticks)).invoke(
        "routing", EVENT, timeout_seconds=3
    )
    assert outcome.error == "TIMEOUT"
    assert outcome.result is None


@pytest.mark.parametrize(
    ("response", "response_type", "error"),
    [
        ({"nested": {"a": "b"}}, "STRING_MAP", "INVALID_RESPONSE"),
        ({"n": 1}, "STRING_MAP", "INVALID_RESPONSE"),
        (["a"], "STRING_MAP", "INVALID_RESPONSE"),
        ({"big": "x" * (32 * 1024)}, "STRING_MAP", "INVALID_RESPONSE"),
        ({"nested": {"a": [1, 2]}}, "JSON", None),
        ({1: "a"}, "STRING_MAP", None),  # JSON turns the key into "1"
    ],
)
def test_response_rules(response: Any, response_type: str, error: str | None) -> None:
    outcome = invoker(lambda e, c: response).invoke("routing", EVENT, response_type=response_type)
    assert outcome.error == error
    if error:
        assert outcome.attempts == 1  # a bad answer is not retried


def test_non_json_response_is_a_function_error() -> None:
    outcome = invoker(lambda e, c: {"when": object()}).invoke("routing", EVENT)
    assert outcome.error == "ERROR"
    assert outcome.attempts == 4


def test_unknown_function() -> None:
    outcome = LambdaInvoker().invoke("nope", EVENT)
    assert outcome.error == "UNKNOWN_FUNCTION"
    assert outcome.attempts == 0


def flow_with_lambda(arn: str) -> dict[str, Any]:
    return doc(
        act(
            "call",
            "InvokeLambdaFunction",
            {
                "LambdaFunctionARN": arn,
                "InvocationTimeLimitSeconds": "3",
                "LambdaInvocationAttributes": {
                    "action": "route",
                    "callerNumber": "$.CustomerEndpoint.Address",
                },
                "ResponseValidation": {"ResponseType": "STRING_MAP"},
            },
            nxt="ok",
            errors={"NoMatchingError": "failed"},
        ),
        act("ok", "MessageParticipant", {"Text": "Result $.External.result."}, nxt="hangup"),
        act("failed", "MessageParticipant", {"Text": "Failed [$.External.result]."}, nxt="hangup"),
        act("hangup", "DisconnectParticipant"),
    )


def test_flow_records_lambda_calls_and_external(make_engine: Callable[..., Engine]) -> None:
    library = library_of(main=flow_with_lambda(local_arn("LAMBDA", "routing")))
    engine = make_engine(
        library, invoker=invoker(lambda e, c: {"result": e["Details"]["Parameters"]["action"]})
    )
    result = engine.run_contact("main", CallerScript())
    assert result.prompts == ["Result route."]
    call = result.lambda_calls[0]
    assert call["function"] == "routing"
    assert call["parameters"] == {"action": "route", "callerNumber": "+15555550100"}
    assert call["result"] == {"result": "route"} and call["error"] is None and call["attempts"] == 1


def test_failed_call_clears_external_and_takes_no_matching_error(make_engine: Callable[..., Engine]) -> None:
    library = library_of(main=flow_with_lambda(local_arn("LAMBDA", "routing")))
    failing = invoker(lambda e, c: {"result": "x"}, fault=lambda fn, n: "timeout")
    result = make_engine(library, invoker=failing).run_contact("main")
    assert result.contact.external == {}
    assert result.prompts == ["Failed []."]
    assert result.lambda_calls[0]["error"] == "TIMEOUT"


def test_foreign_lambda_arn_is_unknown_function(make_engine: Callable[..., Engine]) -> None:
    library = library_of(main=flow_with_lambda("arn:aws:lambda:us-west-2:111122223333:function:someone-else"))
    result = make_engine(library).run_contact("main")
    assert result.prompts == ["Failed []."]
    assert result.lambda_calls[0]["error"] == "UNKNOWN_FUNCTION"
    assert result.lambda_calls[0]["function"] == "someone-else"


def test_real_routing_handler_runs_in_process(local_aws: Any, make_engine: Callable[..., Engine]) -> None:
    # Given the real routing function on moto (empty tables: no rule matches)
    library = library_of(main=flow_with_lambda(local_arn("LAMBDA", "routing")))
    result = make_engine(library).run_contact("main")
    # Then it answered through its real entry point with a STRING_MAP the flow could read
    call = result.lambda_calls[0]
    assert call["error"] is None, call
    assert isinstance(call["result"]["result"], str)
    assert result.prompts == [f"Result {call['result']['result']}."]
