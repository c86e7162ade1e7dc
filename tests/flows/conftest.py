"""Fixtures for driving flows/*.json through the engine.

Two kinds of Lambda behind the flows:

* ``ContractLambdas`` (the default ``call`` fixture): stand-ins for the five Connect-facing functions
  that hold the flows to the contracts in ``schemas/functions.py``. Every call's parameters are
  validated against the function's parameter model and every answer is built from its response
  model, then flattened to a STRING_MAP, and both go through the engine's real LambdaInvoker (JSON
  round trip, STRING_MAP check, retries, faults). A test scripts the answer it needs (``FOUND``,
  ``LOCKED``, ``EXISTING``...) so every branch is reachable regardless of the demo data.
* the real handlers on moto with the demo data (``tests/flows/test_with_functions.py``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
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
from schemas import codec
from schemas.codec import ContractError
from schemas.functions import CONTRACTS, parse_parameters
from schemas.string_map import to_string_map

ROOT = Path(__file__).resolve().parents[2]
FLOWS_DIR = ROOT / "flows"
FLOW_FILES = sorted(FLOWS_DIR.glob("*.json"))
CALLER = "+15555550100"

Answer = dict[str, Any] | Callable[[dict[str, str]], dict[str, Any]]
Fault = Callable[[str, int], str | None]

#: where the stand-in routing function sends each intent (mirrors the static fallbacks in the flows)
INTENT_QUEUES = {
    "CONSULTATION": "general",
    "CASE_STATUS": "status",
    "REDIRECT": "general",
    "APPEAL": "appeals",
    "IDENTITY_THEFT": "identity_theft",
    "TIER2": "tier2",
    "OPERATOR": "operator",
}
OFFICE_PHONE = "+15555550123"


def _routing(params: dict[str, str]) -> dict[str, Any]:
    if params["action"] == "knowledge":
        return {
            "result": "FOUND",
            "answer": f"Knowledge answer {params['topic']} ({params['language']}).",
            "answerId": f"{params['topic']}#{params['language']}",
        }
    queue = INTENT_QUEUES.get(params.get("intent", ""), "general")
    return {
        "result": "ROUTED",
        "queueName": queue,
        "queueArn": local_arn("queue", queue),
        "reason": "RULE",
    }


def _survey(params: dict[str, str]) -> dict[str, Any]:
    answers = [k for k, v in params.items() if v and k[0].islower() and k not in _SURVEY_CONTEXT]
    result = "DECLINED" if not answers else ("COMPLETE" if len(answers) == 11 else "PARTIAL")
    return {"result": result, "answered": str(len(answers))}


_SURVEY_CONTEXT = {"queueArn", "queueName", "officeId", "intent", "routingProfile", "language"}

DEFAULT_ANSWERS: dict[str, Answer] = {
    "routing": _routing,
    "case_status": {"result": "NOT_FOUND", "attemptsLeft": "2"},
    "appeals": lambda p: {
        "result": "REGISTERED",
        "receipt": "AP-10000001" if p["category"] == "APPEAL" else "IT-10000001",
        "receiptSpoken": "A P 1 0 0 0 0 0 0 1" if p["category"] == "APPEAL" else "I T 1 0 0 0 0 0 0 1",
        "dueDate": "2026-12-23",
        "dueDateSpoken": "December 23, 2026",
        "dueDays": "30",
        "category": p["category"],
    },
    "callback": {
        "result": "CREATED",
        "callbackId": "cb-0001",
        "windowStart": "2026-11-24T08:00:00-05:00",
        "windowSpoken": "tomorrow between 8 AM and noon",
    },
    "survey": _survey,
}


@dataclass
class ContractLambdas:
    """Contract-checked stand-ins for the flow-facing functions (see module docstring)."""

    answers: dict[str, list[Answer]] = field(default_factory=dict)
    violations: list[str] = field(default_factory=list)
    received: list[tuple[str, dict[str, str]]] = field(default_factory=list)

    def respond(self, function: str, *answers: Answer) -> None:
        """Queue answers for ``function``, used in order before the defaults."""
        self.answers.setdefault(function, []).extend(answers)

    def handler(self, function: str) -> Callable[[dict[str, Any], Any], dict[str, str]]:
        parameters_model, response_model = CONTRACTS[function]

        def handle(event: dict[str, Any], context: Any) -> dict[str, str]:
            assert event["Name"] == "ContactFlowEvent"
            params = event["Details"]["Parameters"]
            self.received.append((function, dict(params)))
            try:
                parse_parameters(parameters_model, params)
            except ContractError as exc:
                self.violations.append(f"{function} parameters: {exc}")
                raise
            queued = self.answers.get(function)
            answer = queued.pop(0) if queued else DEFAULT_ANSWERS[function]
            data = answer(params) if callable(answer) else answer
            try:
                response = codec.load(response_model, data)
            except ContractError as exc:  # a test scripted an answer the contract does not allow
                self.violations.append(f"{function} response: {exc}")
                raise
            return to_string_map(response)

        return handle

    def invoker(self, fault: Fault | None = None) -> LambdaInvoker:
        return LambdaInvoker(fault=fault, handlers={name: self.handler(name) for name in CONTRACTS})


@dataclass
class Caller:
    """Runs contacts through the flows with scripted DTMF (the ``civicline call`` API)."""

    library: FlowLibrary
    lambdas: ContractLambdas
    real_handlers: bool = False
    caller_number: str = CALLER

    def engine(self, center: StaticCenter, fault: Fault | None = None) -> Engine:
        invoker = LambdaInvoker(fault=fault) if self.real_handlers else self.lambdas.invoker(fault)
        return Engine(self.library, invoker=invoker, center=center)

    def __call__(
        self,
        flow: str,
        dtmf: Sequence[str] = (),
        *,
        open: bool = True,
        full: Iterable[str] = (),
        attributes: dict[str, str] | None = None,
        fault: Fault | None = None,
        initiation_method: str = "INBOUND",
        disconnect_reason: str | None = "AGENT_DISCONNECT",
    ) -> CallResult:
        """(a disconnect flow runs with the customer on the line: the agent hung up, by default)"""
        center = StaticCenter(open=open, full_queues=frozenset(full))
        return self.engine(center, fault).run_contact(
            flow,
            CallerScript(list(dtmf)),
            caller_number=self.caller_number,
            attributes=attributes,
            initiation_method=initiation_method,
            disconnect_reason=disconnect_reason,
        )

    def queued(
        self,
        dtmf: Sequence[str] = (),
        *,
        queue: str = "general",
        attributes: dict[str, str] | None = None,
        oldest_seconds: float = 300.0,
        size: int = 4,
        expected_wait: float = 240.0,
        fault: Fault | None = None,
        max_loops: int = 2,
    ) -> CallResult:
        """The customer-queue flow for a contact waiting in ``queue``."""
        metrics = QueueMetrics(
            size=size, oldest_age_seconds=oldest_seconds, expected_wait_seconds=expected_wait
        )
        center = StaticCenter(default_metrics=metrics)
        contact = ContactState(
            caller_number=self.caller_number,
            attributes=dict(attributes or {"language": "en", "intent": "CONSULTATION"}),
            queue_arn=local_arn("queue", queue),
            queue_name=queue,
        )
        return self.engine(center, fault).run_queue_flow(
            contact, flow="customer-queue", caller=CallerScript(list(dtmf)), max_loops=max_loops
        )


@pytest.fixture(scope="session")
def library() -> FlowLibrary:
    return FlowLibrary.from_directory(FLOWS_DIR)


@pytest.fixture
def lambdas() -> Iterator[ContractLambdas]:
    stand_ins = ContractLambdas()
    yield stand_ins
    # every call a flow made must have matched the contract of the function it called
    assert stand_ins.violations == []


@pytest.fixture
def call(library: FlowLibrary, lambdas: ContractLambdas) -> Caller:
    return Caller(library, lambdas)


def has_fragment(path: Sequence[str], fragment: Sequence[str]) -> bool:
    """Whether ``fragment`` occurs in ``path`` as consecutive steps."""
    size = len(fragment)
    return any(list(path[i : i + size]) == list(fragment) for i in range(len(path) - size + 1))


def assert_path(result: CallResult, *fragments: Sequence[str]) -> None:
    for fragment in fragments:
        assert has_fragment(result.path, fragment), f"{fragment} not in path {result.path}"


def spoken(result: CallResult) -> str:
    """Everything the caller heard, in order, as one text."""
    return "\n".join(result.prompts)
