"""Real exported flows run end to end with scripted input (read in place from shared/conformance)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from civicline.engine import CallerScript, ContactState, Engine, FlowLibrary, StaticCenter
from civicline.engine.actions import ACTIONS
from civicline.engine.library import load_flow_file
from civicline.engine.result import ENDINGS
from tests.conftest import conformance_files, load_json

NEW_FORMAT = [p for p in conformance_files("flows") if "modules" not in load_json(p)]


def types_of(path: Path) -> set[str]:
    return {a["Type"] for a in load_json(path)["Actions"]}


IMPLEMENTED = [p for p in NEW_FORMAT if types_of(p) <= set(ACTIONS)]
NOT_IMPLEMENTED = [p for p in NEW_FORMAT if not types_of(p) <= set(ACTIONS)]

#: (file stem suffix, script, expected ending) for flows with a distinctive path
SCENARIOS: list[tuple[str, list[str], str]] = [
    ("staging_sample_queue_customer", [], "QUEUE"),
    ("SimpleInboundFlow", ["1"], "QUEUE"),
    ("2-Simple_Survey_Example", [], "QUEUE"),
    ("staging_sample_lambda_integration", [], "TRANSFER_FLOW"),
    ("RulesEngineMain", [], "TRANSFER_FLOW"),
    ("agent-whisper-flow", [], "END"),
    ("cfAgentCallBackWhisperflow", [], "END"),
    ("VMXCoreFlowModule", [], "END"),
    ("1-Survey_Example_Disconnect", [], "DISCONNECT"),
    ("staging_sample_queue_configurations_flow", ["1"], "QUEUE"),
]


def by_suffix(suffix: str) -> Path:
    (path,) = [p for p in NEW_FORMAT if p.stem.endswith(suffix)]
    return path


def test_every_action_type_of_the_public_flows_is_implemented() -> None:
    # issue 11 item 7: Lex, TransferContactToAgent, streaming, ... included
    assert len(NEW_FORMAT) == 28
    assert NOT_IMPLEMENTED == []


#: the queue, whisper and hold flows among the public exports (INDEX.md, Metadata.type or the
#: CloudFormation resource type); 74 of 92 real exports carry no Metadata.type
WAITING_FLOWS = [
    p
    for p in NEW_FORMAT
    if p.stem.endswith(
        (
            "VMXInQueueOption",
            "Sample_interruptible_queue_flow_with_callback-2",
            "cfAgentCallBackWhisperflow",
            "RulesEngineCustomerQueue",
            "agent-whisper-flow",
            "customer-queue-flow",
        )
    )
]


@pytest.mark.parametrize("path", NEW_FORMAT, ids=lambda p: p.stem[:60])
@pytest.mark.parametrize("dtmf", [["1", "1", "1", "1", "1"], []], ids=["ones", "silence"])
def test_no_public_flow_ends_not_implemented(path: Path, dtmf: list[str]) -> None:
    result = Engine(FlowLibrary(), center=StaticCenter()).run_contact(path, CallerScript(dtmf))
    assert "not implemented" not in result.ended.get("detail", ""), result.ended


@pytest.mark.parametrize("path", WAITING_FLOWS, ids=lambda p: p.stem[-40:])
def test_queue_and_whisper_flows_do_not_end_the_contact(path: Path) -> None:
    # flow-control-actions-endflowexecution: in whisper and queue flows the contact goes on
    assert len(WAITING_FLOWS) == 6
    engine = Engine(FlowLibrary(), center=StaticCenter())
    flow = engine.library.get(path)
    assert flow.flow_type in ("CUSTOMER_QUEUE", "AGENT_WHISPER"), flow.type_source
    result = engine.run_contact(path, CallerScript(["2"]))
    assert "before the contact was queued" not in result.ended["detail"]
    assert result.how in ("QUEUE", "END", "CALLBACK", "DISCONNECT"), result.ended


@pytest.mark.parametrize("path", IMPLEMENTED, ids=lambda p: p.stem[:60])
def test_implemented_flows_run_to_an_end(path: Path) -> None:
    # Given a conformance flow that uses only implemented actions, When a caller presses 1 then waits
    engine = Engine(FlowLibrary(), center=StaticCenter())
    result = engine.run_contact(path, CallerScript(["1", "5555550123"]))
    # Then it ends in a documented way (foreign Lambdas take their error branch, never crash)
    assert result.how in ENDINGS
    assert result.path[0] == load_json(path)["StartAction"]
    if result.how == "ERROR":
        assert result.ended["detail"].startswith(("loop limit", "action "))
    for call in result.lambda_calls:
        assert call["error"] == "UNKNOWN_FUNCTION"


@pytest.mark.parametrize(("suffix", "script", "how"), SCENARIOS, ids=[s[0] for s in SCENARIOS])
def test_conformance_scenarios(suffix: str, script: list[str], how: str) -> None:
    engine = Engine(FlowLibrary(), center=StaticCenter())
    result = engine.run_contact(by_suffix(suffix), CallerScript(script))
    assert result.how == how, (result.ended, result.path)


def test_simple_inbound_menu_sets_the_call_reason() -> None:
    engine = Engine(FlowLibrary(), center=StaticCenter())
    path = by_suffix("SimpleInboundFlow")
    reasons = {digit: engine.run_contact(path, CallerScript([digit])).attributes for digit in "123"}
    assert len({tuple(sorted(a.items())) for a in reasons.values()}) == 3  # each key sets its own reason


def test_interruptible_queue_flow_offers_a_callback() -> None:
    # Given the AWS sample queue flow with callback, on a contact that is waiting in a queue
    path = by_suffix("Sample_interruptible_queue_flow_with_callback-2")
    engine = Engine(FlowLibrary(), center=StaticCenter())
    contact = ContactState(queue_arn="arn:aws:connect:us-east-1:1:instance/i/queue/q-1", queue_name="q-1")
    # When the caller presses 1 and keys a number
    result = engine.run_queue_flow(contact, flow=path, caller=CallerScript(["1", "5555550123"]))
    # Then a callback is created to that number, after the confirmation prompt
    assert result.how == "CALLBACK"
    assert result.ended["callback"]["number"] == "+15555550123"
    assert result.ended["callback"]["queue"] == "q-1"
    assert "You will be called back when the next agent is available." in result.prompts
    # And a caller who presses 2 stays in the queue
    stay = engine.run_queue_flow(
        ContactState(queue_arn=contact.queue_arn, queue_name="q-1"), flow=path, caller=CallerScript(["2"])
    )
    assert stay.how == "QUEUE"


class FullCenter(StaticCenter):
    """Every queue at capacity (or none), whatever its name or id."""

    def __init__(self, *, open: bool, full: bool) -> None:
        super().__init__(open=open)
        self.full = full

    def at_capacity(self, queue: str) -> bool:
        return self.full


entries = st.lists(
    st.sampled_from(["1", "2", "3", "0", "9", "#", "*", "_", "5555550123", "12345#"]), max_size=8
)


@pytest.mark.slow
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(NEW_FORMAT), entries, st.booleans(), st.booleans())
def test_random_callers_never_crash_the_engine(
    path: Path, dtmf: list[str], is_open: bool, full: bool
) -> None:
    # Given any conformance flow, any keypad input, open or closed, full queues or not
    center = FullCenter(open=is_open, full=full)
    engine = Engine(FlowLibrary(), center=center, max_steps=200)
    flow = load_flow_file(path)
    engine.library.add(flow)
    # When a contact runs, Then it always ends in a documented way, with a consistent transcript
    result = engine.run_contact(flow.name, CallerScript(dtmf))
    data: dict[str, Any] = result.to_json()
    assert data["ended"]["how"] in ENDINGS
    assert len(data["path"]) <= 200
    assert all(entry in dtmf for entry in data["inputs"])
