"""Lambda ``callback``: virtual hold or a scheduled callback; one open callback per number and queue.

Hot path: ONE TransactWriteItems call (the guard and the request, both conditional) and the request
is stored before the flow confirms it. A second request for the same number and queue returns the
existing one (``EXISTING``); a Connect retry of the same call returns the same ``CREATED`` answer
because the callback id is derived from ContactId + queue. With ``CALLBACK_WINDOW_CAPACITY`` set, a
scheduled window that already holds that many callbacks for the queue answers ``UNAVAILABLE`` (the
counter is part of the same transaction), and the flow keeps the caller's place or offers another
window. ``CREATED`` is said only of a stored request: contention and throttling are retried within
the flow's time limit and then raised, so the flow takes its error branch (the caller keeps the
queue). Only numbers in ``CALLBACK_DIAL_PREFIXES`` (default: NANP) are called back.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from functions.adapters import callbacks
from functions.adapters.transient import RetryBudget
from functions.core.clock import now
from functions.core.connect import handle_connect
from functions.core.errors import InvalidInput, Unavailable
from functions.core.observability import logger
from functions.core.privacy import pseudonymize
from functions.core.settings import get_settings
from functions.domain import callbacks as rules
from functions.domain.dates import spoken_moment
from functions.domain.identifiers import normalize_phone
from functions.handlers._common import caller_number
from schemas.connect_lambda import ContactData
from schemas.functions import CallbackParameters, CallbackResponse
from schemas.records import CallbackMode, CallbackRequest, Intent

#: the smallest ``InvocationTimeLimitSeconds`` of the flow blocks that invoke this function
FLOW_TIME_LIMIT_SECONDS = 5.0
#: contention is retried for at most this long, leaving a second of the flow's limit for the cold
#: start and the answer (tests/functional/test_callback_contention.py checks it against the flows)
RETRY_BUDGET = RetryBudget(seconds=FLOW_TIME_LIMIT_SECONDS - 1.0)


def handler(event: Any, context: Any) -> dict[str, str]:
    return handle_connect(event, CallbackParameters, _request, function="callback")


def _request(contact: ContactData, params: CallbackParameters) -> CallbackResponse:
    # a queue ARN (or registry key) -> registry key, in one place; never Connect's queue name
    given = params.queueArn or params.queueName or (contact.Queue.ARN if contact.Queue else None)
    queue = get_settings().queue_key(given)
    if queue is None:
        raise InvalidInput("queueArn")
    number = normalize_phone(params.callbackNumber) if params.callbackNumber else caller_number(contact)
    if number is None or (params.callbackNumber and not rules.complete_number(number)):
        raise InvalidInput("callbackNumber")
    settings = get_settings()
    if not rules.dialable(number, settings.callback_dial_prefixes):
        # the flows branch on CREATED / EXISTING only; INVALID_INPUT takes their "could not book" path
        raise InvalidInput("callbackNumber")
    mode = CallbackMode(params.mode)
    moment = now()
    try:
        start, end = rules.window(
            mode, params.window, moment, settings.time_zone, settings.calendar().holidays
        )
    except ValueError:
        raise InvalidInput("window") from None
    request = CallbackRequest(
        callback_id=rules.callback_id(contact.ContactId, queue),
        contact_id=contact.ContactId,
        queue=queue,
        mode=mode,
        callback_number=number,
        caller_key=pseudonymize(number),
        intent=params.intent if params.intent in Intent.__members__ else None,  # metadata: never refuse
        language=params.language,
        requested_at=moment,
        enqueued_at=moment if mode is CallbackMode.VIRTUAL_HOLD else None,
        window_start=start,
        window_end=end,
    )
    guard_until = end + timedelta(seconds=request.retry_delay_seconds * request.max_attempts)
    try:
        booking = callbacks.create(
            request,
            moment,
            guard_until,
            expires_at=rules.expiry(request, moment),
            budget=RETRY_BUDGET,
            capacity=settings.callback_window_capacity,
        )
    except callbacks.WindowFull:
        logger.info("callback window full", queue=queue, window_start=start.isoformat())
        raise Unavailable("window") from None
    logger.info(
        "callback requested",
        callback_id=request.callback_id,
        queue=queue,
        mode=mode.value,
        existing=not booking.created,
    )
    result = "CREATED" if booking.created else "EXISTING"
    return _response(result, booking.callback_id, booking.window_start, params.language)


def _response(result: str, callback_id: str, start: datetime, language: str) -> CallbackResponse:
    from zoneinfo import ZoneInfo

    local = start.astimezone(ZoneInfo(get_settings().time_zone))
    return CallbackResponse(
        result="CREATED" if result == "CREATED" else "EXISTING",
        callbackId=callback_id,
        windowStart=start.isoformat(),
        windowSpoken=spoken_moment(local, language),
    )
