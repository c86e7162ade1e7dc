"""Blended groups (VOICE and CHAT in one routing profile): agents per interval for calls and chats
together, beside the calls' groups and the chat desk that share the same contacts.

What Amazon Connect does, and so the simulator (Administrator Guide, "Channels and concurrency",
channels-and-concurrency.html; API reference MediaConcurrency / CrossChannelBehavior):

* Without cross-channel concurrency (``cross_channel: false``, ROUTE_CURRENT_CHANNEL_ONLY) "after
  the agent starts work on contacts from one channel they will no longer be offered contacts from
  any other channels": an agent with a chat is offered no call until every chat ended, and an agent
  on a call no chat. A contact offered to several agents goes to "the agent who is handling the
  fewest contacts across all channels", so new chats spread over idle agents before any agent
  holds two. So a chat takes an agent off the phones for its whole time: the group is one pool of
  agents serving calls and chats first in, first out ("First-In First-Out is still respected"
  across channels), one contact per agent. The concurrency only adds capacity once every agent is
  busy; the plan leaves it out (the safe side: it can only make the measured level higher).
* With cross-channel concurrency (``cross_channel: true``, ROUTE_ANY_CHANNEL) an agent may be
  offered a call while handling chats and chats during a call, each channel up to its own
  concurrency. The simulator (like the profile's handle times, which are measured per contact)
  does not slow a chat down while its agent talks, so the two channels do not take capacity from
  each other: the group needs the agents the calls need and the agents its chat slots need, the
  larger of the two.

UNCONFIRMED (not stated on the pages read): how Connect combines a CrossChannelBehavior that
differs per channel (VOICE current-channel-only with CHAT any-channel); the profile has one flag per
group, and a mixed routing profile should be planned as ``cross_channel: false`` (the safe choice:
it plans each chat as an agent's whole attention).

Which group takes which contact is the calls' fixed point (:mod:`civicline.sim.group_staffing`):
a stream splits among its eligible groups by their idle agents, and each group is sized for what it
takes. Chats are streams too, per queue and language (a chat desk or blended group with the
language and the queue's skill takes them), so a blended group is sized for the calls and chats it
takes and the chat desk for the rest.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from civicline.sim.desk_staffing import ANY_QUEUE
from civicline.sim.desks import Desk, desk_of
from civicline.sim.erlang import ClassDemand, forecast, pooled_service_levels
from civicline.sim.group_staffing import (
    ROUNDS,
    GroupLoad,
    IntervalTarget,
    StreamLoad,
    UnstaffableStream,
    group_loads,
    resplit,
)
from civicline.sim.staffing import agents_needed
from civicline.sim.streams import Stream
from schemas.profile import AgentGroup, SimulationProfile

#: the most agents a pooled group is searched up to (far above any interval of a day)
MAX_AGENTS = 5000


@dataclass(frozen=True)
class BlendedTargets:
    """The calls' and the chats' targets of one interval (each with its own patience)."""

    voice: IntervalTarget
    chat: IntervalTarget


@dataclass(frozen=True)
class GroupSize:
    """A group's agents and the forecast service level of the calls and of the chats it takes."""

    agents: int
    voice_level: float
    chat_level: float


def takes_chats(group: AgentGroup, stream: Stream) -> bool:
    """Whether the group answers the stream's chats: a chat desk or a blended group with the
    language and the queue's skill (any skill for a chat in no particular queue)."""
    if desk_of(group) not in (Desk.CHAT, Desk.BLENDED) or stream.language not in group.languages:
        return False
    return stream.queue == ANY_QUEUE or stream.queue in group.skills


def chat_loads(profile: SimulationProfile, streams: list[Stream]) -> list[StreamLoad]:
    """The chat streams with the groups that may take them; home: the first chat desk group that
    may, else the first blended one."""
    out = []
    for stream in streams:
        eligible = tuple(i for i, g in enumerate(profile.agents) if takes_chats(g, stream))
        if not eligible:
            queue = f"{stream.queue} chats" if stream.queue else "chats"
            raise UnstaffableStream(
                f"no agent group of {profile.name!r} takes {queue} in {stream.language!r}"
            )
        desks = [i for i in eligible if desk_of(profile.agents[i]) is Desk.CHAT]
        out.append(StreamLoad(stream, eligible, (desks or list(eligible))[0]))
    return out


def _voice_agents(load: GroupLoad, target: IntervalTarget) -> tuple[int, float]:
    if load.rate <= 1e-9:
        return 0, 1.0
    answer = agents_needed(load.rate, load.busy, target.service_level, target.seconds, target.patience)
    return answer.agents, min(1.0, answer.forecast.service_level)


