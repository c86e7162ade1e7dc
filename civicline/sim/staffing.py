"""The staffing solver: the fewest agents that meet a service-level target (and an abandonment cap).

Why a linear search from the offered load: service level rises monotonically with agents, and the
answer is always within a few dozen agents of the load, so a search costs a handful of forecasts.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from civicline.sim.erlang import QueueForecast, forecast


@dataclass(frozen=True)
class StaffingAnswer:
    """The agents needed and what they achieve; ``met`` is False only when ``max_agents`` is hit."""

    agents: int
    forecast: QueueForecast
    met: bool


def agents_needed(
    arrivals_per_hour: float,
    aht_seconds: float,
    target_sl: float,
    target_seconds: float,
    patience_seconds: float | None = None,
    *,
    max_abandonment: float | None = None,
    max_agents: int = 100_000,
) -> StaffingAnswer:
    """Smallest agent count with service level >= ``target_sl`` (and abandonment <= the cap).

    Service level is the share of arriving callers answered within ``target_seconds`` (Erlang C
    without a patience, Erlang A with one).
    """
    if not 0.0 < target_sl < 1.0:
        raise ValueError("target_sl must be between 0 and 1 (exclusive)")
    if target_seconds < 0:
        raise ValueError("target_seconds must be >= 0")
    load = arrivals_per_hour * aht_seconds / 3600.0
    start = max(1, math.floor(load) + (1 if patience_seconds is None else 0))
    if patience_seconds is not None:
        start = max(1, math.floor(load * 0.5))
    start = min(start, max_agents)
    best: QueueForecast | None = None
    for agents in range(start, max_agents + 1):
        best = forecast(arrivals_per_hour, aht_seconds, agents, patience_seconds, target_seconds)
        abandon_ok = max_abandonment is None or best.abandonment <= max_abandonment
        if best.service_level >= target_sl and abandon_ok:
            return StaffingAnswer(agents, best, True)
    if best is None:  # max_agents below 1
        raise ValueError("max_agents must be >= 1")
    return StaffingAnswer(max_agents, best, False)
