"""The interpreter: runs Flow-language documents for one contact at a time.

The transition algorithm is reference section 1.8: an action yields a result (``ok`` with an
optional value), an error type, or an end. Errors take their own branch, else ``NoMatchingError``;
conditions are evaluated in order against the result and the first true wins, else
``NoMatchingCondition``, else ``NextAction``. A branch that does not exist at runtime ends the
contact with ``how=ERROR`` and a detail naming the action (the validator reports it beforehand).

The engine never guesses the outside world: hours, queue metrics and capacity come from a
:class:`~civicline.engine.center.ContactCenterView`, Lambdas run through a
:class:`~civicline.engine.invoker.LambdaInvoker`, contact events go to an optional sink.
"""

from __future__ import annotations

import copy
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from civicline.engine.actions import ACTIONS, not_implemented
from civicline.engine.arns import local_arn
from civicline.engine.center import ContactCenterView, StaticCenter
from civicline.engine.contact import ContactState
from civicline.engine.events import contact_event
from civicline.engine.invoker import LambdaInvoker
from civicline.engine.library import FlowLibrary, LoadedFlow
from civicline.engine.observer import ActionStarted, EngineObserver
from civicline.engine.outcome import Outcome
from civicline.engine.references import as_text, interpolate, resolve_all, resolve_value
from civicline.engine.result import CallerScript, CallResult, Step
from schemas.flow_language import FlowAction, FlowCondition

EventSink = Callable[[dict[str, Any]], None]

#: actions per contact before the engine declares a loop (a flow that never ends)
MAX_STEPS = 500
#: MessageParticipantIteratively interrupt cycles before a queue-flow run stops (still waiting)
MAX_LOOPS = 3


def _number(text: str) -> Decimal | None:
    try:
        value = Decimal(text.strip())
    except (InvalidOperation, ValueError, AttributeError):
        return None
    return value if value.is_finite() else None


def evaluate(condition: FlowCondition, value: str | None) -> bool:
    """One condition against an action's result (reference 1.4). Number* are false unless both
    sides are numeric. Nested condition operands are not documented and never match."""
    operands = condition.Operands
    if len(operands) != 1 or not isinstance(operands[0], str | int | float):
        return False
    operand = str(operands[0])
    subject = "" if value is None else value
    op = condition.Operator
    if op == "Equals":
        return subject == operand
    if op == "TextStartsWith":
        return subject.startswith(operand)
    if op == "TextEndsWith":
        return subject.endswith(operand)
    if op == "TextContains":
        return operand in subject
    left, right = _number(subject), _number(operand)
    if left is None or right is None:
        return False
    if op == "NumberGreaterThan":
        return left > right
    if op == "NumberGreaterOrEqualTo":
        return left >= right
    if op == "NumberLessThan":
        return left < right
    if op == "NumberLessOrEqualTo":
        return left <= right
    return False


class LoopLimitError(Exception):
    pass


@dataclass
class Frame:
    """One flow (or module) being run: its flow attributes are scoped to it."""

    flow: LoadedFlow
    flow_attributes: dict[str, str] = field(default_factory=dict)


