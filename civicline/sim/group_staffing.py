"""Agents per agent group for one interval: Erlang A per group on the calls the day's routing gives it.

Why not "each group for its own queue": the full day offers an arriving contact to the longest-idle
agent who has the skill and the language (any group), and a free agent takes its highest-priority
skill first. So a group with secondary skills also answers other queues' calls while it has idle
agents. Measured on the regional day with every group planned for its home streams only: the tier2
group (tier2, identity_theft, appeals) answered identity-theft and appeals calls on arrival and its
own tier2 queue fell to 72 % while appeals got 100 %.

The model: an arriving call finds the eligible idle agents and goes to one of them; with
longest-idle routing every idle agent is equally likely, so a stream's calls split among its
eligible groups in proportion to their idle agents, ``n_g - a_g`` (agents minus offered load in
erlangs). Each group is then an Erlang A queue for the calls it takes (busy time = their handle
time plus the group's after-call work, the profile's patience) and gets the fewest agents meeting
the target. Agents and split depend on each other: the fixed point is found by damped iteration,
starting from every stream on its home group (:func:`civicline.sim.streams.home_group`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from civicline.sim.staffing import agents_needed
from civicline.sim.streams import Stream, home_group, takes_calls
from schemas.profile import SimulationProfile

#: rounds of the fixed-point iteration and the weight of the new split in each round
ROUNDS = 24
DAMPING = 0.5


@dataclass(frozen=True)
class StreamLoad:
    """A stream, the groups that may answer it (skill and language) and its home group."""

    stream: Stream
    eligible: tuple[int, ...]
    home: int


class UnstaffableStream(ValueError):
    """A stream no group of the profile can answer (no group has the skill and the language)."""


def stream_loads(profile: SimulationProfile, streams: list[Stream]) -> list[StreamLoad]:
    out = []
    for stream in streams:
        home = home_group(profile, stream.queue, stream.language)
        if home is None:
            raise UnstaffableStream(
                f"no agent group of {profile.name!r} takes {stream.queue} calls in {stream.language!r}"
            )
        eligible = tuple(
            i for i, g in enumerate(profile.agents) if takes_calls(g, stream.queue, stream.language)
        )
        out.append(StreamLoad(stream, eligible, home))
    return out


@dataclass(frozen=True)
class IntervalTarget:
    service_level: float
    seconds: float
    patience: float


@dataclass(frozen=True)
class GroupLoad:
    """Calls per hour a group takes and their mean busy time."""

    rate: float
    busy: float


def group_loads(
    profile: SimulationProfile, loads: list[StreamLoad], split: list[dict[int, float]], per_hour: float
) -> list[GroupLoad]:
    rate = [0.0] * len(profile.agents)
    work = [0.0] * len(profile.agents)
    for load, shares in zip(loads, split, strict=True):
        for group, share in shares.items():
            calls = per_hour * load.stream.share * share
            rate[group] += calls
            work[group] += calls * (
                load.stream.handle_seconds + profile.agents[group].after_call_work_seconds
            )
    return [GroupLoad(r, w / r if r > 0 else 0.0) for r, w in zip(rate, work, strict=True)]


def _size(groups: list[GroupLoad], target: IntervalTarget) -> tuple[list[int], list[float]]:
    """Fewest agents per group meeting the target, and each group's forecast service level."""
    agents, levels = [], []
    for g in groups:
        if g.rate <= 1e-9:
            agents.append(0)
            levels.append(1.0)
            continue
        answer = agents_needed(g.rate, g.busy, target.service_level, target.seconds, target.patience)
        agents.append(answer.agents)
        levels.append(min(1.0, answer.forecast.service_level))
    return agents, levels


def resplit(
    loads: list[StreamLoad], split: list[dict[int, float]], idle: list[float]
) -> list[dict[int, float]]:
    out = []
    for load, old in zip(loads, split, strict=True):
        free = math.fsum(idle[g] for g in load.eligible)
        new = {g: idle[g] / free for g in load.eligible} if free > 0 else {load.home: 1.0}
        merged = {g: (1 - DAMPING) * old.get(g, 0.0) + DAMPING * new.get(g, 0.0) for g in set(old) | set(new)}
        out.append({g: s for g, s in merged.items() if s > 1e-6})
    return out


def staff_interval(
    profile: SimulationProfile, loads: list[StreamLoad], per_hour: float, target: IntervalTarget
) -> tuple[list[int], float]:
    """Agents per group (profile order) for ``per_hour`` calls (all calls, before routing) and the
    forecast service level over the agent-bound calls (calls-weighted over groups)."""
    split = [{load.home: 1.0} for load in loads]
    for _ in range(ROUNDS):
        groups = group_loads(profile, loads, split, per_hour)
        agents, _ = _size(groups, target)
        idle = [max(0.0, n - g.rate * g.busy / 3600.0) for n, g in zip(agents, groups, strict=True)]
        split = resplit(loads, split, idle)
    groups = group_loads(profile, loads, split, per_hour)
    agents, levels = _size(groups, target)
    bound = math.fsum(g.rate for g in groups)
    forecast = math.fsum(g.rate * sl for g, sl in zip(groups, levels, strict=True)) / bound if bound else 1.0
    return agents, forecast
