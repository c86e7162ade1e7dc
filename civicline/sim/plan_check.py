"""A staffing plan against the day it staffed: per plan interval, the planned agents and forecast
beside the voice service level the aggregator measured (its 15-minute interval rollups, queue ALL).

Why the aggregator's rollups and not the simulator's own count: they are the figures a planner sees
on the dashboard the next morning, and the simulator already checks them against its truth.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from functions.domain.metrics_registry import CHANNEL_PREFIX, channel_key
from schemas.profile import clock_seconds
from schemas.staffing_plan import StaffingPlan


class _Row(Protocol):
    """An interval rollup row (civicline.metrics.queries): its period start and its counters."""

    @property
    def rollup(self) -> Any: ...

    def counters(self) -> dict[str, float]: ...


@dataclass(frozen=True)
class IntervalCheck:
    start: str
    end: str
    agents: int
    forecast_service_level: float | None
    offered: int
    answered_within: int
    service_level: float | None  # None: nobody offered

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def voice(counters: dict[str, float], name: str) -> float:
    """A counter of the voice channel (the calls' plan is checked against the calls, not the chats
    and e-mails the same queues take); rollups without channel keys are all voice."""
    if any(k.startswith(CHANNEL_PREFIX) for k in counters):
        return counters.get(channel_key("VOICE", name), 0)
    return counters.get(name, 0)


def check_plan(plan: StaffingPlan, rows: Iterable[_Row], midnight: datetime) -> list[IntervalCheck]:
    """Each plan interval with the offered and answered-within-threshold counts of the interval
    rollups that start inside it (``midnight``: the day's local midnight, tz-aware)."""
    slots = [(r.rollup.period_start, r.counters()) for r in rows]
    out = []
    for interval in plan.intervals:
        start = midnight + timedelta(seconds=clock_seconds(interval.start))
        end = midnight + timedelta(seconds=clock_seconds(interval.end))
        inside = [c for at, c in slots if start <= at < end]
        offered = int(sum(voice(c, "offered") for c in inside))
        within = int(sum(voice(c, "answered_within_threshold") for c in inside))
        out.append(
            IntervalCheck(
                interval.start,
                interval.end,
                interval.agents,
                interval.forecast_service_level,
                offered,
                within,
                within / offered if offered else None,
            )
        )
    return out


def short_intervals(checks: list[IntervalCheck], plan: StaffingPlan) -> list[IntervalCheck]:
    """Intervals whose measured service level is below the plan's target."""
    if plan.target is None:
        return []
    target = plan.target.service_level
    return [c for c in checks if c.service_level is not None and c.service_level < target]


@dataclass(frozen=True)
class QueueCheck:
    """One queue's day, from the aggregator's day rollup: what a per-skill plan must hold up."""

    queue: str
    offered: int
    answered_within: int
    abandoned: int
    service_level: float | None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def check_queues(day_rows: Iterable[_Row]) -> list[QueueCheck]:
    """Every queue's offered, answered-in-time and abandoned contacts of the day (queue ALL last)."""
    out = []
    for row in day_rows:
        c = row.counters()
        offered, within = int(c.get("offered", 0)), int(c.get("answered_within_threshold", 0))
        if not offered:
            continue
        out.append(
            QueueCheck(row.rollup.queue, offered, within, int(c.get("abandoned", 0)), within / offered)
        )
    return sorted(out, key=lambda q: (q.queue == "ALL", q.queue))
