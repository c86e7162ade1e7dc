"""The day runner: callers through the real flows, handlers and tables, agents in a discrete-event queue.

Every caller is one process (civicline.sim.life) that reads top to bottom: arrive, the inbound flow
(``main-inbound`` in the flow engine, which invokes the real Lambda handlers against the local
tables), the queue (the ``customer-queue`` flow's virtual-hold offers come from the flow and the
callback Lambda, not from the simulator), abandon or answer, a callback, the post-call survey (the
disconnect flow and the survey Lambda), and maybe a repeat call. Every agent is a process too
(civicline.sim.agents): skills, languages and shifts, first come first served within the routing
priority (civicline.sim.routing). Scheduled callbacks are dialed by the real ``callback_dispatcher``
(civicline.sim.callbacks). The contact events go to the real aggregator while the day runs, in
bounded batches (civicline.sim.delivery), so memory does not grow with the day; for the same reason
the callers are drawn as the day reaches them (civicline.sim.callers.FirstCalls: a source process per
channel starts each caller's process at their arrival, with the draws of a plan made at the start).

Chat customers are the same caller process on the CHAT channel (typed messages, no queue-flow
offers); e-mails run the inbound-email flow and the triage function (civicline.sim.email_day).
Agents take contacts by their group's routing profile: channels and concurrency
(civicline.sim.routing).

What the simulator does not model: time spent in the IVR (a contact reaches the queue at the instant
it called), agent whisper time, and transfers between agents.
"""

from __future__ import annotations

import time
import tracemalloc
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Protocol

from civicline.engine import Engine, FlowLibrary, LambdaInvoker
from civicline.sim.agents import agent_life, start_work
from civicline.sim.callbacks import dispatcher, find_lost_callbacks
from civicline.sim.callers import Caller, CallerFactory, CallerRegister, DemoCredential, FirstCalls
from civicline.sim.center import SimCenter
from civicline.sim.cold_items import rest_cold_items
from civicline.sim.delivery import EventLog, EventStream, envelope, publish_and_aggregate, read_metrics
from civicline.sim.email_day import backlog as email_backlog
from civicline.sim.email_day import email_life, email_plan, run_start
from civicline.sim.fastkdf import remembered_scrypt
from civicline.sim.fastmoto import fast_transactions
from civicline.sim.faults import FaultInjector, FaultPlan, throttled_dynamodb
from civicline.sim.flow_settings import flow_library
from civicline.sim.kernel import ProcessGen, Simulation, untimed
from civicline.sim.life import caller_life
from civicline.sim.model import Agent, SimContact, Truth
from civicline.sim.moto_retention import EXPIRES_AS_ABSENT, day_retention, expire, moto_tables
from civicline.sim.planning import stream
from civicline.sim.routing import Router
from civicline.sim.streams import is_status_intent
from civicline.sim.truth import CaseBook
from functions.domain.metrics import Rules
from schemas.profile import SimulationProfile, clock_seconds

__all__ = [
    "Agent",
    "DayResult",
    "DayRunner",
    "SimContact",
    "Truth",
    "envelope",
    "publish_and_aggregate",
    "read_metrics",
    "run_day",
]

ROOT = Path(__file__).resolve().parent.parent.parent
FLOWS_DIR = ROOT / "flows"
#: the share of the progress bar for the simulated day (its events aggregated as it goes); the rest
#: is the last delivery, the tables' replay and reading the rollups back
SIMULATE_SHARE = 0.9
#: how often, in simulated seconds, the day deletes the items whose time to live has passed (as
#: DynamoDB's TTL does; civicline.sim.moto_retention.expire)
TTL_SWEEP_SECONDS = 900.0


@dataclass
class DayResult:
    profile: str
    seed: int
    truth: Truth
    #: the registry's counters over what really happened (civicline.sim.truth)
    truth_counters: dict[str, int]
    #: the aggregator's rules of the run (service level, repeat window, time zone)
    rules: Rules
    #: the events the day emitted (counted, not kept: they were streamed to the aggregator)
    events: EventLog
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
    #: items deleted because their time to live had passed in simulated time (moto_retention.expire)
    expired_items: int = 0
    #: moto items packed at rest because no request touched them for a sweep (cold_items)
    rested_items: int = 0


ProgressFn = Callable[[float], None]


class _Arriving(Protocol):
    """What a source process starts: a caller, a chat customer or an e-mail, at its arrival."""

    @property
    def arrival(self) -> float: ...


def _drained(items: list[Any]) -> Iterator[Any]:
    """``items`` from the last to the first, each let go once taken (the list does not keep it)."""
    while items:
        yield items.pop()


def demo_credentials() -> list[DemoCredential]:
    from civicline.data.demo import demo_cases

    return [DemoCredential(c.case_number, c.pin) for c in demo_cases()]


