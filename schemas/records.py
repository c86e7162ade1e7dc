"""CivicLine's own records, as stored in DynamoDB. Strict: unknown fields are errors.

These are the storage contracts shared by the functions (which write them), the metrics code and the
local engine (which read them) and the seed data. Phone numbers are never stored in clear except
where a callback must dial them (``CallbackRequest.callback_number``, removed by TTL after the
callback is closed); everything else keys callers by :func:`functions.core.privacy.pseudonymize`.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

Language = Literal["en", "es"]
Digit = Annotated[int, Field(ge=1, le=5)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=False, defer_build=True)


class Intent(StrEnum):
    """What the caller wants; the main menu's branches."""

    CONSULTATION = "CONSULTATION"
    CASE_STATUS = "CASE_STATUS"
    REDIRECT = "REDIRECT"
    APPEAL = "APPEAL"
    IDENTITY_THEFT = "IDENTITY_THEFT"
    TIER2 = "TIER2"
    OPERATOR = "OPERATOR"


class CaseStatus(StrEnum):
    RECEIVED = "RECEIVED"
    IN_REVIEW = "IN_REVIEW"
    WAITING_FOR_CALLER = "WAITING_FOR_CALLER"
    DECIDED = "DECIDED"
    CLOSED = "CLOSED"


class StatusChange(_Strict):
    status: CaseStatus
    at: datetime
    note: str = ""


class Case(_Strict):
    """A case a caller can ask about (tax return, benefit claim, permit, appeal)."""

    case_number: str = Field(pattern=r"^[0-9]{8}$", description="7 digits + a Luhn check digit")
    pin_hash: str = Field(min_length=16, description="hash of the PIN issued with the case")
    status: CaseStatus
    history: list[StatusChange] = Field(default_factory=list)
    office_id: str
    category: str
    opened_on: date
    due_date: date | None = Field(default=None, description="statutory response deadline")
    next_step_en: str = ""
    next_step_es: str = ""


class AppealCategory(StrEnum):
    APPEAL = "APPEAL"
    IDENTITY_THEFT = "IDENTITY_THEFT"


class Appeal(_Strict):
    """An official appeal (or identity-theft report) registered by phone."""

    receipt: str = Field(pattern=r"^[A-Z]{2}-[0-9]{8}$")
    contact_id: str
    category: AppealCategory
    office_id: str
    case_number: str | None = None
    callback_key: str = Field(description="pseudonymized callback number")
    registered_at: datetime
    due_date: date
    due_rule: Literal["CALENDAR_DAYS", "WORKING_DAYS"]
    due_days: int = Field(ge=1)
    language: Language = "en"


class CallbackMode(StrEnum):
    VIRTUAL_HOLD = "VIRTUAL_HOLD"
    SCHEDULED = "SCHEDULED"


class CallbackState(StrEnum):
    PENDING = "PENDING"
    DIALING = "DIALING"
    CONNECTED = "CONNECTED"
    NO_ANSWER = "NO_ANSWER"
    FAILED = "FAILED"
    CANCELLED = "CANCELLED"


class CallbackAttempt(_Strict):
    at: datetime
    outcome: Literal["CONNECTED", "NO_ANSWER", "FAILED"]
    outbound_contact_id: str | None = None


class CallbackRequest(_Strict):
    callback_id: str
    contact_id: str = Field(description="the inbound contact that asked for the callback")
    queue: str
    mode: CallbackMode
    callback_number: str = Field(pattern=r"^\+[1-9][0-9]{6,14}$", description="E.164, to dial")
    caller_key: str
    intent: str | None = None
    language: Language = "en"
    requested_at: datetime
    enqueued_at: datetime | None = Field(default=None, description="place kept in queue (virtual hold)")
    window_start: datetime
    window_end: datetime
    state: CallbackState = CallbackState.PENDING
    attempts: list[CallbackAttempt] = Field(default_factory=list)
    max_attempts: int = Field(default=3, ge=1, le=10)
    retry_delay_seconds: int = Field(default=600, ge=1)
    next_attempt_at: datetime | None = None


