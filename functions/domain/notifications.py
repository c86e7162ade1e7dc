"""Proactive case-status notifications, pure: whether to notify, when, on which channel, and what.

Why each rule: a citizen who asked to be told never has to call to ask (the point); one who said
STOP is never written to again (consent is revocable, and carriers require STOP for SMS); nobody
is woken at night (quiet hours in the agency's time zone); and a stream that delivers a change
twice must not notify twice (one notification per change, keyed by the change itself).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from functions.domain.case_status import status_text
from schemas.records import CaseStatus

#: no notification between these local times (the agency's time zone)
QUIET_START = time(21, 0)
QUIET_END = time(8, 0)
#: words that withdraw consent (SMS carriers' standard keywords, and their Spanish equivalents)
STOP_WORDS = frozenset(
    {"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "ALTO", "PARAR", "BAJA", "CANCELAR"}
)


class Channel(StrEnum):
    SMS = "SMS"
    EMAIL = "EMAIL"
    CALL = "CALL"


class Kind(StrEnum):
    STATUS_CHANGE = "STATUS_CHANGE"
    DEADLINE_REMINDER = "DEADLINE_REMINDER"


class Outcome(StrEnum):
    """Contract N outcomes (docs/notifications.md): SENT only once the channel accepted the
    message, DELIVERED/FAILED also from the channel's delivery receipts."""

    SENT = "SENT"
    DELIVERED = "DELIVERED"
    FAILED = "FAILED"
    OPTED_OUT = "OPTED_OUT"
    DEFERRED = "DEFERRED"
    SKIPPED = "SKIPPED"


#: the EventBridge envelope of an outcome (Contract N)
EVENT_SOURCE = "civicline.notifications"
EVENT_DETAIL_TYPE = "Notification Outcome"
#: Contract N names a call VOICE (the contact-event channel), the consent names it CALL
_CONTRACT_CHANNEL = {"SMS": "SMS", "EMAIL": "EMAIL", "CALL": "VOICE"}
#: days before a deadline a reminder goes out
REMINDER_DAYS = (7, 1)
#: scheduled attempts of a deferred notification before it is given up as FAILED (every 5 minutes:
#: two hours of a refusing channel)
MAX_ATTEMPTS = 24


class Decision(StrEnum):
    SEND = "SEND"
    NO_CONSENT = "NO_CONSENT"
    OPTED_OUT = "OPTED_OUT"
    QUIET_HOURS = "QUIET_HOURS"


@dataclass(frozen=True)
class Consent:
    channel: Channel
    destination: str
    language: str
    opted_out: bool = False


@dataclass(frozen=True)
class CaseChange:
    case_number: str
    status: CaseStatus
    #: when the change was recorded (the status-history entry), ISO 8601
    at: str
    office_id: str | None = None


@dataclass(frozen=True)
class Notice:
    """One notification to give: a status change or a deadline reminder of one case.

    ``key`` identifies the notification (one per change or per reminder: its claim and its Contract
    N ``notificationId``, a hash with no case number in it); ``slot`` identifies what a newer
    notice of the same case replaces while both wait out quiet hours (the latest status wins).
    """

    kind: Kind
    case_number: str
    key: str
    slot: str
    status: CaseStatus | None = None
    #: the status-history time of a change, or the deadline of a reminder (ISO 8601)
    at: str = ""
    office_id: str | None = None
    days_left: int | None = None


def _digest(*parts: str) -> str:
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:32]


def change_notice(change: CaseChange) -> Notice:
    return Notice(
        Kind.STATUS_CHANGE,
        change.case_number,
        notification_key(change),
        _digest(change.case_number, Kind.STATUS_CHANGE.value),
        change.status,
        change.at,
        change.office_id,
    )


def reminder_notice(case_number: str, deadline: date, days_left: int, office_id: str | None) -> Notice:
    """One reminder per case, deadline and lead time (7 days, then 1 day)."""
    at = deadline.isoformat()
    return Notice(
        Kind.DEADLINE_REMINDER,
        case_number,
        _digest(case_number, Kind.DEADLINE_REMINDER.value, at, str(days_left)),
        _digest(case_number, Kind.DEADLINE_REMINDER.value, at, str(days_left)),
        None,
        at,
        office_id,
        days_left,
    )


def reminder_dates(today: date) -> dict[date, int]:
    """The deadlines a reminder run looks for on ``today`` (local date) -> days left."""
    return {today + timedelta(days=days): days for days in REMINDER_DAYS}


