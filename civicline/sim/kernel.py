"""A small discrete-event simulation kernel: a clock and a heap of timed callbacks.

Why its own kernel and not a library: the simulator needs exactly three things (schedule at a
time, cancel, run until a horizon) and deterministic tie-breaking so the same seed always gives
the same day. Events at the same time run in the order they were scheduled (a sequence number
breaks ties), never in an order that depends on the callbacks' identity.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable
from dataclasses import dataclass, field

Action = Callable[[], None]


@dataclass(order=True)
class Event:
    """A scheduled callback; ``cancelled`` events stay in the heap and are skipped when popped."""

    time: float
    seq: int
    action: Action = field(compare=False)
    cancelled: bool = field(default=False, compare=False)

    def cancel(self) -> None:
        self.cancelled = True


class Simulation:
    """The event loop. Time is in seconds from the start of the simulated day."""

    def __init__(self) -> None:
        self.now: float = 0.0
        self._heap: list[Event] = []
        self._seq = 0
        self.events_run = 0

    def at(self, time: float, action: Action) -> Event:
        """Run ``action`` at absolute time ``time`` (never in the past)."""
        if time < self.now:
            raise ValueError(f"cannot schedule in the past: {time} < {self.now}")
        event = Event(time, self._seq, action)
        self._seq += 1
        heapq.heappush(self._heap, event)
        return event

    def after(self, delay: float, action: Action) -> Event:
        """Run ``action`` ``delay`` seconds from now."""
        return self.at(self.now + max(0.0, delay), action)

    def pending(self) -> int:
        return sum(1 for e in self._heap if not e.cancelled)

    def run(self, until: float | None = None) -> None:
        """Run events in time order until the heap is empty or the next event is after ``until``.

        The clock ends at ``until`` when given (so a caller can read the horizon as ``now``).
        """
        heap = self._heap
        while heap:
            event = heap[0]
            if until is not None and event.time > until:
                break
            heapq.heappop(heap)
            if event.cancelled:
                continue
            self.now = event.time
            self.events_run += 1
            event.action()
        if until is not None and until > self.now:
            self.now = until
