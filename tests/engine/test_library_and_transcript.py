"""Loading flows (files, directories, placeholders, ARNs) and the rich transcript."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console

from civicline.engine import CallerScript, ContactState, Engine, FlowLibrary, LambdaInvoker, StaticCenter
from civicline.engine.arns import local_arn, name_from_arn, queue_from_arn, resolve_placeholders
from civicline.engine.library import FlowLoadError, OldFormatError, parse_flow_text
from civicline.engine.transcript import render
from tests.conftest import conformance_files, load_json
from tests.engine.conftest import act, doc, library_of


def write(folder: Path, name: str, data: Any) -> Path:
    path = folder / f"{name}.json"
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    return path


def test_placeholders_resolve_to_local_arns() -> None:
    text, unknown = resolve_placeholders(
        '{"a": "%QUEUE_GENERAL%", "b": "%LAMBDA_CASE_STATUS%", "c": "%QueueArn%"}'
    )
    assert local_arn("QUEUE", "general") in text
    assert "arn:aws:lambda:us-east-1:123456789012:function:civicline-case_status" in text
    assert unknown == ["%QueueArn%"]
    assert name_from_arn(local_arn("LAMBDA", "routing")) == "routing"
    assert name_from_arn("arn:aws:lambda:us-east-1:1:function:fn:prod") == "fn"
    assert queue_from_arn(local_arn("QUEUE", "appeals")) == "appeals"
    assert queue_from_arn(local_arn("QUEUE", "nope")) is None
    with pytest.raises(ValueError, match="unknown ARN kind"):
        local_arn("TABLE", "x")


def test_directory_loading_strict_and_tolerant(tmp_path: Path) -> None:
    write(tmp_path, "good", doc(act("h", "DisconnectParticipant")))
    write(tmp_path, "broken", "{")
    with pytest.raises(FlowLoadError, match=r"broken.json: not JSON"):
        FlowLibrary.from_directory(tmp_path)
    library = FlowLibrary.from_directory(tmp_path, strict=False)
    assert library.names() == ["good"]
    assert "broken.json" in library.skipped
    assert "good" in library
    with pytest.raises(KeyError, match="no flow named 'other'"):
        library.get("other")


def test_old_format_and_shape_errors() -> None:
    old = next(p for p in conformance_files("flows") if "modules" in load_json(p))
    with pytest.raises(OldFormatError, match="legacy console export format"):
        FlowLibrary.from_files([old])
    with pytest.raises(FlowLoadError, match="is a JSON object"):
        parse_flow_text("[]", name="x")
    with pytest.raises(FlowLoadError, match="StartAction"):
        parse_flow_text('{"Version": "2019-10-30", "Actions": []}', name="x")


def test_flow_types_from_registry_and_designer_metadata() -> None:
    assert parse_flow_text(
        json.dumps(doc(act("h", "DisconnectParticipant"))), name="customer-queue"
    ).flow_type == ("CUSTOMER_QUEUE")
    assert parse_flow_text(
        json.dumps(doc(act("h", "DisconnectParticipant"), type="agentWhisper")), name="x"
    ).flow_type == ("AGENT_WHISPER")
    module = {**doc(act("r", "EndFlowModuleExecution")), "Settings": {}}
    assert parse_flow_text(json.dumps(module), name="m").flow_type == "CONTACT_FLOW_MODULE"


def test_get_by_path_adds_the_flow_and_by_arn_finds_it(tmp_path: Path) -> None:
    path = write(tmp_path, "extra", doc(act("h", "DisconnectParticipant")))
    library = FlowLibrary()
    assert library.get(path).name == "extra"
    assert library.get(path) is library.get(path)
    assert library.by_arn(local_arn("FLOW", "extra")) is library.flows["extra"]
    assert library.by_arn("arn:aws:connect:x:1:instance/i/contact-flow/nothing") is None


def test_dequeue_and_transfer_in_a_queue_flow() -> None:
    flow = doc(
        act(
            "move",
            "DequeueContactAndTransferToQueue",
            {"QueueId": local_arn("QUEUE", "tier2")},
            nxt="end",
            errors={"QueueAtCapacity": "end", "NoMatchingError": "end"},
        ),
        act("end", "EndFlowExecution"),
        type="customerQueue",
    )
    engine = Engine(library_of(q=flow), center=StaticCenter())
    moved = engine.run_queue_flow(
        ContactState(queue_arn=local_arn("QUEUE", "general"), queue_name="general"), "q"
    )
    assert moved.ended["how"] == "QUEUE" and moved.ended["queue"] == "tier2"
    assert moved.events[-1]["eventType"] == "QUEUED"
    full = Engine(library_of(q=flow), center=StaticCenter(full_queues=frozenset({"tier2"})))
    stays = full.run_queue_flow(
        ContactState(queue_arn=local_arn("QUEUE", "general"), queue_name="general"), "q"
    )
    assert stays.path == ["move", "end"]
    assert stays.ended["queue"] == "general"


def test_transcript_shows_prompts_inputs_lambdas_and_ending() -> None:
    flow = doc(
        act(
            "menu",
            "GetParticipantInput",
            {"Text": "Press 1.", "StoreInput": "False"},
            nxt="look",
            errors={
                "InputTimeLimitExceeded": "look",
                "NoMatchingCondition": "look",
                "NoMatchingError": "look",
            },
        ),
        act(
            "look",
            "InvokeLambdaFunction",
            {
                "LambdaFunctionARN": local_arn("LAMBDA", "routing"),
                "LambdaInvocationAttributes": {"action": "route"},
            },
            nxt="again",
            errors={"NoMatchingError": "again"},
        ),
        act(
            "again",
            "InvokeLambdaFunction",
            {"LambdaFunctionARN": local_arn("LAMBDA", "routing")},
            nxt="set",
            errors={"NoMatchingError": "set"},
        ),
        act(
            "set",
            "UpdateContactAttributes",
            {"Attributes": {"result": "$.External.result"}},
            nxt="bye",
            errors={"NoMatchingError": "bye"},
        ),
        act("bye", "MessageParticipant", {"Text": "Bye [markup]."}, nxt="hangup"),
        act("hangup", "DisconnectParticipant"),
    )
    answers = iter([{"result": "ROUTED"}])

    def handler(event: dict[str, Any], context: Any) -> dict[str, str]:
        return next(answers)  # the second call raises StopIteration: a function error

    engine = Engine(library_of(main=flow), invoker=LambdaInvoker(handlers={"routing": handler}))
    result = engine.run_contact("main", CallerScript(["1"]))
    console = Console(record=True, width=140)
    console.print(render(result))
    text = console.export_text()
    assert 'says "Press 1."' in text
    assert "caller keys 1" in text
    assert 'lambda routing {"action": "route"}' in text
    assert '→ {"result": "ROUTED"}' in text
    assert "ERROR after 4 attempt(s)" in text
    assert "Bye [markup]." in text
    assert "DISCONNECT" in text and "contact attributes" in text
