"""Lambda ``notification_receipts``: SES and End User Messaging SMS delivery receipts (EventBridge)
-> Contract N DELIVERED / FAILED outcome events. Stateless: the receipt carries the notification's
id (message tags / context), so no table is read. An event EventBridge refused raises, so the
rule's retry policy redelivers the receipt (the outcome event is at-least-once)."""

from __future__ import annotations

from typing import Any

from functions.adapters import notification_channels as channels
from functions.core.observability import logger
from functions.domain import notification_receipts as receipts


def handler(event: Any, context: Any) -> dict[str, Any]:
    found = receipts.receipt(event)
    if found is None:
        logger.info("receipt ignored")
        return {"outcome": None}
    occurred = str(event.get("time") or "")
    channels.emit([receipts.outcome_detail(found, occurred)])
    logger.info("receipt", channel=found.channel, outcome=found.outcome.value, reason=found.reason)
    return {"outcome": found.outcome.value}