@dataclass
class Run:
    """One contact's run through one or more flows: what actions read and write."""

    engine: Engine
    contact: ContactState
    result: CallResult
    script: CallerScript
    center: ContactCenterView
    max_loops: int
    frame: Frame | None = None
    steps: int = 0
    current: ActionStarted | None = None
    interrupts: dict[str, int] = field(default_factory=dict)

    # -- helpers for actions -------------------------------------------------------------------
    @property
    def flow(self) -> LoadedFlow:
        assert self.frame is not None
        return self.frame.flow

    def data(self) -> dict[str, Any]:
        return self.contact.flow_data(self.frame.flow_attributes if self.frame else None)

    def resolve(self, value: Any) -> Any:
        """A static-or-single-JSONPath parameter."""
        return resolve_value(value, self.data())

    def resolve_text(self, value: Any) -> str:
        resolved = self.resolve(value)
        return as_text(resolved)

    def text(self, value: Any) -> str:
        """A static-or-dynamic parameter (references interpolated)."""
        return interpolate(value, self.data())

    def say(self, text: str) -> None:
        if text:
            self.result.prompts.append(text)
            if self.result.steps:
                self.result.steps[-1].said.append(text)
            observer = self.engine.observer
            if observer is not None and self.current is not None:
                observer.message(text, self.current)

    def heard(self, entry: str) -> None:
        """The caller's entry, as consumed by the current action."""
        self.result.inputs.append(entry)
        if self.result.steps:
            self.result.steps[-1].entry = entry

    def emit(self, event_type: str, **fields: Any) -> None:
        detail = contact_event(event_type, self.contact, now=self.center.now(), **fields)
        self.result.events.append(detail)
        if self.engine.events is not None:
            self.engine.events(detail)

    def note(self, detail: str) -> None:
        """Add a remark to the step being executed (shown in the transcript)."""
        if self.result.steps:
            step = self.result.steps[-1]
            step.detail = f"{step.detail}; {detail}" if step.detail else detail

    @property
    def rng(self) -> random.Random:
        return self.engine.rng

    @property
    def library(self) -> FlowLibrary:
        return self.engine.library

    @property
    def invoker(self) -> LambdaInvoker:
        return self.engine.invoker

    # -- the transition algorithm ----------------------------------------------------------------
    def execute(self, flow: LoadedFlow) -> Outcome:
        """Run ``flow`` from its StartAction until it ends, transfers, or returns (modules)."""
        outer = self.frame
        self.frame = Frame(flow)
        self.result.flows.append(flow.name)
        actions = flow.actions
        current: str | None = flow.document.StartAction
        try:
            while True:
                self.steps += 1
                if self.steps > self.engine.max_steps:
                    return Outcome.end(
                        "ERROR", detail=f"loop limit: more than {self.engine.max_steps} actions"
                    )
                action = actions.get(current or "")
                if action is None:
                    return Outcome.end(
                        "ERROR", detail=f"no action with identifier {current!r} in {flow.name}"
                    )
                self.result.path.append(action.Identifier)
                self.result.steps.append(Step(flow.name, action.Identifier, action.Type, ""))
                outcome = self.perform(action)
                if outcome.kind in ("end", "transfer", "return"):
                    self.result.steps[-1].branch = outcome.kind
                    return outcome
                label, current = self.next_action(action, outcome)
                self.result.steps[-1].branch = label
                if current is None:
                    return Outcome.end(
                        "ERROR",
                        detail=f"action {action.Identifier!r} ({action.Type}) has no branch for {label}",
                    )
        finally:
            self.frame = outer

    def perform(self, action: FlowAction) -> Outcome:
        observer = self.engine.observer
        self.current = self.started(action)
        mock = None
        if observer is not None:
            observer.action_started(self.current)
            mock = observer.override(self.current)
        if mock is not None:
            self.note(f"mocked by the observer: {mock.detail or mock.kind}")
            outcome = mock
        else:
            handler = ACTIONS.get(action.Type)
            outcome = not_implemented(action) if handler is None else handler(self, action)
        if outcome.external is not None:
            self.contact.external = dict(outcome.external)
        return outcome

    def started(self, action: FlowAction) -> ActionStarted:
        """The observer's view of ``action`` about to run (references resolved, best effort)."""
        flow = self.flow
        return ActionStarted(
            flow=flow.name,
            flow_arn=local_arn("FLOW", flow.name),
            flow_type=flow.flow_type,
            identifier=action.Identifier,
            type=action.Type,
            parameters=copy.deepcopy(action.Parameters),
            resolved=resolve_all(action.Parameters, self.data()),
        )

    @staticmethod
    def next_action(action: FlowAction, outcome: Outcome) -> tuple[str, str | None]:
        transitions = action.Transitions
        if outcome.kind == "error":
            error_type = outcome.error or "NoMatchingError"
            target = transitions.error_target(error_type)
            if target is not None:
                return f"error {error_type}", target
            target = transitions.error_target("NoMatchingError")
            return f"error {error_type} -> NoMatchingError", target
        if transitions.Conditions:
            for condition in transitions.Conditions:
                if evaluate(condition.Condition, outcome.value):
                    operands = ",".join(str(o) for o in condition.Condition.Operands)
                    return (
                        f"{condition.Condition.Operator} {operands} (value {outcome.value!r})",
                        condition.NextAction,
                    )
            target = transitions.error_target("NoMatchingCondition")
            if target is not None:
                return f"NoMatchingCondition (value {outcome.value!r})", target
            return f"no condition matched (value {outcome.value!r}) -> NextAction", transitions.NextAction
        return "next", transitions.NextAction


