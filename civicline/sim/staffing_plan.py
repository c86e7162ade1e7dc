"""Staffing plans: the profile's day turned into agents per interval and agent group (Erlang A),
and the plan files that carry them (schema :class:`schemas.staffing_plan.StaffingPlan`).

Why per group: the full day routes by skill and language, so a plan pooled over every agent (and
shared among groups by their size) leaves small skill queues short; see
:mod:`civicline.sim.streams` (what reaches which queue, repeat calls included) and
:mod:`civicline.sim.group_staffing` (which group takes it, Erlang A per group). Why Erlang A per
interval: each interval is treated as its own steady state (the usual "stationary independent
period by period" approach of workforce planning). It ignores the queue carried over from the
previous interval, which is why ``civicline simulate --plan`` checks the plan through a whole
simulated day and reports each interval's measured service level.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from civicline.sim.blended import BlendedTargets, chat_loads, staff_blended
from civicline.sim.callers import arrival_rates
from civicline.sim.desk_staffing import (
    DeskError,
    chat_curve,
    chat_demand,
    chat_desks,
    chat_interval,
    chat_streams,
    email_desks,
    email_level,
    split_desk,
)
from civicline.sim.desks import Desk, groups_on, takes_voice
from civicline.sim.email_desk import deadline_check, desk_days
from civicline.sim.group_staffing import (
    IntervalTarget,
    StreamLoad,
    UnstaffableStream,
    staff_interval,
    stream_loads,
)
from civicline.sim.routes import Route, probe_routes
from civicline.sim.scaling import desk_agents
from civicline.sim.streams import expected_offered, offered_curve, streams
from schemas.profile import SimulationProfile, clock_seconds
from schemas.staffing_plan import EmailTarget, PlanInterval, PlanTarget, StaffingPlan


class PlanError(ValueError):
    """A plan file that cannot be used, with a one-line message for the person who wrote it."""


def _hhmm(seconds: float) -> str:
    return f"{int(seconds // 3600):02d}:{int(seconds % 3600 // 60):02d}"


def expected_calls(profile: SimulationProfile, start: float, end: float) -> float:
    """Expected first calls (all callers) between ``start`` and ``end`` seconds after midnight."""
    return math.fsum(
        rate * max(0.0, min(end, b) - max(start, a)) for a, b, rate in arrival_rates(profile, profile.calls)
    )


@dataclass(frozen=True)
class DeskTargets:
    """What the chat and e-mail desks are planned for; ``None``: that desk keeps the profile's
    headcount where its shift covers the interval (the plans before desks were sized)."""

    chat: PlanTarget | None = None
    email: EmailTarget | None = None


class _Desks:
    """The desk part of a plan: per interval, the chat and e-mail desk groups' agents."""

    def __init__(self, profile: SimulationProfile, routes: list[Route], targets: DeskTargets) -> None:
        self.profile = profile
        self.chat_groups = chat_desks(profile) if targets.chat and profile.chat.contacts else []
        self.email_groups = email_desks(profile) if targets.email and profile.email.emails else []
        self.chat_target = targets.chat
        self.demand = chat_demand(profile, routes, self.chat_groups) if self.chat_groups else None
        level, self.emails = (0, 0.0)
        if self.email_groups and targets.email is not None:
            try:
                level, self.emails = email_level(
                    profile, self.email_groups, targets.email.answered_within_24h, targets.email.by
                )
            except DeskError as exc:
                raise PlanError(str(exc)) from None
        self.email_split = split_desk(level, [profile.agents[i] for i in self.email_groups])

    def interval(self, agents: list[int], start: float, end: float) -> dict[str, float | None]:
        """Set the desk groups' agents in ``agents`` (profile order); the interval's desk figures."""
        figures: dict[str, float | None] = {}
        if self.demand is not None and self.chat_target is not None:
            target = IntervalTarget(
                self.chat_target.service_level, self.chat_target.seconds, self.demand.patience
            )
            total, chats, sl = chat_interval(self.demand, start, end, target)
            desks = [self.profile.agents[i] for i in self.chat_groups]
            for i, n in zip(self.chat_groups, split_desk(total, desks), strict=True):
                agents[i] = n
            figures.update(chats=round(chats, 2), forecast_chat_service_level=round(sl, 4))
        for i, n in zip(self.email_groups, self.email_split, strict=True):
            agents[i] = n
        if self.email_groups:
            span = clock_seconds(self.profile.close) - clock_seconds(self.profile.open)
            figures["emails"] = round(self.emails * (end - start) / span, 2)
        return figures


class _CallsSizing:
    """The calls' groups per interval (Erlang A per group, :mod:`civicline.sim.group_staffing`); the
    chat desk is the desks' part (``_Desks``)."""

    def __init__(self, profile: SimulationProfile, loads: list[StreamLoad], target: IntervalTarget) -> None:
        self.profile, self.loads, self.target = profile, loads, target
        self.curve = offered_curve(profile)

    def interval(self, t: float, end: float) -> tuple[list[int], dict[str, float | None]]:
        calls = expected_offered(self.curve, t, end)
        agents, sl = staff_interval(self.profile, self.loads, calls * 3600.0 / (end - t), self.target)
        groups = zip(self.profile.agents, agents, strict=True)
        agents = [n if takes_voice(g) else desk_agents(g, t, end) for g, n in groups]
        return agents, {"calls": calls, "forecast_service_level": sl}


