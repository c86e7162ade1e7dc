"""Pure transformations of a profile before a run: volume, staffing scale, total agents, a plan.

Why before the run and not inside the day runner: the runner then simulates exactly the profile it
is given, and what ``--calls``, ``--scale`` and ``--plan`` did is visible (and printable) as an
ordinary profile. Each function returns a new, re-validated profile; the input is never changed.
"""

from __future__ import annotations

import math
import re

from civicline.sim.desks import takes_voice
from schemas.profile import AgentGroup, Shift, SimulationProfile, clock_seconds
from schemas.staffing_plan import StaffingPlan

_SCALE = re.compile(r"^\s*(?:x\s*)?([0-9]*\.?[0-9]+)\s*x?\s*$")


def parse_scale(text: str) -> float:
    """``"6x"``, ``"x6"``, ``"1.5"`` -> the factor; refuses zero, negatives and nonsense."""
    match = _SCALE.match(text)
    factor = float(match.group(1)) if match else 0.0
    if not match or factor <= 0 or factor > 1000:
        raise ValueError(f"--scale is a positive factor such as 6x or 1.5x, got {text!r}")
    return factor


def agent_hours(profile: SimulationProfile) -> float:
    """Staffed agent-hours of the day: the cost a sweep minimizes."""
    return math.fsum(
        g.count * (clock_seconds(g.shift.end) - clock_seconds(g.shift.start)) / 3600.0 for g in profile.agents
    )


def total_agents(profile: SimulationProfile) -> int:
    return sum(g.count for g in profile.agents)


def _validated(profile: SimulationProfile, **changes: object) -> SimulationProfile:
    return SimulationProfile.model_validate({**profile.model_dump(mode="json"), **changes})


def apportion(total: int, weights: list[float]) -> list[int]:
    """Split ``total`` in proportion to ``weights`` (largest remainder; ties to the earlier one)."""
    mass = math.fsum(weights)
    if total <= 0 or mass <= 0:
        return [0] * len(weights)
    exact = [total * w / mass for w in weights]
    counts = [math.floor(x) for x in exact]
    order = sorted(range(len(weights)), key=lambda i: (-(exact[i] - counts[i]), i))
    for i in order[: total - sum(counts)]:
        counts[i] += 1
    return counts


def voice_groups(profile: SimulationProfile) -> list[AgentGroup]:
    """The groups that take calls (their routing profile has VOICE): what a calls' plan staffs."""
    return [g for g in profile.agents if takes_voice(g)]


def voice_agents(profile: SimulationProfile) -> int:
    """Agents on the calls (what the sweep's ``agents`` variable sets; desks are apart)."""
    return sum(g.count for g in voice_groups(profile))


def with_total_agents(profile: SimulationProfile, agents: int) -> SimulationProfile:
    """The same groups and shifts with ``agents`` agents on the calls, in the profile's proportions;
    chat and e-mail desks (groups without VOICE) keep their own headcount."""
    if agents < 0:
        raise ValueError("agents must be >= 0")
    voice = voice_groups(profile)
    weights = [float(g.count) for g in voice]
    if math.fsum(weights) <= 0:
        weights = [1.0] * len(weights)
    counts = dict(zip((g.name for g in voice), apportion(agents, weights), strict=True))
    groups = [g.model_dump(mode="json") | {"count": counts.get(g.name, g.count)} for g in profile.agents]
    return _validated(profile, agents=groups)


def scale_profile(profile: SimulationProfile, factor: float) -> SimulationProfile:
    """Arrivals and staff scaled together (``--scale 6x``): calls x factor, every group x factor."""
    calls = max(1, round(profile.calls * factor))
    groups = [g.model_dump(mode="json") | {"count": round(g.count * factor)} for g in profile.agents]
    return _validated(profile, calls=calls, agents=groups)


def with_calls(profile: SimulationProfile, calls: int) -> SimulationProfile:
    """Only the volume changes (``--calls N``): the staff stays as the profile has it."""
    return _validated(profile, calls=calls)


