"""Lambda ``callback_outcomes`` (EventBridge): settle placed callback calls from their contact events.

``StartOutboundVoiceContact`` only says that Connect placed the call; the dispatcher records the
attempt as PLACED. This function reads the outbound call's contact events (CONNECTED_TO_SYSTEM,
CONNECTED_TO_AGENT, DISCONNECTED) and settles the attempt: answered closes the callback as CONNECTED;
not answered records NO_ANSWER and makes the callback due again after its retry delay, or closes it
as NO_ANSWER when its attempts are used up. So a caller who missed the call is called again, and the
metrics count a callback as connected only when the caller was reached.

Events arrive unordered and at least once, and most belong to other contacts: an event whose contact
is not a placed callback call, or whose attempt is already settled, changes nothing. Malformed events
are reported in the result and logged, never raised (EventBridge would only retry them). Contention
and throttling are retried, then raised: the invocation fails and Lambda's async retries and DLQ keep
the event, so a "no answer" is never dropped (the caller would never be called again).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

from pydantic import ValidationError

from functions.adapters import callbacks
from functions.adapters.transient import RetryBudget, retry_within
from functions.core.clock import now
from functions.core.observability import logger
from functions.domain import callbacks as rules
from schemas.contact_events import ContactEvent

#: per event: well inside the function's 30 s timeout; after it the invocation fails, so Lambda's
#: async retries (and then the DLQ) redeliver the event instead of it being dropped
SETTLE_BUDGET = RetryBudget(seconds=3.0, min_attempts=3)


def handler(event: Any, context: Any) -> dict[str, int]:
    outcomes: Counter[str] = Counter()
    for envelope in _envelopes(event):
        outcomes[settle_event(envelope)] += 1
    logger.info("callback outcomes", outcomes=dict(outcomes))
    return dict(outcomes)


def settle_event(envelope: Any) -> str:
    """Settle one event; returns what happened (``connected``, ``no_answer``, ``retry`` or a skip)."""
    try:
        parsed = ContactEvent.model_validate(envelope)
    except ValidationError:
        return "malformed"
    if not parsed.is_contact_event:
        return "not_contact_event"
    detail = parsed.detail
    agent_connected = detail.agentInfo is not None and detail.agentInfo.connectedToAgentTimestamp is not None
    answered = rules.answered_from_event(
        detail.eventType, detail.connectedToSystemTimestamp is not None, agent_connected
    )
    if answered is None:
        return "ignored"
    return retry_within(SETTLE_BUDGET, lambda: _settle(detail.contactId, answered))


def _settle(outbound_contact_id: str, answered: bool) -> str:
    """Read the request, settle the attempt and write it back if it is still as read.

    A request changed meanwhile, contention or throttling raise (``retry_within`` reads it again):
    "already settled" is only ever the answer of a fresh read.
    """
    request = callbacks.find_by_outbound(outbound_contact_id)
    if request is None:
        return "not_a_callback"
    moment = now()
    updated = rules.settle(request, outbound_contact_id, answered, moment)
    if updated is None:
        return "already_settled"
    closed = rules.is_closed(updated.state)
    callbacks.save_settled(updated, closed, rules.expiry(updated, moment), expected=request.state)
    result = "connected" if answered else ("no_answer" if closed else "retry")
    logger.info("callback settled", callback_id=updated.callback_id, result=result, state=updated.state.value)
    return result


def _envelopes(event: Any) -> Iterable[Any]:
    """A single EventBridge event (the rule's Lambda target) or an SQS batch of them."""
    records = event.get("Records") if isinstance(event, Mapping) else None
    if not isinstance(records, list):
        yield event
        return
    for record in records:
        try:
            yield json.loads(record.get("body") or "") if isinstance(record, Mapping) else None
        except json.JSONDecodeError:
            yield None
