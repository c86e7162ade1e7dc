"""The e-mail backlog per queue: how many e-mails wait for an agent and how long the oldest has waited.

One definition, read by the local dashboard (civicline/metrics/channels.py) and by the scheduled
``email_backlog`` function that publishes it to CloudWatch. Why it is read from the 15-minute
rollups and not stored per e-mail: an e-mail counts in the interval it arrived in, and its answer
(or its closing without one) lands in that same interval's counters. So an interval whose received
e-mails exceed those answered or closed still holds that many waiting e-mails, and the oldest such
interval's start is the arrival of the oldest unanswered e-mail: no extra write per contact, and the
same figures as every other measure. The age is measured from the interval's start, so it is at
most 15 minutes too old: an alarm on it fires early, never late.

Pure: rows in, a :class:`BacklogReading` out. A row without a usable arrival time (no interval
start) or with counters that are not whole non-negative numbers is *malformed*: counted, never
aged, never a crash.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from functions.domain.email_triage import ANSWER_HOURS
from functions.domain.metrics import ALL_QUEUE

#: the answer deadline every acknowledgement promises (hours after arrival)
DEADLINE_HOURS = ANSWER_HOURS
#: the default age (hours) at which the oldest waiting e-mail raises the warning: 4 hours left
#: (an environment sets its own, ``thresholds.email_backlog_warn_hours``)
WARNING_HOURS = 20.0


@dataclass(frozen=True)
class IntervalEmails:
    """One queue's e-mail counters of one 15-minute interval (a rollup row, only what the backlog reads).

    ``period_start`` is None when the stored row had none that parses (a malformed row)."""

    queue: str
    period_start: datetime | None
    received: float
    answered: float
    closed: float

    @property
    def malformed(self) -> bool:
        counts = (self.received, self.answered, self.closed)
        return self.period_start is None or any(c < 0 or c != int(c) for c in counts)

    @property
    def waiting(self) -> int:
        """E-mails of this interval still waiting: received, neither answered nor closed."""
        if self.malformed:
            return 0
        return max(0, int(self.received - self.answered - self.closed))


@dataclass(frozen=True)
class Backlog:
    """E-mails still waiting in one queue, and how long the oldest has waited (15-minute resolution)."""

    queue: str
    waiting: int
    oldest: datetime | None
    age_seconds: float | None


@dataclass(frozen=True)
class BacklogReading:
    """Every queue's backlog (queues that received e-mail in the rows), and the malformed rows seen."""

    queues: tuple[Backlog, ...]
    malformed: int = 0
    #: the queues that had malformed rows (for the log: whose data to inspect)
    malformed_queues: tuple[str, ...] = ()

    @property
    def waiting(self) -> int:
        return overall(self.queues).waiting

    @property
    def oldest_age_seconds(self) -> float:
        """The oldest waiting e-mail's age over every queue; 0 when nothing waits."""
        return overall(self.queues).age_seconds or 0.0


def overall(backlogs: Sequence[Backlog]) -> Backlog:
    """Every queue together: all waiting e-mails, the oldest of them (the stack-wide figure)."""
    oldest = min((b.oldest for b in backlogs if b.oldest is not None), default=None)
    ages = [b.age_seconds for b in backlogs if b.age_seconds is not None]
    return Backlog(ALL_QUEUE, sum(b.waiting for b in backlogs), oldest, max(ages, default=None))


def deadline_status(age_seconds: float | None, warning_hours: float = WARNING_HOURS) -> str:
    """Where the oldest waiting e-mail stands against its deadline, as the stack's two alarms
    judge it: ``deadline passed`` at :data:`DEADLINE_HOURS`, ``warning`` from ``warning_hours``."""
    if age_seconds is None:
        return "-"
    if age_seconds >= DEADLINE_HOURS * 3600:
        return "deadline passed"
    return "warning" if age_seconds >= warning_hours * 3600 else "on time"


def email_backlog(rows: Iterable[IntervalEmails], now: datetime) -> BacklogReading:
    """Per queue of ``rows`` (15-minute rows), the waiting e-mails and the oldest one's age at ``now``.

    A queue appears when any of its well-formed rows received e-mail (a queue that never took
    e-mail is not an e-mail queue); its age is None when nothing waits."""
    by_queue: dict[str, list[IntervalEmails]] = {}
    bad: list[str] = []
    for row in rows:
        if row.malformed:
            bad.append(row.queue)
            continue
        by_queue.setdefault(row.queue, []).append(row)
    out = []
    for queue, queue_rows in by_queue.items():
        if not any(r.received for r in queue_rows):
            continue
        waiting = [r for r in queue_rows if r.waiting]
        oldest = min((r.period_start for r in waiting if r.period_start is not None), default=None)
        age = None if oldest is None else max(0.0, (now - oldest).total_seconds())
        out.append(Backlog(queue, sum(r.waiting for r in waiting), oldest, age))
    return BacklogReading(tuple(out), len(bad), tuple(sorted(set(bad))))
