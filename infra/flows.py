"""From flows/*.json to CloudFormation-ready flow content: pure functions, no aws_cdk import.

Flow files name account-specific resources only as ``%KIND_NAME%`` placeholders
(:func:`infra.registry.placeholders`). At synth time every placeholder is replaced by the CDK token
of the real resource (a function ARN, a queue ARN, another flow's ARN, an hours-of-operation ARN);
CDK turns the tokens into an ``Fn::Join`` that CloudFormation resolves at deploy time.

Two rules make that safe, and both fail the synth with a message saying what to change:

* a placeholder the registry does not know, or one left over after rendering, is an error (a flow
  that reached Connect with ``%QUEUE_X%`` in it would fail CreateContactFlow, or worse, half-work);
* a flow's ARN exists only once the flow is created, and CloudFormation rejects circular references.
  Flows are created in dependency order; a reference that closes a cycle (``case-status`` returning
  to ``main-inbound``) is a back-edge, deployed in two steps (:func:`plan`, docs/decisions.md).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from graphlib import TopologicalSorter
from pathlib import Path
from typing import Any

from infra.registry import FLOWS, placeholder, placeholders

FLOWS_DIR = Path(__file__).resolve().parent.parent / "flows"

#: any ``%NAME%`` token, known or not (the same shape the local engine looks for)
PLACEHOLDER_RE = re.compile(r"%[A-Z][A-Z0-9_]*%")

#: Connect's limit on ``AWS::Connect::ContactFlow.Content``
MAX_CONTENT_CHARS = 256_000


class FlowRenderError(ValueError):
    """A flow cannot be deployed as written; the message names the flow and what to change."""


def read_flows(directory: Path | None = None) -> dict[str, str]:
    """The text of each ``<stem>.json`` under ``directory``, in registry order.

    A file whose stem is not in :data:`infra.registry.FLOWS` is an error: the registry gives each
    flow its Connect type, and a flow without a type cannot be created.
    """
    folder = directory or FLOWS_DIR
    found = {p.stem: p for p in sorted(folder.glob("*.json"))}
    unknown = sorted(set(found) - set(FLOWS))
    if unknown:
        raise FlowRenderError(
            f"flows {unknown} are not in infra/registry.py FLOWS (add them with their type)"
        )
    return {stem: found[stem].read_text(encoding="utf-8") for stem in FLOWS if stem in found}


def compact(text: str, stem: str = "flow", *, virtual_hold_seconds: int | None = None) -> str:
    """The flow as compact JSON with stable key order (smaller content, identical meaning).

    With ``virtual_hold_seconds``, the environment's virtual-hold threshold replaces the one in the
    file (:func:`set_wait_threshold`).
    """
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise FlowRenderError(f"{stem}: not valid JSON ({exc.msg} at line {exc.lineno})") from None
    if virtual_hold_seconds is not None:
        set_wait_threshold(document, virtual_hold_seconds)
    return json.dumps(document, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


_WAIT_OPERATORS = {"NumberGreaterThan", "NumberGreaterOrEqualTo"}


def set_wait_threshold(document: dict[str, Any], seconds: int) -> int:
    """Set the "oldest contact waited longer than" threshold of every CheckMetricData action.

    The flow files carry a default (what the local engine runs); each environment deploys its own
    ``thresholds.virtual_hold_wait_seconds``. Connect compares OldestContactInQueueAgeSeconds in
    milliseconds. Returns how many conditions were set.
    """
    changed = 0
    for action in document.get("Actions", []):
        if action.get("Type") != "CheckMetricData":
            continue
        if action.get("Parameters", {}).get("MetricType") != "OldestContactInQueueAgeSeconds":
            continue
        for condition in action.get("Transitions", {}).get("Conditions", []):
            rule = condition.get("Condition", {})
            if rule.get("Operator") in _WAIT_OPERATORS:
                rule["Operands"] = [str(seconds * 1000)]
                changed += 1
        entry = document.get("Metadata", {}).get("ActionMetadata", {}).get(action.get("Identifier"))
        for shown in (entry or {}).get("conditionMetadata", []) if isinstance(entry, dict) else []:
            if shown.get("time") == "sec.":
                shown["value"] = str(seconds)  # what the designer shows, in seconds
    return changed


#: the Connect designer's operator labels for conditionMetadata (as in the real exports)
_OPERATOR_LABELS = {
    "Equals": ("Equals", "Equals", "="),
    "NumberGreaterThan": ("Is greater than", "GreaterThan", ">"),
    "NumberGreaterOrEqualTo": ("Is greater or equal", "GreaterOrEqualTo", ">="),
    "NumberLessThan": ("Is less than", "LessThan", "<"),
    "NumberLessOrEqualTo": ("Is less or equal", "LessOrEqualTo", "<="),
    "TextStartsWith": ("Starts with", "StartsWith", "starts with"),
    "TextEndsWith": ("Ends with", "EndsWith", "ends with"),
    "TextContains": ("Contains", "Contains", "contains"),
}
#: top-level parameters the designer reads as a path without a useDynamic flag (as the real exports
#: show: every other whole-JSONPath parameter, Text, QueueId, ThirdPartyPhoneNumber..., carries one)
_ALWAYS_PATHS = frozenset({"ComparisonValue", "CallbackNumber", "WisdomSessionArn"})


def is_json_path(value: object) -> bool:
    """A parameter value that is one whole ``$.`` reference (what the designer marks dynamic)."""
    return isinstance(value, str) and value.startswith("$.") and " " not in value


def _condition_id(flow: str, identifier: str, index: int) -> str:
    import uuid

    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"civicline:{flow}:{identifier}:{index}"))


def _condition_metadata(flow: str, action: dict[str, Any]) -> list[dict[str, Any]] | None:
    """The designer's ``conditionMetadata``: thresholds in the unit the designer shows (seconds for
    CheckMetricData, whose operand is milliseconds), operators with their labels, menu digits."""
    kind = action.get("Type")
    conditions = action.get("Transitions", {}).get("Conditions", [])
    if kind not in {"Compare", "CheckMetricData", "GetParticipantInput"} or not conditions:
        return None
    out: list[dict[str, Any]] = []
    for index, condition in enumerate(conditions):
        rule = condition.get("Condition", {})
        operands = rule.get("Operands") or [""]
        entry: dict[str, Any] = {"id": _condition_id(flow, action["Identifier"], index)}
        if kind != "GetParticipantInput":
            name, value, short = _OPERATOR_LABELS.get(rule.get("Operator", ""), (rule.get("Operator"),) * 3)
            entry["operator"] = {"name": name, "value": value, "shortDisplay": short}
        entry["value"] = str(operands[0])
        if kind == "CheckMetricData":
            entry["attribute"] = {"name": "Time in Queue", "value": "Time in Queue"}
            entry["value"] = str(int(operands[0]) // 1000)
            entry["time"] = "sec."
        out.append(entry)
    return out


def designer_metadata(flow: str, action: dict[str, Any]) -> dict[str, Any]:
    """What the Connect designer writes in ``Metadata.ActionMetadata[id]`` besides the position.

    Mirrors the real exports (shared/conformance/flows): a parameter holding a whole JSONPath is
    ``parameters.<Key>.useDynamic`` plus ``useDynamic``; Lambda input attributes carry
    ``dynamicMetadata`` (every key, true when it is a JSONPath); contact attributes carry
    ``dynamicParams`` (the JSONPath keys); conditions carry ``conditionMetadata``. Without them
    the designer shows a dynamic prompt as literal text and a threshold in milliseconds, and a
    re-save from the console would corrupt the flow.
    """
    params = action.get("Parameters") or {}
    meta: dict[str, Any] = {}
    dynamic = {
        key: {"useDynamic": True}
        for key, value in params.items()
        if key not in _ALWAYS_PATHS and is_json_path(value)
    }
    top_level = set(dynamic)
    kind = action.get("Type")
    if kind == "InvokeLambdaFunction" and isinstance(params.get("LambdaInvocationAttributes"), dict):
        attributes = params["LambdaInvocationAttributes"]
        flags = {key: is_json_path(value) for key, value in attributes.items()}
        if any(flags.values()):
            dynamic["LambdaInvocationAttributes"] = {k: {"useDynamic": True} for k, v in flags.items() if v}
        meta["dynamicMetadata"] = flags
    if kind == "UpdateContactAttributes" and isinstance(params.get("Attributes"), dict):
        keys = [key for key, value in params["Attributes"].items() if is_json_path(value)]
        if keys:
            dynamic["Attributes"] = {key: {"useDynamic": True} for key in keys}
        meta["dynamicParams"] = keys
    if dynamic:
        meta["parameters"] = dynamic
    if top_level:
        meta["useDynamic"] = True
    conditions = _condition_metadata(flow, action)
    if conditions is not None:
        meta["conditionMetadata"] = conditions
    return meta


def apply_designer_metadata(flow: str, document: dict[str, Any]) -> None:
    """Rewrite every action's designer metadata from its parameters (positions are kept)."""
    metadata = document.setdefault("Metadata", {}).setdefault("ActionMetadata", {})
    for action in document.get("Actions", []):
        entry = metadata.setdefault(action["Identifier"], {})
        position = entry.get("position")
        entry.clear()
        if position is not None:
            entry["position"] = position
        entry.update(designer_metadata(flow, action))