@dataclass
class Engine:
    """Interprets Flow-language documents for one contact at a time (see engine-api.md)."""

    library: FlowLibrary
    invoker: LambdaInvoker = field(default_factory=LambdaInvoker)
    center: ContactCenterView = field(default_factory=StaticCenter)
    events: EventSink | None = None
    observer: EngineObserver | None = None
    seed: int | None = 0
    max_steps: int = MAX_STEPS
    max_loops: int = MAX_LOOPS
    rng: random.Random = field(init=False)

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)  # noqa: S311 - DistributeByPercentage, not security

    def run_contact(
        self,
        flow: str | Path,
        caller: CallerScript | None = None,
        *,
        caller_number: str | None = "+15555550100",
        contact_id: str | None = None,
        attributes: dict[str, str] | None = None,
        initiation_method: str = "INBOUND",
        language: str = "en-US",
        channel: str = "VOICE",
        system_number: str | None = None,
        center: ContactCenterView | None = None,
        previous_contact_id: str | None = None,
    ) -> CallResult:
        """Run one contact from ``flow`` until it is queued, transferred out, or ends."""
        view = center or self.center
        contact = ContactState(
            channel=channel,
            caller_number=caller_number,
            initiation_method=initiation_method,
            language=language,
            attributes=dict(attributes or {}),
            initiated_at=view.now(),
            previous_contact_id=previous_contact_id,
        )
        if contact_id:
            contact.contact_id = contact_id
            contact.initial_contact_id = contact_id
        if system_number:
            contact.system_number = system_number
        result = CallResult(contact)
        run = Run(self, contact, result, caller or CallerScript(), view, self.max_loops)
        disconnect_flow = initiation_method == "DISCONNECT"
        if not disconnect_flow:
            run.emit("INITIATED")
            run.emit("CONNECTED_TO_SYSTEM")
        self._drive(run, self.library.get(flow), emit_end=not disconnect_flow)
        return result

    def run_queue_flow(
        self,
        contact: CallResult | ContactState,
        flow: str | Path = "customer-queue",
        caller: CallerScript | None = None,
        center: ContactCenterView | None = None,
        max_loops: int | None = None,
    ) -> CallResult:
        """Run the customer-queue flow for a queued contact (one run: until it ends, a callback is
        created, or ``max_loops`` interrupt cycles have passed with the caller still waiting)."""
        state = contact.contact if isinstance(contact, CallResult) else contact
        result = CallResult(state)
        run = Run(
            self,
            state,
            result,
            caller or CallerScript(),
            center or self.center,
            self.max_loops if max_loops is None else max_loops,
        )
        self._drive(run, self.library.get(flow), emit_end=True)
        return result

    def _drive(self, run: Run, flow: LoadedFlow, *, emit_end: bool) -> None:
        outcome = run.execute(flow)
        while outcome.kind == "transfer" and outcome.flow is not None:
            outcome = run.execute(outcome.flow)
        if outcome.kind == "return":  # a module run on its own
            outcome = Outcome.end("END", detail="module returned")
        how = outcome.how or "ERROR"
        contact = run.contact
        ended: dict[str, Any] = {
            "how": how,
            "queue": None,
            "flow": run.result.flows[-1] if run.result.flows else None,
            "detail": outcome.detail or "",
        }
        ended.update(outcome.extra)
        if how == "QUEUE":
            ended["queue"] = contact.queue_name
        if contact.callback is not None and how in ("DISCONNECT", "END"):
            how = ended["how"] = "CALLBACK"
            ended["callback"] = contact.callback.to_json()
            ended["queue"] = contact.callback.queue
            ended["detail"] = ended["detail"] or "queued callback created"
        run.result.ended = ended
        if emit_end and how in ("DISCONNECT", "CALLBACK", "ERROR", "TRANSFER_PHONE"):
            reason = str(ended.get("reason") or "CONTACT_FLOW_DISCONNECT")
            run.emit("DISCONNECTED", disconnectReason=reason)
        if self.observer is not None:
            self.observer.contact_ended(run.result)
