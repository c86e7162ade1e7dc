"""Running one test case: a contact through the engine, watched and mocked through the observer seam.

The contact starts in the case's entry flow with the real functions (on the local AWS the caller
provides, seeded with the demo data) unless an override mocks them. When the contact is queued it
goes on into its customer-queue flow, where no agent answers: the local clock moves on by each
loop prompt's ``InterruptFrequencySeconds`` and the contact's own wait grows, so the queue flow's
offers come as they would. The case ends with ``EndTest``, when the contact ends, or at Connect's
five-minute test limit on the local clock.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from civicline.conntest.matcher import Matcher
from civicline.conntest.model import RESOURCE_KEY, CaseError, Override, TestCase
from civicline.conntest.resources import canonical
from civicline.engine import (
    CallerScript,
    CallResult,
    ContactState,
    Engine,
    FlowLibrary,
    LambdaInvoker,
    QueueMetrics,
)
from civicline.engine.arns import local_arn
from civicline.engine.events import lambda_event
from civicline.engine.observer import ActionStarted, NoObserver, Outcome, error_outcome, lambda_outcome
from civicline.engine.references import as_text
from civicline.engine.stores import LocalStores

#: Connect stops a test execution after five minutes (admin guide, testing-simulation-execute-test-cases)
TEST_LIMIT_SECONDS = 300
#: a test contact's clock starts on a Tuesday, 10:00 in New York (business hours for every HOURS entry)
TEST_START = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)
DEFAULT_FLOW = "main-inbound"
DEFAULT_CALLER = "+15555550100"

CaseStatus = Literal["PASSED", "FAILED", "ERROR"]


@dataclass
class TestCenter:
    """The contact center a test contact sees: hours open (mock them to test closed), queues with
    staff but no agent free, and a clock that moves only when a queue flow's loop prompt plays."""

    __test__ = False

    contact: ContactState | None = None
    clock: datetime = TEST_START
    started: datetime = TEST_START
    #: the instance's Customer Profiles, Cases and Voice ID: enabled and empty, as in ``civicline call``
    stores: LocalStores = field(default_factory=LocalStores)

    def now(self) -> datetime:
        return self.clock

    def advance(self, seconds: float) -> None:
        self.clock += timedelta(seconds=max(seconds, 0.0))

    @property
    def elapsed(self) -> float:
        return (self.clock - self.started).total_seconds()

    def is_open(self, hours_name: str) -> bool:
        return True

    def queue_metrics(self, queue: str) -> QueueMetrics:
        waited = 0.0
        contact = self.contact
        if contact is not None and contact.enqueued_at is not None and contact.queue_name == queue:
            waited = max((self.clock - contact.enqueued_at).total_seconds(), 0.0)
        return QueueMetrics(
            size=1 if waited else 0,
            oldest_age_seconds=waited,
            agents_online=1,
            agents_staffed=1,
            agents_available=0,
            expected_wait_seconds=waited + 60.0,
        )

    def at_capacity(self, queue: str) -> bool:
        return False


@dataclass
class CaseResult:
    """What ``civicline test`` reports for one case."""

    name: str
    file: str
    status: CaseStatus
    reason: str
    path: str = ""
    prompts: list[str] = field(default_factory=list)
    steps: list[tuple[str, str]] = field(default_factory=list)
    flows: list[str] = field(default_factory=list)
    logged: list[dict[str, str]] = field(default_factory=list)
    ended: str = ""
    seconds: float = 0.0

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "file": self.file,
            "status": self.status,
            "reason": self.reason,
            "path": self.path or None,
            "ended": self.ended,
            "prompts": list(self.prompts),
            "logged": list(self.logged),
            "seconds": round(self.seconds, 3),
        }


def _resource(event: ActionStarted) -> str | None:
    keys = RESOURCE_KEY.get(event.type)
    if keys is None:
        return None
    node: Any = event.resolved
    for key in keys:
        node = node.get(key) if isinstance(node, dict) else None
    if node is None and event.type == "CheckHoursOfOperation":
        return "%HOURS_MAIN%"
    return as_text(node) if node is not None else None


