"""The day runner: callers through the real flows, handlers and tables, agents in a discrete-event queue.

Every inbound contact runs through ``main-inbound`` in the flow engine (which invokes the real Lambda
handlers against the local tables); a queued contact runs the ``customer-queue`` flow (virtual hold
offers come from the flow and the callback Lambda, not from the simulator); agents with skills,
languages and shifts answer in first-come-first-served order within their routing priority; callers
abandon when their patience runs out; virtual-hold callbacks keep the caller's place and are dialed
when an agent is free; scheduled callbacks are dialed by the real ``callback_dispatcher`` through a
simulated :class:`~functions.domain.callbacks.Dialer`; answered callers may take the post-call survey
(the disconnect flow and the survey Lambda); unresolved callers may call again. The contact events
(the engine's and the simulator's CONNECTED_TO_AGENT / DISCONNECTED / COMPLETED) go onto the local
event bus, where the deployed rule routes them to the real aggregator.

What the simulator does not model: time spent in the IVR (a contact reaches the queue at the instant
it called), agent whisper time, and transfers between agents.
"""

from __future__ import annotations

import contextlib
import io
import time
import tracemalloc
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from civicline.engine import CallerScript, CallResult, ContactState, Engine, FlowLibrary, LambdaInvoker
from civicline.engine.arns import local_arn, queue_key
from civicline.engine.events import contact_event, timestamp
from civicline.sim.callers import Caller, CallerFactory, DemoCredential
from civicline.sim.center import QueueState, SimCenter
from civicline.sim.fastmoto import fast_transactions
from civicline.sim.faults import FaultInjector, FaultPlan, throttled_dynamodb
from civicline.sim.kernel import Event, Simulation
from civicline.sim.planning import stream
from civicline.sim.truth import CaseBook, flag
from functions.domain.metrics import Rules
from schemas.profile import SimulationProfile, clock_seconds

ROOT = Path(__file__).resolve().parent.parent.parent
FLOWS_DIR = ROOT / "flows"
#: how often a waiting caller hears the queue flow again (its MessageParticipantIteratively interrupt)
QUEUE_FLOW_INTERVAL = 60.0
#: how often the scheduled-callback dispatcher runs (an EventBridge schedule in AWS)
DISPATCH_INTERVAL = 300.0
#: Lambda retries a failed asynchronous invocation twice, about 1 and 2 minutes later
DISPATCH_RETRY_DELAYS = (60.0, 120.0)
#: ring time of an unanswered callback dial
RING_SECONDS = 30.0
#: the share of the progress bar for the simulated day; the rest is the aggregation (events to
#: rollups), which takes about as long, so the bar reaches 100 % when the run is done
SIMULATE_SHARE = 0.45


@dataclass
class Agent:
    name: str
    group: str
    skills: list[str]
    languages: list[str]
    shift_start: float
    shift_end: float
    acw: float
    on_shift: bool = False
    contact: SimContact | None = None
    idle_since: float = 0.0
    handled: int = 0
    #: time spent on contacts within the shift (occupancy's numerator) and after it (overtime)
    busy_seconds: float = 0.0
    overtime_seconds: float = 0.0

    def work(self, start: float, seconds: float) -> None:
        """Book ``seconds`` of work from ``start``: the part inside the shift is busy time, the rest
        (finishing promised callbacks after the shift) overtime, so occupancy stays within [0, 1]."""
        inside = max(0.0, min(start + seconds, self.shift_end) - max(start, self.shift_start))
        self.busy_seconds += inside
        self.overtime_seconds += seconds - inside

    @property
    def arn(self) -> str:
        from civicline.local.aws import INSTANCE_ARN

        return f"{INSTANCE_ARN}/agent/{self.name}"


@dataclass
class SimContact:
    """A contact in the discrete-event model (an inbound call waiting, or a queued callback)."""

    caller: Caller
    state: ContactState
    queue: str
    language: str
    priority: float  # place in line: enqueue time (a virtual-hold callback keeps the caller's)
    enqueued: float
    kind: str = "INBOUND"  # or CALLBACK
    waiting: bool = False  # True while in a queue heap
    abandon: Event | None = None
    offered: bool = False
    attempts: int = 0
    max_attempts: int = 1
    retry_delay: float = 300.0
    scheduled_callback_id: str | None = None


@dataclass
class Truth:
    """What actually happened, counted by the simulator (the aggregator's figures are checked
    against these)."""

    counts: Counter[str] = field(default_factory=Counter)
    answer_wait_sum: float = 0.0
    callback_wait_sum: float = 0.0
    dropped: list[dict[str, Any]] = field(default_factory=list)
    lost_callbacks: list[str] = field(default_factory=list)

    def add(self, name: str, value: int = 1) -> None:
        self.counts[name] += value


