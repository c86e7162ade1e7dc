"""One agent, one process: on shift, take the next contact, (dial a callback,) talk, hang up,
after-call work, free again. The contact events an agent's work produces are emitted here."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from civicline.engine.events import contact_event, timestamp
from civicline.sim import callbacks
from civicline.sim.kernel import ProcessGen, Wait
from civicline.sim.model import CALLBACK, Agent, SimContact

if TYPE_CHECKING:
    from civicline.sim.day import DayRunner


def agent_life(day: DayRunner, agent: Agent) -> ProcessGen:
    """From the start of the shift: serve whatever the router gives, until the day is over."""
    yield max(0.0, agent.shift_start - day.sim.now)
    agent.on_shift = True
    agent.idle_since = day.sim.now
    day.sim.at(max(day.sim.now, agent.shift_end), lambda: setattr(agent, "on_shift", False))
    while True:
        contact = day.router.next_for(agent)
        if contact is None:
            contact = yield Wait(agent.assigned)
        assert isinstance(contact, SimContact)
        yield from serve(day, agent, contact)
        agent.contact = None
        agent.idle_since = day.sim.now


def serve(day: DayRunner, agent: Agent, contact: SimContact) -> ProcessGen:
    """One contact: a callback is dialed first (the ring time is the agent's when nobody answers)."""
    if contact.kind == CALLBACK:
        answered = callbacks.dial(day, contact)
        contact.dialed.fire(answered)
        if not answered:
            agent.work(day.sim.now, callbacks.RING_SECONDS)
            yield callbacks.RING_SECONDS
            return
    info = _connect(day, agent, contact)
    handle = contact.caller.aht_seconds
    agent.work(day.sim.now, handle)
    yield handle
    info = _hang_up(day, agent, contact, info)
    agent.work(day.sim.now, agent.acw)
    yield agent.acw
    day.emit(contact_event("COMPLETED", contact.state, now=day.center.now(), agentInfo=info))


def _connect(day: DayRunner, agent: Agent, contact: SimContact) -> dict[str, Any]:
    wait = day.sim.now - contact.enqueued
    agent.handled += 1
    now = day.center.now()
    if contact.kind == CALLBACK:
        day.truth.callback_wait_sum += wait
        day.callbacks_by_id.pop(contact.state.contact_id, None)
    else:
        day.truth.answer_wait_sum += wait
        day.book[contact.state.contact_id].answered(now)
    info = {"agentArn": agent.arn, "connectedToAgentTimestamp": timestamp(now)}
    day.emit(contact_event("CONNECTED_TO_AGENT", contact.state, now=now, agentInfo=info))
    return info


def _hang_up(day: DayRunner, agent: Agent, contact: SimContact, info: dict[str, Any]) -> dict[str, Any]:
    """Who hangs up: the customer, or the agent (then the customer is still on the line for the
    survey). Returns the agent info of the COMPLETED event, with the after-contact work."""
    now = day.center.now()
    reason = "CUSTOMER_DISCONNECT" if contact.caller.index % 3 else "AGENT_DISCONNECT"
    day.emit(contact_event("DISCONNECTED", contact.state, now=now, disconnectReason=reason, agentInfo=info))
    day.book[contact.request_id].disconnected = True
    contact.hung_up.fire(reason)
    return {
        **info,
        "afterContactWorkStartTimestamp": timestamp(now),
        "afterContactWorkEndTimestamp": timestamp(day.center.at(day.sim.now + agent.acw)),
        "afterContactWorkDuration": agent.acw,
    }
