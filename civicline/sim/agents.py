"""Agents at work: on shift, take contacts up to the routing profile's concurrency, (dial a
callback,) talk or chat or answer the e-mail, hang up, after-contact work, free the slot and take the
next. The contact events an agent's work produces are emitted here.

Each contact an agent works runs in a work process (:func:`work`); when it ends the agent's freed
slot takes the next waiting contact in the same process, so a voice-only agent is one process, as
before channels. An agent with free chat slots gets further chats in processes of their own.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from civicline.engine.events import contact_event, timestamp
from civicline.sim import callbacks
from civicline.sim.kernel import ProcessGen
from civicline.sim.model import CALLBACK, Agent, SimContact

if TYPE_CHECKING:
    from civicline.sim.day import DayRunner


def agent_life(day: DayRunner, agent: Agent) -> ProcessGen:
    """From the start of the shift: fill the agent's slots with what the router gives."""
    yield max(0.0, agent.shift_start - day.sim.now)
    agent.on_shift = True
    agent.idle_since = day.sim.now
    day.sim.at(max(day.sim.now, agent.shift_end), lambda: setattr(agent, "on_shift", False))
    first = day.router.next_for(agent)
    if first is None:
        return
    fill(day, agent)
    yield from work(day, agent, first)


def fill(day: DayRunner, agent: Agent) -> None:
    """Every further free slot of ``agent`` takes a waiting contact, each in a work process."""
    while (contact := day.router.next_for(agent)) is not None:
        day.sim.start(work(day, agent, contact))


def start_work(day: DayRunner, agent: Agent, contact: SimContact) -> None:
    """The router gave an arriving contact to ``agent``: work it in a process of its own."""
    day.sim.start(work(day, agent, contact))


def work(day: DayRunner, agent: Agent, contact: SimContact | None) -> ProcessGen:
    """Serve ``contact``; then the freed slot takes the next waiting contact, until none waits."""
    while contact is not None:
        yield from serve(day, agent, contact)
        agent.release(contact, day.sim.now)
        contact = day.router.next_for(agent)
        if contact is not None:
            fill(day, agent)


def serve(day: DayRunner, agent: Agent, contact: SimContact) -> ProcessGen:
    """One contact: a callback is dialed first (the ring time is the agent's when nobody answers)."""
    if contact.kind == CALLBACK:
        answered = callbacks.dial(day, contact)
        contact.dialed.fire(answered)
        if not answered:
            yield callbacks.RING_SECONDS
            return
    info = _connect(day, agent, contact)
    yield contact.caller.aht_seconds
    info = _hang_up(day, agent, contact, info)
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
        day.truth.answer_wait_sum += wait  # every channel's, as the metrics' ASA
        day.truth.add(f"{contact.channel.lower()}_answered")
        day.book[contact.state.contact_id].answered(now)
    info = {"agentArn": agent.arn, "connectedToAgentTimestamp": timestamp(now)}
    day.emit(contact_event("CONNECTED_TO_AGENT", contact.state, now=now, agentInfo=info))
    return info


def _hang_up(day: DayRunner, agent: Agent, contact: SimContact, info: dict[str, Any]) -> dict[str, Any]:
    """Who hangs up: the customer, or the agent (then the customer is still on the line, or in the
    chat, for the survey). Returns the agent info of the COMPLETED event, with the after-contact work."""
    now = day.center.now()
    reason = "CUSTOMER_DISCONNECT" if contact.caller.index % 3 else "AGENT_DISCONNECT"
    if contact.channel == "EMAIL":
        reason = "AGENT_DISCONNECT"  # the agent's reply ends an e-mail contact
    day.emit(contact_event("DISCONNECTED", contact.state, now=now, disconnectReason=reason, agentInfo=info))
    day.book[contact.request_id].disconnected = True
    contact.hung_up.fire(reason)
    return {
        **info,
        "afterContactWorkStartTimestamp": timestamp(now),
        "afterContactWorkEndTimestamp": timestamp(day.center.at(day.sim.now + agent.acw)),
        "afterContactWorkDuration": agent.acw,
    }
