"""Probe flows: one small flow per place where real published flows showed the engine differing from
Amazon Connect (docs/engine.md, "Found by running others' flows"). Each probe failed before its fix."""

from __future__ import annotations

import json
from typing import Any

from civicline.engine import CallerScript, CallResult, Engine, LambdaInvoker, StaticCenter
from civicline.engine.validator import Finding, validate_text
from tests.engine.conftest import act, doc, library_of

SAY_BYE = act("bye", "MessageParticipant", {"Text": "Goodbye."}, nxt="end", errors={"NoMatchingError": "end"})
END = act("end", "DisconnectParticipant")


def check(document: dict[str, Any]) -> list[Finding]:
    return validate_text(json.dumps(document), name="probe", label="probe.json")


def errors_of(document: dict[str, Any]) -> list[str]:
    return [f"{f.identifier}: {f.message}" for f in check(document) if f.severity == "error"]


def run(document: dict[str, Any], script: list[str] | None = None, **kw: Any) -> CallResult:
    engine = Engine(library_of(probe=document), invoker=LambdaInvoker(), center=StaticCenter())
    return engine.run_contact("probe", CallerScript(script or []), **kw)


def test_views_is_a_flow_data_namespace() -> None:
    # Given a flow that reads what a Show view block returned (AWS step-by-step guide samples:
    # $.Views.Action, $.Views.ViewResultData.FormData.x; adminguide/show-view-block)
    flow = doc(
        act(
            "save",
            "UpdateContactAttributes",
            {"Attributes": {"choice": "$.Views.ViewResultData.FormData.choice", "action": "$.Views.Action"}},
            nxt="bye",
            errors={"NoMatchingError": "bye"},
        ),
        SAY_BYE,
        END,
    )
    # Then the validator accepts the paths (it called Views an unknown namespace)
    assert errors_of(flow) == []
    # and, with no view shown, they resolve to nothing
    assert run(flow).attributes == {"choice": "", "action": ""}
