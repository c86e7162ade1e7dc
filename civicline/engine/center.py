"""What the engine asks the outside world: the clock, hours of operation, queue metrics, capacity.

The interpreter never decides these itself: ``civicline call`` and the tests use a
:class:`StaticCenter` (fixed answers), the simulator supplies its own live view.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Protocol, runtime_checkable


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


@dataclass
class StaticCenter:
    """Fixed answers. ``open`` applies to every hours name unless ``hours`` overrides it;
    ``metrics`` per queue name, else ``default_metrics``; ``full_queues`` are at capacity.
    ``clock`` fixes ``now()``; without it the real UTC time is used."""

    open: bool = True
    hours: dict[str, bool] = field(default_factory=dict)
    metrics: dict[str, QueueMetrics] = field(default_factory=dict)
    default_metrics: QueueMetrics = field(default_factory=QueueMetrics)
    full_queues: frozenset[str] = frozenset()
    clock: datetime | None = None

    def now(self) -> datetime:
        return self.clock if self.clock is not None else datetime.now(UTC)

    def is_open(self, hours_name: str) -> bool:
        return self.hours.get(hours_name, self.open)

    def queue_metrics(self, queue: str) -> QueueMetrics:
        return self.metrics.get(queue, self.default_metrics)

    def at_capacity(self, queue: str) -> bool:
        return queue in self.full_queues
