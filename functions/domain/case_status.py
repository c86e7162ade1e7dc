"""Case-status verification: shape and check digit first, then an attempt is reserved, then the PIN.

The rules, all without an enumeration oracle:

* a malformed case number or PIN is ``INVALID_INPUT`` before any read or write;
* every PIN check first reserves one attempt on each counter that applies (:func:`counted_subjects`):
  the case, and the caller's number, or, for a withheld number, the contact and the bucket all
  withheld callers share. A reservation is a conditional write that succeeds only while the counter
  is below its limit, so N calls in flight at once still check at most ``limit`` PINs per window;
* a correct PIN gives its reservations back (it proves the PIN is known: nothing left to guess), so
  counters count failures; a wrong one keeps them;
* an unknown case and a wrong PIN give the same answer (``NOT_FOUND``), make the same AWS calls and
  run one KDF of the same cost, and count the same attempts.

Window semantics (docs/decisions.md): the first failure opens a window of ``lockout_seconds``;
failures inside it are counted; the one that reaches the limit locks the counter for
``lockout_seconds`` after it. When the window has closed and no lock holds, the next failure opens a
new window at 1. So a typo after an old lockout never relocks, and keeping a case locked takes
``limit`` wrong PINs per window, not one call per window.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from functions.domain.identifiers import verify_pin
from schemas.records import Case, CaseStatus


@dataclass(frozen=True)
class AttemptCounter:
    """One counter's stored state.

    ``failures``: attempts reserved in the current window; ``window_ends``: when the window the
    first failure opened closes; ``expires_at``: ``lockout_seconds`` after the last counted attempt
    (the end of the lock once the limit is reached; also the item's TTL); ``tokens``: the attempts
    already counted in this window (a retried call counts once).
    """

    failures: int = 0
    window_ends: float = 0.0
    expires_at: float = 0.0
    tokens: frozenset[str] = field(default_factory=frozenset)

    def locked(self, now: float, limit: int) -> bool:
        """``now`` in epoch seconds, like the stored times."""
        return self.failures >= limit and now < self.expires_at

    def used(self, now: float, limit: int) -> int:
        """Failures that still count: inside the window, or while a lock holds."""
        return self.failures if now < self.window_ends or self.locked(now, limit) else 0

    def left(self, now: float, limit: int) -> int:
        return max(limit - self.used(now, limit), 0)


@dataclass(frozen=True)
class Subject:
    """What a counter counts attempts of: ``CASE``, ``CALLER``, ``CONTACT`` or ``WITHHELD``."""

    kind: str
    id: str


@dataclass(frozen=True)
class AttemptLimit:
    """A counter and how many failures it allows per window."""

    subject: Subject
    limit: int


@dataclass(frozen=True)
class Reservation:
    """An attempt held on one counter: ``counted`` is False for a retry already counted.

    ``state`` is the counter as the reservation left it, or None where a write counted one more
    failure without returning the count (a transaction returns no values): read it back if needed.
    """

    on: AttemptLimit
    state: AttemptCounter | None
    counted: bool


#: the one bucket every withheld-number attempt counts against
WITHHELD = Subject("WITHHELD", "ALL")


def counted_subjects(case_number: str, caller_key: str | None, contact_key: str) -> tuple[Subject, ...]:
    """Who an attempt counts against, in reservation order.

    A caller's number (even a spoofed one) is constant during a contact, so the caller counter also
    binds per contact. A withheld number has no caller to count against: its attempts count against
    the contact and against one bucket shared by every withheld caller, whose limit binds however
    many calls are made (docs/decisions.md).
    """
    case = Subject("CASE", case_number)
    if caller_key is not None:
        return (case, Subject("CALLER", caller_key))
    return (case, Subject("CONTACT", contact_key), WITHHELD)


def attempt_limits(
    subjects: tuple[Subject, ...], max_attempts: int, withheld_attempts: int
) -> tuple[AttemptLimit, ...]:
    return tuple(AttemptLimit(s, withheld_attempts if s == WITHHELD else max_attempts) for s in subjects)


def attempts_left(held: tuple[Reservation, ...], now: float) -> int:
    """The attempts the tightest counter still allows (every state must be known)."""
    return min((_known(r).left(now, r.on.limit) for r in held), default=0)


def _known(reservation: Reservation) -> AttemptCounter:
    if reservation.state is None:
        raise ValueError("a counter's state after its reservation was not read back")
    return reservation.state


def pin_matches(stored_hash: str, pin: str, pepper: bytes) -> bool:
    """Always runs one KDF of the current cost, so "no such case" (``""``) and "wrong PIN" cost the same."""
    return verify_pin(pin, stored_hash, pepper)


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
