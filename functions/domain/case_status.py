"""Case-status verification: shape and check digit first, then lockouts, then the PIN.

The rules, all without an enumeration oracle:

* a malformed case number or PIN is ``INVALID_INPUT`` before any read;
* attempts are limited per caller and per case: ``max_attempts`` failures within the lockout window
  lock both until ``lockout_seconds`` after the last failure;
* an unknown case and a wrong PIN give the same answer (``NOT_FOUND``), take the same time (a dummy
  hash is checked when there is no case) and count the same attempts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from functions.domain.identifiers import dummy_pin_hash, verify_pin
from schemas.records import Case, CaseStatus


@dataclass(frozen=True)
class AttemptCounter:
    """Failures counted for one caller or one case; ``expires_at`` is when the window closes."""

    failures: int = 0
    expires_at: float = 0.0

    def active(self, now: datetime) -> int:
        return self.failures if self.expires_at > now.timestamp() else 0


def is_locked(counters: tuple[AttemptCounter, ...], now: datetime, max_attempts: int) -> bool:
    return any(c.active(now) >= max_attempts for c in counters)


def attempts_left(counters: tuple[AttemptCounter, ...], now: datetime, max_attempts: int) -> int:
    used = max((c.active(now) for c in counters), default=0)
    return max(max_attempts - used, 0)


def pin_matches(case: Case | None, pin: str) -> bool:
    """Always runs one hash, so "no such case" and "wrong PIN" cost the same time."""
    matched = verify_pin(pin, case.pin_hash if case else dummy_pin_hash())
    return matched and case is not None


_STATUS_TEXT = {
    CaseStatus.RECEIVED: ("received and waiting to be reviewed", "recibido y en espera de revisión"),
    CaseStatus.IN_REVIEW: ("being reviewed", "en revisión"),
    CaseStatus.WAITING_FOR_CALLER: ("waiting for information from you", "a la espera de información suya"),
    CaseStatus.DECIDED: (
        "decided; the decision letter is on its way",
        "resuelto; la carta de decisión está en camino",
    ),
    CaseStatus.CLOSED: ("closed", "cerrado"),
}


def status_text(status: CaseStatus, language: str) -> str:
    english, spanish = _STATUS_TEXT[status]
    return spanish if language == "es" else english


def next_step(case: Case, language: str) -> str:
    text = case.next_step_es if language == "es" else case.next_step_en
    if text:
        return text
    return (
        "No hace falta que haga nada por ahora."
        if language == "es"
        else "You do not need to do anything now."
    )
