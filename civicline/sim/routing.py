"""Routing: which free agent takes a new contact, and which waiting contact a free agent takes.

Connect's rules as the simulator models them: agents with the queue's skill and the caller's
language; a new contact goes to the longest-idle eligible agent; a free agent takes the oldest
contact (by place in line) of its highest-priority skill with anyone waiting. After their shift
agents only finish promised callbacks. Assignment is immediate and synchronous (the contact leaves
the queue and the agent is busy at once), and the agent's process is woken through its signal.
"""

from __future__ import annotations

from civicline.sim.center import QueueState
from civicline.sim.kernel import Signal, Simulation
from civicline.sim.model import CALLBACK, Agent, SimContact


class Router:
    """The live queues and the agents of one day."""

    def __init__(self, sim: Simulation, agents: list[Agent]) -> None:
        self.sim = sim
        self.agents = agents
        self.queues: dict[str, QueueState] = {}
        self._seq = 0

    def queue(self, name: str) -> QueueState:
        if name not in self.queues:
            self.queues[name] = QueueState(name)
        return self.queues[name]

    def eligible(self, agent: Agent, contact: SimContact) -> bool:
        if contact.queue not in agent.skills or contact.language not in agent.languages:
            return False
        return agent.on_shift or (contact.kind == CALLBACK and self.sim.now >= agent.shift_start)

    def enqueue(self, contact: SimContact) -> None:
        """A contact enters the queue: straight to the longest-idle eligible agent, else it waits."""
        best: Agent | None = None
        for agent in self.agents:
            eligible = agent.contact is None and self.eligible(agent, contact)
            if eligible and (best is None or agent.idle_since < best.idle_since):
                best = agent
        if best is not None:
            self._assign(best, contact)
            return
        self._seq += 1
        contact.waiting = True
        self.queue(contact.queue).push(contact, self._seq)

    def leave(self, contact: SimContact) -> None:
        """The contact leaves its queue without an agent (abandon, callback, flow end)."""
        if contact.waiting:
            contact.waiting = False
            self.queue(contact.queue).size -= 1

    def next_for(self, agent: Agent) -> SimContact | None:
        """Give the free ``agent`` the oldest waiting contact of its highest-priority skill, if any."""
        for skill in agent.skills:
            state = self.queues.get(skill)
            if state is None or state.size <= 0:
                continue
            chosen = self._oldest_eligible(agent, state)
            if chosen is not None:
                state.pop(chosen.language)
                chosen.waiting = False
                self._assign(agent, chosen)
                return chosen
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

    def _assign(self, agent: Agent, contact: SimContact) -> None:
        agent.contact = contact
        contact.agent = agent
        signal, agent.assigned = agent.assigned, Signal()
        signal.fire(contact)
        contact.connected.fire(agent)