@dataclass
class CaseObserver(NoObserver):
    """Feeds the engine's actions and messages to the matcher and answers its overrides."""

    matcher: Matcher
    contact: ContactState
    center: TestCenter
    invoker: LambdaInvoker
    steps: list[tuple[str, str]] = field(default_factory=list)
    flow_attributes: dict[str, dict[str, str]] = field(default_factory=dict)
    consumed: list[str] = field(default_factory=list)

    def action_started(self, event: ActionStarted) -> None:
        self.steps.append((event.flow, event.identifier))
        if event.type == "UpdateFlowAttributes":
            attrs = event.resolved.get("FlowAttributes") or {}
            scope = self.flow_attributes.setdefault(event.flow, {})
            for key, value in attrs.items() if isinstance(attrs, dict) else ():
                scope[key] = as_text(value.get("Value") if isinstance(value, dict) else value)
        self.matcher.action(event.type, event.resolved, event.parameters)

    def message(self, text: str, event: ActionStarted) -> None:
        self.matcher.message(text)

    def override(self, event: ActionStarted) -> Outcome | None:
        if self.matcher.ended:
            return Outcome.end("DISCONNECT", detail="the test ended", reason="CONTACT_FLOW_DISCONNECT")
        if self.center.elapsed >= TEST_LIMIT_SECONDS:
            self.matcher.ended = True
            return Outcome.end("DISCONNECT", detail="Connect's five-minute test limit")
        if event.type == "MessageParticipantIteratively":
            self.center.advance(float(as_text(event.resolved.get("InterruptFrequencySeconds")) or 0))
        if event.type not in RESOURCE_KEY:
            return None
        resource = _resource(event)
        if resource is None and event.type == "TransferContactToQueue":
            resource = self.contact.queue_arn  # it transfers to the working queue
        found = self.matcher.take_override(event.type, resource)
        if found is None:
            return None
        self.consumed.append(found.identifier)
        return self._apply(found, event)

    # -- the overrides ------------------------------------------------------------------------
    def _apply(self, found: Override, event: ActionStarted) -> Outcome | None:
        if found.strategy == "SubstituteResource":
            return self._substitute(found, event)
        if found.response == "Error":
            assert found.value is not None
            return error_outcome(found.value)
        if event.type == "InvokeLambdaFunction":
            limit = float(as_text(event.resolved.get("InvocationTimeLimitSeconds")) or 8)
            if found.delay_seconds > limit:
                return error_outcome("TimeLimitExceeded")
            response_type = _response_type(event)
            return lambda_outcome(found.loaded_data or {}, response_type=response_type)
        if event.type == "CheckHoursOfOperation":
            return Outcome.ok("True" if found.value == "InHours" else "False")
        return self._lex(found.loaded_data or {})

    def _lex(self, data: dict[str, Any]) -> Outcome:
        """A mocked Lex answer: ``LoadedData`` is the ``$.Lex`` it leaves, its ``IntentName`` the
        result the action's conditions compare."""
        intent = as_text(data.get("IntentName") or data.get("intentName") or "")
        self.contact.lex = {"IntentName": intent, "Slots": {}, "SessionAttributes": {}, **data}
        return Outcome.ok(intent or None)

    def _substitute(self, found: Override, event: ActionStarted) -> Outcome | None:
        assert found.substitute is not None
        kind, _, name = canonical(found.substitute).partition(":")
        if event.type == "CheckHoursOfOperation":
            return Outcome.ok("True" if self.center.is_open(name or found.substitute) else "False")
        if event.type in ("TransferContactToQueue", "DequeueContactAndTransferToQueue"):
            self.contact.queue_arn = local_arn("QUEUE", name) if kind == "QUEUE" else found.substitute
            self.contact.queue_name = name or found.substitute
            if event.type == "TransferContactToQueue":
                return None
            self.contact.enqueued_at = self.center.now()
            return Outcome.end("QUEUE", detail=f"transferred to substitute queue {self.contact.queue_name}")
        if event.type == "InvokeLambdaFunction" and kind == "LAMBDA":
            raw = event.resolved.get("LambdaInvocationAttributes") or {}
            params = {str(k): as_text(v) for k, v in raw.items()} if isinstance(raw, dict) else {}
            limit = float(as_text(event.resolved.get("InvocationTimeLimitSeconds")) or 8)
            answer = self.invoker.invoke(
                name,
                lambda_event(self.contact, params),
                timeout_seconds=limit,
                response_type=_response_type(event),
            )
            if answer.result is None:
                return error_outcome("NoMatchingError")
            return lambda_outcome(answer.result, response_type=_response_type(event))
        return error_outcome("NoMatchingError")

    def data(self) -> dict[str, Any]:
        """The flow data an Assert reads: the contact's, with the current flow's flow attributes."""
        flow = self.steps[-1][0] if self.steps else ""
        return self.contact.flow_data(self.flow_attributes.get(flow))


