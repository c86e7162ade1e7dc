"""The simulator's contact center as the flow engine sees it: simulated clock, hours, live queues.

Why a view rather than the engine reading the simulator's state: the engine asks Connect's
questions (is it open, how long is the queue, how many agents are staffed) and the simulator answers
them from the discrete-event state at the simulated instant, exactly as Connect's real-time metrics
would answer them in production.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from civicline.engine import QueueMetrics
from civicline.engine.arns import queue_key
from civicline.sim.kernel import Simulation
from infra.registry import QUEUES_BY_NAME

if TYPE_CHECKING:
    from civicline.sim.model import Agent, SimContact
    from functions.domain.calendar import Calendar


@dataclass
class QueueState:
    """Waiting contacts of one queue, one heap per language, ordered by place in line."""

    name: str
    heaps: dict[str, list[tuple[float, int, SimContact]]] = field(default_factory=dict)
    size: int = 0
    mean_handle: float = 300.0

    def push(self, contact: SimContact, seq: int) -> None:
        heapq.heappush(self.heaps.setdefault(contact.language, []), (contact.priority, seq, contact))
        self.size += 1

    def top(self, language: str) -> SimContact | None:
        heap = self.heaps.get(language)
        while heap and not heap[0][2].waiting:
            heapq.heappop(heap)
        return heap[0][2] if heap else None

    def pop(self, language: str) -> SimContact:
        contact = heapq.heappop(self.heaps[language])[2]
        self.size -= 1
        return contact

    def oldest_priority(self) -> float | None:
        tops = [c.priority for c in (self.top(lang) for lang in list(self.heaps)) if c is not None]
        return min(tops) if tops else None


class SimCenter:
    """``ContactCenterView`` over the simulation: ``sim.now`` seconds after local midnight of ``day``."""

    def __init__(
        self,
        sim: Simulation,
        *,
        midnight: datetime,
        open_seconds: float,
        close_seconds: float,
        queues: dict[str, QueueState],
        agents: list[Agent],
        calendar: Calendar | None = None,
    ) -> None:
        self.sim = sim
        #: the service calendar (days, time zone, holidays) on top of the profile's opening window
        self.calendar = calendar
        self.midnight = midnight
        self.open_seconds = open_seconds
        self.close_seconds = close_seconds
        self.queues = queues
        self.agents = agents

    @classmethod
    def midnight_of(cls, day: object, time_zone: str) -> datetime:
        from datetime import date

        assert isinstance(day, date)
        return datetime(day.year, day.month, day.day, tzinfo=ZoneInfo(time_zone))

    def at(self, seconds: float) -> datetime:
        """The wall-clock instant (tz-aware, local zone) of simulated ``seconds``."""
        return self.midnight + timedelta(seconds=seconds)

    def now(self) -> datetime:
        return self.at(self.sim.now)

    def is_open(self, hours_name: str) -> bool:
        if self.calendar is not None and not self.calendar.is_open(self.now()):
            return False
        return self.open_seconds <= self.sim.now < self.close_seconds

    def queue_metrics(self, queue: str) -> QueueMetrics:
        queue = queue_key(queue) or queue  # Connect's queue name (deployed or local) -> registry key
        state = self.queues.get(queue)
        skilled = [a for a in self.agents if queue in a.skills]
        online = [a for a in skilled if a.on_shift]
        available = [a for a in online if a.contact is None]
        size = state.size if state else 0
        oldest = state.oldest_priority() if state else None
        age = max(0.0, self.sim.now - oldest) if oldest is not None else 0.0
        handle = state.mean_handle if state else 300.0
        expected = size * handle / max(len(online), 1)
        return QueueMetrics(
            size=size,
            oldest_age_seconds=age,
            agents_online=len(online),
            agents_staffed=len(online),
            agents_available=len(available),
            expected_wait_seconds=expected,
        )

    def at_capacity(self, queue: str) -> bool:
        queue = queue_key(queue) or queue
        spec = QUEUES_BY_NAME.get(queue)
        state = self.queues.get(queue)
        return bool(spec and spec.max_contacts is not None and state and state.size >= spec.max_contacts)
