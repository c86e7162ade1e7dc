"""One caller, one process: a contact's life from top to bottom.

arrive -> the inbound flow -> (queue: the queue flow's offers, abandon or answer, or a virtual-hold
callback kept in line) -> the conversation -> the survey -> maybe call again. The agent side
(civicline.sim.agents) answers, talks and hangs up; it tells this process through the contact's
signals. Scheduled callbacks the dispatcher starts run :func:`callback_life`.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from civicline.engine.events import contact_event
from civicline.sim import callbacks, ivr
from civicline.sim.callers import Caller
from civicline.sim.kernel import BoolStep, ProcessGen, Signal, Wait
from civicline.sim.model import SimContact

if TYPE_CHECKING:
    from civicline.sim.day import DayRunner

#: how often a waiting caller hears the queue flow again (its MessageParticipantIteratively interrupt)
QUEUE_FLOW_INTERVAL = 60.0


def caller_life(day: DayRunner, first: Caller) -> ProcessGen:
    """Every call of one caller: the first, then each repeat while their issue stays unresolved."""
    caller: Caller | None = first
    calls: list[Caller] = []
    while caller is not None:
        calls.append(caller)
        yield max(0.0, caller.arrival - day.sim.now)
        result, queue = ivr.inbound(day, caller)
        abandoned = False
        if queue is not None:
            contact = _enter_queue(day, caller, result.contact, queue)
            abandoned = yield from wait_in_queue(day, contact)
        else:
            day.truth.add(f"{caller.channel.lower()}_not_queued")
        caller = day.next_call(caller, abandoned=abandoned)
    day.callers_by_number.rest(calls)  # the dispatcher may still dial them: kept small


def _enter_queue(day: DayRunner, caller: Caller, state: object, queue: str) -> SimContact:
    from civicline.engine import ContactState

    assert isinstance(state, ContactState)
    day.truth.add("queued")
    day.truth.add(f"{caller.channel.lower()}_queued")
    case = day.book[caller.contact_id]
    case.queued = True
    case.enqueued_at = state.enqueued_at or day.center.now()
    q = day.router.queue(queue, caller.channel)
    q.mean_handle = 0.9 * q.mean_handle + 0.1 * caller.aht_seconds
    return SimContact(caller, state, queue, caller.language, day.sim.now, day.sim.now, channel=caller.channel)


def wait_in_queue(day: DayRunner, contact: SimContact) -> BoolStep:
    """In the queue until an agent answers, patience runs out, or the queue flow ends the contact
    (a virtual-hold callback, a disconnect). Returns whether the caller abandoned."""
    day.router.enqueue(contact)
    patience_ends = day.sim.now + contact.caller.patience_seconds
    replay = day.sim.now if hears_queue_flow(day, contact) else math.inf
    while contact.agent is None:
        if day.sim.now >= replay:
            ended = yield from _hear_queue_flow(day, contact)
            if ended:
                return False
            replay = math.inf if contact.offered else day.sim.now + QUEUE_FLOW_INTERVAL
        if day.sim.now >= patience_ends:
            _abandon(day, contact)
            return True
        yield Wait(contact.connected, min(patience_ends, replay) - day.sim.now)
    yield from conversation(day, contact)
    return False


def hears_queue_flow(day: DayRunner, contact: SimContact) -> bool:
    """Whether the waiting contact is played the queue flow: a caller when virtual hold is on, a
    chat when the profile's ``chat.queue_flow`` is (without it a chat waits, as before)."""
    if contact.channel == "CHAT":
        return day.profile.chat.queue_flow
    return day.profile.callbacks.virtual_hold and contact.channel == "VOICE"


def _hear_queue_flow(day: DayRunner, contact: SimContact) -> BoolStep:
    """One run of the queue flow; True when it ended the contact in the queue."""
    result = ivr.queue_flow(day, contact)
    how = result.ended.get("how")
    if how not in ivr.ENDINGS:
        return False
    day.router.leave(contact)
    if how == "CALLBACK":
        info = result.ended.get("callback") or {}
        yield float(info.get("delay_seconds") or 0)
        yield from callback_life(day, callbacks.virtual_hold(day, contact, info))
    elif ivr.scheduled_callback(result):
        day.truth.add("scheduled_callbacks")  # counted as accepted in the case already
    else:
        ivr.dropped(day, contact.caller, result, "left the queue flow without service")
    return True


def _abandon(day: DayRunner, contact: SimContact) -> None:
    day.router.leave(contact)
    day.truth.add(f"{contact.channel.lower()}_abandoned")
    day.book[contact.state.contact_id].left_queue(day.center.now())
    day.emit(
        contact_event(
            "DISCONNECTED", contact.state, now=day.center.now(), disconnectReason="CUSTOMER_DISCONNECT"
        )
    )


def callback_life(day: DayRunner, contact: SimContact) -> ProcessGen:
    """A CALLBACK contact: in line until an agent dials; each unanswered dial waits for the retry."""
    while True:
        day.router.enqueue(contact)
        answered = yield Wait(contact.dialed)
        if answered:
            yield from conversation(day, contact)
            return
        if contact.attempts >= contact.max_attempts:
            callbacks.not_reached(day, contact)
            return
        contact.dialed = Signal()
        yield callbacks.RING_SECONDS + contact.retry_delay


def conversation(day: DayRunner, contact: SimContact) -> ProcessGen:
    """With the agent until the agent side hangs up; then the survey, if the customer is still on."""
    reason = yield Wait(contact.hung_up)
    ivr.survey(day, contact, str(reason))