def _response_type(event: ActionStarted) -> str:
    validation = event.resolved.get("ResponseValidation")
    if isinstance(validation, dict) and validation.get("ResponseType"):
        return str(validation["ResponseType"])
    return "STRING_MAP"


def _queue_flow(library: FlowLibrary, contact: ContactState) -> str | None:
    hooked = contact.event_hooks.get("CustomerQueue")
    flow = library.by_arn(hooked) if hooked else None
    if flow is not None:
        return flow.name
    return "customer-queue" if "customer-queue" in library else None


@dataclass
class CaseRun:
    """One case's contact (``run`` returns the verdict)."""

    case: TestCase
    library: FlowLibrary
    invoker: LambdaInvoker = field(default_factory=LambdaInvoker)
    caller_number: str = DEFAULT_CALLER
    results: list[CallResult] = field(default_factory=list)
    #: what the case's instance holds (a fresh empty store per case when not given)
    stores: LocalStores | None = None

    def run(self) -> tuple[str, str, CaseObserver]:
        case = self.case
        contact = ContactState(
            channel=case.channel,
            caller_number=case.source_number or self.caller_number,
            attributes=dict(case.attributes),
            initiated_at=TEST_START,
        )
        if case.destination_number:
            contact.system_number = case.destination_number
        center = TestCenter(contact, stores=self.stores or LocalStores())
        observer = CaseObserver(Matcher(case.document), contact, center, self.invoker)
        matcher = observer.matcher
        matcher.data = observer.data
        engine = Engine(self.library, invoker=self.invoker, center=center, observer=observer, max_loops=50)
        script = CallerScript(ask=lambda prompt: matcher.take_keys())
        flow = self.entry_flow()
        matcher.start()
        if not matcher.ended:
            # the contact's own state is kept so that Assert reads it live (run_queue_flow runs a flow
            # on a given contact; run_contact would make its own)
            self.results.append(engine.run_queue_flow(contact, flow=flow, caller=script, max_loops=50))
            queue_flow = _queue_flow(self.library, contact)
            if self.results[-1].how == "QUEUE" and not matcher.ended and queue_flow:
                self.results.append(
                    engine.run_queue_flow(contact, flow=queue_flow, caller=script, max_loops=50)
                )
        matcher.complete()
        status, reason = matcher.verdict()
        return status, reason, observer

    def entry_flow(self) -> str:
        flow = self.case.flow or DEFAULT_FLOW
        found = self.library.by_arn(canonical(flow).partition(":")[2] or flow)
        if found is None:
            found = self.library.by_arn(flow)
        if found is None:
            where = "$.EntryPoint" if self.case.shape == "CreateTestCase" else "$"
            have = ", ".join(self.library.names()) or "none"
            raise CaseError(f"the entry flow {flow!r} is not in the library (have: {have})", where)
        return found.name
