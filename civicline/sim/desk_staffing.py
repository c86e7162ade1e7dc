"""Staffing the chat and e-mail desks: agents per interval for the groups without VOICE.

Chat desk: Erlang A per interval, each agent ``c`` servers (the routing profile's CHAT
concurrency: the simulator, like Connect's routing profile, gives an agent up to ``c`` chats at once,
each holding its slot for its handle time and the after-contact work; docs/decisions.md "Agents'
channels and concurrency"), the chat patience as the abandonment. The chats that reach the desk
per interval are the chat curve (its own arrivals, or the calls'), repeats included as for calls
(:func:`civicline.sim.streams.offered_curve`), times the share of each chat intent that wants an
agent and that the flows route to a queue (the voice routes of the same intent, walked through the
flows by :mod:`civicline.sim.routes`; a chat intent with no voice twin is taken as queued).

E-mail desk: a backlog, not a queue with patience. An e-mail must be accepted within its 24-hour
answer deadline. By deadline (``by="deadline"``, the command's default): mail left at closing is in
time when the next working day's desk answers it by then (:mod:`civicline.sim.email_desk`). By
closing (``by="closing"``: the one-day simulated day counts what is still waiting at closing as not
answered in time, its horizon being one day): the desk is staffed level through the opening hours
with the fewest agents whose work from any interval's start to closing covers the e-mails arriving
from then on (their handle time plus after-contact work) and the backlog carried in, except the
share the target allows to stay open (a fluid bound, then :data:`EMAIL_OCCUPANCY` for the
randomness of arrivals and handle times).
Auto-replies and loops are received but never answered (the flow screens them out), so the target
counts them as misses: a target above ``1 - auto_reply_share`` cannot be met.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from civicline.sim.callers import chat_day, chat_intents
from civicline.sim.desks import Desk, groups_on
from civicline.sim.email_curve import expected_night, hours_rates
from civicline.sim.email_desk import email_deadline_level
from civicline.sim.erlang import forecast
from civicline.sim.group_staffing import IntervalTarget
from civicline.sim.routes import Route
from civicline.sim.scaling import apportion
from civicline.sim.staffing import agents_needed
from civicline.sim.streams import Stream, expected_offered, offered_curve
from schemas.profile import AgentGroup, SimulationProfile

#: the share of a correspondence agent's time that goes to e-mails (breaks, arrivals bunching)
EMAIL_OCCUPANCY = 0.85


class DeskError(ValueError):
    """A desk target that cannot be planned (no desk for the channel, or an unreachable target)."""


def chat_desks(profile: SimulationProfile) -> list[int]:
    """The groups a chat plan staffs: the chat desk (:class:`civicline.sim.desks.Desk`)."""
    return groups_on(profile, Desk.CHAT)


def email_desks(profile: SimulationProfile) -> list[int]:
    """The groups an e-mail plan staffs: the e-mail desk (EMAIL only)."""
    return groups_on(profile, Desk.EMAIL)


@dataclass(frozen=True)
class ChatDemand:
    """The desk's chats: the curve of all chats, the share that reaches an agent, the mean time a
    chat holds a slot (handle + after-contact work) and the slots per agent."""

    curve: list[tuple[float, float]]
    bound: float
    busy: float
    concurrency: int
    patience: float


#: the queue of a chat intent the flows' voice routes do not know (any chat group may take it)
ANY_QUEUE = ""


def _chat_routes(routes: list[Route], intent: str, language: str) -> list[tuple[str, float]]:
    """(queue, share of the intent's agent-bound chats) by the voice routes of the same intent; a
    chat intent with no voice twin is taken as queued, in no queue in particular."""
    if not any(r.intent == intent for r in routes):
        return [(ANY_QUEUE, 1.0)]
    return [(r.queue, r.share) for r in routes if r.intent == intent and r.language == language]


def chat_streams(profile: SimulationProfile, routes: list[Route]) -> list[Stream]:
    """The agent-bound chats per (queue, language): each one's share of all chats and mean handle
    time (module docstring)."""
    mix = chat_intents(profile)
    total = math.fsum(i.share for i in mix)
    langs = math.fsum(profile.languages.values())
    mass: dict[tuple[str, str], list[tuple[float, float]]] = {}
    for language, spoken in profile.languages.items():
        for intent in mix:
            wants = intent.wants_agent if "{agent}" in "".join(intent.messages) else 1.0
            for queue, routed in _chat_routes(routes, intent.name, language):
                share = intent.share / total * spoken / langs * wants * routed
                if share > 0:
                    mass.setdefault((queue, language), []).append((share, intent.aht_seconds))
    out = []
    for (queue, lang), parts in sorted(mass.items()):
        weight = math.fsum(s for s, _ in parts)
        out.append(Stream(queue, lang, weight, math.fsum(s * a for s, a in parts) / weight))
    return out


def chat_curve(profile: SimulationProfile) -> list[tuple[float, float]]:
    """All chats per GRID step, repeats included (the calls' repeat model on the chat day)."""
    return offered_curve(chat_day(profile).model_copy(update={"calls": max(1, profile.chat.contacts)}))


def chat_demand(profile: SimulationProfile, routes: list[Route], desks: list[int]) -> ChatDemand:
    """What the chat desk must take over the day (module docstring)."""
    streams = chat_streams(profile, routes)
    mass = math.fsum(s.share for s in streams)
    work = math.fsum(s.share * s.handle_seconds for s in streams)
    groups = [profile.agents[i] for i in desks]
    slots = math.fsum(g.count * g.channels.get("CHAT", 1) for g in groups)
    heads = math.fsum(g.count for g in groups)
    concurrency = max(1, round(slots / heads)) if heads else groups[0].channels.get("CHAT", 1)
    acw = math.fsum(g.after_call_work_seconds for g in groups) / len(groups)
    return ChatDemand(
        curve=chat_curve(profile),
        bound=mass,
        busy=(work / mass if mass else 0.0) + acw,
        concurrency=concurrency,
        patience=profile.chat.patience_seconds,
    )


def chat_interval(
    demand: ChatDemand, start: float, end: float, target: IntervalTarget
) -> tuple[int, float, float]:
    """(desk agents, agent-bound chats, forecast service level) for one interval."""
    chats = expected_offered(demand.curve, start, end) * demand.bound
    per_hour = chats * 3600.0 / (end - start)
    if per_hour <= 1e-9:
        return 0, chats, 1.0
    answer = agents_needed(per_hour, demand.busy, target.service_level, target.seconds, demand.patience)
    agents = math.ceil(answer.agents / demand.concurrency)
    sl = forecast(per_hour, demand.busy, agents * demand.concurrency, demand.patience, target.seconds)
    return agents, chats, min(1.0, sl.service_level)


def email_level(
    profile: SimulationProfile, desks: list[int], answered_share: float, by: str = "closing"
) -> tuple[int, float]:
    """(agents on the e-mail desk through the opening hours, expected e-mails) for ``answered_share``
    of the received e-mails accepted in time: by closing (``by="closing"``, module docstring), or by
    their 24-hour deadline across the calendar's working days (``by="deadline"``,
    :mod:`civicline.sim.email_desk`)."""
    spec = profile.email
    screened = spec.auto_reply_share
    if answered_share > 1.0 - screened + 1e-9:
        raise DeskError(
            f"an e-mail target of {answered_share:.0%} cannot be met: {screened:.0%} of the e-mails are "
            "auto-replies the flow screens out (never answered)"
        )
    groups = [profile.agents[i] for i in desks]
    work = spec.handle_seconds + math.fsum(g.after_call_work_seconds for g in groups) / len(groups)
    night = expected_night(profile, spec.emails)  # mail of the closed hours, waiting at opening
    if by == "deadline":
        return email_deadline_level(profile, work / EMAIL_OCCUPANCY, answered_share), spec.emails + night
    pieces = hours_rates(profile, spec.emails)
    allowed = (1.0 - screened - answered_share) * (spec.emails + night)  # real e-mails that may stay open
    close = pieces[-1][1] if pieces else 0.0
    need = 0.0
    for index, (start, _, _) in enumerate(pieces):
        later = (1.0 - screened) * math.fsum(r * (e - max(s, start)) for s, e, r in pieces if e > start)
        # the backlog at opening (carried in, the night's real mail) is due by closing too
        later += spec.carried_in + (1.0 - screened) * night if index == 0 else 0
        need = max(need, (later - allowed) * work / (close - start) / EMAIL_OCCUPANCY)
    return math.ceil(need - 1e-9), spec.emails + night


def split_desk(total: int, groups: list[AgentGroup]) -> list[int]:
    """``total`` desk agents among the desk groups in proportion to their size (largest remainder)."""
    weights = [float(g.count) for g in groups]
    if math.fsum(weights) <= 0:
        weights = [1.0] * len(groups)
    return apportion(total, weights)
