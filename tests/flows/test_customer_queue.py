"""customer-queue: position and expected wait, virtual hold, callback windows, keep waiting."""

from __future__ import annotations

import pytest

from civicline.engine.arns import local_arn
from tests.flows.conftest import CALLER, Caller, ContractLambdas, assert_path, spoken

OFFER = "The wait is longer than usual."


def callbacks(lambdas: ContractLambdas) -> list[dict[str, str]]:
    return [params for function, params in lambdas.received if function == "callback"]


def test_short_wait_announces_position_and_keeps_waiting(call: Caller) -> None:
    # Given the oldest caller has waited 60 s (threshold 120 s) / When the queue flow runs
    result = call.queued([], oldest_seconds=60, size=3, expected_wait=90)
    # Then position and expected wait are spoken, no offer, hold music loops, still queued
    assert result.prompts[0] == (
        "Thank you for waiting. Callers ahead of you: 3. Your expected wait is about 90 seconds."
    )
    assert OFFER not in spoken(result)
    assert "callbackOffered" not in result.attributes
    assert_path(result, ["queue-metrics", "position", "check-wait", "hold", "queue-metrics"])
    assert result.ended["how"] == "QUEUE"
    assert result.ended["queue"] == "general"


def test_long_wait_virtual_hold_keeps_the_place(call: Caller, lambdas: ContractLambdas) -> None:
    # Given a long wait / When the caller presses 1
    result = call.queued(["1"], queue="tier2", attributes={"language": "en", "intent": "TIER2"})
    # Then the request is stored (VIRTUAL_HOLD) and Connect creates the queued callback
    assert callbacks(lambdas) == [
        {
            "mode": "VIRTUAL_HOLD",
            "queueArn": local_arn("QUEUE", "tier2"),
            "intent": "TIER2",
            "language": "en",
        }
    ]
    assert result.attributes["callbackOffered"] == "true"
    assert_path(result, ["offer-flag", "offer", "virtual-hold", "virtual-hold-result", "create-callback"])
    assert result.prompts[-1].startswith("Your place in line is saved.")
    assert result.ended["how"] == "CALLBACK"
    assert result.ended["callback"]["queue"] == "tier2"
    assert result.ended["callback"]["number"] == CALLER


@pytest.mark.parametrize("window", ["1", "2"])
def test_callback_at_a_chosen_window(call: Caller, lambdas: ContractLambdas, window: str) -> None:
    result = call.queued(["2", window])
    assert callbacks(lambdas)[0]["mode"] == "SCHEDULED"
    assert callbacks(lambdas)[0]["window"] == window
    assert result.prompts[-1] == "Thank you. We will call you back tomorrow between 8 AM and noon. Goodbye."
    assert result.path[-2:] == ["scheduled-confirm", "hangup"]
    assert result.ended["how"] == "DISCONNECT"


@pytest.mark.parametrize("keys", [["1"], ["2", "1"]], ids=["virtual-hold", "scheduled"])
def test_existing_callback_keeps_the_caller_waiting(
    call: Caller, lambdas: ContractLambdas, keys: list[str]
) -> None:
    lambdas.respond("callback", {"result": "EXISTING", "callbackId": "cb-0001"})
    result = call.queued(keys)
    assert "You already have a callback scheduled" in spoken(result)
    assert_path(result, ["existing", "hold"])
    assert result.ended["how"] == "QUEUE"


@pytest.mark.parametrize("fault", ["error", "timeout"])
def test_callback_failure_keeps_the_place(call: Caller, fault: str) -> None:
    result = call.queued(["1"], fault=lambda name, attempt: fault)
    assert "could not set up a callback. Your place in line is kept." in spoken(result)
    assert_path(result, ["virtual-hold", "callback-failed", "hold"])
    assert result.ended["how"] == "QUEUE"


def test_unavailable_callback_keeps_the_place(call: Caller, lambdas: ContractLambdas) -> None:
    lambdas.respond("callback", {"result": "UNAVAILABLE"})
    result = call.queued(["2", "2"])
    assert_path(result, ["scheduled-result", "callback-failed", "hold"])
    assert result.ended["how"] == "QUEUE"


@pytest.mark.parametrize(
    "keys", [[], ["5"], ["2", ""], ["2", "9"]], ids=["silence", "other", "window-silence", "window-other"]
)
def test_anything_else_keeps_waiting_and_is_offered_again(call: Caller, keys: list[str]) -> None:
    result = call.queued(keys, max_loops=2)
    assert result.path.count("offer") == 3  # offered at the start and after each interrupt
    assert result.ended["how"] == "QUEUE"
    assert result.ended["queue"] == "general"


@pytest.mark.parametrize("keys", [["0"], ["2", "0"]], ids=["offer", "window"])
def test_zero_moves_the_caller_to_the_operator_queue(call: Caller, keys: list[str]) -> None:
    result = call.queued(keys)
    assert result.path[-1] == "to-operator"
    assert result.ended["how"] == "QUEUE"
    assert result.ended["queue"] == "operator"


def test_spanish_caller_hears_spanish(call: Caller, lambdas: ContractLambdas) -> None:
    result = call.queued(["1"], attributes={"language": "es", "intent": "CONSULTATION"})
    assert result.prompts[0].startswith("Gracias por esperar. Personas antes que usted: 4.")
    assert callbacks(lambdas)[0]["language"] == "es"
    assert result.prompts[-1].startswith("Su lugar en la fila está guardado.")
