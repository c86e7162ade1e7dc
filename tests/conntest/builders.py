"""Small builders for testing-language JSON, in the documented spelling (devguide pages)."""

from __future__ import annotations

import json
from itertools import pairwise
from typing import Any

LAMBDA_ROUTING = "%LAMBDA_ROUTING%"


def event(kind: str, identifier: str = "e", **properties: Any) -> dict[str, Any]:
    return {"Identifier": identifier, "Type": kind, "Actor": "System", "Properties": properties}


def message(text: str, criteria: str = "Inclusion") -> dict[str, Any]:
    return event("MessageReceived", Text=text, MatchingCriteria={"Type": criteria})


def started(action_type: str, **parameters: Any) -> dict[str, Any]:
    return event("FlowActionStarted", ActionType=action_type, ActionParameters=parameters)


def dtmf(value: str, identifier: str = "press") -> dict[str, Any]:
    return {
        "Identifier": identifier,
        "Type": "SendInstruction",
        "Parameters": {
            "ActionType": "SendInstruction",
            "Actor": "Customer",
            "Instruction": {"Type": "DtmfInput", "Properties": {"Value": value}},
        },
        "Transitions": {},
    }


def override(
    action_type: str, parameters: dict[str, Any], strategy: dict[str, Any], identifier: str = "mock"
):
    return {
        "Identifier": identifier,
        "Type": "OverrideSystemBehavior",
        "Parameters": {
            "ActionType": "OverrideSystemBehavior",
            "Behavior": {
                "Type": "FlowAction",
                "Properties": {
                    "ActionType": action_type,
                    "ActionParameters": parameters,
                    "Strategy": strategy,
                },
            },
        },
        "Transitions": {},
    }


def mock_lambda(
    function: str, data: dict[str, Any], identifier: str = "mock", delay: float = 0
) -> dict[str, Any]:
    result: dict[str, Any] = {"LoadedData": json.dumps(data)}
    if delay:
        result["DelaySeconds"] = delay
    return override(
        "InvokeLambdaFunction",
        {"LambdaFunctionARN": function},
        {"Type": "MockResponse", "Response": {"Type": "ExecutionResult", "ExecutionResult": result}},
        identifier,
    )


def mock_error(action_type: str, parameters: dict[str, Any], value: str, identifier: str = "mock"):
    return override(
        action_type,
        parameters,
        {"Type": "MockResponse", "Response": {"Type": "Error", "Error": {"Value": value}}},
        identifier,
    )


def mock_hours(value: str, hours: str = "%HOURS_MAIN%", identifier: str = "hours") -> dict[str, Any]:
    return override(
        "CheckHoursOfOperation",
        {"HoursOfOperationId": hours},
        {
            "Type": "MockResponse",
            "Response": {"Type": "ExecutionResult", "ExecutionResult": {"Value": value}},
        },
        identifier,
    )


def check(
    namespace: str, operator: str, operand: str | None = None, identifier: str = "check"
) -> dict[str, Any]:
    params: dict[str, Any] = {"Namespace": namespace, "Operator": operator}
    if operand is not None:
        params["Operand"] = operand
    return {"Identifier": identifier, "Type": "Assert", "Parameters": params, "Transitions": {}}


def end_test(identifier: str = "end") -> dict[str, Any]:
    return {
        "Identifier": identifier,
        "Type": "TestControl",
        "Parameters": {"ActionType": "TestControl", "Command": {"Type": "EndTest"}},
    }


def chain(*actions: dict[str, Any]) -> list[dict[str, Any]]:
    """Give the actions distinct identifiers and link them with NextAction in order."""
    linked = []
    for index, action in enumerate(actions):
        item = {**action, "Identifier": f"{action['Identifier']}-{index}"}
        linked.append(item)
    for item, following in pairwise(linked):
        item["Transitions"] = {"NextAction": following["Identifier"]}
    return linked


def observation(
    identifier: str,
    ev: dict[str, Any],
    actions: list[dict[str, Any]] | None = None,
    nxt: list[str] | None = None,
    **usage: Any,
) -> dict[str, Any]:
    item: dict[str, Any] = {
        "Identifier": identifier,
        "Event": ev,
        "Actions": chain(*actions) if actions else [],
        "Transitions": {"NextObservations": nxt or []},
    }
    if usage:
        item["Usage"] = usage
    return item


def sequence(*observations: dict[str, Any]) -> dict[str, Any]:
    """A document whose observations follow one another in the order given."""
    items = [dict(o) for o in observations]
    for item, following in pairwise(items):
        if not item["Transitions"]["NextObservations"]:
            item["Transitions"] = {"NextObservations": [following["Identifier"]]}
    return {"Version": "2019-10-30", "Metadata": {}, "Observations": items}


def request(
    document: dict[str, Any], name: str = "case", flow: str = "main-inbound", **extra: Any
) -> dict[str, Any]:
    return {
        "Name": name,
        "Description": "",
        "EntryPoint": {"Type": "VOICE_CALL", "VoiceCallEntryPointParameters": {"FlowId": flow}},
        "Content": json.dumps(document),
        **extra,
    }
