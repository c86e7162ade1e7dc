"""The 15-minute rollup rows the e-mail backlog reads, from the metrics table.

One ``Query`` per queue on its interval partition (``ROLLUP#<queue>#15m``), from the lookback start
on, projecting only the e-mail counters (:data:`BACKLOG_ATTRIBUTES`, the function's
``dynamodb:Attributes`` grant). Read-only: the rows are the aggregator's (item layout in
functions/adapters/metrics_dynamo.py). An error propagates: the run fails and the next one reads
again; a stored row that cannot be read as numbers and a time becomes a malformed
:class:`~functions.domain.email_backlog.IntervalEmails`, never an exception.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from functions.adapters.dynamo import ddb, pages, table
from functions.adapters.metrics_dynamo import rollup_pk
from functions.domain.email_backlog import IntervalEmails
from infra.registry import EMAIL_BACKLOG_ATTRIBUTES
from schemas.records import Grain

#: what the backlog reads of a rollup item (its key, its interval start, the three e-mail counters):
#: the registry's, from which the function's ``dynamodb:Attributes`` grant is derived
BACKLOG_ATTRIBUTES = EMAIL_BACKLOG_ATTRIBUTES
_NOT_A_NUMBER = -1.0


def _number(item: dict[str, Any], name: str) -> float:
    """A counter's value; 0 when absent (an interval without e-mail), -1 (malformed) when unreadable."""
    value = item.get(name)
    if value is None:
        return 0.0
    try:
        return float(Decimal(str(value["N"])))
    except (KeyError, TypeError, InvalidOperation):
        return _NOT_A_NUMBER


def _start(item: dict[str, Any]) -> datetime | None:
    text = item.get("period_start", {}).get("S") if isinstance(item.get("period_start"), dict) else None
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


def to_interval(queue: str, item: dict[str, Any]) -> IntervalEmails:
    return IntervalEmails(
        queue,
        _start(item),
        _number(item, "emails_received"),
        _number(item, "emails_answered"),
        _number(item, "emails_closed_unanswered"),
    )


def interval_rows(queue: str, since: str) -> list[IntervalEmails]:
    """``queue``'s 15-minute rows whose period key is ``since`` or later (oldest first)."""
    request: dict[str, Any] = {
        "TableName": table("metrics"),
        "KeyConditionExpression": "#pk = :pk AND #sk >= :since",
        "ProjectionExpression": ", ".join(f"#a{i}" for i in range(len(BACKLOG_ATTRIBUTES))),
        "ExpressionAttributeNames": {
            "#pk": "pk",
            "#sk": "sk",
            **{f"#a{i}": a for i, a in enumerate(BACKLOG_ATTRIBUTES)},
        },
        "ExpressionAttributeValues": {
            ":pk": {"S": rollup_pk(queue, Grain.INTERVAL.value)},
            ":since": {"S": since},
        },
    }
    return [to_interval(queue, item) for item in pages(ddb().query, **request)]
