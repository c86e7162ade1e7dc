"""The callback-dial flow: what runs when the dispatcher's outbound call is answered."""

from __future__ import annotations

import pytest

from civicline.engine.arns import local_arn
from tests.flows.conftest import Caller


@pytest.mark.parametrize(
    ("language", "greeting"),
    [("en", "Hello, this is the callback you asked for"), ("es", "Hola, esta es la llamada")],
)
def test_the_callee_is_greeted_and_joins_the_requested_queue(
    call: Caller, language: str, greeting: str
) -> None:
    # Given the attributes the dispatcher sets on StartOutboundVoiceContact
    attributes = {
        "callbackId": "cb-1",
        "queue": "status",
        "queueArn": local_arn("QUEUE", "status"),
        "language": language,
        "intent": "CASE_STATUS",
    }
    # When the callee answers
    result = call("callback-dial", attributes=attributes, initiation_method="OUTBOUND")
    # Then they hear the greeting in their language and wait for an agent of that queue,
    # with the agent whisper and the post-call survey hooked
    assert result.prompts[0].startswith(greeting)
    assert result.ended["how"] == "QUEUE"
    assert result.ended["queue"] == "status"
    assert "hook-whisper" in result.path
    assert "hook-survey" in result.path


def test_an_unknown_queue_falls_back_to_the_general_queue(call: Caller) -> None:
    # Given a callback whose queue ARN is missing
    result = call("callback-dial", attributes={"callbackId": "cb-2"}, initiation_method="OUTBOUND")
    # Then the callee is still queued, for the general queue
    assert "set-general" in result.path
    assert result.ended["how"] == "QUEUE"
    assert result.ended["queue"] == "general"


def test_a_full_queue_ends_with_an_apology_not_silence(call: Caller) -> None:
    # Given the requested queue is at capacity
    attributes = {"queueArn": local_arn("QUEUE", "appeals"), "language": "en"}
    result = call("callback-dial", attributes=attributes, initiation_method="OUTBOUND", full=["appeals"])
    # Then the callee hears why before the call ends
    assert result.path[-2:] == ["sorry", "hangup"]
    assert result.prompts[-1].startswith("We are sorry")
    assert result.ended["how"] == "DISCONNECT"
