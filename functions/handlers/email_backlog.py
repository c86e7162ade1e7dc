"""Lambda ``email_backlog`` (EventBridge schedule, every 5 minutes): the e-mail backlog to CloudWatch.

Reads every registry queue's 15-minute rollup rows of the lookback window (Query, e-mail counters
only), computes each queue's waiting e-mails and the oldest one's age with the one definition the
local dashboard uses (functions/domain/email_backlog.py), and publishes them as EMF (registry
gauges, per ``Queue`` and stack-wide). The stack alarms on the stack-wide age before the 24-hour
answer deadline passes and once it has passed with e-mails still waiting.

All or nothing: every queue is read before anything is published, so a throttled or failed read
fails the run (Lambda error, no metric at all) and the next scheduled run reads again; a half
reading would publish a backlog that looks smaller than it is. A malformed row is counted in
``EmailBacklogMalformedRows`` and logged with its queue, never aged, never a crash. Logs carry counts.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from functions.adapters.email_backlog import interval_rows
from functions.core.clock import now
from functions.core.observability import logger, publish_metric_sets
from functions.core.settings import get_settings
from functions.domain.email_backlog import BacklogReading, IntervalEmails, email_backlog
from functions.domain.metrics import period_key, to_ms
from functions.domain.metrics_cloudwatch import backlog_sets
from infra.registry import QUEUES
from schemas.records import Grain

#: the queues read: every registry queue (the rollups' queue names are the registry's keys)
BACKLOG_QUEUES: tuple[str, ...] = tuple(q.name for q in QUEUES)


def read(moment: datetime, queues: Sequence[str] = BACKLOG_QUEUES) -> BacklogReading:
    """The backlog at ``moment`` from the rows of the lookback window (raises on any read error)."""
    settings = get_settings()
    since = period_key(
        to_ms(moment - timedelta(hours=settings.email_backlog_lookback_hours)),
        Grain.INTERVAL,
        settings.calendar().zone,
    )
    rows: list[IntervalEmails] = []
    for queue in queues:
        rows.extend(interval_rows(queue, since))
    return email_backlog(rows, moment)


def handler(event: Any, context: Any) -> dict[str, Any]:
    """Lambda entry point (registry: functions.handlers.email_backlog.handler)."""
    moment = now()
    reading = read(moment)  # raises before anything is published: the next run retries
    if reading.malformed:
        logger.warning(
            "malformed rollup rows skipped", rows=reading.malformed, queues=list(reading.malformed_queues)
        )
    publish_metric_sets(backlog_sets(reading, BACKLOG_QUEUES))
    summary: dict[str, Any] = {
        "waiting": reading.waiting,
        "oldest_age_seconds": reading.oldest_age_seconds,
        "malformed": reading.malformed,
        "queues": {b.queue: b.waiting for b in reading.queues},
    }
    logger.info("e-mail backlog", extra=summary)
    return summary
