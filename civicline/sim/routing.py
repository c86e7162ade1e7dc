"""Routing: which agent takes a new contact, and which waiting contact an agent with a free slot takes.

Connect's rules as the simulator models them: agents with the queue's skill and the contact's
language; a channel only to agents whose routing profile enables it, up to its concurrency (a voice
call exclusive, up to 10 chats or e-mails at once), and without cross-channel concurrency only while
the agent works no other channel ("Channels and concurrency", Amazon Connect Administrator Guide;
docs/decisions.md, "Agents' channels and concurrency"). A new contact goes to the eligible agent
with the fewest contacts, the longest idle first; an agent with a free slot takes the oldest contact
(by place in line, any channel it can take: first in, first out across channels) of its
highest-priority skill with anyone waiting. After their shift agents only finish promised callbacks.
Assignment is immediate and synchronous (the contact leaves the queue and holds the agent's slot at
once).

Each channel has its own waiting lines per queue (``by_channel``); the voice lines are the ones the
flows' queue metrics read (the customer-queue flow asks for its Voice channel's metrics).
"""

from __future__ import annotations

from collections.abc import Callable

from civicline.sim.center import QueueState
from civicline.sim.kernel import Simulation
from civicline.sim.model import CALLBACK, Agent, SimContact

#: starts the agent's work on a contact assigned to it from the queue (the day's work process)
StartWork = Callable[[Agent, SimContact], None]


class Router:
    """The live queues and the agents of one day."""

    def __init__(self, sim: Simulation, agents: list[Agent], start_work: StartWork | None = None) -> None:
        self.sim = sim
        self.agents = agents
        self.queues: dict[str, QueueState] = {}
        self.by_channel: dict[str, dict[str, QueueState]] = {"VOICE": self.queues}
        self.start_work = start_work
        self._seq = 0

    def queue(self, name: str, channel: str = "VOICE") -> QueueState:
        lines = self.by_channel.setdefault(channel, {})
        if name not in lines:
            lines[name] = QueueState(name)
        return lines[name]

    def eligible(self, agent: Agent, contact: SimContact) -> bool:
        if contact.queue not in agent.skills or contact.language not in agent.languages:
            return False
        return agent.on_shift or (contact.kind == CALLBACK and self.sim.now >= agent.shift_start)

    def enqueue(self, contact: SimContact) -> None:
        """A contact enters the queue: straight to an eligible agent with a free slot (fewest
        contacts, then longest idle), else it waits."""
        best: Agent | None = None
        for agent in self.agents:
            if not (agent.can_take(contact.channel) and self.eligible(agent, contact)):
                continue
            if best is None or (len(agent.active), agent.idle_since) < (len(best.active), best.idle_since):
                best = agent
        if best is not None:
            self._assign(best, contact, start=True)
            return
        self._seq += 1
        contact.waiting = True
        self.queue(contact.queue, contact.channel).push(contact, self._seq)

    def leave(self, contact: SimContact) -> None:
        """The contact leaves its queue without an agent (abandon, callback, flow end)."""
        if contact.waiting:
            contact.waiting = False
            self.queue(contact.queue, contact.channel).size -= 1

    def next_for(self, agent: Agent) -> SimContact | None:
        """Give ``agent`` (with a free slot) the oldest waiting contact of its highest-priority skill
        on a channel it can take now, if any."""
        channels = [ch for ch in agent.channels if agent.can_take(ch)]
        for skill in agent.skills:
            chosen: tuple[QueueState, SimContact] | None = None
            for channel in channels:
                state = self.by_channel.get(channel, {}).get(skill)
                if state is None or state.size <= 0:
                    continue
                top = self._oldest_eligible(agent, state)
                if top is not None and (chosen is None or top.priority < chosen[1].priority):
                    chosen = (state, top)
            if chosen is not None:
                state, contact = chosen
                state.pop(contact.language)
                contact.waiting = False
                self._assign(agent, contact)
                return contact
        return None

    def _oldest_eligible(self, agent: Agent, state: QueueState) -> SimContact | None:
        chosen: SimContact | None = None
        for language in agent.languages:
            top = state.top(language)
            if top is None or (chosen is not None and top.priority >= chosen.priority):
                continue
            if self.eligible(agent, top):
                chosen = top
        return chosen

    def _assign(self, agent: Agent, contact: SimContact, *, start: bool = False) -> None:
        """``start``: the agent's work on it starts in a process of its own (an arrival given to an
        agent with a free slot); otherwise the caller of :meth:`next_for` works it."""
        agent.take(contact, self.sim.now)
        contact.agent = agent
        if start and self.start_work is not None:
            self.start_work(agent, contact)
        contact.connected.fire(agent)
