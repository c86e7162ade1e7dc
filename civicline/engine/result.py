"""What one run of the engine produced: the transcript (``CallResult``) and the scripted caller."""

from __future__ import annotations

import shlex
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from civicline.engine.contact import ContactState

#: how a run can end (engine-api.md); END = a whisper flow finished and the contact goes on
ENDINGS = (
    "QUEUE",
    "DISCONNECT",
    "TRANSFER_FLOW",
    "TRANSFER_PHONE",
    "TRANSFER_AGENT",
    "CALLBACK",
    "ERROR",
    "END",
)


#: a script entry meaning "the caller hangs up instead of keying anything"
HANGUP = "hangup"


class CallerScript:
    """Scripted caller input: DTMF entries consumed in order by ``GetParticipantInput``.

    ``""`` (or ``"_"``) is a timeout (the caller pressed nothing); ``"hangup"`` (or ``"!"``) is the
    caller hanging up at that prompt. When the entries are used up the caller presses nothing more
    (every further input times out), unless ``ask`` is given: then the engine asks it for each
    further entry (the interactive ``civicline call``).
    """

    def __init__(self, entries: Iterable[str] = (), ask: Callable[[str], str] | None = None) -> None:
        self.entries = [_normal(str(e)) for e in entries]
        self.position = 0
        self.ask = ask
        #: prompts that waited for an entry after the script ran out (the customer stayed silent)
        self.unanswered = 0

    @classmethod
    def typed(cls, messages: Iterable[str], *, leaves: bool = False) -> CallerScript:
        """A chat customer: each message is one typed entry, kept as written (no ``_``/``!``
        shorthands: a typed "hangup" is text); ``leaves`` ends the chat after the last message."""
        script = cls()
        script.entries = [str(m).strip() for m in messages] + ([HANGUP] if leaves else [])
        return script

    @classmethod
    def parse(cls, text: str) -> CallerScript:
        """``"1 2 12345678#"`` -> three entries; ``_`` stands for a timeout; a quoted entry is one
        utterance for a Lex bot (``"1 'where is my case'"`` -> two entries)."""
        try:
            entries = shlex.split(text)
        except ValueError:  # an unbalanced quote: plain words
            entries = text.split()
        return cls(entries)

    def next(self, prompt: str = "") -> str | None:
        """The next entry; ``None`` when the script is exhausted (a timeout)."""
        if self.position < len(self.entries):
            entry = self.entries[self.position]
            self.position += 1
            return entry
        if self.ask is not None:
            return _normal(self.ask(prompt))
        self.unanswered += 1
        return None

    @property
    def customer(self) -> str:
        """LEFT (the customer hung up or ended the chat), IDLE (a prompt waited after the script
        ran out: nobody answered), else PRESENT."""
        if HANGUP in self.entries[: self.position]:
            return "LEFT"
        return "IDLE" if self.unanswered else "PRESENT"

    @property
    def remaining(self) -> list[str]:
        return self.entries[self.position :]


def _normal(entry: str) -> str:
    entry = entry.strip()
    if entry == "_":
        return ""
    if entry.lower() in (HANGUP, "!"):
        return HANGUP
    return entry


@dataclass
class Step:
    """One action executed, for the transcript."""

    flow: str
    identifier: str
    type: str
    branch: str
    detail: str = ""
    said: list[str] = field(default_factory=list)
    entry: str | None = None
    call: dict[str, Any] | None = None
    #: a chat list picker shown with this step's prompt (civicline.engine.actions.picker)
    picker: dict[str, Any] | None = None


@dataclass
class CallResult:
    """The transcript of one contact's run through the flows (``to_json`` is the published shape)."""

    contact: ContactState
    path: list[str] = field(default_factory=list)
    prompts: list[str] = field(default_factory=list)
    inputs: list[str] = field(default_factory=list)
    lambda_calls: list[dict[str, Any]] = field(default_factory=list)
    ended: dict[str, Any] = field(default_factory=dict)
    flows: list[str] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)
    steps: list[Step] = field(default_factory=list)
    #: entries that matched no choice (a key no condition names, text no intent recognised)
    unmatched: list[str] = field(default_factory=list)
    #: PRESENT, IDLE (a prompt waited after the script ran out) or LEFT (hung up / ended the chat)
    customer: str = "PRESENT"
    #: the list pickers shown on a chat, in order (none on voice): title and numbered choices
    pickers: list[dict[str, Any]] = field(default_factory=list)
    #: the disconnect flow's run after an agent answered and one party ended the contact
    #: (``civicline call --ended-by``), else None
    after: CallResult | None = None

    @property
    def contact_id(self) -> str:
        return self.contact.contact_id

    @property
    def attributes(self) -> dict[str, str]:
        return self.contact.attributes

    @property
    def how(self) -> str:
        return str(self.ended.get("how", ""))

    @property
    def queue(self) -> str | None:
        value = self.ended.get("queue")
        return str(value) if value is not None else None

    def to_json(self) -> dict[str, Any]:
        return {
            "contact_id": self.contact.contact_id,
            "channel": self.contact.channel,
            "path": list(self.path),
            "prompts": list(self.prompts),
            "inputs": list(self.inputs),
            "unmatched": list(self.unmatched),
            "pickers": [dict(p) for p in self.pickers],
            "customer": self.customer,
            "lambda_calls": [dict(c) for c in self.lambda_calls],
            "attributes": dict(self.contact.attributes),
            "ended": dict(self.ended),
            "flows": list(self.flows),
            "events": list(self.events),
            "tasks": [task.to_json() for task in self.contact.tasks],
            "after_agent": None if self.after is None else self.after.to_json(),
        }
