"""Lambda ``callback``: virtual hold or a scheduled callback; one open callback per number and queue.

Hot path: ONE TransactWriteItems call (the guard and the request, both conditional) and the request
is stored before the flow confirms it. A second request for the same number and queue returns the
existing one (``EXISTING``); a Connect retry of the same call returns the same ``CREATED`` answer
because the callback id is derived from ContactId + queue. With ``CALLBACK_WINDOW_CAPACITY`` set, a
scheduled window that already holds that many callbacks for the queue answers ``UNAVAILABLE`` (the
counter is part of the same transaction), and the flow keeps the caller's place or offers another
window.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from functions.adapters import callbacks
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


def handler(event: Any, context: Any) -> dict[str, str]:
    return handle_connect(event, CallbackParameters, _request, function="callback")


def _request(contact: ContactData, params: CallbackParameters) -> CallbackResponse:
    # a queue ARN (or registry key) -> registry key, in one place; never Connect's queue name
    given = params.queueArn or params.queueName or (contact.Queue.ARN if contact.Queue else None)
    queue = get_settings().queue_key(given)
    if queue is None:
        raise InvalidInput("queueArn")
    number = normalize_phone(params.callbackNumber) if params.callbackNumber else caller_number(contact)
    if number is None:
        raise InvalidInput("callbackNumber")
    mode = CallbackMode(params.mode)
    settings = get_settings()
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
        existing = callbacks.create(request, moment, guard_until, settings.callback_window_capacity)
    except callbacks.WindowFull:
        logger.info("callback window full", queue=queue, window_start=start.isoformat())
        raise Unavailable("window") from None
    logger.info(
        "callback requested",
        callback_id=request.callback_id,
        queue=queue,
        mode=mode.value,
        number=number,
        existing=existing is not None,
    )
    if existing is None or existing.get("callback_id") == request.callback_id:
        return _response("CREATED", request.callback_id, start, params.language)
    return _response(
        "EXISTING",
        str(existing.get("callback_id", "")),
        datetime.fromisoformat(str(existing.get("window_start", start.isoformat()))),
        params.language,
    )


def _response(result: str, callback_id: str, start: datetime, language: str) -> CallbackResponse:
    from zoneinfo import ZoneInfo

    local = start.astimezone(ZoneInfo(get_settings().time_zone))
    return CallbackResponse(
        result="CREATED" if result == "CREATED" else "EXISTING",
        callbackId=callback_id,
        windowStart=start.isoformat(),
        windowSpoken=spoken_moment(local, language),
    )
