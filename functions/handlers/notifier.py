"""Lambda ``notifier``: a case's status changed (cases table stream) -> notify the citizen who asked.

Per record: the change (status differs from the old image); then :func:`functions.handlers._notify.deliver`
(consent, STOP, quiet hours -> deferred to their end, one claim per change, the send, the Contract
N outcome event). A refused send, or an outcome event EventBridge refused, reports the record as a
batch item failure, so the stream retries it: a failure is never counted as sent, and a sent
notification is never sent twice. Logs carry outcomes and channels only: no case number, phone or
address.
"""

from __future__ import annotations

from typing import Any

from functions.adapters import notifications as store
from functions.adapters.dynamo import from_item
from functions.core.clock import now
from functions.core.observability import logger
from functions.domain import notifications as rules
from functions.handlers._notify import EmitFailed, SendFailed, deliver


def handler(event: Any, context: Any) -> dict[str, Any]:
    failures: list[dict[str, str]] = []
    outcomes: list[str] = []
    for record in event.get("Records", []) if isinstance(event, dict) else []:
        try:
            outcomes.append(_notify(record))
        except (SendFailed, EmitFailed):
            failures.append({"itemIdentifier": str(record.get("dynamodb", {}).get("SequenceNumber", ""))})
            outcomes.append("RETRY")
    logger.info("notifications", outcomes=outcomes)
    return {"batchItemFailures": failures}


def _image(record: dict[str, Any], name: str) -> dict[str, Any] | None:
    raw = record.get("dynamodb", {}).get(name)
    return from_item(raw) if isinstance(raw, dict) else None


def _notify(record: dict[str, Any]) -> str:
    if record.get("eventName") not in {"INSERT", "MODIFY"}:
        return "NOT_A_CHANGE"
    change = rules.status_change(_image(record, "OldImage"), _image(record, "NewImage"))
    if change is None:
        return "NOT_A_CHANGE"
    return deliver(rules.change_notice(change), store.get_consent(change.case_number), now())
