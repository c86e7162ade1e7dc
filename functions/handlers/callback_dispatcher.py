"""Lambda ``callback_dispatcher`` (scheduled): dial the callbacks that are due.

Each due request is claimed with a conditional update (PENDING -> DIALING), so two dispatchers, or
a dispatcher and its retry, never dial one callback twice at once; dialing is paced by a token bucket
under Connect's API rate; the outcome, attempt time and retry are written back, and a closed
callback frees its one-open guard and gets a TTL.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from functions.adapters import callbacks
from functions.core.clock import now
from functions.core.observability import logger
from functions.core.settings import get_settings
from functions.domain import callbacks as rules
from schemas.records import CallbackRequest

BATCH = 25


@dataclass
class DispatchSummary:
    due: int = 0
    claimed: int = 0
    reclaimed: int = 0
    outcomes: Counter[str] = field(default_factory=Counter)

    def as_dict(self) -> dict[str, Any]:
        return {
            "due": self.due,
            "claimed": self.claimed,
            "reclaimed": self.reclaimed,
            "outcomes": dict(self.outcomes),
        }


class ConnectDialer:
    """Dials through Amazon Connect ``StartOutboundVoiceContact``.

    Connect only says the call was placed: the attempt is PLACED, and ``callback_outcomes`` settles it
    as CONNECTED or NO_ANSWER from the call's contact events. Throttling and API errors count as
    FAILED and are retried.
    """

    def dial(self, request: CallbackRequest) -> rules.DialResult:
        from botocore.exceptions import BotoCoreError, ClientError

        from functions.core.aws import client

        settings = get_settings()
        kwargs: dict[str, Any] = {
            "DestinationPhoneNumber": request.callback_number,
            "ContactFlowId": settings.outbound_flow_arn.rsplit("/", 1)[-1],
            "InstanceId": settings.instance_arn.rsplit("/", 1)[-1],
            # read by flows/callback-dial.json: the queue to join, the language to greet in, and
            # what the agent whisper says; no phone number (attributes land in contact records)
            "Attributes": {
                "callbackId": request.callback_id,
                "queue": request.queue,
                "queueArn": settings.queue_arns.get(request.queue, ""),
                "language": request.language,
                "intent": request.intent or "",
            },
            # the same attempt retried by botocore is one call for Connect
            "ClientToken": f"{request.callback_id}-{len(request.attempts)}",
        }
        if request.queue in settings.queue_arns:
            kwargs["QueueId"] = settings.queue_arns[request.queue].rsplit("/", 1)[-1]
        if settings.source_phone_number:
            kwargs["SourcePhoneNumber"] = settings.source_phone_number
        try:
            response = client("connect").start_outbound_voice_contact(**kwargs)
        except (ClientError, BotoCoreError) as exc:
            logger.warning("outbound call failed", callback_id=request.callback_id, error=type(exc).__name__)
            return rules.DialResult("FAILED")
        contact_id = str(response.get("ContactId", ""))
        if not contact_id:  # nothing to follow the call by: count it as reached, never dial twice
            return rules.DialResult("CONNECTED")
        return rules.DialResult("PLACED", contact_id)


def dispatch(
    dialer: rules.Dialer,
    *,
    at: datetime | None = None,
    bucket: rules.TokenBucket | None = None,
    limit: int = BATCH,
) -> DispatchSummary:
    """Dial every due callback once (up to ``limit``); returns what happened."""
    settings = get_settings()
    moment = at or now()
    pacer = bucket or rules.TokenBucket(settings.dial_rate_per_second)
    summary = DispatchSummary()
    # First the claims a crashed dispatcher left behind: dialed again with the same attempt number,
    # hence the same ClientToken, so Connect does not place a second call if the first one went out.
    for request, claimed_at in callbacks.stale_claims(moment, limit):
        if callbacks.reclaim(request.callback_id, claimed_at, moment):
            summary.reclaimed += 1
            _attempt(dialer, request, pacer, at, summary)
    for request in callbacks.due(moment, limit):
        summary.due += 1
        if not callbacks.claim(request.callback_id, moment):
            continue  # another dispatcher has it
        summary.claimed += 1
        _attempt(dialer, request, pacer, at, summary)
    return summary


def _attempt(
    dialer: rules.Dialer,
    request: CallbackRequest,
    pacer: rules.TokenBucket,
    at: datetime | None,
    summary: DispatchSummary,
) -> None:
    """Dial one claimed request (paced) and record the attempt; closing frees its guard."""
    pacer.acquire()
    result = dialer.dial(request)
    dialed_at = at or now()
    updated = rules.record_attempt(request, result.outcome, dialed_at, result.outbound_contact_id)
    callbacks.save_after_attempt(updated, rules.is_closed(updated.state), rules.expiry(updated, dialed_at))
    summary.outcomes[result.outcome] += 1


def handler(event: Any, context: Any) -> dict[str, Any]:
    summary = dispatch(ConnectDialer())
    logger.info("callbacks dispatched", **summary.as_dict())
    return summary.as_dict()
