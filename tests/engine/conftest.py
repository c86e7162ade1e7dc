"""Fixtures for the engine tests: tiny in-memory flows and an engine around them."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from civicline.engine import Engine, FlowLibrary, LambdaInvoker, StaticCenter
from civicline.engine.library import parse_flow_text

FlowFactory = Callable[..., FlowLibrary]


def act(
    identifier: str, type_: str, params: dict[str, Any] | None = None, **transitions: Any
) -> dict[str, Any]:
    """An action dict; ``nxt``, ``errors`` ({type: target}), ``conditions`` ([(op, operand, target)])."""
    t: dict[str, Any] = {}
    if transitions.get("nxt"):
        t["NextAction"] = transitions["nxt"]
    if transitions.get("errors"):
        t["Errors"] = [{"ErrorType": k, "NextAction": v} for k, v in transitions["errors"].items()]
    if transitions.get("conditions"):
        t["Conditions"] = [
            {"NextAction": target, "Condition": {"Operator": op, "Operands": [operand]}}
            for op, operand, target in transitions["conditions"]
        ]
    return {"Identifier": identifier, "Type": type_, "Parameters": params or {}, "Transitions": t}


def doc(*actions: dict[str, Any], start: str | None = None, **metadata: Any) -> dict[str, Any]:
    return {
        "Version": "2019-10-30",
        "StartAction": start or actions[0]["Identifier"],
        "Metadata": metadata,
        "Actions": list(actions),
    }


def library_of(**flows: dict[str, Any]) -> FlowLibrary:
    library = FlowLibrary()
    for name, document in flows.items():
        library.add(parse_flow_text(json.dumps(document), name=name))
    return library


@pytest.fixture
def make_engine() -> Callable[..., Engine]:
    def build(
        library: FlowLibrary,
        invoker: LambdaInvoker | None = None,
        center: StaticCenter | None = None,
        **kw: Any,
    ) -> Engine:
        return Engine(library, invoker=invoker or LambdaInvoker(), center=center or StaticCenter(), **kw)

    return build
