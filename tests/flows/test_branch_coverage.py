"""Every menu branch of every flow is actually driven through the engine.

Seeded random walks (a caller who mostly presses what the prompt offers, sometimes anything or
nothing; functions answering any contract-valid outcome, sometimes failing or timing out; hours and
queue capacity varied) are run over all six flows, and the transitions the engine took are collected.
The test requires every menu branch to be among them: each key of each DTMF menu, each outcome a flow
branches on after a Lambda call, both ways out of each Lambda call (success and NoMatchingError) and
of each re-prompt Loop. The remaining transitions are error branches the local engine cannot produce on
a voice contact (an attribute update failing, a static queue placeholder not resolving...); their share
is printed."""

from __future__ import annotations

import itertools
import random
import re
from typing import Any

import pytest

from civicline.engine import (
    CallerScript,
    CallResult,
    ContactState,
    Engine,
    FlowLibrary,
    QueueMetrics,
    StaticCenter,
)
from civicline.engine.arns import local_arn
from infra.registry import QUEUES_BY_NAME
from schemas.functions import CONTRACTS
from tests.flows.conftest import ContractLambdas
from tests.flows.test_never_dropped import ANSWERS, KNOWLEDGE, OFFERED, ROUTE

WALKS = 8000
KEYS = ["", "0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "*", "#", "12345674#", "246810#", "99#"]
FLOWS = ["main-inbound", "main-inbound", "case-status", "customer-queue", "post-call-survey"]
FLOWS += ["agent-whisper", "callback-outbound-whisper"]
#: what a chat customer types: the choices a message offers ("type 3"), words, numbers, an address
CHAT_OFFERED = re.compile(r"(?<![\d-])(\d)(?![\d-])")  # "type 1", "2 (or \"status\")"
TYPED = ["", "0", "1", "2", "3", "9", "status", "estado", "agent", "hello", "12345674", "246810"]
TYPED += ["ana@example.org", "not an address", "202 555 0123", "callback", "leave"]
#: what a chat prompt asks for by name -> the text a customer who follows it types
ASKED = {"e-mail address": "ana@example.org", "correo electrónico donde": "ana@example.org"}
ASKED |= {"case number": "12345674", "número de caso": "12345674", "PIN": "246810"}
ASKED |= {"phone number where": "202 555 0123", "número de teléfono al que": "202 555 0123"}
Transition = tuple[str, str, str]


def walk(library: FlowLibrary, rng: random.Random) -> CallResult:
    """One contact with everything drawn from ``rng``."""
    bias = rng.uniform(0.3, 0.95)  # how often the caller presses a key the prompt offers
    entries = [0]
    channel = "CHAT" if rng.random() < 0.35 else "VOICE"
    offers, keys = (CHAT_OFFERED, TYPED) if channel == "CHAT" else (OFFERED, KEYS)

    def press(prompt: str) -> str:
        entries[0] += 1
        if entries[0] > 30:
            return ""
        offered = sorted(set(offers.findall(prompt)))
        if channel == "CHAT" and rng.random() < bias:
            asked = next((typed for word, typed in ASKED.items() if word in prompt), None)
            if asked is not None:
                return asked
        return rng.choice(offered) if offered and rng.random() < bias else rng.choice(keys)

    def answer(function: str) -> Any:
        def draw(params: dict[str, str]) -> dict[str, Any]:
            if function == "routing":
                choices = KNOWLEDGE if params.get("action") == "knowledge" else ROUTE
            else:
                choices = ANSWERS[function]
            picked = rng.choice(choices)
            return picked(params) if callable(picked) else picked

        return draw

    lambdas = ContractLambdas()
    for function in CONTRACTS:
        lambdas.respond(function, *[answer(function)] * 50)
    metrics = QueueMetrics(
        size=rng.randrange(10), oldest_age_seconds=rng.choice([30, 300]), expected_wait_seconds=60
    )
    center = StaticCenter(
        open=rng.random() < 0.8,
        full_queues=frozenset(q for q in QUEUES_BY_NAME if rng.random() < 0.15),
        default_metrics=metrics,
    )
    fault = lambda function, attempt: rng.choice([None, None, None, None, "error", "timeout"])  # noqa: E731
    engine = Engine(library, invoker=lambdas.invoker(fault), center=center)
    caller = CallerScript([], ask=press)
    flow = rng.choice(FLOWS)
    language = rng.choice(["en", "es", ""])
    attributes = {"language": language} if language else {}
    if rng.random() < 0.5:
        attributes["caseNumber"] = "12345674"
    if flow == "customer-queue":
        contact = ContactState(
            attributes={**attributes, "intent": "CONSULTATION"},
            queue_arn=local_arn("queue", "general"),
            queue_name="general",
            channel=channel,
        )
        return engine.run_queue_flow(contact, flow, caller, max_loops=2)
    method = "DISCONNECT" if flow == "post-call-survey" else "INBOUND"
    # the survey is answered only when the agent hung up (the customer is still on the line)
    reason = "AGENT_DISCONNECT" if flow == "post-call-survey" else None
    return engine.run_contact(
        flow,
        caller,
        attributes=attributes or None,
        initiation_method=method,
        disconnect_reason=reason,
        channel=channel,
        caller_number=None if channel == "CHAT" else "+15555550100",
    )


#: chat paths a random walk seldom reaches (several typed misses in a row deep in a path): each is
#: run as written, with the functions answering as given (flow, typed messages, answers, queued)
DIRECTED: list[tuple[str, list[str], dict[str, list[dict[str, Any]]], bool]] = [
    # an office that takes phone transfers, twice no usable choice after its number and hours
    ("main-inbound", ["1", "office", "1", "hello", "hello"], {"routing": [ROUTE[1]]}, False),
]


def directed(library: FlowLibrary) -> set[Transition]:
    """The transitions the DIRECTED chat contacts take."""
    covered: set[Transition] = set()
    for flow, typed, answers, queued in DIRECTED:
        lambdas = ContractLambdas()
        for function, given in answers.items():
            lambdas.respond(function, *given)
        metrics = QueueMetrics(size=3, oldest_age_seconds=300, expected_wait_seconds=240)
        engine = Engine(library, invoker=lambdas.invoker(), center=StaticCenter(default_metrics=metrics))
        script = CallerScript.typed(typed)
        if queued:
            contact = ContactState(
                attributes={"language": "en", "intent": "CONSULTATION"},
                queue_arn=local_arn("queue", "general"),
                queue_name="general",
                channel="CHAT",
                caller_number=None,
            )
            result = engine.run_queue_flow(contact, flow, script, max_loops=2)
        else:
            result = engine.run_contact(flow, script, channel="CHAT", caller_number=None)
        assert result.ended["how"] != "ERROR", (typed, result.ended)
        assert lambdas.violations == []
        covered |= taken(result)
    return covered


def taken(result: CallResult) -> set[Transition]:
    steps = result.steps
    return {(a.flow, a.identifier, b.identifier) for a, b in itertools.pairwise(steps) if a.flow == b.flow}


def menu_branches(library: FlowLibrary) -> set[Transition]:
    wanted: set[Transition] = set()
    for name in library.names():
        for action in library.get(name).document.Actions:
            t = action.Transitions
            here = {(name, action.Identifier, c.NextAction) for c in t.Conditions}
            menu = action.Type == "GetParticipantInput" and action.Parameters.get("StoreInput") == "False"
            # a chat menu: the Compare on the choice the Lex bot recognised
            menu = menu or (
                action.Type == "Compare" and action.Parameters.get("ComparisonValue") == "$.Lex.Slots.choice"
            )
            outcome = (
                action.Type == "Compare" and action.Parameters.get("ComparisonValue") == "$.External.result"
            )
            if menu or outcome or action.Type == "Loop":
                wanted |= here
            elif action.Type == "InvokeLambdaFunction":
                error = t.error_target("NoMatchingError")
                assert t.NextAction and error
                wanted |= {(name, action.Identifier, t.NextAction), (name, action.Identifier, error)}
    return wanted


def all_transitions(library: FlowLibrary) -> set[Transition]:
    return {
        (name, action.Identifier, target)
        for name in library.names()
        for action in library.get(name).document.Actions
        for _, target in action.Transitions.targets()
    }


@pytest.mark.slow
def test_every_menu_branch_is_driven(library: FlowLibrary) -> None:
    # Given seeded random walks over all flows
    rng = random.Random(20261123)
    covered: set[Transition] = set()
    for _ in range(WALKS):
        result = walk(library, rng)
        # (the never-dropped property is test_never_dropped's; here: nothing ever errors)
        assert result.ended["how"] != "ERROR", result.ended
        covered |= taken(result)
    covered |= directed(library)
    # Then every menu branch was taken at least once
    # (flows/inbound-email.json is walked on the EMAIL channel: tests/channels/test_email_flow_branches.py)
    wanted = {t for t in menu_branches(library) if t[0] in FLOWS}
    assert len(wanted) > 100
    assert sorted(wanted - covered) == [], sorted(wanted - covered)
    every = all_transitions(library)
    print(f"menu branches {len(wanted)}/{len(wanted)}; all transitions {len(covered & every)}/{len(every)}")
