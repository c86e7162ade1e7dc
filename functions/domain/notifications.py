"""Proactive case-status notifications, pure: whether to notify, when, on which channel, and what.

Why each rule: a citizen who asked to be told never has to call to ask (the point); one who said
STOP is never written to again (consent is revocable, and carriers require STOP for SMS); nobody
is woken at night (quiet hours in the agency's time zone); and a stream that delivers a change
twice must not notify twice (one notification per change, keyed by the change itself).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from enum import StrEnum
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
    return CaseChange(str(new.get("case_number", "")), CaseStatus(status), at)


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