def _chat_agents(load: GroupLoad, target: IntervalTarget, concurrency: int) -> tuple[int, float]:
    """Agents whose ``concurrency`` slots each meet the chat target (a slot is a server)."""
    if load.rate <= 1e-9:
        return 0, 1.0
    answer = agents_needed(load.rate, load.busy, target.service_level, target.seconds, target.patience)
    agents = math.ceil(answer.agents / concurrency)
    sl = forecast(load.rate, load.busy, agents * concurrency, target.patience, target.seconds)
    return agents, min(1.0, sl.service_level)


def _pooled(voice: GroupLoad, chat: GroupLoad, targets: BlendedTargets) -> GroupSize:
    """Fewest agents of one pool serving calls and chats (one contact each) meeting both targets."""
    classes = [
        ClassDemand(load.rate, load.busy or 1.0, target.patience, target.seconds)
        for load, target in ((voice, targets.voice), (chat, targets.chat))
    ]
    need = (voice.rate * voice.busy + chat.rate * chat.busy) / 3600.0
    if need <= 1e-9:
        return GroupSize(0, 1.0, 1.0)
    for agents in range(max(1, math.floor(need * 0.5)), MAX_AGENTS + 1):
        v, c = pooled_service_levels(classes, agents)
        if (voice.rate <= 1e-9 or v >= targets.voice.service_level) and (
            chat.rate <= 1e-9 or c >= targets.chat.service_level
        ):
            return GroupSize(agents, v, c)
    return GroupSize(MAX_AGENTS, v, c)


def size_group(group: AgentGroup, voice: GroupLoad, chat: GroupLoad, targets: BlendedTargets) -> GroupSize:
    """A group's agents for the calls and chats it takes, by its desk (module docstring)."""
    desk = desk_of(group)
    concurrency = group.channels.get("CHAT", 1)
    if desk is Desk.CHAT:
        agents, level = _chat_agents(chat, targets.chat, concurrency)
        return GroupSize(agents, 1.0, level)
    if desk is Desk.BLENDED and not group.cross_channel:
        return _pooled(voice, chat, targets)
    calls, voice_level = _voice_agents(voice, targets.voice)
    if desk is not Desk.BLENDED:
        return GroupSize(calls, voice_level, 1.0)
    chats, chat_level = _chat_agents(chat, targets.chat, concurrency)
    return GroupSize(max(calls, chats), voice_level, chat_level)


def _idle(group: AgentGroup, size: GroupSize, voice: GroupLoad, chat: GroupLoad) -> tuple[float, float]:
    """(agents free for another call, agents' worth of free chat slots) at the group's size."""
    calls = voice.rate * voice.busy / 3600.0
    chats = chat.rate * chat.busy / 3600.0
    if desk_of(group) is Desk.BLENDED and not group.cross_channel:
        free = max(0.0, size.agents - calls - chats)
        return free, free
    concurrency = group.channels.get("CHAT", 1)
    return max(0.0, size.agents - calls), max(0.0, size.agents - chats / concurrency)


def _weighted(sizes: list[GroupSize], loads: list[GroupLoad], voice: bool) -> float:
    rate = math.fsum(load.rate for load in loads)
    if rate <= 0:
        return 1.0
    return (
        math.fsum(
            load.rate * (s.voice_level if voice else s.chat_level)
            for s, load in zip(sizes, loads, strict=True)
        )
        / rate
    )


def staff_blended(
    profile: SimulationProfile,
    calls: list[StreamLoad],
    chats: list[StreamLoad],
    per_hour: tuple[float, float],
    targets: BlendedTargets,
) -> tuple[list[int], float, float]:
    """Agents per group (profile order; e-mail desk groups 0) for ``per_hour`` = (calls, chats) per
    hour before routing, and the forecast service levels of the calls and the chats."""
    voice_split = [{load.home: 1.0} for load in calls]
    chat_split = [{load.home: 1.0} for load in chats]
    for _ in range(ROUNDS + 1):
        voice = group_loads(profile, calls, voice_split, per_hour[0])
        chat = group_loads(profile, chats, chat_split, per_hour[1])
        sizes = [size_group(g, v, c, targets) for g, v, c in zip(profile.agents, voice, chat, strict=True)]
        idle = [_idle(g, s, v, c) for g, s, v, c in zip(profile.agents, sizes, voice, chat, strict=True)]
        voice_split = resplit(calls, voice_split, [i[0] for i in idle])
        chat_split = resplit(chats, chat_split, [i[1] for i in idle])
    agents = [s.agents for s in sizes]
    return agents, _weighted(sizes, voice, True), _weighted(sizes, chat, False)
