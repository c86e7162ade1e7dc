"""Lambda ``callback_dispatcher`` (scheduled): dial the callbacks that are due.

Each due request is claimed with a conditional update (PENDING -> DIALING), so two dispatchers, or
a dispatcher and its retry, never dial one callback twice at once; dialing is paced by a token bucket
under Connect's API rate; the outcome, attempt time and retry are written back, and a closed
callback frees its one-open guard and gets a TTL. A dial that timed out (or got a 5xx) may have
placed the call: it is repeated under the same ClientToken, so Connect does not call twice
(``rules.client_token``). Contention on the table is retried; what cannot be written is left to the
claim's lease.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from functions.adapters import callbacks
from functions.adapters.transient import Contention, RetryBudget, retry_within
from functions.core.clock import now
from functions.core.observability import logger
from functions.core.settings import get_settings
from functions.domain import callbacks as rules
from schemas.records import CallbackRequest

BATCH = 25
#: per write, well inside the function's 60 s timeout (a batch of 25 paced dials takes about 17 s)
SAVE_BUDGET = RetryBudget(seconds=2.0, min_attempts=3)


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
            # one call for Connect however often it is asked (botocore's retries, our own after a
            # time-out, a reclaimed lease): see rules.client_token
            "ClientToken": rules.client_token(request),
        }
        if request.queue in settings.queue_arns:
            kwargs["QueueId"] = settings.queue_arns[request.queue].rsplit("/", 1)[-1]
        if settings.source_phone_number:
            kwargs["SourcePhoneNumber"] = settings.source_phone_number
        try:
            response = client("connect").start_outbound_voice_contact(**kwargs)
        except (ClientError, BotoCoreError) as exc:
            maybe_placed = _maybe_placed(exc)
            logger.warning(
                "outbound call failed",
                callback_id=request.callback_id,
                error=type(exc).__name__,
                maybe_placed=maybe_placed,
            )
            return rules.DialResult("FAILED", maybe_placed=maybe_placed)
        contact_id = str(response.get("ContactId", ""))
        if not contact_id:  # nothing to follow the call by: count it as reached, never dial twice
            return rules.DialResult("CONNECTED")
        return rules.DialResult("PLACED", contact_id)


def _maybe_placed(exc: BaseException) -> bool:
    """A read time-out, a dropped connection or a 5xx: Connect may have placed the call anyway."""
    from botocore.exceptions import HTTPClientError

    if isinstance(exc, HTTPClientError):
        return True
    response = getattr(exc, "response", None) or {}
    return int(response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)) >= 500


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
        if not _claimed(request, moment):
            continue  # another dispatcher has it, or the table is busy: it is still due next run
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
    """Dial one claimed request (paced) and record the attempt; closing frees its guard.

    A dial that may have placed the call is repeated at once, under the same ClientToken. An attempt
    that cannot be recorded (contention beyond the budget, or a lease lost to another dispatcher) is
    counted as ``UNRECORDED``: the request is still DIALING, and its lease brings it back.
    """
    pacer.acquire()
    result = dialer.dial(request)
    if result.maybe_placed:
        pacer.acquire()
        result = dialer.dial(request)
    dialed_at = at or now()
    updated = rules.record_attempt(request, result.outcome, dialed_at, result.outbound_contact_id)
    closed, expires_at = rules.is_closed(updated.state), rules.expiry(updated, dialed_at)
    try:
        saved = retry_within(SAVE_BUDGET, lambda: callbacks.save_after_attempt(updated, closed, expires_at))
    except Contention:
        saved = False
    if not saved:
        logger.warning("callback attempt not recorded", callback_id=request.callback_id)
    summary.outcomes[result.outcome if saved else "UNRECORDED"] += 1


def _claimed(request: CallbackRequest, moment: datetime) -> bool:
    try:
        return retry_within(SAVE_BUDGET, lambda: callbacks.claim(request.callback_id, moment))
    except Contention:
        logger.warning("callback not claimed: table busy", callback_id=request.callback_id)
        return False


def handler(event: Any, context: Any) -> dict[str, Any]:
    summary = dispatch(ConnectDialer())
    logger.info("callbacks dispatched", **summary.as_dict())
    return summary.as_dict()
