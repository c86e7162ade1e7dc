"""Erlang C (M/M/n) and Erlang A (M/M/n+M, Palm's model with exponential patience): pure functions.

Why both: Erlang C is what most workforce tools use, but it assumes nobody hangs up, so it
over-staffs for a hotline where callers abandon. Erlang A (Palm 1943; Garnett, Mandelbaum and
Reiman 2002) adds exponential patience with mean ``1/theta``. The simulator is tested against both.

Erlang A is computed exactly from its birth-death chain (states k = callers in the system, births
``lambda``, deaths ``min(k, n) * mu + max(k - n, 0) * theta``), truncated where the tail is below
1e-15, in log space so large centers do not overflow. The answered-within-t probability follows the
tagged caller through its queue positions: at position i (i - 1 callers ahead) it moves up at rate
``n * mu + (i - 1) * theta`` and abandons at ``theta``, so the time to reach an agent is a sum of
exponentials whose distribution we evaluate by uniformization.

Definitions (shared with the simulator's planning mode):
- ``p_wait``: probability an arriving caller waits at all (all agents busy on arrival).
- ``asa``: mean wait of answered callers, in seconds.
- ``service_level``: share of arriving callers answered within ``target_seconds``.
- ``abandonment``: share of arriving callers who hang up before an agent answers.
- ``occupancy``: share of agent time spent handling calls.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class QueueForecast:
    """Steady-state figures for one queue with ``agents`` agents."""

    model: str
    agents: int
    offered_load: float  # erlangs: arrival rate * handle time
    p_wait: float
    asa: float
    service_level: float
    abandonment: float
    occupancy: float
    target_seconds: float

    def to_dict(self) -> dict[str, float | int | str]:
        return asdict(self)


def erlang_b(agents: int, load: float) -> float:
    """Blocking probability of M/M/n/n (stable recursion, no factorials)."""
    if agents < 0 or load < 0:
        raise ValueError("agents and load must be non-negative")
    b = 1.0
    for k in range(1, agents + 1):
        b = load * b / (k + load * b)
    return b


def erlang_c(agents: int, load: float) -> float:
    """Probability of waiting in M/M/n (1.0 when the queue is unstable, load >= agents)."""
    if agents <= 0 or load >= agents * (1.0 - 1e-12):
        return 1.0
    if load == 0:
        return 0.0
    b = erlang_b(agents, load)
    return agents * b / (agents - load * (1.0 - b))


def _rates(arrivals_per_hour: float, aht_seconds: float) -> tuple[float, float]:
    if arrivals_per_hour < 0 or aht_seconds <= 0:
        raise ValueError("arrivals_per_hour must be >= 0 and aht_seconds > 0")
    return arrivals_per_hour / 3600.0, 1.0 / aht_seconds


def erlang_c_forecast(
    arrivals_per_hour: float, aht_seconds: float, agents: int, target_seconds: float = 20.0
) -> QueueForecast:
    """Erlang C figures; an overloaded queue reports ``p_wait=1``, infinite ASA and zero service level."""
    lam, mu = _rates(arrivals_per_hour, aht_seconds)
    load = lam / mu
    if agents <= 0 or load >= agents * (1.0 - 1e-12):
        return QueueForecast("erlang-c", agents, load, 1.0, math.inf, 0.0, 0.0, 1.0, target_seconds)
    c = erlang_c(agents, load)
    drain = agents * mu - lam
    asa = c / drain
    sl = 1.0 - c * math.exp(-drain * target_seconds)
    return QueueForecast("erlang-c", agents, load, c, asa, sl, 0.0, load / agents, target_seconds)


def _erlang_a_distribution(lam: float, mu: float, theta: float, agents: int) -> list[float]:
    """Stationary probabilities p_0..p_K of the M/M/n+M chain, truncated where negligible."""
    logs = [0.0]
    log_lam = math.log(lam)
    k = 0
    peak = 0.0
    while True:
        k += 1
        death = min(k, agents) * mu + max(k - agents, 0) * theta
        value = logs[-1] + log_lam - math.log(death)
        logs.append(value)
        peak = max(peak, value)
        # past the agents and the mode, the terms only fall: stop when they no longer matter
        if k > agents and lam < death and value < peak - 36.0:
            break
        if k > agents + 200_000:
            raise ValueError("Erlang A chain did not converge (patience too long for this load)")
    weights = [math.exp(v - peak) for v in logs]
    total = math.fsum(weights)
    return [w / total for w in weights]


def _poisson_weights(mean: float) -> list[float]:
    """Poisson(mean) probabilities from 0 up to where the remaining tail is below 1e-13."""
    if mean == 0:
        return [1.0]
    upper = int(mean + 12.0 * math.sqrt(mean) + 30)
    log_p = -mean
    weights = []
    for m in range(upper + 1):
        if m > 0:
            log_p += math.log(mean) - math.log(m)
        weights.append(math.exp(log_p))
    return weights


def _answered_within(
    positions: int, agents: int, mu: float, theta: float, t: float, *, own: float | None = None
) -> tuple[list[float], list[float]]:
    """For a caller arriving at queue position j = 1..positions: P(answered within t) and
    E[wait; answered] (the answered caller's wait weighted by the chance of being answered).
    ``theta`` is the abandonment rate of the callers ahead, ``own`` the tagged caller's (default
    ``theta``: one class of callers)."""
    own = theta if own is None else own
    advance = [agents * mu + (i - 1) * theta for i in range(positions + 1)]  # index = position
    # E[wait * 1{answered} | j] = prod q_i * sum 1/r_i, built up position by position
    answered_wait = [0.0] * (positions + 1)
    survive = 1.0
    mean_time = 0.0
    for i in range(1, positions + 1):
        rate = advance[i] + own
        survive *= advance[i] / rate
        mean_time += 1.0 / rate
        answered_wait[i] = survive * mean_time
    # uniformization of the backward equation u_j' = a_j (u_{j-1} - u_j) - own u_j, u_0 = 1
    uniform = advance[positions] + own
    weights = _poisson_weights(uniform * t)
    v = [1.0] + [0.0] * positions
    acc = [weights[0] * x for x in v]
    for m in range(1, len(weights)):
        new = [1.0] + [0.0] * positions
        for j in range(1, positions + 1):
            move = advance[j] / uniform
            stay = 1.0 - (advance[j] + own) / uniform
            new[j] = move * v[j - 1] + stay * v[j]
        v = new
        wm = weights[m]
        for j in range(positions + 1):
            acc[j] += wm * v[j]
    return acc, answered_wait


def erlang_a_forecast(
    arrivals_per_hour: float,
    aht_seconds: float,
    agents: int,
    patience_seconds: float,
    target_seconds: float = 20.0,
) -> QueueForecast:
    """Erlang A figures for mean patience ``patience_seconds`` (exponentially distributed)."""
    lam, mu = _rates(arrivals_per_hour, aht_seconds)
    if patience_seconds <= 0:
        raise ValueError("patience_seconds must be > 0 (use erlang_c_forecast for infinite patience)")
    if agents <= 0:
        raise ValueError("agents must be >= 1")
    load = lam / mu
    if lam == 0:
        return QueueForecast("erlang-a", agents, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, target_seconds)
    theta = 1.0 / patience_seconds
    p = _erlang_a_distribution(lam, mu, theta, agents)
    n = agents
    p_wait = math.fsum(p[n:])
    queue_length = math.fsum((k - n) * p[k] for k in range(n + 1, len(p)))
    abandonment = theta * queue_length / lam
    busy = math.fsum(min(k, n) * p[k] for k in range(len(p)))
    occupancy = busy / n
    positions = max(len(p) - n, 1)  # arriving at state k >= n puts the caller at position k - n + 1
    within, answered_wait = _answered_within(positions, n, mu, theta, target_seconds)
    answered_in_t = math.fsum(p[:n]) + math.fsum(p[k] * within[k - n + 1] for k in range(n, len(p)))
    wait_answered = math.fsum(p[k] * answered_wait[k - n + 1] for k in range(n, len(p)))
    answered = 1.0 - abandonment
    asa = wait_answered / answered if answered > 0 else math.inf
    return QueueForecast(
        "erlang-a", agents, load, p_wait, asa, answered_in_t, abandonment, occupancy, target_seconds
    )


@dataclass(frozen=True)
class ClassDemand:
    """One class of a pooled queue: arrivals per hour, mean agent time per contact (seconds), mean
    patience (seconds) and the seconds its service level is read at."""

    arrivals_per_hour: float
    busy_seconds: float
    patience_seconds: float
    target_seconds: float


def pooled_service_levels(classes: list[ClassDemand], agents: int) -> list[float]:
    """Each class's share answered within its target seconds when ``agents`` serve all classes
    first come, first served, one contact per agent (an M/M/n+M queue with the classes' rate-weighted
    mean busy time and abandonment rate; each class's tagged customer abandons at its own rate).

    Why an approximation and not the exact multi-class chain: the state space of two classes is
    two-dimensional, and the plan this serves is checked through the full simulated day anyway."""
    lam = math.fsum(c.arrivals_per_hour for c in classes) / 3600.0
    if lam == 0:
        return [1.0 for _ in classes]
    if agents <= 0:
        return [0.0 for _ in classes]
    busy = math.fsum(c.arrivals_per_hour * c.busy_seconds for c in classes) / 3600.0 / lam
    theta = math.fsum(c.arrivals_per_hour / c.patience_seconds for c in classes) / 3600.0 / lam
    p = _erlang_a_distribution(lam, 1.0 / busy, theta, agents)
    free = math.fsum(p[:agents])
    positions = max(len(p) - agents, 1)
    out = []
    for c in classes:
        within, _ = _answered_within(
            positions, agents, 1.0 / busy, theta, c.target_seconds, own=1.0 / c.patience_seconds
        )
        queued = math.fsum(p[k] * within[k - agents + 1] for k in range(agents, len(p)))
        out.append(min(1.0, free + queued))
    return out


def forecast(
    arrivals_per_hour: float,
    aht_seconds: float,
    agents: int,
    patience_seconds: float | None = None,
    target_seconds: float = 20.0,
) -> QueueForecast:
    """Erlang A when a patience is given, Erlang C otherwise."""
    if patience_seconds is None:
        return erlang_c_forecast(arrivals_per_hour, aht_seconds, agents, target_seconds)
    return erlang_a_forecast(arrivals_per_hour, aht_seconds, agents, patience_seconds, target_seconds)
