"""One record per Flow-language action type: what the interpreter runs and the validator checks.

An :class:`ActionSpec` holds everything Connect's reference page says about one action type: its
behaviour (a function of the run and the action), the flow types and channels it may run in, its
error branches (which may depend on parameter values, e.g. TransferParticipantToThirdParty's
``ContinueFlowExecution``), the parameters that must be static or one whole JSONPath, the condition
operators and values it takes, and extra static rules. Both :mod:`civicline.engine.interpreter` and
:mod:`civicline.engine.validator` read these records and nothing else, so adding an action type is
one record and one function in the module of its group.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from civicline.engine.outcome import Outcome
from schemas.flow_language import FlowAction

if TYPE_CHECKING:
    from civicline.engine.interpreter import Run

Group = Literal["participant", "interactions", "contact", "queues", "flow control"]
Behaviour = Callable[["Run", FlowAction], Outcome]
Severity = Literal["error", "warning"]

#: every Connect flow type (API ContactFlowType), CONTACT_FLOW_MODULE for modules
CF, CQ, CH, CW, AH, AW, OW, AT, QT = (
    "CONTACT_FLOW",
    "CUSTOMER_QUEUE",
    "CUSTOMER_HOLD",
    "CUSTOMER_WHISPER",
    "AGENT_HOLD",
    "AGENT_WHISPER",
    "OUTBOUND_WHISPER",
    "AGENT_TRANSFER",
    "QUEUE_TRANSFER",
)
MODULE = "CONTACT_FLOW_MODULE"
FLOW_TYPES: tuple[str, ...] = (CF, CQ, CH, CW, AH, AW, OW, AT, QT, "CAMPAIGN", MODULE)
#: the flow types the reference pages call "contact flows and transfer flows" (+ modules, which
#: run inside an inbound flow)
INBOUND_AND_TRANSFER = frozenset({CF, AT, QT, MODULE})
#: "contact flows, customer queue flows and transfer flows"
INBOUND_QUEUE_TRANSFER = INBOUND_AND_TRANSFER | {CQ}
WHISPERS = frozenset({CW, AW, OW})
HOLDS = frozenset({CH, AH})
VOICE = frozenset({"VOICE"})

#: the bare fallback branch every action that can fail has
NO_MATCHING_ERROR = "NoMatchingError"


@dataclass(frozen=True)
class ErrorRules:
    """Error branches an action may wire (``allowed``, None = not checked) and must wire."""

    allowed: frozenset[str] | None
    required: frozenset[str] = frozenset()
    when: str | None = None  # the parameter values these rules hold for, e.g. "StoreInput True"


def fixed(*allowed: str, required: Iterable[str] | None = None) -> Callable[[dict[str, Any]], ErrorRules]:
    """Error rules that do not depend on the parameters; required defaults to all allowed."""
    rules = ErrorRules(frozenset(allowed), frozenset(allowed if required is None else required))
    return lambda _params: rules


UNCHECKED: Callable[[dict[str, Any]], ErrorRules] = lambda _params: ErrorRules(None)  # noqa: E731


@dataclass(frozen=True)
class Problem:
    """A static finding from an action's own rule (``check``)."""

    message: str
    severity: Severity = "error"


Check = Callable[[FlowAction], Iterable[Problem]]


@dataclass(frozen=True)
class ActionSpec:
    """Connect's definition of one action type (reference section 3; ``page`` names the AWS page)."""

    type: str
    group: Group
    page: str
    run: Behaviour | None = None
    flow_types: frozenset[str] | None = None  # None: every flow type
    channels: frozenset[str] | None = None  # None: every channel
    errors: Callable[[dict[str, Any]], ErrorRules] = UNCHECKED
    static: frozenset[str] = frozenset()
    single_path: frozenset[str] = frozenset()
    operators: frozenset[str] | None = None  # None: any documented operator; empty: no conditions
    outcomes: frozenset[str] | None = None  # exactly these Equals conditions are required
    terminal: bool = False
    leaves_on_success: bool = False  # success leaves the flow (no NextAction needed)
    waits: bool = False  # may wait with no NextAction (Loop prompts in a queue flow)
    speaks: bool = False  # delivers a message to the customer when it has a message source
    check: Check | None = None
    implies: frozenset[str] | None = None  # an untyped flow holding it is one of these types
    participant: bool | None = None  # needs a participant on the line (default: participant actions)
    clears_external: bool = False  # a failure leaves $.External empty (a Lambda call, or a mock of one)
    #: (parameter, resource kind) of parameters that name a resource by "ID or ARN"
    resources: tuple[tuple[str, str], ...] = ()
    notes: tuple[str, ...] = field(default=())

    @property
    def implemented(self) -> bool:
        return self.run is not None

    @property
    def needs_participant(self) -> bool:
        return self.group == "participant" if self.participant is None else self.participant

    def allowed_in(self, flow_type: str) -> bool:
        return self.flow_types is None or flow_type in self.flow_types

    def on_channel(self, channel: str) -> bool:
        return self.channels is None or channel in self.channels


SPECS: dict[str, ActionSpec] = {}


def register(spec: ActionSpec) -> ActionSpec:
    """Add one action type's record (each type once)."""
    if spec.type in SPECS:
        raise ValueError(f"action type {spec.type} registered twice")
    SPECS[spec.type] = spec
    return spec


def action(spec: ActionSpec) -> Callable[[Behaviour], Behaviour]:
    """Decorator: register ``spec`` with the decorated function as its behaviour."""

    def bind(fn: Behaviour) -> Behaviour:
        register(_with_run(spec, fn))
        return fn

    return bind


def _with_run(spec: ActionSpec, fn: Behaviour) -> ActionSpec:
    from dataclasses import replace

    return replace(spec, run=fn)


def known(type_: str, group: Group, page: str, **rules: Any) -> ActionSpec:
    """A documented action type the engine does not run (the validator still checks it)."""
    return register(ActionSpec(type_, group, page, **rules))
