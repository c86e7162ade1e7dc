"""Single-queue planning mode: an M/M/c (+M) discrete-event simulation on the kernel.

Why it exists: it is the simulator reduced to what queueing theory can predict, so its figures can
be checked against Erlang C (no abandonment) and Erlang A (exponential patience). The day runner
uses the same queue discipline (first come, first served; a caller whose patience runs out leaves).

Each random quantity has its own stream (arrivals, handle times, patience), seeded from the run's
seed, so two runs with the same seed but different staffing see the same callers (common random
numbers) and their difference is the staffing, not the noise.
"""

from __future__ import annotations

import math
import random
from collections import deque
from dataclasses import asdict, dataclass

from civicline.sim.kernel import Simulation


def stream(seed: int, name: str) -> random.Random:
    """An independent, reproducible random stream for one purpose (string seeds are stable)."""
    return random.Random(f"civicline:{seed}:{name}")  # noqa: S311 - simulation, not security


@dataclass(frozen=True)
class PlanningResult:
    """Measured figures; definitions match :class:`civicline.sim.erlang.QueueForecast`."""

    agents: int
    hours: float
    offered: int
    answered: int
    abandoned: int
    p_wait: float
    asa: float
    service_level: float
    abandonment: float
    occupancy: float
    target_seconds: float
    events: int

    def to_dict(self) -> dict[str, float | int]:
        return asdict(self)


@dataclass(slots=True)
class _Caller:
    arrival: float
    patience_deadline: float
    handle: float
    counted: bool


def simulate_single_queue(
    arrivals_per_hour: float,
    aht_seconds: float,
    agents: int,
    patience_seconds: float | None = None,
    *,
    hours: float = 8.0,
    seed: int = 1,
    target_seconds: float = 20.0,
    warmup_hours: float = 0.0,
) -> PlanningResult:
    """Simulate ``hours`` of Poisson arrivals to ``agents`` exponential servers.

    Callers arriving during the first ``warmup_hours`` are served but not counted (the queue starts
    empty; the warm-up removes that bias for steady-state comparisons). After the horizon no one
    new arrives and the queue is run until every counted caller is answered or has abandoned.
    """
    if agents < 1:
        raise ValueError("agents must be >= 1")
    if arrivals_per_hour <= 0 or aht_seconds <= 0 or hours <= 0:
        raise ValueError("arrivals_per_hour, aht_seconds and hours must be > 0")
    if patience_seconds is not None and patience_seconds <= 0:
        raise ValueError("patience_seconds must be > 0")
    lam = arrivals_per_hour / 3600.0
    horizon = (warmup_hours + hours) * 3600.0
    warmup = warmup_hours * 3600.0
    arrivals = stream(seed, "arrivals")
    handles = stream(seed, "handle")
    patiences = stream(seed, "patience")
    sim = Simulation()
    waiting: deque[_Caller] = deque()
    free = agents
    stats = {"offered": 0, "answered": 0, "abandoned": 0, "waited": 0, "within": 0}
    wait_sum = 0.0
    busy_time = 0.0

    def finish_service() -> None:
        nonlocal free
        free += 1
        serve_next()

    def start(caller: _Caller) -> None:
        nonlocal free, wait_sum, busy_time
        free -= 1
        wait = sim.now - caller.arrival
        if caller.counted:
            stats["answered"] += 1
            wait_sum += wait
            if wait <= target_seconds:
                stats["within"] += 1
            busy_time += caller.handle
        sim.after(caller.handle, finish_service)

    def serve_next() -> None:
        while free > 0 and waiting:
            caller = waiting.popleft()
            if caller.patience_deadline < sim.now:
                if caller.counted:  # hung up while waiting: noticed lazily when reached
                    stats["abandoned"] += 1
                continue
            start(caller)

    def arrive() -> None:
        counted = sim.now >= warmup
        patience = patiences.expovariate(1.0 / patience_seconds) if patience_seconds else math.inf
        caller = _Caller(sim.now, sim.now + patience, handles.expovariate(1.0 / aht_seconds), counted)
        if counted:
            stats["offered"] += 1
        if free > 0:
            start(caller)
        else:
            if counted:
                stats["waited"] += 1
            waiting.append(caller)
        gap = arrivals.expovariate(lam)
        if sim.now + gap < horizon:
            sim.after(gap, arrive)

    sim.at(arrivals.expovariate(lam), arrive)
    sim.run()
    # whoever is still queued when the last agent frees up has abandoned (their deadline passed)
    for caller in waiting:
        if caller.counted:
            stats["abandoned"] += 1
    offered = stats["offered"]
    answered = stats["answered"]
    return PlanningResult(
        agents=agents,
        hours=hours,
        offered=offered,
        answered=answered,
        abandoned=stats["abandoned"],
        p_wait=stats["waited"] / offered if offered else 0.0,
        asa=wait_sum / answered if answered else 0.0,
        service_level=stats["within"] / offered if offered else 0.0,
        abandonment=stats["abandoned"] / offered if offered else 0.0,
        occupancy=busy_time / (agents * hours * 3600.0),
        target_seconds=target_seconds,
        events=sim.events_run,
    )
