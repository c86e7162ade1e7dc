"""Which desk an agent group is: the one definition of "a calls' group", "a blended group", "the chat
desk" and "the e-mail desk", read by the staffing plans, the scaling of a profile and the streams.

Why one place: the answer follows from the group's routing profile (its ``channels``) alone, and
before this module the same test ("VOICE in channels and not CHAT ...") stood written out in four
modules, so a change of meaning (a blended group joining the plans) would have had to be made four
times. The desks are disjoint and cover every group:

* ``CALLS``: VOICE, no CHAT (with or without EMAIL): staffed from the calls (Erlang A per group).
* ``BLENDED``: VOICE and CHAT: staffed for both channels at once (:mod:`civicline.sim.blended`).
* ``CHAT``: CHAT without VOICE (with or without EMAIL): the chat desk (Erlang A on its slots).
* ``EMAIL``: EMAIL only: the correspondence desk (a backlog with a 24-hour deadline).
"""

from __future__ import annotations

from collections.abc import Collection
from enum import StrEnum

from schemas.profile import AgentGroup, SimulationProfile


class Desk(StrEnum):
    """The desk an agent group belongs to (module docstring)."""

    CALLS = "calls"
    BLENDED = "blended"
    CHAT = "chat"
    EMAIL = "email"


def desk_of(group: AgentGroup) -> Desk:
    """The group's desk, from its routing profile's channels."""
    return desk_of_channels(group.channels)


def desk_of_channels(channels: Collection[str]) -> Desk:
    """The desk of a routing profile with ``channels`` (a group's, or a simulated agent's)."""
    if "VOICE" in channels:
        return Desk.BLENDED if "CHAT" in channels else Desk.CALLS
    return Desk.CHAT if "CHAT" in channels else Desk.EMAIL


def takes_voice(group: AgentGroup) -> bool:
    """Whether the group answers calls (VOICE in its routing profile): a calls' or blended group."""
    return desk_of(group) in (Desk.CALLS, Desk.BLENDED)


def groups_on(profile: SimulationProfile, *desks: Desk) -> list[int]:
    """The indexes (profile order) of the groups on any of ``desks``."""
    return [i for i, g in enumerate(profile.agents) if desk_of(g) in desks]
