"""Following a test case's observations through the events of one contact.

Semantics (admin guide testing-simulation-execute-test-cases / -observe-block / -action-override,
devguide testing-language-observations; choices in docs/decisions.md):

* observations no other one transitions to are active from the start; when an observation matches,
  its actions run in ``NextAction`` order and its ``NextObservations`` become active;
* an event is matched by the first active observation (document order) it satisfies;
* ``Usage``: ``Exactly n`` (default 1) matches up to n times then stops watching, and fails when it
  matched fewer; ``AtLeast n`` keeps watching and fails below n; ``AtMost n`` keeps watching and
  fails above n; ``Always`` (and ``ANY``) keeps watching and never fails on its count;
* overrides are queued per flow action type and resource and consumed once, first in first out; an
  override without a resource applies to the next action of that type;
* ``Assert`` reads the contact's flow data when its observation matches; the first failing one fails
  the case and ends the test; ``EndTest`` ends it; ``TestCompleted`` observations match once, at the
  end; an observation still short of its count when the test ends fails it, naming what was seen.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from civicline.conntest.checks import (
    action_matches,
    check_assertion,
    message_matches,
    namespace_segments,
)
from civicline.conntest.model import (
    Assertion,
    Document,
    Observation,
    Override,
    SendInstruction,
    TestControl,
)
from civicline.conntest.resources import canonical
from civicline.engine.references import as_text, lookup

DataSource = Callable[[], Mapping[str, Any]]
Status = Literal["PASSED", "FAILED"]
HANGUP = "hangup"


@dataclass(frozen=True)
class Happening:
    """One thing the contact did that an observation may match."""

    kind: Literal["initiated", "message", "action", "completed"]
    text: str = ""
    action_type: str = ""
    parameters: Mapping[str, Any] = field(default_factory=dict)
    written: Mapping[str, Any] = field(default_factory=dict)

    def describe(self) -> str:
        if self.kind == "message":
            return f"message {self.text!r}"
        if self.kind == "action":
            return f"{self.action_type}"
        return "TestInitiated" if self.kind == "initiated" else "TestCompleted"


def _event_matches(observation: Observation, happening: Happening, data: DataSource) -> bool:
    event = observation.event
    if happening.kind == "initiated":
        return event.type == "TestInitiated"
    if happening.kind == "completed":
        return event.type == "TestCompleted"
    if happening.kind == "message":
        return event.message is not None and message_matches(event.message, happening.text, data())
    return event.flow_action is not None and action_matches(
        event.flow_action, happening.action_type, happening.parameters, happening.written
    )


@dataclass
class Matcher:
    """The state of one case's observations while its contact runs."""

    document: Document
    data: DataSource = dict
    counts: dict[str, int] = field(default_factory=dict)
    active: list[str] = field(default_factory=list)
    activated: list[str] = field(default_factory=list)
    failure: str | None = None
    ended: bool = False
    keys: list[str] = field(default_factory=list)
    overrides: dict[tuple[str, str], deque[Override]] = field(default_factory=dict)
    logged: list[dict[str, str]] = field(default_factory=list)
    seen: list[str] = field(default_factory=list)
    matched: list[str] = field(default_factory=list)
    awaited_from: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._by_id = self.document.by_id()
        for root in self.document.roots():
            self._activate(root.identifier)

    # -- what the runner reports -------------------------------------------------------------
    def start(self) -> None:
        self._happen(Happening("initiated"))

    def message(self, text: str) -> None:
        self._happen(Happening("message", text=text))

    def action(
        self, action_type: str, parameters: Mapping[str, Any], written: Mapping[str, Any] | None = None
    ) -> None:
        """A flow action started: its parameters resolved, and as written in the flow."""
        happening = Happening("action", action_type=action_type, parameters=parameters, written=written or {})
        self._happen(happening)

    def complete(self) -> None:
        """The test ends (EndTest, the contact ended, or the step budget ran out)."""
        self.ended = True
        self._happen(Happening("completed"))

    # -- what the runner asks ----------------------------------------------------------------
    def take_keys(self) -> str:
        """The customer input sent since the last prompt that asked for input ('' = none)."""
        if self.ended:
            return HANGUP
        entry = "".join(self.keys)
        self.keys.clear()
        return entry

    def take_override(self, action_type: str, resource: str | None) -> Override | None:
        """The oldest override for this action type and resource (consumed), else for the type."""
        for key in ((action_type, canonical(resource)) if resource else None, (action_type, "*")):
            if key is None:
                continue
            queue = self.overrides.get(key)
            if queue:
                return queue.popleft()
        return None

    def verdict(self) -> tuple[Status, str]:
        if self.failure is not None:
            return "FAILED", self.failure
        for identifier in self.activated:
            observation = self._by_id[identifier]
            count = self.counts.get(identifier, 0)
            if count < observation.usage.minimum:
                since = self.seen[self.awaited_from.get(identifier, 0) :]
                heard = [s for s in since if s.startswith("message ")] or since
                seen = "; ".join(heard[:3]) + ("; ..." if len(heard) > 3 else "") if heard else "nothing"
                return "FAILED", (
                    f"observation {identifier!r} ({observation.event.describe()}) matched {count} of "
                    f"{observation.usage.minimum} time(s); seen while it was awaited: {seen}"
                )
        return "PASSED", f"{len(self.matched)} observation match(es)"

    # -- internals ----------------------------------------------------------------------------
    def _activate(self, identifier: str) -> None:
        if identifier not in self.active:
            self.active.append(identifier)
            self.active.sort(key=list(self._by_id).index)
        if identifier not in self.activated:
            self.activated.append(identifier)
            self.awaited_from[identifier] = len(self.seen)

    def _happen(self, happening: Happening) -> None:
        if happening.kind in ("message", "action"):
            self.seen.append(happening.describe())
        if self.failure is not None or (self.ended and happening.kind != "completed"):
            return
        for identifier in list(self.active):
            observation = self._by_id[identifier]
            if _event_matches(observation, happening, self.data):
                self._fire(observation)
                return

    def _fire(self, observation: Observation) -> None:
        count = self.counts.get(observation.identifier, 0) + 1
        self.counts[observation.identifier] = count
        self.matched.append(observation.identifier)
        maximum = observation.usage.maximum
        if maximum is not None and count > maximum:
            self.failure = (
                f"observation {observation.identifier!r} ({observation.event.describe()}) matched "
                f"{count} times, at most {maximum} allowed"
            )
            return
        if observation.usage.type == "Exactly" and maximum is not None and count >= maximum:
            self.active.remove(observation.identifier)
        for action in observation.actions:
            if not self._run(observation, action):
                break
        for target in observation.next:
            self._activate(target)

    def _run(self, observation: Observation, action: Any) -> bool:
        """One action; ``False`` stops the observation's remaining actions."""
        if isinstance(action, SendInstruction):
            self.keys.append(HANGUP if action.kind == "Disconnect" else action.value)
        elif isinstance(action, Override):
            key = (action.action_type, canonical(action.resource) if action.resource else "*")
            self.overrides.setdefault(key, deque()).append(action)
        elif isinstance(action, Assertion):
            problem = check_assertion(action, self.data())
            if problem is not None:
                self.failure = (
                    f"observation {observation.identifier!r} assert {action.identifier!r}: {problem}"
                )
                self.ended = True
                return False
        elif isinstance(action, TestControl):
            if action.command == "LogData":
                self._log(action)
            else:
                self.ended = True
        return True

    def _log(self, action: TestControl) -> None:
        data = self.data()
        entry: dict[str, str] = {}
        for label, path in action.expressions.items():
            segments = namespace_segments(path)
            entry[label] = as_text(lookup(data, segments)) if segments is not None else ""
        self.logged.append(entry)