class _BlendedSizing(_CallsSizing):
    """A profile with blended groups: the calls' groups, the blended groups and the chat desk sized
    together for the calls and the chats (:mod:`civicline.sim.blended`)."""

    def __init__(
        self,
        profile: SimulationProfile,
        loads: list[StreamLoad],
        routes: list[Route],
        targets: BlendedTargets,
    ) -> None:
        super().__init__(profile, loads, targets.voice)
        self.targets = targets
        self.chats = chat_loads(profile, chat_streams(profile, routes))
        self.chat_curve = chat_curve(profile)
        self.chat_bound = math.fsum(load.stream.share for load in self.chats)

    def interval(self, t: float, end: float) -> tuple[list[int], dict[str, float | None]]:
        calls = expected_offered(self.curve, t, end)
        chats = expected_offered(self.chat_curve, t, end)
        hour = 3600.0 / (end - t)
        agents, sl, chat_sl = staff_blended(
            self.profile, self.loads, self.chats, (calls * hour, chats * hour), self.targets
        )
        return agents, {
            "calls": calls,
            "forecast_service_level": sl,
            "chats": round(chats * self.chat_bound, 2),
            "forecast_chat_service_level": round(chat_sl, 4),
        }


def _sizing(
    profile: SimulationProfile,
    routes: list[Route],
    target: IntervalTarget,
    targets: DeskTargets,
) -> tuple[_CallsSizing, DeskTargets]:
    """The interval sizing for the profile, and the desk targets left to the desks' part: a profile
    with blended groups sizes its chats with the calls (chat target: the desks' or the calls')."""
    try:
        loads = stream_loads(profile, streams(profile, routes))
        if not groups_on(profile, Desk.BLENDED) or not profile.chat.contacts:
            return _CallsSizing(profile, loads, target), targets
        chat = targets.chat or PlanTarget(service_level=target.service_level, seconds=target.seconds)
        blended = BlendedTargets(
            target, IntervalTarget(chat.service_level, chat.seconds, profile.chat.patience_seconds)
        )
        return _BlendedSizing(profile, loads, routes, blended), DeskTargets(chat=None, email=targets.email)
    except UnstaffableStream as exc:
        raise PlanError(str(exc)) from None


def plan_for_profile(
    profile: SimulationProfile,
    target_sl: float,
    target_seconds: float,
    interval_minutes: int = 30,
    *,
    routes: list[Route] | None = None,
    desks: DeskTargets | None = None,
) -> StaffingPlan:
    """Fewest agents per interval and group meeting the target by Erlang A (module docstring); the
    chat and e-mail desks sized for ``desks`` (:mod:`civicline.sim.desk_staffing`), blended groups
    with the calls and chats (:mod:`civicline.sim.blended`)."""
    if interval_minutes not in (15, 30, 60):
        raise ValueError("interval_minutes must be 15, 30 or 60")
    routes = probe_routes(profile) if routes is None else routes
    target = IntervalTarget(target_sl, target_seconds, profile.patience.mean_seconds)
    sizing, left = _sizing(profile, routes, target, desks or DeskTargets())
    desk_plan = _Desks(profile, routes, left)
    bound = math.fsum(load.stream.share for load in sizing.loads)
    step = interval_minutes * 60.0
    t, close = clock_seconds(profile.open), clock_seconds(profile.close)
    intervals = []
    while t < close:
        end = min(close, t + step)
        agents, figures = sizing.interval(t, end)
        figures.update(desk_plan.interval(agents, t, end))
        calls, sl = figures.pop("calls") or 0.0, figures.pop("forecast_service_level") or 0.0
        intervals.append(
            PlanInterval.model_validate(
                {
                    "start": _hhmm(t),
                    "end": _hhmm(end),
                    "agents": sum(agents),
                    "calls": round(calls * bound, 2),
                    "forecast_service_level": round(sl, 4),
                    **figures,
                    "groups": {g.name: n for g, n in zip(profile.agents, agents, strict=True)},
                }
            )
        )
        t = end
    blended = isinstance(sizing, _BlendedSizing)
    return StaffingPlan(
        profile=profile.name,
        model="erlang-a-blended" if blended else "erlang-a-per-group",
        target=PlanTarget(service_level=target_sl, seconds=target_seconds),
        chat_target=_chat_target(sizing, left, desk_plan),
        email_target=left.email if desk_plan.email_groups else None,
        intervals=intervals,
    )


def _chat_target(sizing: _CallsSizing, left: DeskTargets, desk_plan: _Desks) -> PlanTarget | None:
    if isinstance(sizing, _BlendedSizing):
        chat = sizing.targets.chat
        return PlanTarget(service_level=chat.service_level, seconds=chat.seconds)
    return left.chat if desk_plan.chat_groups else None


