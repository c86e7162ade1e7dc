"""The Amazon Connect Flow language (``Version: 2019-10-30``): a document model for flows/*.json.

Tolerant of what the Connect designer really exports (reference section 1): ``Parameters`` may be
absent, ``Errors`` / ``Conditions`` absent or empty, ``NextAction`` absent on terminal and waiting
actions, ``Metadata`` carries designer-only keys, flow modules add ``Settings``. Unknown keys are kept
(``extra="allow"``) so that a document round-trips. The model checks *shape* only; the rules of the
language (identifier charset, dangling transitions, operators, limits, safety) are the validator's
job in :mod:`civicline.engine.validator`, because they must be reported as findings, not as a
parse failure that hides every other problem.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

#: the only Flow-language version Connect accepts
FLOW_LANGUAGE_VERSION = "2019-10-30"

#: the eight documented condition operators (reference 1.4), exact spelling
OPERATORS: frozenset[str] = frozenset(
    {
        "Equals",
        "TextStartsWith",
        "TextEndsWith",
        "TextContains",
        "NumberGreaterThan",
        "NumberGreaterOrEqualTo",
        "NumberLessThan",
        "NumberLessOrEqualTo",
    }
)


class _Open(BaseModel):
    model_config = ConfigDict(extra="allow", populate_by_name=True)


class FlowCondition(_Open):
    """``{"Operator": "Equals", "Operands": ["1"]}``; an operand may itself be a nested condition."""

    Operator: str
    Operands: list[Any] = Field(default_factory=list)


class ConditionTransition(_Open):
    NextAction: str
    Condition: FlowCondition


class ErrorTransition(_Open):
    ErrorType: str
    NextAction: str


class ActionTransitions(_Open):
    """Where an action goes next: the default, per error type, per condition (ordered)."""

    NextAction: str | None = None
    Errors: list[ErrorTransition] = Field(default_factory=list)
    Conditions: list[ConditionTransition] = Field(default_factory=list)

    @field_validator("Errors", "Conditions", mode="before")
    @classmethod
    def _null_list(cls, value: object) -> object:
        return [] if value is None else value

    def error_target(self, error_type: str) -> str | None:
        """The branch for ``error_type``; ``None`` when the action does not wire it."""
        for error in self.Errors:
            if error.ErrorType == error_type:
                return error.NextAction
        return None

    def targets(self) -> list[tuple[str, str]]:
        """Every outgoing branch as ``(label, identifier)``: next, each error, each condition."""
        found: list[tuple[str, str]] = []
        if self.NextAction:
            found.append(("NextAction", self.NextAction))
        found.extend((f"error {e.ErrorType}", e.NextAction) for e in self.Errors)
        found.extend(
            (f"condition {c.Condition.Operator} {c.Condition.Operands!r}", c.NextAction)
            for c in self.Conditions
        )
        return found


class FlowAction(_Open):
    Identifier: str
    Type: str
    Parameters: dict[str, Any] = Field(default_factory=dict)
    Transitions: ActionTransitions = Field(default_factory=ActionTransitions)

    @field_validator("Parameters", mode="before")
    @classmethod
    def _null_parameters(cls, value: object) -> object:
        return {} if value is None else value

    @field_validator("Transitions", mode="before")
    @classmethod
    def _null_transitions(cls, value: object) -> object:
        return {} if value is None else value


class FlowDocument(_Open):
    """A Flow-language document: a contact flow, or a flow module (which adds ``Settings``)."""

    Version: str
    StartAction: str
    Metadata: dict[str, Any] = Field(default_factory=dict)
    Actions: list[FlowAction] = Field(default_factory=list)
    Settings: dict[str, Any] | None = None

    @field_validator("Metadata", mode="before")
    @classmethod
    def _null_metadata(cls, value: object) -> object:
        return {} if value is None else value

    def action_map(self) -> dict[str, FlowAction]:
        """Identifier -> action (the first one wins when an identifier is duplicated)."""
        found: dict[str, FlowAction] = {}
        for action in self.Actions:
            found.setdefault(action.Identifier, action)
        return found

    @property
    def is_module(self) -> bool:
        return self.Settings is not None