def referenced_placeholders(text: str) -> set[str]:
    return set(PLACEHOLDER_RE.findall(text))


def unknown_placeholders(text: str) -> set[str]:
    return referenced_placeholders(text) - set(placeholders())


def flow_dependencies(texts: Mapping[str, str]) -> dict[str, set[str]]:
    """For each flow, the other flows whose ARNs it needs (``%FLOW_X%``)."""
    by_placeholder = {placeholder("FLOW", stem): stem for stem in FLOWS}
    deps: dict[str, set[str]] = {}
    for stem, text in texts.items():
        needed = {by_placeholder[p] for p in referenced_placeholders(text) if p in by_placeholder}
        missing = sorted(needed - set(texts))
        if missing:
            raise FlowRenderError(f"{stem} references flows {missing} that have no file under flows/")
        deps[stem] = needed
    return deps


def plan(texts: Mapping[str, str]) -> tuple[list[str], dict[str, set[str]]]:
    """Creation order and back-edges of the flow-reference graph.

    A depth-first walk in registry order classifies each ``%FLOW_X%`` reference: an edge to a flow
    still on the walk's stack closes a cycle (``case-status`` -> ``main-inbound`` when
    ``main-inbound`` -> ``case-status``) and is a *back-edge*; every other edge points to a flow that
    can be created first. Without back-edges the graph is a DAG, created in topological order (ties
    in registry order, so the template is deterministic). A back-edge is deployed in two steps:
    the flow is created pointing at the bootstrap flow, then patched with UpdateContactFlowContent
    once the target exists (see :mod:`infra.constructs.flows`).

    Returns ``(order, back_edges)`` with ``back_edges[stem]`` = flows ``stem`` references backwards.
    """
    deps = flow_dependencies(texts)
    rank = {stem: i for i, stem in enumerate(FLOWS)}
    back: dict[str, set[str]] = {stem: set() for stem in texts}
    state: dict[str, int] = {}  # 1 = on the stack, 2 = finished

    def walk(stem: str) -> None:
        state[stem] = 1
        for target in sorted(deps[stem], key=rank.__getitem__):
            if state.get(target) == 1:
                back[stem].add(target)
            elif target not in state:
                walk(target)
        state[stem] = 2

    for stem in sorted(texts, key=rank.__getitem__):
        if stem not in state:
            walk(stem)
    sorter: TopologicalSorter[str] = TopologicalSorter()
    for stem in sorted(texts, key=rank.__getitem__):
        sorter.add(stem, *(deps[stem] - back[stem]))
    sorter.prepare()  # acyclic by construction
    order: list[str] = []
    while sorter.is_active():
        ready = sorted(sorter.get_ready(), key=rank.__getitem__)
        order.extend(ready)
        sorter.done(*ready)
    return order, {stem: targets for stem, targets in back.items() if targets}


