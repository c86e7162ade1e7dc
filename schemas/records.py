"""CivicLine's own records, as stored in DynamoDB. Strict: unknown fields are errors.

These are the storage contracts shared by the functions (which write them), the metrics code and the
local engine (which read them) and the seed data. They are dataclasses validated by
:func:`schemas.codec.load` on the functions' path and by pydantic elsewhere (docs/decisions.md).

Phone numbers are never stored in clear except where a callback must dial them
(``CallbackRequest.callback_number``, removed by TTL after the callback is closed); everything else
keys callers by :func:`functions.core.privacy.pseudonymize`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any, ClassVar, Literal

from schemas.constraints import Doc, Length, Pattern, Range

Language = Literal["en", "es"]
Digit = Annotated[int, Range(ge=1, le=5)]
E164 = Annotated[str, Pattern(r"^\+[1-9][0-9]{6,14}$")]
Weekday = Literal["MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY"]
HHMM = Annotated[str, Pattern(r"^[0-2][0-9]:[0-5][0-9]$")]


class _Strict:
    """Unknown fields are errors, under both validators."""

    __pydantic_config__: ClassVar[dict[str, Any]] = {"extra": "forbid"}


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


@dataclass(kw_only=True)
class StatusChange(_Strict):
    status: CaseStatus
    at: datetime
    note: str = ""


@dataclass(kw_only=True)
class Case(_Strict):
    """A case a caller can ask about (tax return, benefit claim, permit, appeal)."""

    case_number: Annotated[str, Pattern(r"^[0-9]{8}$"), Doc("7 digits + a Luhn check digit")]
    pin_hash: Annotated[str, Length(min=16), Doc("hash of the PIN issued with the case")]
    status: CaseStatus
    history: list[StatusChange] = field(default_factory=list)
    office_id: str
    category: str
    opened_on: date
    due_date: Annotated[date | None, Doc("statutory response deadline")] = None
    next_step_en: str = ""
    next_step_es: str = ""


class AppealCategory(StrEnum):
    APPEAL = "APPEAL"
    IDENTITY_THEFT = "IDENTITY_THEFT"


@dataclass(kw_only=True)
class Appeal(_Strict):
    """An official appeal (or identity-theft report) registered by phone."""

    receipt: Annotated[str, Pattern(r"^[A-Z]{2}-[0-9]{8}$")]
    contact_id: str
    category: AppealCategory
    office_id: str
    case_number: str | None = None
    callback_key: Annotated[str, Doc("pseudonymized callback number")]
    registered_at: datetime
    due_date: date
    due_rule: Literal["CALENDAR_DAYS", "WORKING_DAYS"]
    due_days: Annotated[int, Range(ge=1)]
    language: Language = "en"


class CallbackMode(StrEnum):
    VIRTUAL_HOLD = "VIRTUAL_HOLD"
    SCHEDULED = "SCHEDULED"


class CallbackState(StrEnum):
    """``PLACED``: Connect accepted the outbound call; whether the caller answered comes later, from the
    call's contact events (``functions/handlers/callback_outcomes.py``)."""

    PENDING = "PENDING"
    DIALING = "DIALING"
    PLACED = "PLACED"
    CONNECTED = "CONNECTED"
    NO_ANSWER = "NO_ANSWER"
    FAILED = "FAILED"
    CANCELLED = "CANCELLED"


@dataclass(kw_only=True)
class CallbackAttempt(_Strict):
    at: datetime
    outcome: Literal["PLACED", "CONNECTED", "NO_ANSWER", "FAILED"]
    outbound_contact_id: str | None = None


@dataclass(kw_only=True)
class CallbackRequest(_Strict):
    callback_id: str
    contact_id: Annotated[str, Doc("the inbound contact that asked for the callback")]
    queue: str
    mode: CallbackMode
    callback_number: Annotated[E164, Doc("E.164, to dial")]
    caller_key: str
    intent: str | None = None
    language: Language = "en"
    requested_at: datetime
    enqueued_at: Annotated[datetime | None, Doc("place kept in queue (virtual hold)")] = None
    window_start: datetime
    window_end: datetime
    state: CallbackState = CallbackState.PENDING
    attempts: list[CallbackAttempt] = field(default_factory=list)
    max_attempts: Annotated[int, Range(ge=1, le=10)] = 3
    retry_delay_seconds: Annotated[int, Range(ge=1)] = 600
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


