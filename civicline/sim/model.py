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
    name: str
    group: str
    skills: list[str]
    languages: list[str]
    shift_start: float
    shift_end: float
    acw: float
    on_shift: bool = False
    contact: SimContact | None = None
    idle_since: float = 0.0
    handled: int = 0
    #: time spent on contacts within the shift (occupancy's numerator) and after it (overtime)
    busy_seconds: float = 0.0
    overtime_seconds: float = 0.0
    #: fired by the router with the contact it gives this (idle) agent
    assigned: Signal = field(default_factory=Signal, repr=False)

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
