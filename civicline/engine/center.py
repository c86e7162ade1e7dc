"""What the engine asks the outside world: the clock, hours of operation, queue metrics, capacity.

The interpreter never decides these itself: ``civicline call`` and the tests use a
:class:`StaticCenter` (fixed answers), the simulator supplies its own live view.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Protocol, runtime_checkable

from civicline.engine.arns import queue_key
from civicline.engine.stores import LocalStores
from functions.domain.calendar import Calendar


@dataclass(frozen=True)
class QueueMetrics:
    """Real-time figures for one queue, as ``CheckMetricData`` / ``GetMetricData`` see them."""

    size: int = 0
    oldest_age_seconds: float = 0.0
    agents_online: int = 1
    agents_staffed: int = 1
    agents_available: int = 1
    expected_wait_seconds: float = 0.0


@runtime_checkable
class ContactCenterView(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware."""
        ...

    def is_open(self, hours_name: str) -> bool:
        """Whether the named hours of operation are open now."""
        ...

    def queue_metrics(self, queue: str) -> QueueMetrics: ...

    def at_capacity(self, queue: str) -> bool: ...


def _key(queue: str) -> str:
    """Registry key of a queue named either way (``tier2`` or ``civicline-dev-tier2``)."""
    return queue_key(queue) or queue


@dataclass
class StaticCenter:
    """Fixed answers. An hours name in ``hours`` answers that; else, with ``calendars`` (the service
    calendar, functions/domain/calendar.py), the calendar at ``now()`` (days, time zone, holidays);
    else ``open``. ``metrics`` per registry queue, else ``default_metrics``; ``full_queues`` are at
    capacity. ``clock`` fixes ``now()``; without it the real UTC time is used. ``stores`` are the
    instance's Customer Profiles, Cases and Voice ID (:mod:`civicline.engine.stores`)."""

    open: bool = True
    hours: dict[str, bool] = field(default_factory=dict)
    metrics: dict[str, QueueMetrics] = field(default_factory=dict)
    default_metrics: QueueMetrics = field(default_factory=QueueMetrics)
    full_queues: frozenset[str] = frozenset()
    clock: datetime | None = None
    calendars: Mapping[str, Calendar] = field(default_factory=dict)
    stores: LocalStores = field(default_factory=LocalStores)

    def now(self) -> datetime:
        return self.clock if self.clock is not None else datetime.now(UTC)

    def is_open(self, hours_name: str) -> bool:
        if hours_name in self.hours:
            return self.hours[hours_name]
        calendar = self.calendars.get(hours_name)
        return calendar.is_open(self.now()) if calendar is not None else self.open

    def queue_metrics(self, queue: str) -> QueueMetrics:
        return self.metrics.get(_key(queue), self.metrics.get(queue, self.default_metrics))

    def at_capacity(self, queue: str) -> bool:
        return _key(queue) in self.full_queues or queue in self.full_queues


def stores_of(center: ContactCenterView) -> LocalStores:
    """The features the center's instance has: a view without ``stores`` (the simulator's) has
    none of Customer Profiles, Cases and Voice ID enabled, so their actions take the error branch."""
    stores = getattr(center, "stores", None)
    return stores if isinstance(stores, LocalStores) else LocalStores.disabled()
