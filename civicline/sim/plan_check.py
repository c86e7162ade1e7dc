"""A staffing plan against the day it staffed: per plan interval, the planned agents and forecast
beside the voice service level the aggregator measured (its 15-minute interval rollups, queue ALL).

Why the aggregator's rollups and not the simulator's own count: they are the figures a planner sees
on the dashboard the next morning, and the simulator already checks them against its truth.
"""

from __future__ import annotations

import math
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
    """Every queue's offered, answered-in-time and abandoned contacts of the run (queue ALL last).

    Summed over the run's day rows: a run that opens with the evening before's e-mails spans two
    calendar days, and the summary's figures are the run's (``summary.run_row``), so a queue's row
    must be too, or the ALL row would disagree with the headline."""
    totals: dict[str, list[int]] = {}
    for row in day_rows:
        c = row.counters()
        sums = totals.setdefault(row.rollup.queue, [0, 0, 0])
        sums[0] += int(c.get("offered", 0))
        sums[1] += int(c.get("answered_within_threshold", 0))
        sums[2] += int(c.get("abandoned", 0))
    out = [
        QueueCheck(queue, offered, within, abandoned, within / offered)
        for queue, (offered, within, abandoned) in totals.items()
        if offered
    ]
    return sorted(out, key=lambda q: (q.queue == "ALL", q.queue))


@dataclass(frozen=True)
class DeskCheck:
    """A desk's target against the day: the chat service level (the aggregator's threshold, the
    profile's ``service_level_seconds``) or the e-mails answered within their 24 h deadline."""

    channel: str
    measure: str
    target: float
    measured: float | None

    @property
    def met(self) -> bool:
        return self.measured is not None and self.measured >= self.target

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "met": self.met}


#: the aggregator's measure each desk's target is read from (per channel, day rollup, queue ALL)
DESK_MEASURES = {"CHAT": "answered_within_threshold_rate", "EMAIL": "email_answered_within_24h_rate"}


#: the e-mail measure of a plan by deadline: answered in time within the day, plus the mail left at
#: closing that the next working day's desk answers by its deadline (email_day.carried_in_time)
NEXT_DAY_MEASURE = "email_answered_within_24h_rate_with_next_day"
#: the truth count of those carried e-mails answered in time (civicline.sim.email_day.backlog)
CARRIED_IN_TIME = "email_backlog_answered_next_day_in_time"


def email_by_deadline(email: dict[str, Any], carried: int) -> float | None:
    """E-mails answered by their deadline today or (``carried``) the next working day, of received."""
    received = email.get("emails_received")
    if not received:
        return None
    return (float(email.get("emails_answered_within_24h", 0)) + carried) / float(received)


def check_desks(plan: StaffingPlan, channels: dict[str, dict[str, Any]], carried: int = 0) -> list[DeskCheck]:
    """The plan's chat and e-mail targets beside what the day measured (``channels``: the summary's
    per-channel day figures; ``carried``: the day's e-mails left at closing that the next working
    day's desk answers in time, which a plan by deadline counts)."""
    out = []
    if plan.chat_target is not None:
        value = channels.get("CHAT", {}).get(DESK_MEASURES["CHAT"])
        out.append(DeskCheck("CHAT", DESK_MEASURES["CHAT"], plan.chat_target.service_level, _number(value)))
    email = plan.email_target
    if email is not None:
        figures = channels.get("EMAIL", {})
        if email.by == "deadline":
            measured = email_by_deadline(figures, carried)
            out.append(DeskCheck("EMAIL", NEXT_DAY_MEASURE, email.answered_within_24h, measured))
        else:
            value = figures.get(DESK_MEASURES["EMAIL"])
            out.append(DeskCheck("EMAIL", DESK_MEASURES["EMAIL"], email.answered_within_24h, _number(value)))
    return out


def _number(value: Any) -> float | None:
    return None if value is None else float(value)


def desk_figures(profile_data: dict[str, Any], seed: int) -> dict[str, float]:
    """One full day of ``profile_data`` (a profile as JSON data, so worker processes can take it):
    the voice and chat service levels and the e-mails answered within 24 h, as the aggregator has them."""
    from civicline.sim.day import run_day
    from civicline.sim.summary import summarize
    from schemas.profile import SimulationProfile

    profile = SimulationProfile.model_validate(profile_data)
    summary = summarize(run_day(profile, seed), profile)
    channels = summary["channels"]
    figures = {"reconciled": float(summary["reconciliation"] == {})}
    for channel, measure in (("VOICE", "answered_within_threshold_rate"), *DESK_MEASURES.items()):
        value = channels.get(channel, {}).get(measure)
        figures[f"{channel}:{measure}"] = math.nan if value is None else float(value)
    by_deadline = email_by_deadline(channels.get("EMAIL", {}), int(summary["truth"].get(CARRIED_IN_TIME, 0)))
    figures[f"EMAIL:{NEXT_DAY_MEASURE}"] = math.nan if by_deadline is None else by_deadline
    return figures
