"""Callbacks: a virtual-hold callback (the queue flow's) and a scheduled one (the dispatcher's)
both become a CALLBACK contact through :func:`callback_contact`, the one place that creates them.

The scheduled ones are dialed by the real ``callback_dispatcher`` (its ``dispatch``) through
:class:`SimDialer`, the :class:`~functions.domain.callbacks.Dialer` it is given; the dispatcher runs
every five minutes as an EventBridge schedule would, and a failed run is retried as Lambda retries
an asynchronous invocation.
"""

from __future__ import annotations

import uuid
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from civicline.engine import ContactState
from civicline.engine.arns import local_arn, queue_key
from civicline.engine.events import contact_event
from civicline.sim.callers import Caller
from civicline.sim.kernel import ProcessGen
from civicline.sim.model import CALLBACK, SimContact

if TYPE_CHECKING:
    from civicline.sim.day import DayRunner

#: how often the scheduled-callback dispatcher runs (an EventBridge schedule in AWS)
DISPATCH_INTERVAL = 300.0
#: Lambda retries a failed asynchronous invocation twice, about 1 and 2 minutes later
DISPATCH_RETRY_DELAYS = (60.0, 120.0)
#: ring time of an unanswered callback dial
RING_SECONDS = 30.0


def callback_contact(
    day: DayRunner,
    caller: Caller,
    original: ContactState,
    queue: str,
    contact_id: str,
    *,
    place: float,
    **options: Any,
) -> SimContact:
    """Connect starts a CALLBACK contact for ``original`` in ``queue`` (INITIATED, QUEUED), keeping
    the place in line ``place``; it is the caller's process that puts it into the queue."""
    now = day.center.now()
    state = ContactState(
        contact_id=contact_id,
        previous_contact_id=original.contact_id,
        caller_number=original.caller_number,
        initiation_method="CALLBACK",
        language=original.language,
        attributes=dict(original.attributes),
        initiated_at=now,
        queue_arn=local_arn("QUEUE", queue),
        queue_name=queue,
        enqueued_at=now,
        event_hooks=dict(original.event_hooks),
    )
    contact = SimContact(
        caller, state, queue, caller.language, priority=place, enqueued=place, kind=CALLBACK, **options
    )
    day.callbacks_by_id[contact_id] = contact
    day.emit(contact_event("INITIATED", state, now=now))
    day.emit(contact_event("QUEUED", state, now=now))
    return contact


def virtual_hold(day: DayRunner, contact: SimContact, info: dict[str, Any]) -> SimContact:
    """The queue flow's callback: the caller hung up and keeps their place in line."""
    queue = queue_key(str(info.get("queue") or contact.queue)) or contact.queue
    contact_id = str(uuid.uuid5(uuid.NAMESPACE_URL, f"civicline:sim-callback:{contact.state.contact_id}"))
    return callback_contact(
        day,
        contact.caller,
        contact.state,
        queue,
        contact_id,
        place=contact.priority,
        max_attempts=int(info.get("max_attempts") or 1),
        retry_delay=float(info.get("retry_delay_seconds") or 300),
    )


def dial(day: DayRunner, contact: SimContact) -> bool:
    """An agent dials a callback contact; whether the customer answers this attempt."""
    contact.attempts += 1
    case = day.book[contact.request_id]
    case.callback_dialed = True
    answers = contact.caller.answers_callback
    answered = answers[min(contact.attempts - 1, len(answers) - 1)]
    if answered:
        case.callback_connected = True
    return answered


def not_reached(day: DayRunner, contact: SimContact) -> None:
    """Every dial attempt of a callback went unanswered: Connect ends it."""
    day.truth.add("callbacks_not_reached")
    day.emit(
        contact_event(
            "DISCONNECTED",
            contact.state,
            now=day.center.at(day.sim.now + RING_SECONDS),
            disconnectReason="CUSTOMER_CONNECTION_NOT_ESTABLISHED",
        )
    )
    day.callbacks_by_id.pop(contact.state.contact_id, None)