class A11Driver(StrEnum):
    """OMB Circular A-11 section 280 customer-experience drivers (5-point scale)."""

    TRUST = "trust"
    EFFECTIVENESS = "effectiveness"
    EASE = "ease"
    EFFICIENCY = "efficiency"
    TRANSPARENCY = "transparency"
    HUMANITY = "humanity"
    EMPLOYEE_HELPFULNESS = "employeeHelpfulness"
    SATISFACTION = "satisfaction"


class SurveyResponse(_Strict):
    """One post-call survey per contact, with no direct identifiers."""

    contact_id: str
    submitted_at: datetime
    channel: str = "VOICE"
    service: str = Field(description="the service or program the call was about")
    queue: str | None = None
    office_id: str | None = None
    intent: str | None = None
    routing_profile: str | None = None
    language: Language = "en"
    fcr_times_called: int | None = Field(default=None, ge=1, le=9, description="9 means 9 or more")
    fcr_all_answered: bool | None = None
    fcr_avoids_call: bool | None = None
    drivers: dict[A11Driver, Digit] = Field(default_factory=dict)
    complete: bool


class RoutingRule(_Strict):
    """Where a caller's intent (and topic) goes; edited in DynamoDB without a redeploy."""

    intent: Intent
    topic: str = Field(default="*", description="menu digit or topic code, * for any")
    language: Language | Literal["*"] = "*"
    queue: str
    office_id: str | None = None
    warm_transfer: bool = False
    priority: int = Field(default=5, ge=1, le=9)


class OfficeHours(_Strict):
    day: Literal["MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY"]
    start: str = Field(pattern=r"^[0-2][0-9]:[0-5][0-9]$")
    end: str = Field(pattern=r"^[0-2][0-9]:[0-5][0-9]$")


class OfficeEntry(_Strict):
    """An office or agency in the 311-style directory."""

    office_id: str
    name_en: str
    name_es: str
    phone: str = Field(pattern=r"^\+[1-9][0-9]{6,14}$", description="public number for warm transfer")
    queue: str | None = Field(default=None, description="our queue for this office, if we host it")
    time_zone: str = "America/New_York"
    hours: list[OfficeHours] = Field(default_factory=list)
    topics: list[str] = Field(default_factory=list)


class KnowledgeAnswer(_Strict):
    topic: str
    language: Language
    answer: str = Field(max_length=3000, description="spoken text; Connect bills up to 3,000 chars")
    follow_up_queue: str | None = None


class Grain(StrEnum):
    INTERVAL = "15m"
    DAY = "day"
    QUARTER = "quarter"


class MetricRollup(_Strict):
    """Counts per queue and period; every ratio is derived from these when read.

    Written only by the aggregator (functions/domain/metrics.py defines each counter; docs/metrics.md
    documents them). Stored as ``pk=ROLLUP#<queue>#<grain>``, ``sk=<period>``: ``period`` is
    ``2026-11-23T14:15:00Z`` (15-minute UTC slot), ``2026-11-23`` (local day) or ``2026Q4``.
    """

    queue: str = Field(description="queue name, ALL (every queue) or IVR (never queued)")
    grain: Grain
    period: str = Field(description="the rollup sort key")
    period_start: datetime
    offered: int = 0
    answered: int = 0
    abandoned: int = 0
    busy_or_courtesy_disconnected: int = 0
    answer_time_sum_ms: int = 0
    answer_time_count: int = 0
    answered_within_threshold: int = 0
    removed_within_threshold: int = 0
    inbound_contacts: int = 0
    self_service_contained: int = 0
    transfers: int = 0
    callbacks_offered: int = 0
    callbacks_accepted: int = 0
    callbacks_dialed: int = 0
    callbacks_connected: int = 0
    fcr_survey_yes: int = 0
    fcr_survey_responses: int = 0
    repeat_contacts: int = 0
    first_contacts: int = 0
    survey_responses: int = 0
    driver_sums: dict[A11Driver, int] = Field(default_factory=dict)
    driver_counts: dict[A11Driver, int] = Field(default_factory=dict)
    a11_points: dict[str, int] = Field(
        default_factory=dict, description="'<service>|<channel>|<driver>|<scale point>' -> responses"
    )
