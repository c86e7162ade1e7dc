"""Per-channel reading of the rollups: each channel's measures, and the e-mail backlog per queue.

The backlog's definition (read from the rollups, not stored: see its module) is
:mod:`functions.domain.email_backlog`, shared with the function that publishes it to CloudWatch.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from civicline.metrics.queries import Row
from functions.domain.email_backlog import Backlog, IntervalEmails
from functions.domain.email_backlog import email_backlog as read_backlog
from functions.domain.metrics import derived
from functions.domain.metrics_registry import split_channels


def interval_emails(row: Row) -> IntervalEmails:
    """A rollup row as the backlog definition reads it (functions.domain.email_backlog)."""
    r = row.rollup
    return IntervalEmails(
        r.queue, r.period_start, r.emails_received, r.emails_answered, r.emails_closed_unanswered
    )


def email_backlog(rows: Sequence[Row], now: datetime) -> list[Backlog]:
    """Per queue of ``rows`` (15-minute rows), the waiting e-mails and the oldest one's age at ``now``:
    the one definition the CloudWatch backlog function publishes too."""
    return list(read_backlog((interval_emails(r) for r in rows), now).queues)


def channel_totals(rows: Sequence[Row]) -> dict[str, dict[str, float | None]]:
    """Each channel's counters summed over ``rows`` and every ratio of them."""
    sums: dict[str, float] = {}
    for row in rows:
        for name, value in row.counters().items():
            sums[name] = sums.get(name, 0.0) + value
    return {channel: {**counters, **derived(counters)} for channel, counters in split_channels(sums).items()}


__all__ = ["Backlog", "channel_totals", "email_backlog", "interval_emails"]