@dataclass
class DayResult:
    profile: str
    seed: int
    truth: Truth
    #: the registry's counters over what really happened (civicline.sim.truth)
    truth_counters: dict[str, int]
    #: the aggregator's rules of the run (service level, repeat window, time zone)
    rules: Rules
    events: list[dict[str, Any]]
    delivered_events: int
    rollups: dict[tuple[str, str, str], dict[str, int]]
    day_rows: list[Any]
    interval_rows: list[Any]
    dashboard_html: str
    faults: FaultPlan
    injected: dict[str, int]
    backoff_skipped_seconds: float
    timings: dict[str, float]
    agents: list[Agent]
    peak_memory_bytes: int = 0
    engine_runs: int = 0
    lambda_calls: int = 0


ProgressFn = Callable[[float], None]


def demo_credentials() -> list[DemoCredential]:
    from civicline.data.demo import demo_cases

    return [DemoCredential(c.case_number, c.pin) for c in demo_cases()]


class DayRunner:
    """One simulated day on an already-entered :class:`civicline.local.aws.LocalAws`."""

    def __init__(
        self,
        profile: SimulationProfile,
        seed: int,
        aws: Any,
        *,
        calls: int | None = None,
        hours: float | None = None,
        faults: FaultPlan | None = None,
        library: FlowLibrary | None = None,
        progress: ProgressFn | None = None,
    ) -> None:
        self.profile = profile
        self.seed = seed
        self.aws = aws
        self.calls = calls
        self.faults = faults or FaultPlan()
        self.injector = FaultInjector(self.faults, seed)
        self.progress = progress
        self.sim = Simulation()
        self.open_s = clock_seconds(profile.open)
        self.close_s = clock_seconds(profile.close)
        if hours is not None:
            self.close_s = min(self.close_s, self.open_s + hours * 3600.0)
        self.midnight = SimCenter.midnight_of(profile.day, profile.time_zone)
        self.queues: dict[str, QueueState] = {}
        self.agents = self._agents()
        self.center = SimCenter(
            self.sim,
            midnight=self.midnight,
            open_seconds=self.open_s,
            close_seconds=self.close_s,
            queues=self.queues,
            agents=self.agents,
        )
        self.events: list[dict[str, Any]] = []
        self.library = library or FlowLibrary.from_directory(FLOWS_DIR)
        self.invoker = LambdaInvoker(
            fault=self.injector.lambda_fault if self.faults.changes_outcomes else None
        )
        self.engine = Engine(
            self.library, invoker=self.invoker, center=self.center, events=self.events.append, seed=seed
        )
        self.truth = Truth()
        self.book = CaseBook()
        self._seq = 0
        self.engine_runs = 0
        self.factory: CallerFactory | None = None
        self.callbacks_by_id: dict[str, SimContact] = {}
        self.callers_by_number: dict[str, Caller] = {}
        self.dial_rng = stream(seed, "dialer")
        #: callback ids the callback function confirmed to a caller (CREATED / EXISTING)
        self.promised: set[str] = set()
        #: the scheduled-callback contact each ClientToken started (Connect's idempotency)
        self.dialed_tokens: dict[str, SimContact] = {}
        self.last_arrival = self.close_s

    # -- set-up ------------------------------------------------------------------------------
    def _agents(self) -> list[Agent]:
        agents = []
        for group in self.profile.agents:
            for i in range(group.count):
                agents.append(
                    Agent(
                        name=f"{group.name}-{i + 1:03d}",
                        group=group.name,
                        skills=list(group.skills),
                        languages=list(group.languages),
                        shift_start=clock_seconds(group.shift.start),
                        shift_end=min(clock_seconds(group.shift.end), self.close_s),
                        acw=group.after_call_work_seconds,
                    )
                )
        return agents

    def _schedule_shift(self, agent: Agent) -> None:
        self.sim.at(max(0.0, agent.shift_start), lambda: self._shift_start(agent))
        self.sim.at(max(agent.shift_start, agent.shift_end), lambda: self._shift_end(agent))

    def queue(self, name: str) -> QueueState:
        if name not in self.queues:
            self.queues[name] = QueueState(name)
        return self.queues[name]

    # -- the run -------------------------------------------------------------------------------
    def run(self) -> DayResult:
        from civicline.data import seed_demo as seed_data
        from functions.core.clock import set_clock

        timings: dict[str, float] = {}
        started = time.perf_counter()
        seed_data(self.midnight.astimezone(UTC))
        self.factory = CallerFactory(self.profile, self.seed, demo_credentials())
        callers = [c for c in self.factory.first_calls(self.calls) if c.arrival < self._last_arrival()]
        self.last_arrival = self._last_arrival()
        for caller in callers:
            self._schedule_arrival(caller)
        for agent in self.agents:
            self._schedule_shift(agent)
        self.sim.at(self.open_s, self._dispatch_scheduled)
        horizon = self.last_arrival
        if self.progress is not None:
            step = max(60.0, (horizon - self.sim.now) / 200.0)
            self._tick(step, horizon)
        timings["setup"] = time.perf_counter() - started
        started = time.perf_counter()
        set_clock(self.center.now)
        backoff = 0.0
        try:
            with ExitStack() as stack:
                if self.faults.ddb_throttle:
                    shim = stack.enter_context(throttled_dynamodb(self.injector))
                self.sim.run()
                if self.faults.ddb_throttle:
                    backoff = shim.skipped
            self._find_lost_callbacks()
            from functions.handlers.contact_events import rules_from_settings

            rules = rules_from_settings()
            truth_counters = self.book.counters(rules)
        finally:
            set_clock(None)
        timings["simulate"] = time.perf_counter() - started
        if self.progress is not None:
            self.progress(SIMULATE_SHARE)
        started = time.perf_counter()
        delivered = self.injector.deliver(self.events)
        progress = self.progress

        def aggregated(fraction: float) -> None:
            if progress is not None:
                progress(SIMULATE_SHARE + (1 - SIMULATE_SHARE) * fraction)

        # the aggregator prints its CloudWatch EMF metrics to stdout, as Lambda expects; not here
        with contextlib.redirect_stdout(io.StringIO()):
            self.truth.add("dead_letters", publish_and_aggregate(self.aws, delivered, progress=aggregated))
        timings["aggregate"] = time.perf_counter() - started
        rollups, day_rows, interval_rows, html = read_metrics(self.center.at(self.close_s))
        if self.progress is not None:
            self.progress(1.0)
        return DayResult(
            profile=self.profile.name,
            seed=self.seed,
            truth=self.truth,
            truth_counters=truth_counters,
            rules=rules,
            events=self.events,
            delivered_events=len(delivered),
            rollups=rollups,
            day_rows=day_rows,
            interval_rows=interval_rows,
            dashboard_html=html,
            faults=self.faults,
            injected=dict(self.injector.injected),
            backoff_skipped_seconds=backoff,
            timings=timings,
            agents=self.agents,
            engine_runs=self.engine_runs,
            lambda_calls=self.invoker.calls,
        )

    def _last_arrival(self) -> float:
        """Arrivals stop at closing (or --hours); after-hours callers before opening still come."""
        if self.profile.after_hours_share and self.close_s >= clock_seconds(self.profile.close):
            return self.close_s + 7200.0
        return self.close_s

    def _tick(self, step: float, horizon: float) -> None:
        def tick() -> None:
            assert self.progress is not None
            self.progress(SIMULATE_SHARE * min(1.0, max(0.0, self.sim.now / horizon)))
            if self.sim.now + step < horizon:
                self.sim.after(step, tick)

        self.sim.at(self.sim.now, tick)

    # -- arrivals and the IVR ---------------------------------------------------------------------
    def _schedule_arrival(self, caller: Caller) -> None:
        self.callers_by_number.setdefault(caller.number, caller)
        self.sim.at(caller.arrival, lambda: self._arrive(caller))

    def _run(self, flow: str, caller: Caller, script: list[str], **kwargs: Any) -> CallResult:
        self.engine_runs += 1
        result = self.engine.run_contact(
            flow,
            CallerScript(script),
            caller_number=caller.number,
            language="en-US" if caller.language == "en" else "es-US",
            **kwargs,
        )
        self._note_promises(result)
        return result

    def _note_promises(self, result: CallResult) -> None:
        """Remember every callback the callback function confirmed (checked against the table)."""
        for call in result.lambda_calls:
            answer = call.get("result") or {}
            if call.get("function") == "callback" and answer.get("result") in ("CREATED", "EXISTING"):
                self.promised.add(str(answer.get("callbackId") or ""))

    def _arrive(self, caller: Caller) -> None:
        from functions.core.privacy import pseudonymize

        self.truth.add("inbound")
        if caller.repeat_of:
            self.truth.add("repeat_calls")
        open_now = self.center.is_open("main")
        script = caller.script
        if not open_now:
            self.truth.add("after_hours")
            # the closed message offers a callback window: 1 = morning, 2 = afternoon
            choice = ("1" if caller.index % 2 else "2") if caller.accepts_callback else ""
            script = [script[0], choice] if choice else [script[0]]
        result = self._run(
            "main-inbound",
            caller,
            script,
            contact_id=caller.contact_id,
            attributes={"callerKey": pseudonymize(caller.number)},
        )
        ended = result.ended
        how = ended.get("how")
        scheduled = self._scheduled_callback(result)
        self._record_ivr(caller, result, self._scheduled_callback(result, created_only=True) is not None)
        if how == "QUEUE" and ended.get("queue"):
            self._enqueue_inbound(
                caller, result.contact, queue_key(str(ended["queue"])) or str(ended["queue"])
            )
            return
        if how == "TRANSFER_PHONE":
            self.truth.add("redirected")
        elif scheduled:
            self.truth.add("scheduled_callbacks")
        elif result.attributes.get("selfService") == "true":
            self.truth.add("contained")
        elif not open_now and how == "DISCONNECT":
            self.truth.add("closed_no_callback")
        elif how == "DISCONNECT" and not caller.wants_agent and not result.contact.queue_name:
            self.truth.add("ended_by_caller_choice")
        else:
            self._dropped(caller, result, "ended in the IVR without service")
        self._maybe_repeat(caller, self.sim.now, abandoned=False)

    def _record_ivr(self, caller: Caller, result: CallResult, scheduled: bool) -> None:
        """The ground truth of the IVR part of a call (see civicline.sim.truth)."""
        case = self.book[caller.contact_id]
        attrs = result.attributes
        ended = result.ended
        how = ended.get("how")
        case.callback_offered = case.callback_offered or flag(attrs.get("callbackOffered")) is True
        case.self_service = flag(attrs.get("selfService"))
        case.courtesy = flag(attrs.get("courtesyDisconnect")) is True
        case.callback_accepted = case.callback_accepted or scheduled or bool(attrs.get("callbackId"))
        redirect = attrs.get("intent") == "REDIRECT" and bool(attrs.get("officeId")) and how != "QUEUE"
        reason = str(ended.get("reason") or "CONTACT_FLOW_DISCONNECT")
        case.transferred_out = (
            bool(attrs.get("transferredTo")) or redirect or reason == "THIRD_PARTY_DISCONNECT"
        )
        if how in ("DISCONNECT", "CALLBACK", "ERROR", "TRANSFER_PHONE"):
            case.disconnected = True
            case.flow_ended = reason == "CONTACT_FLOW_DISCONNECT"
        key, intent = attrs.get("callerKey"), attrs.get("intent")
        started = result.contact.initiated_at
        if key and intent and started is not None:
            self.book.caller_contact(key, intent, caller.contact_id, started)

    def _dropped(self, caller: Caller, result: CallResult, reason: str) -> None:
        self.truth.add("dropped")
        self.truth.dropped.append(
            {
                "contact_id": caller.contact_id,
                "intent": caller.intent,
                "how": result.ended.get("how"),
                "detail": result.ended.get("detail"),
                "flow": result.ended.get("flow"),
                "reason": reason,
                "lambda_errors": [c.get("error") for c in result.lambda_calls if c.get("error")],
            }
        )

    @staticmethod
    def _scheduled_callback(result: CallResult, *, created_only: bool = False) -> str | None:
        """The scheduled callback the call booked (or found already booked: EXISTING, unless
        ``created_only``: an EXISTING answer is another contact's request, not this one's)."""
        accepted = ("CREATED",) if created_only else ("CREATED", "EXISTING")
        for call in result.lambda_calls:
            res = call.get("result") or {}
            params = call.get("parameters") or {}
            if (
                call.get("function") == "callback"
                and params.get("mode") == "SCHEDULED"
                and res.get("result") in accepted
            ):
                return str(res.get("callbackId") or "")
        return None

    # -- the queue ----------------------------------------------------------------------------
    def _enqueue_inbound(self, caller: Caller, state: ContactState, queue: str) -> None:
        self.truth.add("queued")
        case = self.book[caller.contact_id]
        case.queued = True
        case.enqueued_at = state.enqueued_at or self.center.now()
        contact = SimContact(caller, state, queue, caller.language, self.sim.now, self.sim.now)
        q = self.queue(queue)
        q.mean_handle = 0.9 * q.mean_handle + 0.1 * caller.aht_seconds
        if self._offer_to_agent(contact):
            return
        self._push(contact)
        contact.abandon = self.sim.after(caller.patience_seconds, lambda: self._abandon(contact))
        if self.profile.callbacks.virtual_hold:
            self._queue_flow(contact)

    def _push(self, contact: SimContact) -> None:
        self._seq += 1
        contact.waiting = True
        self.queue(contact.queue).push(contact, self._seq)

    def _queue_flow(self, contact: SimContact) -> None:
        """The customer-queue flow, as Connect plays it to a waiting caller (offers come from it)."""
        if not contact.waiting:
            return
        caller = contact.caller
        script = ["1"] if caller.accepts_callback else []
        self.engine_runs += 1
        result = self.engine.run_queue_flow(
            contact.state, "customer-queue", CallerScript(script), center=self.center, max_loops=0
        )
        self._note_promises(result)
        offered = contact.state.attributes.get("callbackOffered") == "true"
        case = self.book[contact.state.contact_id]
        if offered and not contact.offered:
            contact.offered = True
            case.callback_offered = True
        how = result.ended.get("how")
        if how in ("DISCONNECT", "ERROR", "TRANSFER_PHONE", "CALLBACK"):
            case.left_queue(self.center.now())
            case.flow_ended = (
                str(result.ended.get("reason") or "CONTACT_FLOW_DISCONNECT") == "CONTACT_FLOW_DISCONNECT"
            )
            case.callback_accepted = (
                case.callback_accepted
                or how == "CALLBACK"
                or self._scheduled_callback(result, created_only=True) is not None
            )
        if how == "CALLBACK":
            self._leave_queue(contact)
            info = result.ended.get("callback") or {}
            delay = float(info.get("delay_seconds") or 0)
            self.sim.after(delay, lambda: self._create_callback(contact, info))
            return
        if how in ("DISCONNECT", "ERROR", "TRANSFER_PHONE"):
            self._leave_queue(contact)
            if self._scheduled_callback(result):
                self.truth.add("scheduled_callbacks")  # counted as accepted in the case above
            else:
                self._dropped(caller, result, "left the queue flow without service")
            return
        if not contact.offered:  # still waiting, no offer yet: Connect replays the flow
            self.sim.after(QUEUE_FLOW_INTERVAL, lambda: self._queue_flow(contact))

    def _leave_queue(self, contact: SimContact) -> None:
        if contact.waiting:
            contact.waiting = False
            self.queue(contact.queue).size -= 1
        if contact.abandon is not None:
            contact.abandon.cancel()
            contact.abandon = None

    def _abandon(self, contact: SimContact) -> None:
        if not contact.waiting:
            return
        self._leave_queue(contact)
        self.book[contact.state.contact_id].left_queue(self.center.now())
        self.events.append(
            contact_event(
                "DISCONNECTED",
                contact.state,
                now=self.center.now(),
                disconnectReason="CUSTOMER_DISCONNECT",
            )
        )
        self._maybe_repeat(contact.caller, self.sim.now, abandoned=True)

    # -- callbacks ----------------------------------------------------------------------------
    def _callback_state(self, original: ContactState, queue: str, contact_id: str) -> ContactState:
        now = self.center.now()
        return ContactState(
            contact_id=contact_id,
            previous_contact_id=original.contact_id,
            caller_number=original.caller_number,
            initiation_method="CALLBACK",
            language=original.language,
            attributes=dict(original.attributes),
            initiated_at=now,
            queue_arn=local_arn("QUEUE", queue),
            queue_name=queue,
            enqueued_at=now,
            event_hooks=dict(original.event_hooks),
        )

    def _create_callback(self, original: SimContact, info: dict[str, Any]) -> None:
        """Connect's queued callback: a new CALLBACK contact in the queue, in the caller's old place."""
        import uuid

        queue = queue_key(str(info.get("queue") or original.queue)) or original.queue
        contact_id = str(
            uuid.uuid5(uuid.NAMESPACE_URL, f"civicline:sim-callback:{original.state.contact_id}")
        )
        state = self._callback_state(original.state, queue, contact_id)
        contact = SimContact(
            original.caller,
            state,
            queue,
            original.language,
            priority=original.priority,
            enqueued=original.enqueued,
            kind="CALLBACK",
            max_attempts=int(info.get("max_attempts") or 1),
            retry_delay=float(info.get("retry_delay_seconds") or 300),
        )
        self.callbacks_by_id[contact_id] = contact
        self.events.append(contact_event("INITIATED", state, now=self.center.now()))
        self.events.append(contact_event("QUEUED", state, now=self.center.now()))
        if not self._offer_to_agent(contact):
            self._push(contact)

    def _dial(self, agent: Agent, contact: SimContact) -> bool:
        """An agent is free for a callback: dial the caller; False when nobody answers."""
        contact.attempts += 1
        case = self.book[contact.state.previous_contact_id or contact.state.contact_id]
        case.callback_dialed = True
        answers = contact.caller.answers_callback
        answered = answers[min(contact.attempts - 1, len(answers) - 1)]
        if answered:
            case.callback_connected = True
            return True
        if contact.attempts >= contact.max_attempts:
            self.truth.add("callbacks_not_reached")
            self.events.append(
                contact_event(
                    "DISCONNECTED",
                    contact.state,
                    now=self.center.at(self.sim.now + RING_SECONDS),
                    disconnectReason="CUSTOMER_CONNECTION_NOT_ESTABLISHED",
                )
            )
            self.callbacks_by_id.pop(contact.state.contact_id, None)
        else:
            retry = self.sim.now + RING_SECONDS + contact.retry_delay

            def again() -> None:
                if not self._offer_to_agent(contact):
                    self._push(contact)

            self.sim.at(retry, again)
        # the agent spent the ring time on the attempt
        agent.contact = contact
        agent.work(self.sim.now, RING_SECONDS)
        self.sim.after(RING_SECONDS, lambda: self._agent_free(agent))
        return False

    def _dispatch_scheduled(self, retry: int = 0) -> None:
        """The real callback_dispatcher, with a dialer that puts CALLBACK contacts into this queue."""
        from botocore.exceptions import ClientError

        from functions.core.errors import DependencyError
        from functions.domain.callbacks import TokenBucket
        from functions.handlers.callback_dispatcher import dispatch

        clock = [0.0]

        def advance(seconds: float) -> None:
            clock[0] += seconds

        bucket = TokenBucket(2.0, 5.0, clock=lambda: clock[0], sleep=advance)
        following = min(self.sim.now + DISPATCH_INTERVAL, self.close_s)  # a last run at closing
        if not retry and following > self.sim.now:  # the schedule goes on whatever this run does
            self.sim.at(following, self._dispatch_scheduled)
        # the drill throttles the dispatcher's table too; a run that fails (its due-list query
        # throttled) is retried as Lambda retries an async invocation: after 1, then 2 minutes
        try:
            summary = dispatch(_SimDialer(self), at=self.center.now(), bucket=bucket, limit=100)
        except (ClientError, DependencyError):
            self.truth.add("dispatcher_failures")
            if retry < len(DISPATCH_RETRY_DELAYS):
                self.sim.after(DISPATCH_RETRY_DELAYS[retry], lambda: self._dispatch_scheduled(retry + 1))
            return
        self.truth.add("scheduled_dialed", summary.claimed)

    def _find_lost_callbacks(self) -> None:
        """Callbacks promised but never completed: virtual-hold contacts never dialed to the end,
        and scheduled requests due before closing that are still pending."""
        for contact_id, contact in self.callbacks_by_id.items():
            if contact.waiting or contact.attempts == 0:
                self.truth.lost_callbacks.append(contact_id)
        from functions.adapters import callbacks

        for request in callbacks.due(self.center.at(self.close_s), 1000):
            self.truth.lost_callbacks.append(request.callback_id)
        # a caller told CREATED (or EXISTING) must have a stored request: checked against the table
        for callback_id in sorted(self.promised):
            if callbacks.get_request(callback_id) is None:
                self.truth.lost_callbacks.append(callback_id)
                self.truth.add("callbacks_promised_not_stored")
        self.truth.add("callbacks_lost", len(self.truth.lost_callbacks))

    # -- agents -------------------------------------------------------------------------------
    def _shift_start(self, agent: Agent) -> None:
        agent.on_shift = True
        agent.idle_since = self.sim.now
        if agent.contact is None:
            self._next_for(agent)

    def _shift_end(self, agent: Agent) -> None:
        agent.on_shift = False

    def _eligible(self, agent: Agent, contact: SimContact) -> bool:
        if contact.queue not in agent.skills or contact.language not in agent.languages:
            return False
        # after the shift an agent only finishes promised callbacks
        return agent.on_shift or (contact.kind == "CALLBACK" and self.sim.now >= agent.shift_start)

    def _offer_to_agent(self, contact: SimContact) -> bool:
        """Give ``contact`` to the longest-idle eligible agent, if any is free."""
        best: Agent | None = None
        for agent in self.agents:
            eligible = agent.contact is None and self._eligible(agent, contact)
            if eligible and (best is None or agent.idle_since < best.idle_since):
                best = agent
        if best is None:
            return False
        self._connect(best, contact)
        return True

    def _next_for(self, agent: Agent) -> None:
        """The free agent takes the oldest contact of its highest-priority skill with anyone waiting."""
        for skill in agent.skills:
            state = self.queues.get(skill)
            if state is None or state.size <= 0:
                continue
            chosen: SimContact | None = None
            for language in agent.languages:
                top = state.top(language)
                better = top is not None and (chosen is None or top.priority < chosen.priority)
                if better and top is not None and self._eligible(agent, top):
                    chosen = top
            if chosen is not None:
                state.pop(chosen.language)
                chosen.waiting = False
                if chosen.abandon is not None:
                    chosen.abandon.cancel()
                    chosen.abandon = None
                self._connect(agent, chosen)
                return

    def _connect(self, agent: Agent, contact: SimContact) -> None:
        if contact.waiting:
            self._leave_queue(contact)
        contact.waiting = False
        if contact.kind == "CALLBACK" and not self._dial(agent, contact):
            return
        caller = contact.caller
        wait = self.sim.now - contact.enqueued
        agent.contact = contact
        agent.handled += 1
        now = self.center.now()
        agent_info = {"agentArn": agent.arn, "connectedToAgentTimestamp": timestamp(now)}
        if contact.kind == "CALLBACK":
            self.truth.callback_wait_sum += wait
            self.callbacks_by_id.pop(contact.state.contact_id, None)
        else:
            self.truth.answer_wait_sum += wait
            self.book[contact.state.contact_id].answered(now)
        self.events.append(contact_event("CONNECTED_TO_AGENT", contact.state, now=now, agentInfo=agent_info))
        handle = caller.aht_seconds
        agent.work(self.sim.now, handle)
        self.sim.after(handle, lambda: self._hang_up(agent, contact, agent_info))

    def _hang_up(self, agent: Agent, contact: SimContact, agent_info: dict[str, Any]) -> None:
        caller = contact.caller
        now = self.center.now()
        # who hangs up: the customer, or the agent (then the customer is still on the line)
        reason = "CUSTOMER_DISCONNECT" if caller.index % 3 else "AGENT_DISCONNECT"
        self.events.append(
            contact_event(
                "DISCONNECTED", contact.state, now=now, disconnectReason=reason, agentInfo=agent_info
            )
        )
        self.book[contact.state.previous_contact_id or contact.state.contact_id].disconnected = True
        # Connect runs the disconnect flow only for a customer still on the line: the agent ended it
        survey_possible = reason == "AGENT_DISCONNECT" and "CustomerRemaining" in contact.state.event_hooks
        if survey_possible:
            self.truth.add("surveys_offerable")
        if caller.takes_survey and survey_possible:
            result = self._run(
                "post-call-survey",
                caller,
                caller.survey_keys,
                contact_id=contact.state.contact_id,
                attributes=dict(contact.state.attributes),
                initiation_method="DISCONNECT",
                disconnect_reason="CUSTOMER_DISCONNECT" if caller.index % 3 else "AGENT_DISCONNECT",
            )
            outcome = next(
                (
                    (c.get("result") or {}).get("result")
                    for c in result.lambda_calls
                    if c["function"] == "survey"
                ),
                None,
            )
            self.truth.add(f"surveys_{str(outcome).lower()}")
        acw_end = self.center.at(self.sim.now + agent.acw)
        completed_info = {
            **agent_info,
            "afterContactWorkStartTimestamp": timestamp(now),
            "afterContactWorkEndTimestamp": timestamp(acw_end),
            "afterContactWorkDuration": agent.acw,
        }

        def complete() -> None:
            self.events.append(
                contact_event("COMPLETED", contact.state, now=acw_end, agentInfo=completed_info)
            )
            self._agent_free(agent)

        agent.work(self.sim.now, agent.acw)
        self.sim.after(agent.acw, complete)
        self._maybe_repeat(caller, self.sim.now, abandoned=False)

    def _agent_free(self, agent: Agent) -> None:
        agent.contact = None
        agent.idle_since = self.sim.now
        self._next_for(agent)

    # -- repeat callers -----------------------------------------------------------------------
    def _maybe_repeat(self, caller: Caller, leaves_at: float, *, abandoned: bool) -> None:
        assert self.factory is not None
        if abandoned:
            caller.resolved = False
        again = self.factory.repeat(caller, leaves_at)
        if again is not None and again.arrival < self.last_arrival:
            self._schedule_arrival(again)


