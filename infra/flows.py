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
    return changed


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
    "Metadata": {"description": "CivicLine deployment placeholder: hands callers to the operator queue"},
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