def outcome_detail(
    notice: Notice, channel: Channel, outcome: Outcome, moment: datetime, reason: str | None = None
) -> dict[str, Any]:
    """The Contract N ``detail`` of one outcome: no case number, destination or text."""
    return {
        "notificationId": notice.key,
        "kind": notice.kind.value,
        "channel": _CONTRACT_CHANNEL[channel.value],
        "outcome": outcome.value,
        "reason": reason,
        "occurredAt": moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "officeId": notice.office_id,
    }


def status_change(old: dict[str, object] | None, new: dict[str, object] | None) -> CaseChange | None:
    """The change a stream record carries, or None when the status did not change."""
    if not new or new.get("sk") != "CASE":
        return None
    status = new.get("status")
    if not isinstance(status, str) or status not in CaseStatus.__members__.values():
        return None
    if old and old.get("status") == status:
        return None
    history = new.get("history")
    at = ""
    if isinstance(history, list) and history and isinstance(history[-1], dict):
        at = str(history[-1].get("at", ""))
    office = new.get("office_id")
    return CaseChange(
        str(new.get("case_number", "")), CaseStatus(status), at, str(office) if office else None
    )


def notification_key(change: CaseChange) -> str:
    """One key per change: the same change delivered twice gets the same key (sent once)."""
    raw = f"{change.case_number}|{change.status.value}|{change.at}".encode()
    return hashlib.sha256(raw).hexdigest()[:32]


def in_quiet_hours(moment: datetime, time_zone: str) -> bool:
    local = moment.astimezone(ZoneInfo(time_zone)).time()
    return local >= QUIET_START or local < QUIET_END


def quiet_hours_end(moment: datetime, time_zone: str) -> datetime:
    """The first moment a deferred notification may go out."""
    local = moment.astimezone(ZoneInfo(time_zone))
    day = local.date() if local.time() < QUIET_END else local.date() + timedelta(days=1)
    return datetime.combine(day, QUIET_END, tzinfo=ZoneInfo(time_zone))


def decide(consent: Consent | None, moment: datetime, time_zone: str) -> Decision:
    if consent is None:
        return Decision.NO_CONSENT
    if consent.opted_out:
        return Decision.OPTED_OUT
    if in_quiet_hours(moment, time_zone):
        return Decision.QUIET_HOURS
    return Decision.SEND


def is_stop(text: str) -> bool:
    """True for a reply that withdraws consent ("STOP", "stop please", "Baja")."""
    words = text.strip().upper().split()
    return bool(words) and words[0].strip(".!") in STOP_WORDS


def text(notice: Notice, language: str) -> str:
    """What the citizen reads or hears for ``notice``."""
    if notice.kind is Kind.DEADLINE_REMINDER:
        return reminder_message(date.fromisoformat(notice.at), notice.days_left or 0, language)
    if notice.status is None:
        raise ValueError("a status-change notice names its status")
    return message(notice.status, language)


def subject(notice: Notice, language: str) -> str:
    if notice.kind is Kind.DEADLINE_REMINDER:
        return "Su plazo se acerca" if language == "es" else "A deadline on your case is near"
    return "Actualización de su caso" if language == "es" else "Your case was updated"


def reminder_message(deadline: date, days_left: int, language: str) -> str:
    """A deadline reminder: the date and how many days remain; no case number."""
    when = deadline.isoformat()
    if language == "es":
        dias = "mañana" if days_left == 1 else f"en {days_left} días"
        return (
            f"CivicLine: un plazo de su caso vence {dias} ({when}). "
            "Llame para más detalles. Responda BAJA para no recibir más avisos."
        )
    days = "tomorrow" if days_left == 1 else f"in {days_left} days"
    return (
        f"CivicLine: a deadline on your case is {days} ({when}). "
        "Call us for details. Reply STOP to stop these updates."
    )


def message(status: CaseStatus, language: str) -> str:
    """The notification text: the new status, how to stop; no case number or name (a text can be
    read by anyone holding the phone)."""
    if language == "es":
        return (
            f"CivicLine: el estado de su caso cambió a «{status_text(status, 'es')}». "
            "Llame para más detalles. Responda BAJA para no recibir más avisos."
        )
    return (
        f"CivicLine: your case status changed to '{status_text(status, 'en')}'. "
        "Call us for details. Reply STOP to stop these updates."
    )
