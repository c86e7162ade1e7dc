"""The simulator's ground truth, counted with the measure registry's own rules.

Why: the aggregator reads contact events; the simulator knows what really happened to each caller
(queued, answered after how long, offered and took a callback, dialed, reached, hung up). Writing
those facts as the registry's :class:`~functions.domain.metrics_registry.ContactCase` and applying
the same rules gives the truth in the same definitions, so every shared measure must agree exactly
with the aggregator; a difference is a bug in the events, the aggregator or the simulator.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import datetime, timedelta

from functions.domain.metrics import EMAIL_ANSWER_MS, Rules, caller_classes, to_ms
from functions.domain.metrics_registry import ContactCase, by_channel, contact_counters

TRUE = frozenset({"true", "1", "yes", "y"})


def flag(value: str | None) -> bool | None:
    return None if value is None else value.strip().lower() in TRUE


@dataclass(slots=True)
class CaseFacts:
    """What happened to one caller request (an INBOUND contact and the callbacks it asked for).

    Slotted: the day keeps one per contact until closing (the truth is counted at the end), and a
    slotted instance is about half the size of one with a ``__dict__`` (docs/decisions.md)."""

    method: str = "INBOUND"
    queued: bool = False
    agent: bool = False
    disconnected: bool = False
    flow_ended: bool = False
    answer_ms: int | None = None
    removed_ms: int | None = None
    courtesy: bool = False
    self_service: bool | None = None
    transferred_out: bool = False
    callback_offered: bool = False
    callback_accepted: bool = False
    callback_dialed: bool = False
    callback_connected: bool = False
    channel: str = "VOICE"
    answered_by_deadline: bool = False
    enqueued_at: datetime | None = None
    #: when the contact started, and the answerDeadline the flow set (e-mail), when known
    started_at: datetime | None = None
    answer_deadline: datetime | None = None

    def case(self) -> ContactCase:
        return ContactCase(**{name: getattr(self, name) for name in _CASE_FIELDS})

    def left_queue(self, at: datetime) -> None:
        """Removed from the queue without an agent (abandon, callback, flow end)."""
        self.disconnected = True
        if self.enqueued_at is not None and self.removed_ms is None:
            self.removed_ms = to_ms(at) - to_ms(self.enqueued_at)

    def answered(self, at: datetime) -> None:
        self.agent = True
        start = self.started_at or self.enqueued_at
        deadline = self.answer_deadline or (
            start + timedelta(milliseconds=EMAIL_ANSWER_MS) if start is not None else None
        )
        self.answered_by_deadline = deadline is not None and at <= deadline
        if self.enqueued_at is not None:
            self.answer_ms = max(0, to_ms(at) - to_ms(self.enqueued_at))
            self.removed_ms = to_ms(at) - to_ms(self.enqueued_at)


#: the ContactCase fields a CaseFacts carries, computed once
_CASE_FIELDS: tuple[str, ...] = tuple(
    f.name for f in fields(ContactCase) if f.name in {g.name for g in fields(CaseFacts)}
)


#: one caller contact for FCR as the book keeps it until closing: (start in ms, contact id, channel)
CallerContact = tuple[int, str, str]


@dataclass
class CaseBook:
    """Every request of the day, by its INBOUND contact id, and the callers' contacts for FCR.

    The callers' contacts are kept as small tuples per caller and intent, and turned into the
    aggregator's caller entries only when counted (:meth:`entries`): a dict per contact until closing
    was about three times the size (docs/decisions.md, "Simulation: the day's plan drawn as it goes")."""

    cases: dict[str, CaseFacts] = field(default_factory=dict)
    callers: dict[str, list[CallerContact]] = field(default_factory=dict)

    def __getitem__(self, contact_id: str) -> CaseFacts:
        return self.cases.setdefault(contact_id, CaseFacts())

    def caller_contact(
        self, key: str, intent: str, contact_id: str, at: datetime, channel: str = "VOICE"
    ) -> None:
        self.callers.setdefault(f"{key}#{intent}", []).append((to_ms(at), contact_id, channel))

    def entries(self, caller: str) -> dict[str, dict[str, object]]:
        """The caller entries of one caller and intent, by contact id, as the aggregator writes them
        (``channel`` only for a contact that is not a call; a contact recorded again replaces itself)."""
        out: dict[str, dict[str, object]] = {}
        for at, contact_id, channel in self.callers[caller]:
            entry: dict[str, object] = {"kind": "caller", "contact": contact_id, "at": at}
            if channel != "VOICE":
                entry["channel"] = channel
            out[contact_id] = entry
        return out

    def counters(self, rules: Rules) -> dict[str, int]:
        """The registry's contact counters summed over every request, and first/repeat contacts, in
        total and per channel (``ch|<CHANNEL>|<counter>``, as the rollups keep them)."""
        out: dict[str, int] = {}
        threshold = rules.service_level_seconds * 1000

        def add(counters: dict[str, int], channel: str) -> None:
            for name, value in {**counters, **by_channel(counters, channel)}.items():
                out[name] = out.get(name, 0) + value

        for facts in self.cases.values():
            add(contact_counters(facts.case(), threshold), facts.channel)
        for caller in self.callers:
            for entry, counter in caller_classes(self.entries(caller), rules):
                add({counter: 1}, str(entry.get("channel", "VOICE")))
        return out
