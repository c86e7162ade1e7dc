"""The engine's observer seam: watch every action, mock any of them, see what the customer hears.

``Engine(observer=...)`` calls, for each action it is about to run, ``action_started`` and then
``override``: an :class:`Outcome` returned there replaces the action's behaviour (a mock; the
transition algorithm then runs on it as usual), ``None`` runs the action. Every prompt or chat
message delivered to the customer goes to ``message``; the finished transcript to
``contact_ended``. A mock need not know :class:`Outcome` internals: :func:`lambda_outcome` is "the
Lambda answered this" (``$.External`` set exactly as a real call sets it, Connect's response rules
applied) and :func:`error_outcome` is "the action took error branch E".

Customer input keeps flowing through ``CallerScript(ask=...)``; the observer does not supply it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from civicline.engine.invoker import _BadResponse, check_response
from civicline.engine.outcome import Outcome

if TYPE_CHECKING:
    from civicline.engine.result import CallResult

__all__ = [
    "ActionStarted",
    "EngineObserver",
    "NoObserver",
    "Outcome",
    "error_outcome",
    "lambda_outcome",
]


@dataclass(frozen=True)
class ActionStarted:
    """One action about to run, as the observer sees it."""

    flow: str  # the flow's library name, e.g. "main-inbound"
    flow_arn: str
    flow_type: str  # CONTACT_FLOW, CUSTOMER_QUEUE, ...
    identifier: str
    type: str  # the action type, e.g. "InvokeLambdaFunction"
    parameters: dict[str, Any]  # as written in the flow
    resolved: dict[str, Any]  # with $. references resolved (best effort)


class EngineObserver(Protocol):
    """What ``Engine(observer=...)`` calls (every method is called; subclass NoObserver to pick)."""

    def action_started(self, event: ActionStarted) -> None: ...

    def override(self, event: ActionStarted) -> Outcome | None: ...

    def message(self, text: str, event: ActionStarted) -> None: ...

    def contact_ended(self, result: CallResult) -> None: ...


class NoObserver:
    """An observer that watches nothing and mocks nothing: a base for observers that need one hook."""

    def action_started(self, event: ActionStarted) -> None:
        return None

    def override(self, event: ActionStarted) -> Outcome | None:
        return None

    def message(self, text: str, event: ActionStarted) -> None:
        return None

    def contact_ended(self, result: CallResult) -> None:
        return None


def lambda_outcome(response: dict[str, Any], *, response_type: str = "STRING_MAP") -> Outcome:
    """The outcome of an InvokeLambdaFunction whose function answered ``response``.

    Connect's response rules apply as for a real call: under STRING_MAP (the default) the response
    must be a flat object of strings, under 32 KB; a response that breaks them takes
    ``NoMatchingError`` and leaves ``$.External`` empty, like a real invalid response.
    """
    try:
        external = check_response(response, response_type)
    except _BadResponse as problem:
        failed = Outcome.fail("NoMatchingError", detail=f"mocked Lambda response refused: {problem}")
        failed.external = {}
        return failed
    answered = Outcome.ok()
    answered.external = external
    answered.detail = "mocked Lambda response"
    return answered


def error_outcome(error_type: str = "NoMatchingError") -> Outcome:
    """The outcome of an action that failed with ``error_type`` (its branch, else NoMatchingError)."""
    return Outcome.fail(error_type, detail=f"mocked: took error {error_type}")