class DayRunner:
    """One simulated day on an already-entered :class:`civicline.local.aws.LocalAws`: the state the
    caller and agent processes share, and the run from seeding to the rollups read back."""

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
        self.profile, self.seed, self.aws, self.calls = profile, seed, aws, calls
        self.faults = faults or FaultPlan()
        self.injector = FaultInjector(self.faults, seed)
        self.progress = progress
        self.sim = Simulation()
        self.sim.now = run_start(profile)  # before midnight when the day opens with e-mail from the evening
        self.open_s = clock_seconds(profile.open)
        self.close_s = clock_seconds(profile.close)
        if hours is not None:
            self.close_s = min(self.close_s, self.open_s + hours * 3600.0)
        self.midnight = SimCenter.midnight_of(profile.day, profile.time_zone)
        self.agents = [*self._agents()]
        self.router = Router(self.sim, self.agents, lambda agent, contact: start_work(self, agent, contact))
        self.center = SimCenter(
            self.sim,
            midnight=self.midnight,
            open_seconds=self.open_s,
            close_seconds=self.close_s,
            queues=self.router.queues,
            agents=self.agents,
        )
        self.stream = EventStream(self.injector)
        self.library = library or FlowLibrary.from_directory(FLOWS_DIR)
        self.invoker = LambdaInvoker(
            fault=self.injector.lambda_fault if self.faults.changes_outcomes else None,
            clock=untimed,  # perf hook: deterministic under load (civicline.sim.kernel.untimed)
        )
        self.engine = Engine(
            self.library, invoker=self.invoker, center=self.center, events=self.emit, seed=seed
        )
        self.truth = Truth()
        self.book = CaseBook()
        self.engine_runs = 0
        self.factory: CallerFactory | None = None
        #: the first calls, drawn as the day reaches them (civicline.sim.callers.FirstCalls)
        self.voice: FirstCalls | None = None
        #: the plan of each channel's customers (VOICE, CHAT), for their repeat contacts
        self.factories: dict[str, CallerFactory] = {}
        #: e-mails in a queue, by contact id, until an agent takes them (the rest is the backlog)
        self.open_emails: dict[str, SimContact] = {}
        self.callbacks_by_id: dict[str, SimContact] = {}
        #: the first caller of each number, for the dispatcher (civicline.sim.callers.CallerRegister)
        self.callers_by_number = CallerRegister()
        self.dial_rng = stream(seed, "dialer")
        #: callback ids the callback function confirmed to a caller (CREATED / EXISTING)
        self.promised: set[str] = set()
        #: the scheduled-callback contact each ClientToken started (Connect's idempotency)
        self.dialed_tokens: dict[str, SimContact] = {}
        self.last_arrival = self._last_arrival()
        self.expired_items = 0
        self.rested_items = 0

    def _agents(self) -> Iterator[Agent]:
        for group in self.profile.agents:
            for i in range(group.count):
                yield Agent(
                    name=f"{group.name}-{i + 1:03d}",
                    group=group.name,
                    skills=list(group.skills),
                    languages=list(group.languages),
                    shift_start=clock_seconds(group.shift.start),
                    shift_end=min(clock_seconds(group.shift.end), self.close_s),
                    acw=group.after_call_work_seconds,
                    channels={str(k): v for k, v in group.channels.items()},
                    cross_channel=group.cross_channel,
                )

    def _last_arrival(self) -> float:
        """Arrivals stop at closing (or --hours); after-hours callers before opening still come."""
        if self.profile.after_hours_share and self.close_s >= clock_seconds(self.profile.close):
            return self.close_s + 7200.0
        return self.close_s

    # -- what the processes share -------------------------------------------------------------
    def emit(self, detail: dict[str, Any]) -> None:
        """A contact event (the engine's or the simulator's) onto its way to the aggregator."""
        self.stream.emit(detail)

    def next_call(self, caller: Caller, *, abandoned: bool) -> Caller | None:
        """The same caller's next call, when their issue is not resolved and they call again today."""
        factory = self.factories[caller.channel]
        if abandoned:
            caller.resolved = False
        again = factory.repeat(caller, self.sim.now)
        if again is None or again.arrival >= self.last_arrival:
            return None
        self.callers_by_number.setdefault(again.number, again)
        return again

    def caller_by_number(self, number: str) -> Caller | None:
        """The day's first caller with ``number`` (or the repeat that brought it), as the callback
        dispatcher's dialer finds them: also one whose first call is still to come."""
        if self.voice is None:
            return self.callers_by_number.get(number)
        return self.voice.find(number)

    # -- the run -------------------------------------------------------------------------------
    def start(self) -> None:
        """Seed the tables and start every process: callers, agents, the dispatcher's schedule."""
        from civicline.data import seed_demo as seed_data

        seed_data(self.midnight.astimezone(UTC))
        self.voice = self._first_calls("VOICE", self.calls, self.last_arrival, self.callers_by_number)
        self.factory = self.voice.factory
        self.truth.add("status_calls_avoided_by_notifications", self.voice.notified)
        voice_intents = {i.name: i for i in self.profile.intents}
        status = sum(n for name, n in self.voice.intents.items() if is_status_intent(voice_intents[name]))
        self.truth.add("status_first_calls", status)
        self.sim.start(self._arrivals(iter(self.voice.next_caller, None), caller_life))
        self._start_chats_and_emails()
        for agent in self.agents:
            self.sim.start(agent_life(self, agent))
        self.sim.start(dispatcher(self), at=self.open_s)
        self.sim.start(self._ttl_sweeps(), at=self.open_s)
        if self.progress is not None:
            self.sim.start(self._ticks(self.progress))

    def channel_volume(self, volume: int) -> int:
        """A chat or e-mail volume, scaled with the calls when the run asks for another call count."""
        if self.calls is None or volume == 0:
            return volume
        return max(1, round(volume * self.calls / self.profile.calls))

    def _start_chats_and_emails(self) -> None:
        """The chat customers (the caller process on the CHAT channel) and the e-mails."""
        chats = self.channel_volume(self.profile.chat.contacts)
        if chats:
            customers = self._first_calls("CHAT", chats, self.close_s)
            self.sim.start(self._arrivals(iter(customers.next_caller, None), caller_life))
        emails = self.channel_volume(self.profile.email.emails)
        if emails:
            from civicline.commands.email import _verify_sender_identity

            _verify_sender_identity()
            plan = email_plan(self.profile, self.seed, emails)
            mails = [m for m in reversed(plan) if m.arrival < self.close_s]
            self.sim.start(self._arrivals(_drained(mails), email_life))

    def _first_calls(
        self, channel: str, calls: int | None, until: float, register: CallerRegister | None = None
    ) -> FirstCalls:
        """A channel's first contacts, drawn as the day reaches them; its factory draws the repeats."""
        credentials = demo_credentials()
        factory = CallerFactory(self.profile, self.seed, credentials, channel=channel)
        self.factories[channel] = factory
        replay = CallerFactory(self.profile, self.seed, credentials, channel=channel)
        return FirstCalls(factory, replay, calls, until=until, register=register)

    def _arrivals(
        self, arriving: Iterator[_Arriving], life: Callable[[DayRunner, Any], ProcessGen]
    ) -> ProcessGen:
        """A source process: each contact's own process starts at its arrival, drawn just before."""
        for contact in arriving:
            yield max(0.0, contact.arrival - self.sim.now)
            self.sim.start(life(self, contact))

    def _ttl_sweeps(self) -> ProcessGen:
        """DynamoDB's TTL at the simulated clock, for the items whose readers treat expired as absent."""
        tables = {logical: self.aws.table(logical) for logical, _ in EXPIRES_AS_ABSENT}
        while self.sim.now < self.last_arrival:
            yield TTL_SWEEP_SECONDS
            self.expired_items += expire(tables, self.center.now().timestamp())
            self.rested_items += rest_cold_items(moto_tables())[1]

    def _ticks(self, progress: ProgressFn) -> ProcessGen:
        """The share of the day simulated so far, from the run's start (before midnight when the day
        opens with the night's mail) to the last arrival, never below 0."""
        horizon = self.last_arrival
        begin = min(0.0, self.sim.now)
        step = max(60.0, horizon / 200.0)
        while self.sim.now < horizon:
            progress(SIMULATE_SHARE * max(0.0, min(1.0, (self.sim.now - begin) / (horizon - begin))))
            yield step

    def run(self) -> DayResult:
        from functions.core.clock import set_clock
        from functions.handlers.contact_events import rules_from_settings

        timings: dict[str, float] = {}
        started = time.perf_counter()
        self.start()
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
            find_lost_callbacks(self)
            for name, value in email_backlog(self).items():
                if value is not None:
                    self.truth.add(name, round(value))
            rules = rules_from_settings()
            truth_counters = self.book.counters(rules)
        finally:
            set_clock(None)
        timings["simulate"] = time.perf_counter() - started
        self._report(SIMULATE_SHARE)
        started = time.perf_counter()
        self.stream.flush()
        self._report((1.0 + SIMULATE_SHARE) / 2)  # then the tables' replay
        self.truth.add("dead_letters", self.stream.close(self.aws))
        timings["aggregate"] = time.perf_counter() - started
        rollups, day_rows, interval_rows, html = read_metrics(self.center.at(self.close_s))
        self._report(1.0)
        return DayResult(
            profile=self.profile.name,
            seed=self.seed,
            truth=self.truth,
            truth_counters=truth_counters,
            rules=rules,
            events=self.stream.log,
            delivered_events=self.stream.delivered,
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
            expired_items=self.expired_items,
            rested_items=self.rested_items,
        )

    def _report(self, fraction: float) -> None:
        if self.progress is not None:
            self.progress(fraction)


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
        with (
            LocalAws(prefix=prefix, extra_env=extra) as aws,
            quiet_logs(),
            fast_transactions(),
            day_retention(),
            remembered_scrypt(),
        ):
            result = DayRunner(
                profile,
                seed,
                aws,
                calls=calls,
                hours=hours,
                faults=faults,
                progress=progress,
                library=flow_library(profile),
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
