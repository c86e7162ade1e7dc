"""Planning mode for a whole profile day: one pooled queue, no flows, staff following the shifts.

Why it exists: a sweep needs hundreds of days; the full day (flows, handlers, moto tables,
aggregation) costs seconds per hundred contacts, this costs milliseconds. It keeps what staffing
depends on and drops the rest (documented in docs/decisions.md):

* arrivals are the full day's arrival curve (the same :func:`civicline.sim.callers.arrival_times`
  and the same ``arrivals`` stream, so the same seed gives the same arrival instants); callers
  outside opening hours hear the closed message and never queue;
* a caller reaches an agent with the probability of :func:`agent_share` (self-service absorbs the rest);
* every agent takes every call (skills and languages pooled), staff on duty follow the groups'
  shifts (an agent whose shift ends finishes the call in hand), service = lognormal handle time of
  the caller's intent (the profile's CV) plus the group-weighted after-call work;
* patience is exponential with the profile's mean; no callbacks, no repeat calls;
* status notifications: a case-status caller does not call with probability ``notification_uptake
  x notification_consented_share`` (:func:`civicline.sim.streams.calling_share`; own stream).

Each random quantity has its own stream and every caller draws the same number of values whatever
the staffing, so two settings with one seed meet the same callers (common random numbers).
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import asdict, dataclass
from functools import partial

from civicline.sim.callers import arrival_times, lognormal
from civicline.sim.kernel import Simulation
from civicline.sim.planning import stream
from civicline.sim.scaling import agent_hours, voice_groups
from civicline.sim.streams import calling_share
from schemas.profile import IntentMix, SimulationProfile, clock_seconds


def agent_share(intent: IntentMix) -> float:
    """The chance a caller with this intent ends up in an agent queue.

    An intent whose keys ask ``{agent}`` reaches one with ``wants_agent``; the office redirect
    (``{office_topic}``) is self-service; every other intent routes to a queue.
    """
    joined = "".join(intent.keys)
    if "{agent}" in joined:
        return intent.wants_agent
    if "{office_topic}" in joined:
        return 0.0
    return 1.0


@dataclass(frozen=True)
class Demand:
    """What reaches the agents: share of callers, mean busy time per call, mean patience."""

    share: float
    handle_seconds: float  # talk, mean over agent-bound callers
    after_call_seconds: float
    patience_seconds: float

    @property
    def busy_seconds(self) -> float:
        return self.handle_seconds + self.after_call_seconds


def demand(profile: SimulationProfile) -> Demand:
    """The profile's agent-bound demand: one definition for the plan (Erlang A) and the queue."""
    mix = math.fsum(i.share for i in profile.intents)
    bound = [(i.share / mix * agent_share(i), i.aht_seconds) for i in profile.intents]
    share = math.fsum(b for b, _ in bound)
    handle = math.fsum(b * a for b, a in bound) / share if share else 0.0
    groups = voice_groups(profile)
    staff = sum(g.count for g in groups)
    acw = (
        math.fsum(g.count * g.after_call_work_seconds for g in groups) / staff
        if staff
        else math.fsum(g.after_call_work_seconds for g in groups) / max(1, len(groups))
    )
    return Demand(share, handle, acw, profile.patience.mean_seconds)


@dataclass(frozen=True)
class DayQueueResult:
    """The planning day's figures (definitions as :class:`civicline.sim.erlang.QueueForecast`)."""

    offered: int
    answered: int
    abandoned: int
    service_level: float
    abandonment_rate: float
    asa_seconds: float
    occupancy: float
    agent_hours: float

    def to_dict(self) -> dict[str, float | int]:
        return asdict(self)


@dataclass(slots=True)
class _Call:
    arrival: float
    deadline: float
    busy: float


def _calls(profile: SimulationProfile, seed: int) -> list[_Call]:
    open_s, close_s = clock_seconds(profile.open), clock_seconds(profile.close)
    times = arrival_times(profile, profile.calls, stream(seed, "arrivals"))
    who, handles, patience = stream(seed, "who"), stream(seed, "handle"), stream(seed, "patience")
    notified = stream(seed, "notified")
    acw = demand(profile).after_call_seconds
    shares = [(i, i.share) for i in profile.intents]
    mass = math.fsum(w for _, w in shares)
    calls = []
    for t in times:
        point, pick, draw = who.random() * mass, shares[-1][0], who.random()
        for intent, weight in shares:
            point -= weight
            if point < 0:
                pick = intent
                break
        busy = lognormal(handles, pick.aht_seconds, profile.handle_time_cv) + acw
        deadline = t + patience.expovariate(1.0 / profile.patience.mean_seconds)
        calls_anyway = notified.random() < calling_share(profile, pick)
        if open_s <= t < close_s and draw < agent_share(pick) and calls_anyway:
            calls.append(_Call(t, deadline, busy))
    return calls


def simulate_day_queue(
    profile: SimulationProfile, seed: int, target_seconds: float | None = None
) -> DayQueueResult:
    """One planning-mode day of ``profile`` (see the module docstring for what it models)."""
    threshold = profile.service_level_seconds if target_seconds is None else target_seconds
    sim = Simulation()
    waiting: deque[_Call] = deque()
    state = {"on_duty": 0, "busy": 0}
    stats = {"answered": 0, "abandoned": 0, "within": 0}
    totals = {"wait": 0.0, "busy": 0.0}

    def serve_next() -> None:
        while state["busy"] < state["on_duty"] and waiting:
            call = waiting.popleft()
            if call.deadline < sim.now:
                stats["abandoned"] += 1
                continue
            state["busy"] += 1
            stats["answered"] += 1
            wait = sim.now - call.arrival
            totals["wait"] += wait
            totals["busy"] += call.busy
            stats["within"] += wait <= threshold
            sim.after(call.busy, finish)

    def finish() -> None:
        state["busy"] -= 1
        serve_next()

    def staff(change: int) -> None:
        state["on_duty"] += change
        serve_next()

    def arrive(call: _Call) -> None:
        waiting.append(call)
        serve_next()

    for group in voice_groups(profile):  # one queue of calls: chat and e-mail desks take none
        if group.count:
            sim.at(clock_seconds(group.shift.start), partial(staff, group.count))
            sim.at(clock_seconds(group.shift.end), partial(staff, -group.count))
    calls = _calls(profile, seed)
    for call in calls:
        sim.at(call.arrival, partial(arrive, call))
    sim.run()
    stats["abandoned"] += len(waiting)  # nobody left to answer them: their patience ran out
    offered = len(calls)
    hours = agent_hours(profile)
    return DayQueueResult(
        offered=offered,
        answered=stats["answered"],
        abandoned=stats["abandoned"],
        service_level=stats["within"] / offered if offered else 1.0,
        abandonment_rate=stats["abandoned"] / offered if offered else 0.0,
        asa_seconds=totals["wait"] / stats["answered"] if stats["answered"] else 0.0,
        occupancy=totals["busy"] / (hours * 3600.0) if hours else 0.0,
        agent_hours=hours,
    )