class SimDialer:
    """The ``Dialer`` the real dispatcher calls: an answered dial starts a CALLBACK contact."""

    def __init__(self, day: DayRunner) -> None:
        self.day = day

    def dial(self, request: Any) -> Any:
        from functions.domain.callbacks import DialResult, client_token

        day = self.day
        token = client_token(request)
        started = day.dialed_tokens.get(token)
        if started is not None and started.state.contact_id in day.callbacks_by_id:
            # Connect: "if a contact is already started, the contact ID is returned"
            return DialResult("CONNECTED", started.state.contact_id)
        caller = day.caller_by_number(request.callback_number)
        answered = (
            caller.answers_callback[len(request.attempts)]
            if caller is not None and len(request.attempts) < len(caller.answers_callback)
            else day.dial_rng.random() < day.profile.callbacks.answer_rate
        )
        case = day.book[request.contact_id]
        case.callback_accepted = case.callback_dialed = True
        if caller is None or not answered:
            return DialResult("NO_ANSWER")
        case.callback_connected = True
        contact = _scheduled_contact(day, caller, request)
        day.truth.add("scheduled_connected")
        day.dialed_tokens[token] = contact
        from civicline.sim.life import callback_life

        day.sim.start(callback_life(day, contact))
        return DialResult("CONNECTED", contact.state.contact_id)


def _scheduled_contact(day: DayRunner, caller: Caller, request: Any) -> SimContact:
    original = ContactState(
        contact_id=request.contact_id,
        caller_number=request.callback_number,
        attributes={"intent": request.intent or ""},
        language="en-US" if request.language == "en" else "es-US",
    )
    contact_id = str(uuid.uuid5(uuid.NAMESPACE_URL, f"civicline:sim-scheduled:{request.callback_id}"))
    # the dispatcher counted the dial; the customer is on the line waiting for an agent
    answering = replace(caller, answers_callback=[True] * len(caller.answers_callback))
    return callback_contact(
        day,
        answering,
        original,
        request.queue,
        contact_id,
        place=day.sim.now,
        scheduled_callback_id=request.callback_id,
    )


def dispatcher(day: DayRunner) -> ProcessGen:
    """The dispatcher's schedule: from opening every five minutes, a last run at closing."""
    while True:
        day.sim.start(dispatch_run(day))  # the schedule goes on whatever this run does
        if day.sim.now >= day.close_s:
            return
        yield min(DISPATCH_INTERVAL, day.close_s - day.sim.now)


def dispatch_run(day: DayRunner) -> ProcessGen:
    """One scheduled invocation of the real dispatcher; a failed run (its due-list query throttled
    by a drill) is retried after 1, then 2 minutes."""
    from botocore.exceptions import ClientError

    from functions.core.errors import DependencyError
    from functions.domain.callbacks import TokenBucket
    from functions.handlers.callback_dispatcher import dispatch

    for retry in range(len(DISPATCH_RETRY_DELAYS) + 1):
        bucket = _bucket(TokenBucket)
        try:
            summary = dispatch(SimDialer(day), at=day.center.now(), bucket=bucket, limit=100)
        except (ClientError, DependencyError):
            day.truth.add("dispatcher_failures")
            if retry < len(DISPATCH_RETRY_DELAYS):
                yield DISPATCH_RETRY_DELAYS[retry]
            continue
        day.truth.add("scheduled_dialed", summary.claimed)
        return


def _bucket(kind: Any) -> Any:
    """The dispatcher's rate limit, on a clock of its own whose waits pass instantly."""
    clock = [0.0]

    def advance(seconds: float) -> None:
        clock[0] += seconds

    return kind(2.0, 5.0, clock=lambda: clock[0], sleep=advance)


def find_lost_callbacks(day: DayRunner) -> None:
    """Callbacks promised but never completed: virtual-hold contacts never dialed to the end,
    scheduled requests due before closing still pending, and confirmations with no stored request."""
    from functions.adapters import callbacks

    truth = day.truth
    for contact_id, contact in day.callbacks_by_id.items():
        if contact.waiting or contact.attempts == 0:
            truth.lost_callbacks.append(contact_id)
    for request in callbacks.due(day.center.at(day.close_s), 1000):
        truth.lost_callbacks.append(request.callback_id)
    for callback_id in sorted(day.promised):
        if callbacks.get_request(callback_id) is None:
            truth.lost_callbacks.append(callback_id)
            truth.add("callbacks_promised_not_stored")
    truth.add("callbacks_lost", len(truth.lost_callbacks))
