"""What Connect's import and the flow designer expect of flows/*.json and the bootstrap flow, checked
against the public real exports (shared/conformance/flows) and the action pages.

* TransferParticipantToThirdParty supports ``ConnectionTimeLimitExceeded`` and ``CallFailed`` only
  when ``ContinueFlowExecution`` is True (admin guide, participant-actions-
  transferparticipanttothirdparty: "Supported only when ContinueFlowExecution is True"); every real
  export with False wires only ``NoMatchingError``.
* ``UpdateContactData.TargetContact`` appears in no real export.
* A parameter holding a whole JSONPath carries the designer's dynamic metadata; a threshold carries
  ``conditionMetadata`` in the unit the designer shows.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from infra.flows import BOOTSTRAP_FLOW, designer_metadata, is_json_path, set_wait_threshold
from tests.conftest import CONFORMANCE as CONFORMANCE_ROOT
from tests.flows.conftest import FLOW_FILES

CONFORMANCE = CONFORMANCE_ROOT / "flows"
_CONTINUE_ONLY = {"ConnectionTimeLimitExceeded", "CallFailed"}


def _load(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def _actions() -> list[tuple[str, dict[str, Any], dict[str, Any]]]:
    out = []
    for path in FLOW_FILES:
        doc = _load(path)
        for action in doc["Actions"]:
            out.append((path.stem, action, doc["Metadata"]["ActionMetadata"].get(action["Identifier"], {})))
    return out


def test_third_party_transfer_errors_match_continue_flow_execution() -> None:
    # Given every TransferParticipantToThirdParty / Then with ContinueFlowExecution False only
    # NoMatchingError is wired (the two others make the import fail with InvalidContactFlowException)
    found = 0
    for flow, action, _ in _actions():
        if action["Type"] != "TransferParticipantToThirdParty":
            continue
        found += 1
        errors = {e["ErrorType"] for e in action["Transitions"].get("Errors", [])}
        if action["Parameters"].get("ContinueFlowExecution") != "True":
            assert not errors & _CONTINUE_ONLY, (flow, action["Identifier"], errors)
    assert found, "no third-party transfer found: the check would be vacuous"


@pytest.mark.skipif(not CONFORMANCE.is_dir(), reason="real exports not available")
def test_real_exports_agree_with_the_rule() -> None:
    # the rule above, as the real exports show it (so a change of the rule is caught here too)
    for path in sorted(CONFORMANCE.glob("*.json")):
        try:
            doc = _load(path)
        except json.JSONDecodeError:
            continue
        for action in doc.get("Actions", []):
            if action.get("Type") == "TransferParticipantToThirdParty":
                errors = {e["ErrorType"] for e in action["Transitions"].get("Errors", [])}
                if action["Parameters"].get("ContinueFlowExecution") == "False":
                    assert not errors & _CONTINUE_ONLY, path.name


def test_update_contact_data_has_no_target_contact() -> None:
    for flow, action, _ in _actions():
        if action["Type"] == "UpdateContactData":
            assert "TargetContact" not in action["Parameters"], (flow, action["Identifier"])


def test_every_json_path_parameter_is_marked_dynamic_for_the_designer() -> None:
    # Given each action's parameters / Then its ActionMetadata carries what the designer writes
    dynamic = 0
    for flow, action, meta in _actions():
        expected = designer_metadata(flow, action)
        for key, value in expected.items():
            assert meta.get(key) == value, (flow, action["Identifier"], key)
        for key in ("Text", "SSML", "QueueId", "PromptId"):
            if is_json_path(action["Parameters"].get(key)):
                dynamic += 1
                assert meta["parameters"][key] == {"useDynamic": True}
                assert meta["useDynamic"] is True
    assert dynamic > 40  # the review counted 59 whole-JSONPath parameters


def test_lambda_and_attribute_dynamic_metadata_follow_the_real_exports() -> None:
    # Given a Lambda call mixing static and dynamic inputs, and an attribute update
    action = {
        "Identifier": "x",
        "Type": "InvokeLambdaFunction",
        "Parameters": {"LambdaInvocationAttributes": {"mode": "SCHEDULED", "queueArn": "$.Queue.ARN"}},
        "Transitions": {},
    }
    # Then like RulesEngineCustomerQueue.json: dynamicMetadata has every key, parameters the dynamic ones
    assert designer_metadata("f", action) == {
        "dynamicMetadata": {"mode": False, "queueArn": True},
        "parameters": {"LambdaInvocationAttributes": {"queueArn": {"useDynamic": True}}},
    }
    update = {
        "Identifier": "y",
        "Type": "UpdateContactAttributes",
        "Parameters": {"Attributes": {"intent": "APPEAL", "queueArn": "$.Queue.ARN"}},
        "Transitions": {},
    }
    # and like VMXAWSTestFlow.json: dynamicParams lists the dynamic keys
    assert designer_metadata("f", update) == {
        "dynamicParams": ["queueArn"],
        "parameters": {"Attributes": {"queueArn": {"useDynamic": True}}},
    }


def test_wait_threshold_shows_seconds_and_follows_the_environment() -> None:
    # Given the customer-queue flow's "oldest contact" check (operand in milliseconds)
    doc = _load(next(p for p in FLOW_FILES if p.stem == "customer-queue"))
    [check] = [a for a in doc["Actions"] if a["Type"] == "CheckMetricData"]
    [shown] = doc["Metadata"]["ActionMetadata"][check["Identifier"]]["conditionMetadata"]
    # Then the designer shows the threshold in seconds, as the real export does ("time": "sec.")
    assert (shown["value"], shown["time"]) == ("120", "sec.")
    assert shown["operator"] == {"name": "Is greater than", "value": "GreaterThan", "shortDisplay": ">"}
    # When an environment deploys 300 s / Then the operand and the designer value both follow
    set_wait_threshold(doc, 300)
    assert check["Transitions"]["Conditions"][0]["Condition"]["Operands"] == ["300000"]
    assert doc["Metadata"]["ActionMetadata"][check["Identifier"]]["conditionMetadata"][0]["value"] == "300"


def test_bootstrap_flow_has_designer_positions() -> None:
    meta = BOOTSTRAP_FLOW["Metadata"]
    assert isinstance(meta, dict)
    positions = meta["ActionMetadata"]
    actions = BOOTSTRAP_FLOW["Actions"]
    assert isinstance(actions, list)
    assert "entryPointPosition" in meta
    assert {a["Identifier"] for a in actions} == set(positions)
    assert all(set(p["position"]) == {"x", "y"} for p in positions.values())