def _desk_staff(plan: StaffingPlan, names: list[str]) -> str:
    counts = [sum((i.groups or {}).get(n, 0) for n in names) for i in plan.intervals]
    low, high = min(counts, default=0), max(counts, default=0)
    return f"{low} agents" if low == high else f"{low}-{high} agents"


def desk_lines(plan: StaffingPlan, profile: SimulationProfile) -> str:
    """What the plan gives the chat and e-mail desks, for the person who asked for it."""
    lines = []
    if plan.chat_target is not None:
        chats = math.fsum(i.chats or 0.0 for i in plan.intervals)
        levels = [i.forecast_chat_service_level for i in plan.intervals]
        known = [x for x in levels if x is not None]
        lowest = f", lowest interval forecast {min(known) * 100:.1f} %" if known else ""
        staff = _desk_staff(plan, [profile.agents[i].name for i in chat_desks(profile)])
        lines.append(
            f"chat desk: {staff} per interval for {chats:,.0f} chats to agents, "
            f"{plan.chat_target.service_level * 100:g} % in {plan.chat_target.seconds:g} s{lowest}"
        )
    if plan.email_target is not None:
        lines.append(_email_line(plan, plan.email_target, profile))
    return "\n".join(lines) if lines else "chat and e-mail desks: kept as the profile staffs them"


def _email_line(plan: StaffingPlan, target: EmailTarget, profile: SimulationProfile) -> str:
    """The e-mail desk's line; a plan by deadline adds its check over the plan's day and the next
    working day on the simulator's e-mail draws (seeds 1-3, ``email_desk.deadline_check``)."""
    emails = math.fsum(i.emails or 0.0 for i in plan.intervals)
    names = [profile.agents[i].name for i in email_desks(profile)]
    staff = _desk_staff(plan, names)
    head = (
        f"e-mail desk: {staff} {plan.intervals[0].start}-{plan.intervals[-1].end} for {emails:,.0f} e-mails, "
        f"{target.answered_within_24h * 100:g} % answered within 24 h"
    )
    if target.by == "closing":
        return head + " by closing"
    days = desk_days(profile)
    following = profile.day + timedelta(seconds=days.windows[1][0] - days.windows[0][0])
    level = max(((i.groups or {}).get(n, 0) for i in plan.intervals for n in names), default=0)
    acw = profile.agents[email_desks(profile)[0]].after_call_work_seconds if names else 0.0
    checks = [deadline_check(profile, level, acw, seed).share for seed in (1, 2, 3)]
    shown = ", ".join(f"{c * 100:.1f} %" for c in checks)
    return (
        f"{head} of receipt (mail left at closing is answered from {following.isoformat()}'s opening); "
        f"checked over both days on the simulator's e-mails, seeds 1-3: {shown}"
    )


def plan_text(plan: StaffingPlan, path: Path) -> str:
    """The plan as JSON (``.json``) or YAML (anything else)."""
    data = plan.model_dump(mode="json", exclude_none=True)
    if path.suffix == ".json":
        return json.dumps(data, indent=2) + "\n"
    return yaml.safe_dump(data, sort_keys=False)


def _first_error(exc: ValidationError) -> str:
    error = exc.errors()[0]
    where = ".".join(str(p) for p in error["loc"]) or "plan"
    more = f" (and {exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
    return f"{where}: {error['msg']}{more}"


def parse_plan(data: Any, source: str = "plan") -> StaffingPlan:
    try:
        return StaffingPlan.model_validate(data)
    except ValidationError as exc:
        raise PlanError(f"{source}: {_first_error(exc)}") from exc


def load_plan(path: Path) -> StaffingPlan:
    """A plan file (YAML or JSON), validated; every problem is a one-line :class:`PlanError`."""
    if not path.is_file():
        raise PlanError(f"{path}: no such plan file")
    text = path.read_text(encoding="utf-8")
    try:
        data = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    except (json.JSONDecodeError, yaml.YAMLError) as exc:
        kind = "JSON" if path.suffix == ".json" else "YAML"
        raise PlanError(f"{path}: not valid {kind} ({str(exc).splitlines()[0]})") from exc
    return parse_plan(data, str(path))


def check_fits(plan: StaffingPlan, profile: SimulationProfile) -> None:
    """A plan staffs the profile's opening hours; a plan for another day is refused."""
    if plan.profile != profile.name:
        raise PlanError(f"the plan is for profile {plan.profile!r}, not {profile.name!r}")
    names = {g.name for g in profile.agents}
    for interval in plan.intervals:
        unknown = sorted(set(interval.groups or {}) - names)
        if unknown:
            raise PlanError(
                f"interval {interval.start}-{interval.end} staffs agent groups {unknown} that profile "
                f"{profile.name!r} does not have (it has {sorted(names)})"
            )
    first, last = clock_seconds(plan.intervals[0].start), clock_seconds(plan.intervals[-1].end)
    if first > clock_seconds(profile.open) or last < clock_seconds(profile.close):
        raise PlanError(
            f"the plan covers {plan.intervals[0].start}-{plan.intervals[-1].end} but the profile is open "
            f"{profile.open}-{profile.close}"
        )
