"""The normalised model of a Connect test case (one spelling per concept, whatever the file used).

Field names follow the testing language (``Observations``, ``Event``, ``Actions``, ``Usage``); the
variants the AWS pages disagree on are folded into one value by :mod:`civicline.conntest.parser`
(docs/decisions.md, "Connect test cases: one spelling per concept").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

EventType = Literal["TestInitiated", "TestCompleted", "MessageReceived", "FlowActionStarted"]
UsageType = Literal["Exactly", "AtLeast", "AtMost", "Always"]
Criteria = Literal["Inclusion", "Similarity"]

#: flow action types an OverrideSystemBehavior may target (admin guide, testing-simulation-action-override)
OVERRIDABLE: tuple[str, ...] = (
    "InvokeLambdaFunction",
    "CheckHoursOfOperation",
    "ConnectParticipantWithLexBot",
    "TransferContactToQueue",
    "DequeueContactAndTransferToQueue",
)

#: the parameter that names the overridden / observed resource, per action type
RESOURCE_KEY: dict[str, tuple[str, ...]] = {
    "InvokeLambdaFunction": ("LambdaFunctionARN",),
    "CheckHoursOfOperation": ("HoursOfOperationId",),
    "ConnectParticipantWithLexBot": ("LexV2Bot", "AliasArn"),
    "TransferContactToQueue": ("QueueId",),
    "DequeueContactAndTransferToQueue": ("QueueId",),
}

#: MockResponse Error values each overridable type documents
MOCK_ERRORS: dict[str, frozenset[str]] = {
    "InvokeLambdaFunction": frozenset({"TimeLimitExceeded", "NoMatchingError"}),
    "ConnectParticipantWithLexBot": frozenset({"TimeLimitExceeded", "NoMatchingError"}),
    "CheckHoursOfOperation": frozenset({"NoMatchingError"}),
    "TransferContactToQueue": frozenset({"QueueAtCapacity", "NoMatchingError"}),
    "DequeueContactAndTransferToQueue": frozenset({"QueueAtCapacity", "NoMatchingError"}),
}

#: the types whose MockResponse may be a success (ExecutionResult)
MOCK_RESULTS: frozenset[str] = frozenset(
    {"InvokeLambdaFunction", "ConnectParticipantWithLexBot", "CheckHoursOfOperation"}
)

ASSERT_OPERATORS: tuple[str, ...] = (
    "Equals",
    "TextStartsWith",
    "TextEndsWith",
    "TextContains",
    "NumberGreaterThan",
    "NumberGreaterOrEqualTo",
    "NumberLessThan",
    "NumberLessOrEqualTo",
    "Exists",
)


class CaseError(ValueError):
    """A malformed test case: a one-line reason and the JSON path where it was found."""

    def __init__(self, reason: str, path: str = "$") -> None:
        super().__init__(f"{path}: {reason}")
        self.reason = reason
        self.path = path


@dataclass(frozen=True)
class MessageEvent:
    """``MessageReceived``: exactly one of text / prompt / ssml / media is expected."""

    criteria: Criteria
    text: str | None = None
    prompt: str | None = None
    ssml: str | None = None
    media: str | None = None

    def describe(self) -> str:
        shown = self.text or self.ssml or self.prompt or self.media or ""
        return f"MessageReceived {self.criteria} {shown!r}"


@dataclass(frozen=True)
class FlowActionEvent:
    """``FlowActionStarted``: a flow action of ``action_type`` whose parameters include these."""

    action_type: str
    parameters: dict[str, Any] = field(default_factory=dict)

    def describe(self) -> str:
        shown = f" {self.parameters}" if self.parameters else ""
        return f"FlowActionStarted {self.action_type}{shown}"


@dataclass(frozen=True)
class Event:
    type: EventType
    identifier: str = ""
    message: MessageEvent | None = None
    flow_action: FlowActionEvent | None = None

    def describe(self) -> str:
        if self.message is not None:
            return self.message.describe()
        if self.flow_action is not None:
            return self.flow_action.describe()
        return self.type


@dataclass(frozen=True)
class SendInstruction:
    identifier: str
    kind: Literal["DtmfInput", "TextUtterance", "Disconnect"]
    value: str = ""


@dataclass(frozen=True)
class Override:
    """``OverrideSystemBehavior`` on one flow action type (and resource, when given)."""

    identifier: str
    action_type: str
    resource: str | None
    strategy: Literal["SubstituteResource", "MockResponse"]
    substitute: str | None = None
    response: Literal["ExecutionResult", "Error"] | None = None
    loaded_data: dict[str, Any] | None = None
    value: str | None = None
    delay_seconds: float = 0.0


@dataclass(frozen=True)
class Assertion:
    identifier: str
    namespace: str
    operator: str
    operand: str | None = None

    def describe(self) -> str:
        operand = "" if self.operand is None else f" {self.operand!r}"
        return f"{self.namespace} {self.operator}{operand}"


@dataclass(frozen=True)
class TestControl:
    __test__ = False  # not a pytest class

    identifier: str
    command: Literal["EndTest", "LogData"]
    expressions: dict[str, str] = field(default_factory=dict)


Action = SendInstruction | Override | Assertion | TestControl


@dataclass(frozen=True)
class Usage:
    type: UsageType = "Exactly"
    times: int = 1

    @property
    def minimum(self) -> int:
        return self.times if self.type in ("Exactly", "AtLeast") else 0

    @property
    def maximum(self) -> int | None:
        return self.times if self.type in ("Exactly", "AtMost") else None


@dataclass(frozen=True)
class Observation:
    identifier: str
    event: Event
    actions: tuple[Action, ...] = ()
    usage: Usage = field(default_factory=Usage)
    next: tuple[str, ...] = ()


@dataclass(frozen=True)
class Document:
    version: str
    observations: tuple[Observation, ...]

    def by_id(self) -> dict[str, Observation]:
        return {o.identifier: o for o in self.observations}

    def roots(self) -> list[Observation]:
        """Observations no other one transitions to: active from the start (the first when none)."""
        targets = {t for o in self.observations for t in o.next}
        roots = [o for o in self.observations if o.identifier not in targets]
        return roots or list(self.observations[:1])


@dataclass(frozen=True)
class TestCase:
    """One test case: where the contact starts and the document that checks it."""

    __test__ = False  # not a pytest class

    name: str
    document: Document
    file: Path | None = None
    description: str = ""
    channel: Literal["VOICE", "CHAT"] = "VOICE"
    flow: str | None = None
    source_number: str | None = None
    destination_number: str | None = None
    attributes: dict[str, str] = field(default_factory=dict)
    shape: Literal["CreateTestCase", "document"] = "document"
