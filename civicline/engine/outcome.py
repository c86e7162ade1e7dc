"""What one action did: the single result type of every action behaviour (and of observer mocks).

An action yields ``ok`` (with its result value when it has one, compared by the conditions),
``error`` (an ErrorType: that branch, else ``NoMatchingError``), ``end`` (the contact leaves the
flows: queued, disconnected, transferred out), ``transfer`` (continue in another flow) or ``return``
(a flow module finished). ``external`` is the ``$.External`` a Lambda call (or a mock of one) leaves
behind: the interpreter applies it, so an observer's mock has the same effect as a real call.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from civicline.engine.library import LoadedFlow

OutcomeKind = Literal["ok", "error", "end", "transfer", "return"]


@dataclass
class Outcome:
    """One action's result (reference section 1.8): see the module docstring for the kinds."""

    kind: OutcomeKind
    value: str | None = None
    error: str | None = None
    how: str | None = None
    detail: str | None = None
    flow: LoadedFlow | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    external: dict[str, Any] | None = None

    @classmethod
    def ok(cls, value: str | None = None) -> Outcome:
        return cls("ok", value=value)

    @classmethod
    def fail(cls, error: str = "NoMatchingError", detail: str | None = None) -> Outcome:
        return cls("error", error=error, detail=detail)

    @classmethod
    def end(cls, how: str, detail: str | None = None, **extra: Any) -> Outcome:
        return cls("end", how=how, detail=detail, extra=extra)

    @classmethod
    def transfer(cls, flow: LoadedFlow) -> Outcome:
        return cls("transfer", flow=flow)

    @classmethod
    def module_return(cls) -> Outcome:
        return cls("return")

    @property
    def leaves_flow(self) -> bool:
        """The flow stops here (the contact ends, moves to another flow, or a module returns)."""
        return self.kind in ("end", "transfer", "return")