class _SimDialer:
    """The ``Dialer`` the real dispatcher calls: the callback becomes a CALLBACK contact in the DES."""

    def __init__(self, runner: DayRunner) -> None:
        self.runner = runner

    def dial(self, request: Any) -> Any:
        import uuid

        from functions.domain.callbacks import DialResult, client_token

        runner = self.runner
        token = client_token(request)
        started = runner.dialed_tokens.get(token)
        if started is not None and started.state.contact_id in runner.callbacks_by_id:
            # Connect: "if a contact is already started, the contact ID is returned"
            return DialResult("CONNECTED", started.state.contact_id)
        caller = runner.callers_by_number.get(request.callback_number)
        answered = (
            caller.answers_callback[len(request.attempts)]
            if caller is not None and len(request.attempts) < len(caller.answers_callback)
            else runner.dial_rng.random() < runner.profile.callbacks.answer_rate
        )
        case = runner.book[request.contact_id]
        case.callback_accepted = case.callback_dialed = True
        if caller is None or not answered:
            return DialResult("NO_ANSWER")
        case.callback_connected = True
        contact_id = str(uuid.uuid5(uuid.NAMESPACE_URL, f"civicline:sim-scheduled:{request.callback_id}"))
        original = ContactState(
            contact_id=request.contact_id,
            caller_number=request.callback_number,
            attributes={"intent": request.intent or ""},
            language="en-US" if request.language == "en" else "es-US",
        )
        state = runner._callback_state(original, request.queue, contact_id)
        contact = SimContact(
            caller,
            state,
            request.queue,
            request.language,
            priority=runner.sim.now,
            enqueued=runner.sim.now,
            kind="CALLBACK",
            attempts=0,
            max_attempts=1,
            scheduled_callback_id=request.callback_id,
        )
        # the dispatcher counted the dial; the customer is on the line waiting for an agent
        contact.caller = _answering(caller)
        runner.truth.add("scheduled_connected")
        runner.callbacks_by_id[contact_id] = contact
        runner.dialed_tokens[token] = contact
        runner.events.append(contact_event("INITIATED", state, now=runner.center.now()))
        runner.events.append(contact_event("QUEUED", state, now=runner.center.now()))
        if not runner._offer_to_agent(contact):
            runner._push(contact)
        return DialResult("CONNECTED", contact_id)


