"""The staffing plan: agents on duty per interval of one day, as ``civicline staffing --profile``
writes it and ``civicline simulate --plan`` / ``civicline sweep --plan`` read it.

YAML or JSON validated by :class:`StaffingPlan` (JSON Schema: ``schemas/json/staffing-plan.schema.json``).
Strict: a misspelt key is an error. The intervals are contiguous and in time order; ``agents`` is the
number on the phones from ``start`` until ``end`` (local time of the profile's day). ``calls`` and
``forecast_service_level`` are what the plan was computed from (informative; a hand-written plan may
leave them out). Applying a plan keeps the profile's agent groups' skill mix (see
:func:`civicline.sim.scaling.apply_plan`).
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from schemas.profile import ClockTime, clock_seconds


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PlanTarget(_Strict):
    """The service level the plan is for: ``service_level`` of callers answered within ``seconds``."""

    service_level: float = Field(gt=0.0, lt=1.0)
    seconds: float = Field(ge=0.0)


class EmailTarget(_Strict):
    """The e-mail desk's target: ``answered_within_24h`` of the received e-mails accepted by an agent
    within their answer deadline (the metrics' email_answered_within_24h_rate)."""

    answered_within_24h: float = Field(gt=0.0, le=1.0)
    by: Literal["closing", "deadline"] = Field(
        default="closing",
        description="closing: every e-mail the day receives is due by the day's closing (the one-day "
        "simulated day's horizon); deadline: due 24 h after receipt, so mail carried over to the next "
        "working day's opening hours (the service calendar: hours, time zone, holidays) is in time "
        "when answered by then",
    )


class PlanInterval(_Strict):
    start: ClockTime
    end: ClockTime
    agents: int = Field(ge=0, le=5000)
    calls: float | None = Field(default=None, ge=0.0, description="expected calls reaching an agent")
    forecast_service_level: float | None = Field(default=None, ge=0.0, le=1.0)
    chats: float | None = Field(default=None, ge=0.0, description="expected chats reaching the chat desk")
    forecast_chat_service_level: float | None = Field(default=None, ge=0.0, le=1.0)
    emails: float | None = Field(
        default=None, ge=0.0, description="expected e-mails received (the desk is planned for the day's)"
    )
    groups: dict[str, int] | None = Field(
        default=None,
        description="agents per agent group of the profile (its routing profiles); they sum to agents. "
        "Without it, the interval's agents are shared among the groups by group size.",
    )

    @model_validator(mode="after")
    def _groups_sum(self) -> PlanInterval:
        if self.groups is not None:
            if any(n < 0 for n in self.groups.values()):
                raise ValueError(f"interval {self.start}-{self.end}: group agents must be >= 0")
            if sum(self.groups.values()) != self.agents:
                raise ValueError(
                    f"interval {self.start}-{self.end}: the groups' agents sum to "
                    f"{sum(self.groups.values())}, not {self.agents}"
                )
        return self


class StaffingPlan(_Strict):
    """Agents per interval for one profile's day."""

    version: Literal[1] = 1
    profile: str = Field(min_length=1, max_length=60, description="the profile the plan was made for")
    model: str = Field(default="hand-written", description="how it was computed, e.g. erlang-a")
    target: PlanTarget | None = None
    chat_target: PlanTarget | None = Field(
        default=None, description="the chat desk's service level (a plan without it left the desk as it was)"
    )
    email_target: EmailTarget | None = Field(
        default=None, description="the e-mail desk's target (a plan without it left the desk as it was)"
    )
    intervals: list[PlanInterval] = Field(min_length=1, max_length=288)

    @model_validator(mode="after")
    def _contiguous(self) -> StaffingPlan:
        for interval in self.intervals:
            if clock_seconds(interval.end) <= clock_seconds(interval.start):
                raise ValueError(f"interval {interval.start}-{interval.end} must end after it starts")
        for before, after in zip(self.intervals, self.intervals[1:], strict=False):
            if before.end != after.start:
                raise ValueError(f"intervals must be contiguous: {before.end} is followed by {after.start}")
        return self
