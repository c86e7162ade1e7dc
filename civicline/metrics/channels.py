"""Per-channel reading of the rollups: each channel's measures, and the e-mail backlog per queue.

Why the backlog is read, not stored: an e-mail counts in the 15-minute interval it arrived in, and
its answer (or its closing without one) lands in that same interval's counters. So an interval
whose received e-mails exceed those answered or closed still holds that many waiting e-mails, and
the oldest such interval is the age of the oldest unanswered e-mail: no extra write per contact.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from civicline.metrics.queries import Row
from functions.domain.metrics import derived
from functions.domain.metrics_registry import split_channels


@dataclass(frozen=True)
class Backlog:
    """E-mails still waiting in one queue, and how long the oldest has waited (15-minute resolution)."""

    queue: str
    waiting: int
    oldest: datetime | None
    age_seconds: float | None


def waiting_emails(row: Row) -> int:
    r = row.rollup
    return max(0, r.emails_received - r.emails_answered - r.emails_closed_unanswered)


def email_backlog(rows: Sequence[Row], now: datetime) -> list[Backlog]:
    """Per queue of ``rows`` (15-minute rows), the waiting e-mails and the oldest one's age at ``now``."""
    by_queue: dict[str, list[Row]] = {}
    for row in rows:
        by_queue.setdefault(row.rollup.queue, []).append(row)
    out = []
    for queue, queue_rows in by_queue.items():
        waiting = [r for r in queue_rows if waiting_emails(r)]
        if not any(r.rollup.emails_received for r in queue_rows):
            continue
        oldest = min((r.rollup.period_start for r in waiting), default=None)
        age = None if oldest is None else max(0.0, (now - oldest).total_seconds())
        out.append(Backlog(queue, sum(waiting_emails(r) for r in waiting), oldest, age))
    return out


def channel_totals(rows: Sequence[Row]) -> dict[str, dict[str, float | None]]:
    """Each channel's counters summed over ``rows`` and every ratio of them."""
    sums: dict[str, float] = {}
    for row in rows:
        for name, value in row.counters().items():
            sums[name] = sums.get(name, 0.0) + value
    return {channel: {**counters, **derived(counters)} for channel, counters in split_channels(sums).items()}
