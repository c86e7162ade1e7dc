"""The day's moving parts: agents, contacts in the queue model, and the simulator's own tally.

Plain data shared by the caller and agent processes (civicline.sim.life, civicline.sim.agents) and
the router (civicline.sim.routing); the behaviour lives in those modules.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from civicline.engine import ContactState
from civicline.sim.callers import Caller
from civicline.sim.kernel import Signal

INBOUND = "INBOUND"
CALLBACK = "CALLBACK"


@dataclass
class Agent:
    """One agent: skills (queues in priority order), languages, shift, and its routing profile's
    channels with how many contacts of each it works at once (``channels``, Connect's
    MediaConcurrency) and whether it may mix channels (``cross_channel``)."""

    name: str
    group: str
    skills: list[str]
    languages: list[str]
    shift_start: float
    shift_end: float
    acw: float
    channels: dict[str, int] = field(default_factory=lambda: {"VOICE": 1})
    cross_channel: bool = False
    on_shift: bool = False
    #: the contacts the agent works now (a voice call, or up to its concurrency of chats, ...)
    active: list[SimContact] = field(default_factory=list, repr=False)
    idle_since: float = 0.0
    handled: int = 0
    #: time with at least one contact within the shift (occupancy's numerator) and after it (overtime)
    busy_seconds: float = 0.0
    overtime_seconds: float = 0.0
    #: the most contacts of each channel the agent ever held at once, and whether it ever held two
    #: channels at once (checked against the routing profile by the tests)
    peak: Counter[str] = field(default_factory=Counter, repr=False)
    mixed: bool = False
    busy_from: float | None = None

    @property
    def contact(self) -> SimContact | None:
        """The first contact the agent works (None: fully idle)."""
        return self.active[0] if self.active else None

    def holding(self, channel: str) -> int:
        return sum(1 for c in self.active if c.channel == channel)

    def can_take(self, channel: str) -> bool:
        """A free slot for ``channel`` under the routing profile: the channel is enabled, below its
        concurrency, and (without cross-channel concurrency) the agent works no other channel."""
        limit = self.channels.get(channel, 0)
        if not self.active:  # an idle agent (most of the routing's polls): no contact to count
            return limit > 0
        if not self.cross_channel and any(c.channel != channel for c in self.active):
            return False
        return self.holding(channel) < limit

    def take(self, contact: SimContact, now: float) -> None:
        if not self.can_take(contact.channel):
            raise RuntimeError(f"{self.name} has no free {contact.channel} slot")
        if not self.active:
            self.busy_from = now
        self.active.append(contact)
        self.peak[contact.channel] = max(self.peak[contact.channel], self.holding(contact.channel))
        self.mixed = self.mixed or len({c.channel for c in self.active}) > 1

    def release(self, contact: SimContact, now: float) -> None:
        self.active.remove(contact)
        if not self.active:
            self.idle_since = now
            if self.busy_from is not None:
                self.work(self.busy_from, now - self.busy_from)
            self.busy_from = None

    def work(self, start: float, seconds: float) -> None:
        """Book ``seconds`` of work from ``start``: the part inside the shift is busy time, the rest
        (finishing promised callbacks after the shift) overtime, so occupancy stays within [0, 1]."""
        inside = max(0.0, min(start + seconds, self.shift_end) - max(start, self.shift_start))
        self.busy_seconds += inside
        self.overtime_seconds += seconds - inside

    @property
    def arn(self) -> str:
        from civicline.local.aws import INSTANCE_ARN

        return f"{INSTANCE_ARN}/agent/{self.name}"


@dataclass
class SimContact:
    """A contact in the queue model (an inbound call waiting, or a queued callback).

    The signals are how the agent side tells the caller's process what happened: ``dialed`` (a
    callback's dial attempt: answered or not), ``connected`` (an agent took it), ``hung_up`` (the
    conversation ended; the value is the disconnect reason).
    """

    caller: Caller
    state: ContactState
    queue: str
    language: str
    priority: float  # place in line: enqueue time (a virtual-hold callback keeps the caller's)
    enqueued: float
    kind: str = INBOUND
    #: VOICE, CHAT or EMAIL (the contact's Channel)
    channel: str = "VOICE"
    waiting: bool = False  # True while in a queue heap
    offered: bool = False
    attempts: int = 0
    max_attempts: int = 1
    retry_delay: float = 300.0
    scheduled_callback_id: str | None = None
    agent: Agent | None = None
    dialed: Signal = field(default_factory=Signal, repr=False)
    connected: Signal = field(default_factory=Signal, repr=False)
    hung_up: Signal = field(default_factory=Signal, repr=False)

    @property
    def request_id(self) -> str:
        """The INBOUND contact whose request this is (a callback's original contact)."""
        return self.state.previous_contact_id or self.state.contact_id


@dataclass
class Truth:
    """What actually happened, counted by the simulator (the aggregator's figures are checked
    against these)."""

    counts: Counter[str] = field(default_factory=Counter)
    answer_wait_sum: float = 0.0
    callback_wait_sum: float = 0.0
    dropped: list[dict[str, Any]] = field(default_factory=list)
    lost_callbacks: list[str] = field(default_factory=list)

    def add(self, name: str, value: int = 1) -> None:
        self.counts[name] += value