def _answering(caller: Caller) -> Caller:
    """The same caller, who has already answered the scheduled callback's dial."""
    from dataclasses import replace

    return replace(caller, answers_callback=[True] * len(caller.answers_callback))


#: events put on the bus between two pumps (moto's SQS slows down with the queue's length)
PUBLISH_CHUNK = 400
#: the aggregator's SQS batch size (its event source mapping)
BATCH_SIZE = 100


def envelope(detail: dict[str, Any], index: int) -> dict[str, Any]:
    """The EventBridge envelope Amazon Connect's event arrives in (what the rule hands to SQS)."""
    import uuid

    from civicline.local.aws import ACCOUNT, INSTANCE_ARN, REGION
    from schemas.contact_events import DETAIL_TYPE, SOURCE

    stamp = detail.get("disconnectTimestamp") or detail.get("initiationTimestamp") or "1970-01-01T00:00:00Z"
    return {
        "version": "0",
        "id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"civicline:event:{index}:{detail.get('contactId')}")),
        "detail-type": DETAIL_TYPE,
        "source": SOURCE,
        "account": ACCOUNT,
        "time": str(stamp)[:19] + "Z",
        "region": REGION,
        "resources": [INSTANCE_ARN],
        "detail": detail,
    }


def publish_and_aggregate(
    aws: Any, events: list[dict[str, Any]], *, via_bus: bool = False, progress: ProgressFn | None = None
) -> int:
    """Deliver the contact events to the real aggregator handler; returns the dead-lettered count.

    ``via_bus``: put them on the local EventBridge bus, whose rule routes them to the SQS queue the
    pump drains (the whole deployed path, but moto's EventBridge and SQS cost tens of milliseconds an
    event). Default: hand the aggregator the same SQS batches of EventBridge envelopes directly.
    Either way the survey and callback tables are then replayed as their DynamoDB streams would.
    """
    from civicline.metrics.pipeline import pump, sqs_batch
    from functions.handlers.contact_events import handler

    dead = 0
    if via_bus:
        for start in range(0, len(events), PUBLISH_CHUNK):
            aws.put_contact_events(events[start : start + PUBLISH_CHUNK])
            dead += len(pump(aws, tables=False).dead_letters)
    else:
        envelopes = [envelope(detail, i) for i, detail in enumerate(events)]
        for start in range(0, len(envelopes), BATCH_SIZE):
            batch = sqs_batch(envelopes[start : start + BATCH_SIZE])
            for _ in range(3):  # the event source mapping re-delivers reported failures
                response = handler(batch, None)
                failed = {f["itemIdentifier"] for f in response.get("batchItemFailures", [])}
                batch = {"Records": [r for r in batch["Records"] if r["messageId"] in failed]}
                if not batch["Records"]:
                    break
            dead += len(batch["Records"])
            if progress is not None:
                progress(0.9 * min(1.0, (start + BATCH_SIZE) / max(1, len(envelopes))))
    dead += len(pump(aws, tables=True).dead_letters)
    return dead


