"""Property: whatever the caller presses and however the Lambdas fail, nobody is dropped.

Hypothesis plays the caller and the Lambdas at once. At every prompt it presses one of the keys the
prompt offers (read from its text), or a random key, a long entry or nothing; at every Lambda call it
picks any contract-valid answer of that function, or makes the attempt fail or time out through
``LambdaInvoker(fault=...)`` (retries included). Hours open or closed, queues full or not. Every contact
must end in an agent queue, a warm transfer, a queued callback, or a disconnect right after a spoken
message; never in an engine ERROR, and never with a call that breaks a function's contract."""

from __future__ import annotations

import re
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from civicline.engine import CallerScript, CallResult, Engine, FlowLibrary, StaticCenter
from civicline.engine.arns import local_arn
from infra.registry import QUEUES_BY_NAME
from schemas.functions import CONTRACTS
from tests.flows.conftest import CALLER, DEFAULT_ANSWERS, FLOWS_DIR, OFFICE_PHONE, Caller, ContractLambdas

KEYS = st.sampled_from(["", "0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "*", "#"])
ENTRIES = st.one_of(KEYS, st.sampled_from(["12345674#", "246810#", "99#", "1234567890123#"]))
OFFERED = re.compile(r"(?:press|oprima) (\d)", re.IGNORECASE)
#: a caller presses at most this many times; after that, silence (every menu then ends by itself)
MAX_ENTRIES = 30

#: every outcome each function may answer (its response model's result values)
KNOWLEDGE = [
    DEFAULT_ANSWERS["routing"],
    {"result": "NOT_FOUND"},
    {"result": "INVALID_INPUT"},
    {"result": "UNAVAILABLE"},
]
ROUTE = [
    DEFAULT_ANSWERS["routing"],
    {"result": "TRANSFER", "officePhone": OFFICE_PHONE, "officeId": "dmv", "prompt": "Transferring you."},
    {"result": "TRANSFER", "prompt": "Transferring you."},  # no number: the warm transfer fails
    {"result": "ROUTED", "queueName": "tier2", "queueArn": local_arn("queue", "tier2"), "reason": "REPEAT"},
    {"result": "ROUTED"},  # no queue ARN: setting the working queue fails
    {"result": "NOT_FOUND"},
    {"result": "INVALID_INPUT"},
    {"result": "UNAVAILABLE"},
]
ANSWERS: dict[str, list[Any]] = {
    "case_status": [
        {"result": "FOUND", "statusText": "approved", "nextStep": "None.", "dueDateSpoken": "May 1"},
        {"result": "NOT_FOUND"},
        {"result": "LOCKED"},
        {"result": "INVALID_INPUT"},
    ],
    "appeals": [DEFAULT_ANSWERS["appeals"], {"result": "INVALID_INPUT"}],
    "callback": [
        DEFAULT_ANSWERS["callback"],
        {"result": "EXISTING", "callbackId": "cb-1"},
        {"result": "INVALID_INPUT"},
        {"result": "UNAVAILABLE"},
    ],
    "survey": [DEFAULT_ANSWERS["survey"]],
    "notify_consent": [{"result": "RECORDED", "channel": "SMS"}, {"result": "INVALID_INPUT"}],
}
FAULTS = st.sampled_from([None, None, None, "error", "timeout"])
SERVED = {"QUEUE", "TRANSFER_PHONE", "CALLBACK"}
#: loaded once: hypothesis runs many examples per test
LIBRARY = FlowLibrary.from_directory(FLOWS_DIR)


class DrawnWorld:
    """The caller's keys, the functions' answers and their faults, all drawn by hypothesis."""

    def __init__(self, data: st.DataObject) -> None:
        self.data = data
        self.entries = 0
        self.lambdas = ContractLambdas()
        for name in CONTRACTS:
            self.lambdas.respond(name, *[self.answer(name)] * 50)

    def press(self, prompt: str) -> str:
        self.entries += 1
        if self.entries > MAX_ENTRIES:
            return ""
        offered = sorted(set(OFFERED.findall(prompt)))
        # mostly a key the prompt offers (deep paths), sometimes anything (wrong keys, silence)
        choice = (
            st.one_of(st.sampled_from(offered), st.sampled_from(offered), ENTRIES) if offered else ENTRIES
        )
        return str(self.data.draw(choice, label=f"entry {self.entries}"))

    def answer(self, function: str):
        def draw(params: dict[str, str]) -> dict[str, Any]:
            if function == "routing":
                choices = KNOWLEDGE if params.get("action") == "knowledge" else ROUTE
            else:
                choices = ANSWERS[function]
            picked = self.data.draw(st.sampled_from(choices), label=f"{function} answer")
            return picked(params) if callable(picked) else picked

        return draw

    def fault(self, function: str, attempt: int) -> str | None:
        return self.data.draw(FAULTS, label=f"{function} attempt {attempt}")

    def caller(self) -> CallerScript:
        return CallerScript([], ask=self.press)


def assert_served(result: CallResult, lambdas: ContractLambdas) -> None:
    ended = result.ended
    assert ended["how"] != "ERROR", (ended, result.path)
    assert lambdas.violations == []
    if ended["how"] == "QUEUE":
        assert ended["queue"] in QUEUES_BY_NAME, ended
    elif ended["how"] == "DISCONNECT":
        # the caller heard a message right before the flow hung up
        assert result.steps[-1].type == "DisconnectParticipant"
        assert result.steps[-2].type == "MessageParticipant", result.path[-3:]
        assert result.prompts
    else:
        assert ended["how"] in SERVED, (ended, result.path)


def engine(world: DrawnWorld, center: StaticCenter) -> Engine:
    return Engine(LIBRARY, invoker=world.lambdas.invoker(world.fault), center=center)


DEEP = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
COMMON = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
FULL = st.frozensets(st.sampled_from(sorted(QUEUES_BY_NAME)))
LANGUAGE = st.sampled_from(["en", "es", ""])


@pytest.mark.slow
@DEEP
@given(data=st.data(), open_=st.booleans(), full=FULL)
def test_main_inbound_never_drops_a_caller(data: st.DataObject, open_: bool, full: frozenset[str]) -> None:
    world = DrawnWorld(data)
    center = StaticCenter(open=open_, full_queues=full)
    result = engine(world, center).run_contact("main-inbound", world.caller(), caller_number=CALLER)
    assert_served(result, world.lambdas)


@pytest.mark.slow
@COMMON
@given(data=st.data(), full=FULL, language=LANGUAGE)
def test_case_status_never_drops_a_caller(data: st.DataObject, full: frozenset[str], language: str) -> None:
    world = DrawnWorld(data)
    center = StaticCenter(full_queues=full)
    attributes = {"language": language} if language else None
    result = engine(world, center).run_contact("case-status", world.caller(), attributes=attributes)
    assert_served(result, world.lambdas)
    assert result.contact.logging in (None, "Enabled")  # flow logging never left off after the PIN


@pytest.mark.slow
@COMMON
@given(data=st.data(), oldest=st.floats(0, 900), size=st.integers(0, 50), language=LANGUAGE)
def test_customer_queue_never_drops_a_caller(
    data: st.DataObject, oldest: float, size: int, language: str
) -> None:
    world = DrawnWorld(data)
    caller = Caller(LIBRARY, world.lambdas)
    # the queue flow reads its keys from the same drawn caller
    entries = [world.press("press 1 press 2 press 0") for _ in range(6)]
    result = caller.queued(
        entries,
        attributes={"language": language, "intent": "CONSULTATION"},
        oldest_seconds=oldest,
        size=size,
        fault=world.fault,
    )
    assert_served(result, world.lambdas)


@pytest.mark.slow
@COMMON
@given(data=st.data(), full=FULL, language=LANGUAGE)
def test_post_call_survey_always_ends_politely(
    data: st.DataObject, full: frozenset[str], language: str
) -> None:
    world = DrawnWorld(data)
    center = StaticCenter(full_queues=full)
    result = engine(world, center).run_contact(
        "post-call-survey",
        world.caller(),
        attributes={"language": language, "intent": "APPEAL", "queueName": "appeals"},
        initiation_method="DISCONNECT",
        disconnect_reason="AGENT_DISCONNECT",  # the customer is still on the line
    )
    assert_served(result, world.lambdas)
    # one Lambda call per contact at most, never one per question
    assert len(result.lambda_calls) <= 1
