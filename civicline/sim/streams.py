"""The agent-bound demand of a profile day, split as the full day splits it: per queue and language,
served by the agent group (routing profile) the day's routing sends it to first.

Why per stream and per group: a pooled plan (every agent takes every call) met its target in the
pooled queue and missed it in the full day (58 %): the measured loss was all in the small skill
queues (tier2 7 %, identity theft 26 %, Spanish operator 44 %) while English general calls were
answered at 99 %, because sharing a plan's agents among groups by group size staffs a group for its
size, not for the calls only it can take. Here each (queue, language) stream is the calls of the
intents the flows route there (:mod:`civicline.sim.routes`), each stream has a home group, and each
group is planned for its own streams, so no skill or language is left short.

What reaches the agents in an interval, per first call of the day (derivations in docs/planning.md):

* first calls: the profile's arrival curve (:func:`civicline.sim.callers.arrival_rates`);
* repeat calls: every caller is unresolved with ``1 - resolved_first_time`` and then calls again
  with ``share_of_unresolved`` (q = the product), an exponential ``delay_minutes`` later, at most
  three attempts: the repeat curve is the first curve convolved once (q) and twice (q^2) with the
  delay; calls before opening count as sources (their repeats may land in the day);
* the share of callers who reach an agent and where: per (intent, language) from the routes;
* status notifications: case-status calls (intents asking for ``{case}``) drop by
  ``notification_uptake x notification_consented_share`` (:func:`calling_share`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from civicline.sim.callers import arrival_rates
from civicline.sim.desks import takes_voice
from civicline.sim.routes import Route
from schemas.profile import AgentGroup, IntentMix, SimulationProfile, clock_seconds

#: resolution of the repeat-call convolution, seconds
GRID = 60.0


@dataclass(frozen=True)
class Stream:
    """Agent-bound calls of one queue and language: share of all calls, mean handle time."""

    queue: str
    language: str
    share: float
    handle_seconds: float


def is_status_intent(intent: IntentMix) -> bool:
    """A case-status call: its keys ask for a case number (the calls notifications replace)."""
    return "{case}" in "".join(intent.keys)


def calling_share(profile: SimulationProfile, intent: IntentMix) -> float:
    """Share of the intent's callers who still call: a notified citizen stops calling to ask for a
    status, so case-status calls drop by ``notification_uptake x notification_consented_share``."""
    if not is_status_intent(intent):
        return 1.0
    return 1.0 - profile.notification_uptake * profile.notification_consented_share


def streams(profile: SimulationProfile, routes: list[Route]) -> list[Stream]:
    """Every (queue, language) stream with its share of the day's calls and mean handle time."""
    intents = {i.name: i for i in profile.intents}
    mix = math.fsum(i.share for i in profile.intents)
    langs = math.fsum(profile.languages.values())
    mass: dict[tuple[str, str], list[tuple[float, float]]] = {}
    for route in routes:
        intent = intents[route.intent]
        wants = intent.wants_agent if "{agent}" in "".join(intent.keys) else 1.0
        spoken = profile.languages[route.language]  # type: ignore[index]
        share = intent.share / mix * spoken / langs * wants * route.share * calling_share(profile, intent)
        if share > 0:
            mass.setdefault((route.queue, route.language), []).append((share, intent.aht_seconds))
    out = []
    for (queue, language), parts in sorted(mass.items()):
        total = math.fsum(s for s, _ in parts)
        out.append(Stream(queue, language, total, math.fsum(s * a for s, a in parts) / total))
    return out


def takes_calls(group: AgentGroup, queue: str, language: str) -> bool:
    """Whether the group answers this stream's calls: the skill, the language, and VOICE in its
    routing profile (a chat or e-mail desk takes no calls)."""
    return queue in group.skills and language in group.languages and takes_voice(group)


def home_group(profile: SimulationProfile, queue: str, language: str) -> int | None:
    """The group the stream is planned on: among the groups with the skill and the language, the
    one that ranks the skill highest (skills are in priority order), the earlier group on a tie."""
    ranked = [
        (g.skills.index(queue), i) for i, g in enumerate(profile.agents) if takes_calls(g, queue, language)
    ]
    return min(ranked)[1] if ranked else None


def _first_rate(profile: SimulationProfile, t: float) -> float:
    """First-call arrivals per second at ``t`` (inside hours, and the after-hours spread)."""
    for start, end, rate in arrival_rates(profile, profile.calls):
        if start <= t < end:
            return rate
    open_s = clock_seconds(profile.open)
    outside = profile.calls * profile.after_hours_share / 2.0
    if max(0.0, open_s - 3600.0) <= t < open_s:
        return outside / (open_s - max(0.0, open_s - 3600.0))
    return 0.0


def offered_curve(profile: SimulationProfile) -> list[tuple[float, float]]:
    """(start of a GRID step, arrivals per second incl. repeats) from an hour before opening to
    closing: the first-call curve plus its repeats (see the module docstring)."""
    open_s, close_s = clock_seconds(profile.open), clock_seconds(profile.close)
    start = max(0.0, open_s - 3600.0)
    steps = math.ceil((close_s - start) / GRID)
    times = [start + k * GRID for k in range(steps)]
    first = [_first_rate(profile, t + GRID / 2) for t in times]
    q = (1.0 - profile.survey.resolved_first_time) * profile.repeat_callers.share_of_unresolved
    decay = math.exp(-GRID / (profile.repeat_callers.delay_minutes * 60.0))

    def delayed(rates: list[float]) -> list[float]:
        out, carry = [], 0.0
        for rate in rates:  # exponential delay kernel, one GRID step at a time
            out.append(carry * (1.0 - decay))
            carry = carry * decay + rate * GRID
        return [x / GRID for x in out]

    second = delayed(first)
    third = delayed(second)
    return [(t, a + q * b + q * q * c) for t, a, b, c in zip(times, first, second, third, strict=True)]


def expected_offered(curve: list[tuple[float, float]], start: float, end: float) -> float:
    """Expected calls (all kinds, before routing) arriving between ``start`` and ``end``."""
    return math.fsum(rate * max(0.0, min(end, t + GRID) - max(start, t)) for t, rate in curve)
