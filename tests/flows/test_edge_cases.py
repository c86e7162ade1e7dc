"""Branches that open only in unusual contacts: a caller with no caller ID, a chat contact in the
(voice) queue flow."""

from __future__ import annotations

from civicline.engine import CallerScript, ContactState, Engine, FlowLibrary, QueueMetrics, StaticCenter
from civicline.engine.arns import local_arn
from tests.flows.conftest import FLOWS_DIR, ContractLambdas, assert_path, spoken


def test_withheld_caller_id_cannot_get_a_virtual_hold_but_keeps_the_place(lambdas: ContractLambdas) -> None:
    # Given a queued caller with no caller ID, and a callback function that accepts the request
    contact = ContactState(
        caller_number=None,
        attributes={"language": "en", "intent": "TIER2"},
        queue_arn=local_arn("queue", "tier2"),
        queue_name="tier2",
    )
    center = StaticCenter(default_metrics=QueueMetrics(size=2, oldest_age_seconds=600))
    engine = Engine(FlowLibrary.from_directory(FLOWS_DIR), invoker=lambdas.invoker(), center=center)
    # When they press 1 for virtual hold
    result = engine.run_queue_flow(contact, "customer-queue", CallerScript(["1"]), max_loops=1)
    # Then Connect cannot create the callback: they hear it failed and stay in line
    assert_path(result, ["virtual-hold-result", "create-callback", "callback-failed", "hold"])
    assert "Your place in line is kept" in spoken(result)
    assert result.ended["how"] == "QUEUE"
    assert result.ended["queue"] == "tier2"


def test_chat_contact_in_the_queue_flow_waits_with_text_updates(lambdas: ContractLambdas) -> None:
    # Given a chat contact (no DTMF, no loop prompts) with a short wait, who types nothing
    contact = ContactState(
        channel="CHAT",
        attributes={"language": "es", "intent": "CONSULTATION"},
        queue_arn=local_arn("queue", "general"),
        queue_name="general",
    )
    center = StaticCenter(default_metrics=QueueMetrics(size=1, oldest_age_seconds=10))
    engine = Engine(FlowLibrary.from_directory(FLOWS_DIR), invoker=lambdas.invoker(), center=center)
    result = engine.run_queue_flow(contact, "customer-queue", CallerScript([]))
    # Then it reads the position and the options (the chat twin, never the voice hold), and after
    # the waiting cycles the run ends with the contact still queued
    assert result.prompts[0].startswith("Gracias por esperar. Chats antes que usted: 1.")
    assert "hold" not in result.path and "offer" not in result.path
    assert result.path[-2:] == ["chat-position", "chat-menu"]
    assert result.ended["how"] == "QUEUE" and result.ended["queue"] == "general"