def read_metrics(
    generated: datetime,
) -> tuple[dict[tuple[str, str, str], dict[str, int]], list[Any], list[Any], str]:
    """Every rollup (for drift checks), the day rows, the ALL intervals and the dashboard HTML."""
    from civicline.metrics import dashboard
    from civicline.metrics.queries import open_store, query
    from schemas.records import Grain

    store = open_store()
    rollups: dict[tuple[str, str, str], dict[str, int]] = {}
    day_rows = []
    interval_rows = []
    for grain in (Grain.INTERVAL, Grain.DAY, Grain.QUARTER):
        rows = query(store, grain=grain)
        for row in rows:
            r = row.rollup
            # the registry's counter names and A-11 keys (the aggregator's own spelling)
            counters = {k: int(v) for k, v in row.counters().items() if v}
            rollups[(r.queue, grain.value, r.period)] = counters
        if grain is Grain.DAY:
            day_rows = rows
        if grain is Grain.INTERVAL:
            interval_rows = [row for row in rows if row.rollup.queue == "ALL"]
    html = dashboard.build(store, generated=generated)
    return rollups, day_rows, interval_rows, html


@contextmanager
def quiet_logs() -> Iterator[None]:
    """Drills make the functions log their (expected) failures: keep the console for the summary."""
    import logging

    root = logging.getLogger()
    saved = root.level
    names = ["civicline", "functions", "botocore", "aws_lambda_powertools"]
    loggers = [logging.getLogger(n) for n in names]
    levels = [lg.level for lg in loggers]
    for lg in loggers:
        lg.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        root.setLevel(saved)
        for lg, level in zip(loggers, levels, strict=True):
            lg.setLevel(level)