def _staircase(intervals: list[tuple[str, str, int]]) -> list[tuple[str, str, int]]:
    """Contiguous (start, end, agents) intervals as shifts: agent k works every run of intervals with
    >= k agents. Returns (start, end, count), identical shifts merged, in start order."""
    shifts: dict[tuple[str, str], int] = {}
    for level in range(1, max((n for _, _, n in intervals), default=0) + 1):
        run: list[str] | None = None  # [start, end] of the current run
        for start, end, agents in intervals:
            if agents >= level:
                run = [run[0] if run else start, end]
            elif run:
                shifts[(run[0], run[1])] = shifts.get((run[0], run[1]), 0) + 1
                run = None
        if run:
            shifts[(run[0], run[1])] = shifts.get((run[0], run[1]), 0) + 1
    return sorted(((s, e, n) for (s, e), n in shifts.items()), key=lambda x: (clock_seconds(x[0]), x[1]))


def plan_shifts(plan: StaffingPlan) -> list[tuple[str, str, int]]:
    """The plan as shifts (see :func:`_staircase`)."""
    return _staircase([(i.start, i.end, i.agents) for i in plan.intervals])


def _split(total: int, weights: list[float]) -> list[int]:
    """One interval's agents among the groups: one each first while there are enough (every skill
    stays covered), the rest in proportion to the groups' sizes."""
    if total >= len(weights):
        return [1 + n for n in apportion(total - len(weights), weights)]
    return apportion(total, weights)


def desk_agents(group: AgentGroup, start: float, end: float) -> int:
    """A group without the VOICE channel (a chat desk, correspondence) is not staffed from the calls:
    a plan keeps its agents where its shift covers the interval (``start``-``end``, seconds)."""
    inside = clock_seconds(group.shift.start) <= start and end <= clock_seconds(group.shift.end)
    return group.count if inside else 0


def apply_plan(profile: SimulationProfile, plan: StaffingPlan) -> SimulationProfile:
    """The profile staffed by ``plan``: an interval's ``groups`` staff the profile's agent groups by
    name (a plan per group); without them its agents are shared among the groups (see
    :func:`_split`), so the skill and language mix stays the profile's. Each group's curve becomes
    its shifts."""
    weights = [float(g.count) for g in profile.agents]
    if math.fsum(weights) <= 0:
        weights = [1.0] * len(weights)
    per_interval = [
        _split(i.agents, weights) if i.groups is None else [i.groups.get(g.name, 0) for g in profile.agents]
        for i in plan.intervals
    ]
    groups: list[dict[str, object]] = []
    for index, group in enumerate(profile.agents):
        curve = [
            (i.start, i.end, split[index]) for i, split in zip(plan.intervals, per_interval, strict=True)
        ]
        for start, end, count in _staircase(curve):
            shaped = AgentGroup(
                name=f"{group.name[:28]}-{start.replace(':', '')}-{end.replace(':', '')}",
                count=count,
                skills=group.skills,
                languages=group.languages,
                shift=Shift(start=start, end=end),
                after_call_work_seconds=group.after_call_work_seconds,
                channels=group.channels,
                cross_channel=group.cross_channel,
            )
            groups.append(shaped.model_dump(mode="json"))
    if not groups:
        raise ValueError("the plan staffs no agent at all")
    return _validated(profile, agents=groups)


def describe_staffing(before: SimulationProfile, after: SimulationProfile) -> str:
    """One line saying what a volume/staffing change did, for the person who asked for it."""
    calls = (
        f"{before.calls:,} -> {after.calls:,} calls"
        if before.calls != after.calls
        else f"{after.calls:,} calls"
    )
    a, b = total_agents(before), total_agents(after)
    staff = f"{a} -> {b} agents" if a != b else f"staff unchanged at {b} agents"
    hours = f"{agent_hours(after):,.1f} agent-hours"
    note = ""
    if before.calls != after.calls and a == b:
        ratio = after.calls / before.calls
        note = f" (load x{ratio:.2f} on the same staff; --scale {ratio:g}x scales staff too, --plan sets it)"
    return f"{calls}; {staff} ({hours}){note}"
