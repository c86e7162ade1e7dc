"""ShowView (participant-actions-showview): a view for the agent's step-by-step guide, and the
action the agent took on it.

The page: "This action routes step-by-step guides that are to be displayed to agents in the agent
workspace. It routes the guides as chat contacts"; the result is "The result that the user selects
when interacting with the View"; TimeLimitExceeded "if there is no response before the configured
InvocationTimeLimitSeconds"; "only supported on the chat channel"; "inbound flows and customer queue
flows". A view "returns two pieces of data: the Action taken, and the Output data", the output "set
to the $.Views.ViewResultData flow attribute" (adminguide/view-resources-custom-view). Locally the
caller script stands for the person at the view: its next entry is the action (``Next``), or a JSON
object ``{"Action": "Next", "Output": {...}}`` with the output; no entry is the time limit passing.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from civicline.engine.actions.common import integer
from civicline.engine.actions.spec import (
    CF,
    CQ,
    MODULE,
    NO_MATCHING_ERROR,
    ActionSpec,
    Problem,
    action,
    fixed,
)
from civicline.engine.outcome import Outcome
from civicline.engine.result import HANGUP
from schemas.flow_language import FlowAction

if TYPE_CHECKING:
    from civicline.engine.interpreter import Run

#: the error branches of the page; every real export (53 ShowView actions) wires all three
VIEW_ERRORS = ("NoMatchingCondition", "TimeLimitExceeded", NO_MATCHING_ERROR)


def _check_view(act: FlowAction) -> Iterable[Problem]:
    resource = act.Parameters.get("ViewResource")
    if not isinstance(resource, dict) or not resource.get("Id"):
        yield Problem("ShowView needs ViewResource.Id")
    limit = act.Parameters.get("InvocationTimeLimitSeconds")
    if limit is not None and integer(limit, 0) < 1:
        yield Problem(f"InvocationTimeLimitSeconds {limit!r} is not a positive number of seconds")


def view_response(entry: str) -> tuple[str, Any]:
    """(Action, Output) of what the person at the view did: ``Next``, or the JSON object form."""
    if entry.startswith("{"):
        try:
            data = json.loads(entry)
        except json.JSONDecodeError:
            return entry, {}
        if isinstance(data, dict) and isinstance(data.get("Action"), str):
            return data["Action"], data.get("Output", {})
    return entry, {}


@action(
    ActionSpec(
        "ShowView",
        "participant",
        "participant-actions-showview",
        flow_types=frozenset({CF, CQ, MODULE}),
        channels=frozenset({"CHAT"}),
        errors=fixed(*VIEW_ERRORS, required=(NO_MATCHING_ERROR,)),
        static=frozenset({"InvocationTimeLimitSeconds"}),
        check=_check_view,
    )
)
def show_view(run: Run, act: FlowAction) -> Outcome:
    resource = act.Parameters.get("ViewResource")
    view = str(resource.get("Id", "")) if isinstance(resource, dict) else ""
    entry = (run.script.next(f"view {view}") or "").strip()
    if entry == HANGUP:
        return Outcome.end("DISCONNECT", detail="the chat ended at the view", reason="CUSTOMER_DISCONNECT")
    if not entry:
        limit = act.Parameters.get("InvocationTimeLimitSeconds", "")
        return Outcome.fail("TimeLimitExceeded", detail=f"no action on view {view} within {limit} s")
    taken, output = view_response(entry)
    run.contact.views = {"Action": taken, "ViewResultData": output}
    run.note(f"view {view}: {taken}")
    return Outcome.ok(taken)
