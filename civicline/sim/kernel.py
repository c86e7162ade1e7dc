"""A small discrete-event simulation kernel: a clock, a heap of timed callbacks, and processes.

Why its own kernel and not a library: the simulator needs exactly four things (schedule at a time,
cancel, run until a horizon, and SimPy-style generator processes that wait for a delay or for a
signal with a time-out) and deterministic tie-breaking so the same seed always gives the same day.
Events at the same time run in the order they were scheduled (a sequence number breaks ties), never
in an order that depends on the callbacks' identity. SimPy would give the processes too, but also
an event graph, resources and condition events this simulator does not use, and its scheduling
order is its own (docs/decisions.md, "The day runner's processes").

A process is a generator. It yields a number (wait that many seconds) or a :class:`Wait` (wait until
the signal fires, or until the time-out passes); the ``yield`` returns the signal's value, or
:data:`TIMED_OUT`.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Generator
from dataclasses import dataclass
from typing import Any

Action = Callable[[], None]


def untimed() -> float:
    """The wall clock a simulated day gives the Lambda invoker: none (always 0.0).

    Why: the invoker's time limit is wall time (docs/engine.md); the simulator does not model time in
    the IVR, and on a loaded machine a garbage collection or a descheduled process could push a
    call past its 3 s limit, so the same seed would give a different day. With this clock a call
    times out only when a drill injects it (deterministically, per seed).
    """
    return 0.0


class _TimedOut:
    """The value a :class:`Wait` returns when its time-out passed before the signal fired."""

    def __repr__(self) -> str:
        return "TIMED_OUT"


TIMED_OUT = _TimedOut()


class Event:
    """A scheduled callback; ``cancelled`` events stay in the heap and are skipped when popped.

    Ordered by (time, seq), as the heap needs. Slotted: every pending wake-up of every process is
    one, and an instance without a ``__dict__`` is less than half the size (docs/decisions.md,
    "Simulation: the day's plan drawn as it goes")."""

    __slots__ = ("action", "cancelled", "seq", "time")

    def __init__(self, time: float, seq: int, action: Action) -> None:
        self.time = time
        self.seq = seq
        self.action = action
        self.cancelled = False

    def __lt__(self, other: Event) -> bool:
        return self.time < other.time or (self.time == other.time and self.seq < other.seq)

    def __repr__(self) -> str:
        return f"Event(time={self.time!r}, seq={self.seq!r}, cancelled={self.cancelled!r})"

    def cancel(self) -> None:
        self.cancelled = True


class Signal:
    """A one-shot event a process can wait for; firing it wakes every waiter with its value."""

    __slots__ = ("_waiters", "fired", "value")

    def __init__(self) -> None:
        self.fired = False
        self.value: Any = None
        self._waiters: list[Callable[[Any], None]] = []

    def fire(self, value: Any = None) -> None:
        if self.fired:
            return
        self.fired, self.value = True, value
        waiters, self._waiters = self._waiters, []
        for wake in waiters:
            wake(value)

    def subscribe(self, wake: Callable[[Any], None]) -> None:
        if self.fired:
            wake(self.value)
        else:
            self._waiters.append(wake)


@dataclass(frozen=True, slots=True)
class Wait:
    """Yielded by a process: resume when ``signal`` fires, or after ``timeout`` seconds if given."""

    signal: Signal
    timeout: float | None = None


#: what a process yields: seconds to wait, or a Wait on a signal
Command = float | int | Wait
ProcessGen = Generator[Command, Any, None]
#: a step of a process that returns a value (``answered = yield from step(...)``)
BoolStep = Generator[Command, Any, bool]


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

    def start(self, process: ProcessGen, at: float | None = None) -> None:
        """Run the generator ``process`` from ``at`` (default: now) as a process of this simulation."""
        _Process(self, process).begin(self.now if at is None else max(at, self.now))

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


class _Process:
    """Drives one generator: each yielded command arms exactly one wake-up; stale ones are ignored."""

    __slots__ = ("_armed", "_timer", "gen", "sim")

    def __init__(self, sim: Simulation, gen: ProcessGen) -> None:
        self.sim = sim
        self.gen = gen
        self._armed = 0
        self._timer: Event | None = None

    def begin(self, at: float) -> None:
        token = self._armed
        self.sim.at(at, lambda: self._wake(token, None))

    def _wake(self, token: int, value: Any) -> None:
        if token != self._armed:
            return  # the other half of a Wait (signal or time-out) already woke the process
        self._armed += 1
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        try:
            command = self.gen.send(value)
        except StopIteration:
            return
        self._arm(command)

    def _wake_soon(self, token: int, value: Any) -> None:
        self.sim.at(self.sim.now, lambda: self._wake(token, value))

    def _arm(self, command: Command) -> None:
        token = self._armed
        if isinstance(command, Wait):
            if command.timeout is not None:
                self._timer = self.sim.after(command.timeout, lambda: self._wake(token, TIMED_OUT))
            # a signal wakes the process through the heap, so it resumes after the firing code ran
            command.signal.subscribe(lambda value: self._wake_soon(token, value))
            return
        self.sim.after(float(command), lambda: self._wake(token, None))