def run_day(
    profile: SimulationProfile,
    seed: int,
    *,
    calls: int | None = None,
    hours: float | None = None,
    faults: FaultPlan | None = None,
    progress: ProgressFn | None = None,
    measure_memory: bool = False,
    prefix: str = "civicline-sim",
) -> DayResult:
    """Run one day on a fresh in-process local AWS (moto) and return what happened."""
    import os
    import sys

    from civicline.local.aws import LocalAws

    # the functions log the failures a drill provokes; the summary reports them instead
    os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "CRITICAL")
    extra = {"SERVICE_LEVEL_SECONDS": str(int(profile.service_level_seconds)), "TIME_ZONE": profile.time_zone}
    # moto deep-copies the parsed tree of an UpdateExpression; the aggregator's long ADD lists nest
    # deeper than Python's default recursion limit allows
    saved_limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(saved_limit, 20_000))
    if measure_memory:
        tracemalloc.start()
    try:
        with LocalAws(prefix=prefix, extra_env=extra) as aws, quiet_logs(), fast_transactions():
            result = DayRunner(
                profile, seed, aws, calls=calls, hours=hours, faults=faults, progress=progress
            ).run()
        if measure_memory:
            result.peak_memory_bytes = tracemalloc.get_traced_memory()[1]
    finally:
        sys.setrecursionlimit(saved_limit)
        if measure_memory:
            tracemalloc.stop()
    return result


def at_local(profile: SimulationProfile, seconds: float) -> datetime:
    return SimCenter.midnight_of(profile.day, profile.time_zone) + timedelta(seconds=seconds)