def creation_order(texts: Mapping[str, str]) -> list[str]:
    """Flows ordered so each one is created after every flow it references by a forward edge."""
    return plan(texts)[0]


#: The flow a back-edge points to between creation and patch (seconds during a deployment): it
#: apologises and hands the caller to the operator queue, so even then no caller is dropped.
BOOTSTRAP_STEM = "bootstrap"
BOOTSTRAP_FLOW: dict[str, object] = {
    "Version": "2019-10-30",
    "StartAction": "notice",
    "Metadata": {
        "description": "CivicLine deployment placeholder: hands callers to the operator queue",
        # designer layout, as every real export has it: without it the flow opens as a pile
        "entryPointPosition": {"x": 40, "y": 40},
        "ActionMetadata": {
            "notice": {"position": {"x": 200, "y": 40}},
            "operator": {"position": {"x": 460, "y": 40}},
            "transfer": {"position": {"x": 720, "y": 40}},
            "sorry": {"position": {"x": 980, "y": 40}},
            "hangup": {"position": {"x": 1240, "y": 40}},
        },
    },
    "Actions": [
        {
            "Identifier": "notice",
            "Type": "MessageParticipant",
            "Parameters": {"Text": "One moment please, we are connecting you to an operator."},
            "Transitions": {
                "NextAction": "operator",
                "Errors": [{"NextAction": "operator", "ErrorType": "NoMatchingError"}],
                "Conditions": [],
            },
        },
        {
            "Identifier": "operator",
            "Type": "UpdateContactTargetQueue",
            "Parameters": {"QueueId": "%QUEUE_OPERATOR%"},
            "Transitions": {
                "NextAction": "transfer",
                "Errors": [{"NextAction": "sorry", "ErrorType": "NoMatchingError"}],
                "Conditions": [],
            },
        },
        {
            "Identifier": "transfer",
            "Type": "TransferContactToQueue",
            "Parameters": {},
            "Transitions": {
                "NextAction": "sorry",
                "Errors": [
                    {"NextAction": "sorry", "ErrorType": "QueueAtCapacity"},
                    {"NextAction": "sorry", "ErrorType": "NoMatchingError"},
                ],
                "Conditions": [],
            },
        },
        {
            "Identifier": "sorry",
            "Type": "MessageParticipant",
            "Parameters": {
                "Text": "We are sorry, we cannot take your call right now. Please call again later."
            },
            "Transitions": {
                "NextAction": "hangup",
                "Errors": [{"NextAction": "hangup", "ErrorType": "NoMatchingError"}],
                "Conditions": [],
            },
        },
        {"Identifier": "hangup", "Type": "DisconnectParticipant", "Parameters": {}, "Transitions": {}},
    ],
}


