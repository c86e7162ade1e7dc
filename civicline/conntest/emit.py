"""Writing a parsed case back in the one spelling we deploy (the ``CreateTestCase`` ``Content``).

The canonical form follows the devguide pages the service is documented to validate: ``Version``
2019-10-30, ``Usage`` only when it is not the default (``Exactly`` 1: a third party reports an
explicit ``Usage`` refused on publish, docs/decisions.md), ``Assert``, ``MatchingCriteria`` as
``{"Type"}`` inside ``Properties``, terminal actions without ``Transitions.NextAction``, and the
testing pages' own ``DequeueAndTransferToQueue``. Resource references are written as they were
read, so ``%KIND_NAME%`` placeholders survive for the CDK to substitute.
"""

from __future__ import annotations

import json
from typing import Any

from civicline.conntest.model import (
    RESOURCE_KEY,
    Action,
    Assertion,
    Document,
    Event,
    Observation,
    Override,
    SendInstruction,
    TestControl,
)

#: Flow-language types the testing pages spell differently
_TESTING_SPELLING = {"DequeueContactAndTransferToQueue": "DequeueAndTransferToQueue"}


def _event(event: Event) -> dict[str, Any]:
    out: dict[str, Any] = {
        "Identifier": event.identifier or event.type,
        "Type": event.type,
        "Actor": "System",
    }
    props: dict[str, Any] = {}
    if event.message is not None:
        m = event.message
        if m.text is not None:
            props["Text"] = m.text
        elif m.ssml is not None:
            props["SSML"] = m.ssml
        elif m.prompt is not None:
            props["PromptId"] = m.prompt
        elif m.media is not None:
            props["Media"] = {"Uri": m.media, "SourceType": "S3", "MediaType": "Audio"}
        props["MatchingCriteria"] = {"Type": m.criteria}
    if event.flow_action is not None:
        props["ActionType"] = _TESTING_SPELLING.get(
            event.flow_action.action_type, event.flow_action.action_type
        )
        props["ActionParameters"] = dict(event.flow_action.parameters)
    out["Properties"] = props
    return out


def _resource_parameters(action: Override) -> dict[str, Any]:
    if action.resource is None:
        return {}
    keys = RESOURCE_KEY[action.action_type]
    node: dict[str, Any] = {keys[-1]: action.resource}
    for key in reversed(keys[:-1]):
        node = {key: node}
    return node


def _strategy(action: Override) -> dict[str, Any]:
    if action.strategy == "SubstituteResource":
        return {"Type": "SubstituteResource", "SubstituteArn": action.substitute}
    if action.response == "Error":
        error: dict[str, Any] = {"Value": action.value}
        if action.delay_seconds:
            error["DelaySeconds"] = action.delay_seconds
        return {"Type": "MockResponse", "Response": {"Type": "Error", "Error": error}}
    result: dict[str, Any] = {}
    if action.delay_seconds:
        result["DelaySeconds"] = action.delay_seconds
    if action.loaded_data is not None:
        result["LoadedData"] = json.dumps(action.loaded_data, separators=(",", ":"))
    else:
        result["Value"] = action.value
    return {"Type": "MockResponse", "Response": {"Type": "ExecutionResult", "ExecutionResult": result}}


def _parameters(action: Action) -> tuple[str, dict[str, Any]]:
    if isinstance(action, SendInstruction):
        instruction: dict[str, Any] = {"Type": action.kind}
        if action.kind == "DtmfInput":
            instruction["Properties"] = {"Value": action.value}
        elif action.kind == "TextUtterance":
            instruction["Properties"] = {"Text": action.value}
        return "SendInstruction", {
            "ActionType": "SendInstruction",
            "Actor": "Customer",
            "Instruction": instruction,
        }
    if isinstance(action, Override):
        props = {
            "ActionType": _TESTING_SPELLING.get(action.action_type, action.action_type),
            "ActionParameters": _resource_parameters(action),
            "Strategy": _strategy(action),
        }
        behavior = {"Type": "FlowAction", "Properties": props}
        return "OverrideSystemBehavior", {"ActionType": "OverrideSystemBehavior", "Behavior": behavior}
    if isinstance(action, Assertion):
        params: dict[str, Any] = {"Namespace": action.namespace, "Operator": action.operator}
        if action.operand is not None:
            params["Operand"] = action.operand
        return "Assert", params
    assert isinstance(action, TestControl)
    command: dict[str, Any] = {"Type": action.command}
    if action.command == "LogData":
        command["Properties"] = {"Expressions": dict(action.expressions)}
    return "TestControl", {"ActionType": "TestControl", "Command": command}


def _observation(observation: Observation) -> dict[str, Any]:
    actions = []
    for index, action in enumerate(observation.actions):
        kind, params = _parameters(action)
        item: dict[str, Any] = {"Identifier": action.identifier, "Type": kind, "Parameters": params}
        if index + 1 < len(observation.actions):
            item["Transitions"] = {"NextAction": observation.actions[index + 1].identifier}
        actions.append(item)
    out: dict[str, Any] = {
        "Identifier": observation.identifier,
        "Event": _event(observation.event),
        "Actions": actions,
    }
    usage = observation.usage
    if (usage.type, usage.times) != ("Exactly", 1):
        out["Usage"] = (
            {"Type": usage.type} if usage.type == "Always" else {"Type": usage.type, "Times": usage.times}
        )
    out["Transitions"] = {"NextObservations": list(observation.next)}
    return out


def document_json(document: Document) -> dict[str, Any]:
    return {
        "Version": "2019-10-30",
        "Metadata": {},
        "Observations": [_observation(o) for o in document.observations],
    }


def content(document: Document) -> str:
    """The ``Content`` string of a ``CreateTestCase`` / ``AWS::Connect::TestCase``."""
    return json.dumps(document_json(document), separators=(",", ":"), ensure_ascii=False)