@dataclass(kw_only=True)
class SurveyResponse(_Strict):
    """One post-call survey per contact, with no direct identifiers."""

    contact_id: str
    submitted_at: datetime
    channel: str = "VOICE"
    service: Annotated[str, Doc("the service or program the call was about")]
    queue: str | None = None
    office_id: str | None = None
    intent: str | None = None
    routing_profile: str | None = None
    language: Language = "en"
    fcr_times_called: Annotated[int | None, Range(ge=1, le=9), Doc("9 means 9 or more")] = None
    fcr_all_answered: bool | None = None
    fcr_avoids_call: bool | None = None
    drivers: dict[A11Driver, Digit] = field(default_factory=dict)
    complete: bool
    declined: Annotated[
        bool, Doc("offered and nothing answered (pressed 2 or no input): counts as offered, not answered")
    ] = False


@dataclass(kw_only=True)
class RoutingRule(_Strict):
    """Where a caller's intent (and topic) goes; edited in DynamoDB without a redeploy."""

    intent: Intent
    topic: Annotated[str, Doc("menu digit or topic code, * for any")] = "*"
    language: Language | Literal["*"] = "*"
    queue: str
    office_id: str | None = None
    warm_transfer: bool = False
    priority: Annotated[int, Range(ge=1, le=9)] = 5


@dataclass(kw_only=True)
class OfficeHours(_Strict):
    day: Weekday
    start: HHMM
    end: HHMM


@dataclass(kw_only=True)
class OfficeEntry(_Strict):
    """An office or agency in the 311-style directory."""

    office_id: str
    name_en: str
    name_es: str
    phone: Annotated[E164, Doc("public number for warm transfer")]
    queue: Annotated[str | None, Doc("our queue for this office, if we host it")] = None
    time_zone: str = "America/New_York"
    hours: list[OfficeHours] = field(default_factory=list)
    topics: list[str] = field(default_factory=list)


@dataclass(kw_only=True)
class KnowledgeAnswer(_Strict):
    topic: str
    language: Language
    answer: Annotated[str, Length(max=3000), Doc("spoken text; Connect bills up to 3,000 chars")]
    follow_up_queue: str | None = None


class Grain(StrEnum):
    INTERVAL = "15m"
    DAY = "day"
    QUARTER = "quarter"


@dataclass(kw_only=True)
class MetricRollup(_Strict):
    """Counts per queue and period; every ratio is derived from these when read.

    Written only by the aggregator (functions/domain/metrics_registry.py defines each counter; a test
    keeps these fields equal to its counters; docs/metrics.md is generated from it). Stored as
    ``pk=ROLLUP#<queue>#<grain>``, ``sk=<period>``: ``period`` is ``2026-11-23T14:15:00Z`` (15-minute
    UTC slot), ``2026-11-23`` (local day) or ``2026Q4``.
    """

    queue: Annotated[str, Doc("queue name, ALL (every queue), IVR (never queued) or NOTIFY (notifications)")]
    grain: Grain
    period: Annotated[str, Doc("the rollup sort key")]
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
    surveys_offered: int = 0
    emails_received: int = 0
    emails_answered: int = 0
    emails_answered_within_24h: int = 0
    emails_closed_unanswered: int = 0
    notifications_sent: int = 0
    notifications_delivered: int = 0
    notifications_opted_out: int = 0
    notifications_failed: int = 0
    driver_sums: dict[A11Driver, int] = field(default_factory=dict)
    driver_counts: dict[A11Driver, int] = field(default_factory=dict)
    driver_agree: Annotated[dict[A11Driver, int], Doc("responses agreeing (4 or 5) per driver")] = field(
        default_factory=dict
    )
    a11_points: Annotated[
        dict[str, int], Doc("'<service>|<channel>|<driver>|<scale point>' -> responses")
    ] = field(default_factory=dict)
    by_channel: Annotated[
        dict[str, int], Doc("'<VOICE|CHAT|EMAIL|TASK|SMS>|<counter>' -> the counter for that channel only")
    ] = field(default_factory=dict)
    a11_volumes: Annotated[
        dict[str, int], Doc("'<customers|offered|respondents>|<service>|<channel>' -> count (A-11 volumes)")
    ] = field(default_factory=dict)
