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
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from civicline.engine.actions import SPECS, not_implemented
from civicline.engine.actions.spec import ActionSpec
from civicline.engine.arns import RESOURCE_WORDS, local_arn, names_resource
from civicline.engine.center import ContactCenterView, StaticCenter
from civicline.engine.conditions import evaluate
from civicline.engine.contact import ContactState, FlowData, StoredEmail, customer_remains, opening_method
from civicline.engine.events import contact_event
from civicline.engine.invoker import LambdaInvoker
from civicline.engine.library import FlowLibrary, LoadedFlow
from civicline.engine.observer import ActionStarted, EngineObserver
from civicline.engine.outcome import Outcome
from civicline.engine.references import as_text, has_reference, interpolate, resolve_all, resolve_value
from civicline.engine.result import CallerScript, CallResult, Step
from schemas.flow_language import FlowAction

EventSink = Callable[[dict[str, Any]], None]

#: actions per contact before the engine declares a loop (a flow that never ends)
MAX_STEPS = 500
#: MessageParticipantIteratively interrupt cycles before a queue-flow run stops (still waiting)
MAX_LOOPS = 3
#: the disconnect reason after which the customer is still on the line (the agent hung up)
AGENT_DISCONNECT = "AGENT_DISCONNECT"

__all__ = ["AGENT_DISCONNECT", "Engine", "Run", "evaluate"]


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
    participant: bool = True  # False in a disconnect flow after the customer hung up
    disconnected: bool = False  # a disconnect flow: the contact has already ended
    interrupts: dict[str, int] = field(default_factory=dict)

    # -- helpers for actions -------------------------------------------------------------------
    @property
    def flow(self) -> LoadedFlow:
        assert self.frame is not None
        return self.frame.flow

    def data(self) -> dict[str, Any]:
        return self.contact.flow_data(self.frame.flow_attributes if self.frame else None)

    def view(self) -> FlowData:
        """The flow data as references read it: each namespace built when one is read."""
        return FlowData(self.contact, self.frame.flow_attributes if self.frame else None)

    def resolve(self, value: Any) -> Any:
        """A static-or-single-JSONPath parameter (a value with no reference in it is its own answer:
        the flow data is read only when a reference reads it)."""
        if not has_reference(value):
            return value
        return resolve_value(value, self.view())

    def resolve_text(self, value: Any) -> str:
        resolved = self.resolve(value)
        return as_text(resolved)

    def text(self, value: Any) -> str:
        """A static-or-dynamic parameter (references interpolated); a reference that resolves to
        nothing or to a whole map is noted in the transcript (the flow depends on it). Text with no
        reference in it is what ``interpolate`` returns for it, without building the flow data."""
        if not has_reference(value):
            return value if isinstance(value, str) else as_text(value)
        return interpolate(value, self.view(), lambda ref, why: self.note(f"{ref} {why}"))

    def text_map(self, values: Any) -> dict[str, str]:
        """A key -> static-or-dynamic value object (attributes, Lambda parameters, tags)."""
        if not isinstance(values, dict):
            return {}
        return {str(key): self.text(value) for key, value in values.items()}

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
            if detail not in step.detail.split("; "):
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
                if current == flow.document.StartAction and not flow.type_declared:
                    self.note(f"flow type {flow.flow_type}: {flow.type_source}")
                outcome = self.perform(action)
                if outcome.kind in ("end", "transfer", "return"):
                    self.result.steps[-1].branch = outcome.kind
                    return outcome
                label, current = self.next_action(action, outcome)
                self.result.steps[-1].branch = label
                if label.startswith(("NoMatchingCondition", "no condition")):
                    self.unmatched(action)
                if current is None:
                    return Outcome.end(
                        "ERROR",
                        detail=f"action {action.Identifier!r} ({action.Type}) has no branch for {label}",
                    )
        finally:
            self.frame = outer

    def unmatched(self, action: FlowAction) -> None:
        """Record the customer's entry that no choice took: at the input action itself, or at the
        Compare right after it that routes on what the bot recognised (``$.Lex.Slots.x``)."""
        steps = self.result.steps
        entry = steps[-1].entry
        if entry is None and action.Type == "Compare" and len(steps) > 1:
            reads_lex = str(action.Parameters.get("ComparisonValue", "")).startswith("$.Lex.")
            entry = steps[-2].entry if reads_lex else None
        if entry is not None:
            self.result.unmatched.append(entry)

    def perform(self, action: FlowAction) -> Outcome:
        observer = self.engine.observer
        mock = None
        if observer is not None:  # (the event is built only for an observer: it costs a copy)
            self.current = self.started(action)
            observer.action_started(self.current)
            mock = observer.override(self.current)
        spec = SPECS.get(action.Type)
        if mock is not None:
            self.note(f"mocked by the observer: {mock.detail or mock.kind}")
            outcome = mock
        else:
            outcome = self._run(spec, action)
        if outcome.kind == "error" and outcome.external is None and spec is not None and spec.clears_external:
            outcome.external = {}
        if outcome.external is not None:
            self.contact.external = dict(outcome.external)
        if outcome.kind == "error" and outcome.detail:
            self.note(outcome.detail)
        return outcome

    def run_action(self, action: FlowAction) -> Outcome:
        """The action's behaviour, unless Connect would not run it here (flow type, channel, no
        participant): then it takes its error branch, as the reference pages route it."""
        return self._run(SPECS.get(action.Type), action)

    def _run(self, spec: ActionSpec | None, action: FlowAction) -> Outcome:
        """:meth:`run_action` with the action's spec looked up once (by :meth:`perform`)."""
        if spec is None:
            return Outcome.end("ERROR", detail=f"unknown action type {action.Type!r}")
        if spec.run is None:
            return not_implemented(action)
        refusal = self.refusal(spec) or (self.unnamed_resource(spec, action) if spec.resources else None)
        if refusal is not None:
            return refusal
        return spec.run(self, action)

    def unnamed_resource(self, spec: ActionSpec, action: FlowAction) -> Outcome | None:
        """The error branch when a resource parameter resolves to something that is no resource ID
        or ARN (a dynamic queue held in an attribute that says "garbage"): Connect cannot look it up."""
        for key, kind in spec.resources:
            value = action.Parameters.get(key)
            resolved = self.resolve_text(value) if value else ""
            if resolved and not names_resource(kind, resolved) and self.library.by_arn(resolved) is None:
                word = RESOURCE_WORDS[kind]
                return Outcome.fail(detail=f"{key} {resolved!r} is not the ID or ARN of {word}")
        return None

    def refusal(self, spec: ActionSpec) -> Outcome | None:
        flow = self.flow
        if not spec.allowed_in(flow.flow_type):
            return Outcome.fail(
                detail=f"{spec.type} is not supported in a {flow.flow_type} flow ({spec.page})"
            )
        if not spec.on_channel(self.contact.channel):
            return Outcome.fail(detail=f"{spec.type} is not supported on the {self.contact.channel} channel")
        if spec.needs_participant and not self.participant:
            if spec.terminal:  # DisconnectParticipant with no participant acts as EndFlowExecution
                return Outcome.end("END", detail=f"disconnect flow ended ({spec.type}: no participant)")
            return Outcome.fail(detail=f"no participant: the customer hung up, {spec.type} is not attempted")
        return None

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
        initiation_method: str | None = None,
        language: str = "en-US",
        channel: str = "VOICE",
        system_number: str | None = None,
        center: ContactCenterView | None = None,
        previous_contact_id: str | None = None,
        flow_type: str | None = None,
        disconnect_reason: str | None = None,
        disconnect_on_customer_exit: Sequence[str] = (),
        customer_connected: bool = True,
        segment_attributes: dict[str, str] | None = None,
        email_message: StoredEmail | None = None,
    ) -> CallResult:
        """Run one contact from ``flow`` until it is queued, transferred out, or ends.

        An e-mail contact carries ``segment_attributes`` (``connect:EmailSubject``) and its stored
        message (``email_message``: what ``LoadContactContent`` downloads).

        ``flow_type`` runs the entry flow as that type (``civicline call --flow-type``).
        ``initiation_method`` defaults to how Connect records a contact the customer opened on
        ``channel`` (:func:`~civicline.engine.contact.opening_method`: API for a chat).
        ``disconnect_on_customer_exit`` is the chat's StartChatContact ``DisconnectOnCustomerExit``
        (``("AGENT",)``: a customer who ends the chat goes on through its disconnect flow).
        ``initiation_method="DISCONNECT"`` runs a disconnect flow after the contact ended: the
        customer is present when :func:`~civicline.engine.contact.customer_remains` says so (the
        agent hung up, or the customer ended a chat started with the flag while still
        ``customer_connected``); otherwise no participant is left and participant actions take
        their error branch.
        """
        view = center or self.center
        initiation_method = initiation_method or opening_method(channel)
        contact = ContactState(
            channel=channel,
            caller_number=caller_number,
            initiation_method=initiation_method,
            language=language,
            attributes=dict(attributes or {}),
            initiated_at=view.now(),
            previous_contact_id=previous_contact_id,
            disconnect_on_customer_exit=tuple(disconnect_on_customer_exit),
            segment_attributes=dict(segment_attributes or {}),
            email_message=email_message,
        )
        if contact_id:
            contact.contact_id = contact_id
            contact.initial_contact_id = contact_id
        if system_number:
            contact.system_number = system_number
        result = CallResult(contact)
        run = Run(self, contact, result, caller or CallerScript(), view, self.max_loops)
        entry = self.library.get(flow)
        if flow_type:
            entry = entry.as_type(flow_type.upper(), "given (--flow-type)")  # for this run only
        disconnect_flow = initiation_method == "DISCONNECT"
        if disconnect_flow:
            run.disconnected = True
            run.participant = customer_remains(contact, disconnect_reason, connected=customer_connected)
            result.ended["disconnect_reason"] = disconnect_reason
        else:
            run.emit("INITIATED")
            run.emit("CONNECTED_TO_SYSTEM")
        self._drive(run, entry, emit_end=not disconnect_flow)
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
        queue_flow = self.library.get(flow)
        if queue_flow.type_inferred and queue_flow.flow_type != "CUSTOMER_QUEUE":
            queue_flow = queue_flow.as_type("CUSTOMER_QUEUE", "run as the queue flow of a queued contact")
        self._drive(run, queue_flow, emit_end=True)
        return result

    def _drive(self, run: Run, flow: LoadedFlow, *, emit_end: bool) -> None:
        outcome = run.execute(flow)
        while outcome.kind == "transfer" and outcome.flow is not None:
            outcome = run.execute(outcome.flow)
        if outcome.kind == "return":  # a module run on its own
            outcome = Outcome.end("END", detail="module returned")
        how = outcome.how or "ERROR"
        contact = run.contact
        reason = run.result.ended.get("disconnect_reason")
        ended: dict[str, Any] = {
            "how": how,
            "queue": None,
            "flow": run.result.flows[-1] if run.result.flows else None,
            "detail": outcome.detail or "",
        }
        ended.update(outcome.extra)
        if run.disconnected:
            ended["disconnect_reason"] = reason
            ended["participant"] = run.participant
        if how == "QUEUE":
            ended["queue"] = contact.queue_name
        if contact.callback is not None and how in ("DISCONNECT", "END"):
            how = ended["how"] = "CALLBACK"
            ended["callback"] = contact.callback.to_json()
            ended["queue"] = contact.callback.queue
            ended["detail"] = ended["detail"] or "queued callback created"
        run.result.customer = run.script.customer
        run.result.ended = ended
        if emit_end and how in ("DISCONNECT", "CALLBACK", "ERROR", "TRANSFER_PHONE"):
            reason = str(ended.get("reason") or "CONTACT_FLOW_DISCONNECT")
            run.emit("DISCONNECTED", disconnectReason=reason)
        if self.observer is not None:
            self.observer.contact_ended(run.result)