def render(stem: str, text: str, arns: Mapping[str, str], *, virtual_hold_seconds: int | None = None) -> str:
    """Compact ``text`` and replace every placeholder with its ARN (or CDK token).

    ``arns`` maps placeholders (``%LAMBDA_ROUTING%``) to values. Raises :class:`FlowRenderError` for
    an unknown placeholder, one with no value, or content over Connect's size limit.
    """
    content = compact(text, stem, virtual_hold_seconds=virtual_hold_seconds)
    unknown = sorted(unknown_placeholders(content))
    if unknown:
        raise FlowRenderError(
            f"{stem}: unknown placeholders {unknown} (see infra/registry.py placeholders())"
        )
    for token in sorted(referenced_placeholders(content)):
        if token not in arns:
            raise FlowRenderError(f"{stem}: no value for placeholder {token}")
        content = content.replace(token, arns[token])
    left = sorted(referenced_placeholders(content))
    if left:
        raise FlowRenderError(f"{stem}: placeholders left after rendering: {left}")
    if len(content) > MAX_CONTENT_CHARS:
        raise FlowRenderError(
            f"{stem}: content is {len(content)} characters, over Connect's {MAX_CONTENT_CHARS}"
        )
    return content


def invoked_functions(text: str) -> set[str]:
    """Registry names of the functions a flow invokes (``%LAMBDA_X%`` placeholders)."""
    known = {p: name for p, (kind, name) in placeholders().items() if kind == "LAMBDA"}
    return {known[p] for p in referenced_placeholders(text) if p in known}
