"""Callback rules: time windows, attempt outcomes and dial pacing.

* ``VIRTUAL_HOLD`` keeps the caller's place: the window opens now and the request remembers when
  the caller was enqueued. ``SCHEDULED`` books a window chosen on the keypad: 1 = next working
  morning (9-12), 2 = next working afternoon (13-17), 3 = as soon as possible (the next two hours;
  outside 8-18 on working days, the next working morning).
* After each dial the request is CONNECTED, or retried after ``retry_delay_seconds`` until
  ``max_attempts``, then closed as NO_ANSWER or FAILED.
* Dialing is paced by a token bucket below Connect's account-wide API rate
  (StartOutboundVoiceContact: 2 requests/s, burst 5).
"""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Callable, Collection
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Literal, Protocol
from zoneinfo import ZoneInfo

from functions.domain.dates import is_working_day, next_working_day
from schemas.records import CallbackAttempt, CallbackMode, CallbackRequest, CallbackState

WINDOWS = {"1": (9, 12), "2": (13, 17)}
ASAP_WINDOW = timedelta(hours=2)
#: local hours when an "as soon as possible" callback may start (else: the next working morning)
CALLING_HOURS = (8, 18)
VIRTUAL_HOLD_WINDOW = timedelta(hours=4)
#: a closed request stays readable this long (metrics, audit), then TTL removes the number
CLOSED_RETENTION = timedelta(days=7)

#: ``PLACED``: Connect took the call, the answer is not known yet (see :func:`settle`)
DialOutcome = Literal["PLACED", "CONNECTED", "NO_ANSWER", "FAILED"]


def callback_id(contact_id: str, queue: str) -> str:
    """Deterministic per contact and queue, so a retried request names the same callback."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"civicline:callback:{contact_id}:{queue}"))


_NANP = re.compile(r"\+1[2-9][0-9]{2}[2-9][0-9]{6}")


def complete_number(number: str) -> bool:
    """Whether a number typed by the customer (a chat has no caller ID) is a whole number: a +1
    number is the full NANP form (10 digits, area code and exchange starting 2-9), so "555 0100" or
    "1 202 555" is refused instead of booking a callback nobody can reach; other country codes keep
    E.164's length rule (checked by ``normalize_phone``)."""
    return not number.startswith("+1") or _NANP.fullmatch(number) is not None


def dialable(number: str, prefixes: Collection[str]) -> bool:
    """Whether an E.164 number may be called back: its digits start with an allowed prefix.

    Why: the number comes from caller ID, which can be spoofed, so an open list would let anyone make
    the hotline ring (and pay for) any premium or foreign number. E.164 country codes are a prefix
    code, so a country code (``"1"``) or a country and area code (``"1202"``) is a plain prefix.
    """
    digits = number[1:] if number.startswith("+") else ""
    return digits.isdigit() and any(p.isdigit() and digits.startswith(p) for p in prefixes)


def window(
    mode: CallbackMode, choice: str, now: datetime, time_zone: str, holidays: Collection[date] = ()
) -> tuple[datetime, datetime]:
    """(start, end) of the callback window, in UTC; ValueError for an unknown keypad choice."""
    if mode is CallbackMode.VIRTUAL_HOLD:
        return now, now + VIRTUAL_HOLD_WINDOW
    zone = ZoneInfo(time_zone)
    local = now.astimezone(zone)
    if choice == "3":
        if is_working_day(local.date(), holidays) and CALLING_HOURS[0] <= local.hour < CALLING_HOURS[1]:
            return now, now + ASAP_WINDOW
        choice = "1"  # nobody is called at night: the next working morning instead
    if choice not in WINDOWS:
        raise ValueError("unknown callback window")
    start_hour, end_hour = WINDOWS[choice]
    day = local.date()
    if not (is_working_day(day, holidays) and local.hour < start_hour):
        day = next_working_day(day, holidays)
    start = datetime(day.year, day.month, day.day, start_hour, tzinfo=zone)
    end = datetime(day.year, day.month, day.day, end_hour, tzinfo=zone)
    return start.astimezone(now.tzinfo), end.astimezone(now.tzinfo)


def record_attempt(
    request: CallbackRequest, outcome: DialOutcome, now: datetime, outbound_contact_id: str | None
) -> CallbackRequest:
    """The request after one dial: closed when connected or out of attempts, else due again later."""
    attempts = [
        *request.attempts,
        CallbackAttempt(at=now, outcome=outcome, outbound_contact_id=outbound_contact_id),
    ]
    if outcome == "CONNECTED":
        state, next_at = CallbackState.CONNECTED, None
    elif outcome == "PLACED":
        state, next_at = CallbackState.PLACED, None
    elif len(attempts) >= request.max_attempts:
        state = CallbackState.NO_ANSWER if outcome == "NO_ANSWER" else CallbackState.FAILED
        next_at = None
    else:
        state, next_at = CallbackState.PENDING, now + timedelta(seconds=request.retry_delay_seconds)
    return replace(request, attempts=attempts, state=state, next_attempt_at=next_at)


def is_closed(state: CallbackState) -> bool:
    """Closed requests free their one-open guard; a placed call is still open until it is settled."""
    return state not in (CallbackState.PENDING, CallbackState.DIALING, CallbackState.PLACED)


def expiry(request: CallbackRequest, now: datetime) -> int:
    """The TTL (epoch seconds) of a request: every request holds a phone number, so every one expires.

    Closed, or PLACED (in case no contact event ever settles it): ``CLOSED_RETENTION`` from now.
    Still waiting: when its purpose ends at the latest, plus the retention. A virtual hold is dialed
    by Connect's queued callback within its window, so nothing here ever closes it: its window end.
    A scheduled request: its next attempt (or its window end, if later) plus a retry delay for each
    attempt left.
    """
    if is_closed(request.state) or request.state is CallbackState.PLACED:
        return int((now + CLOSED_RETENTION).timestamp())
    return int((_purpose_end(request) + CLOSED_RETENTION).timestamp())


def _purpose_end(request: CallbackRequest) -> datetime:
    if request.mode is CallbackMode.VIRTUAL_HOLD:
        return request.window_end
    last = max(request.window_end, request.next_attempt_at or request.window_end)
    left = max(request.max_attempts - len(request.attempts), 0)
    return last + timedelta(seconds=request.retry_delay_seconds * left)


def settle(
    request: CallbackRequest, outbound_contact_id: str, answered: bool, now: datetime
) -> CallbackRequest | None:
    """The request once a placed call's outcome is known; None when there is nothing to change.

    Answered: the attempt is CONNECTED and the request closes. Not answered: the attempt is NO_ANSWER
    and the request is due again after the retry delay, or closes as NO_ANSWER when it has used all
    its attempts. Only an attempt still PLACED is settled, so a replayed or late event changes nothing.
    """
    index = next(
        (
            i
            for i, attempt in enumerate(request.attempts)
            if attempt.outbound_contact_id == outbound_contact_id and attempt.outcome == "PLACED"
        ),
        None,
    )
    if index is None:
        return None
    attempt = request.attempts[index]
    outcome: DialOutcome = "CONNECTED" if answered else "NO_ANSWER"
    attempts = [*request.attempts]
    attempts[index] = replace(attempt, outcome=outcome)
    if request.state is not CallbackState.PLACED or index != len(attempts) - 1:
        return replace(request, attempts=attempts)  # an older attempt: correct its record only
    if answered:
        state, next_at = CallbackState.CONNECTED, None
    elif len(attempts) >= request.max_attempts:
        state, next_at = CallbackState.NO_ANSWER, None
    else:
        state, next_at = CallbackState.PENDING, now + timedelta(seconds=request.retry_delay_seconds)
    return replace(request, attempts=attempts, state=state, next_attempt_at=next_at)


#: contact events that tell whether a placed callback was answered
ANSWER_EVENTS = frozenset({"CONNECTED_TO_SYSTEM", "CONNECTED_TO_AGENT", "DISCONNECTED"})


def answered_from_event(event_type: str, connected_to_system: bool, connected_to_agent: bool) -> bool | None:
    """What one contact event of an outbound call says about the answer; None when it says nothing.

    ``CONNECTED_TO_SYSTEM`` (media established) and ``CONNECTED_TO_AGENT`` mean answered; a
    ``DISCONNECTED`` means answered only if it carries either timestamp, else the call was not
    answered. Events arrive unordered and at least once: :func:`settle` makes that safe.
    """
    if event_type not in ANSWER_EVENTS:
        return None
    if event_type == "DISCONNECTED":
        return connected_to_system or connected_to_agent
    return True


@dataclass(frozen=True)
class DialResult:
    outcome: DialOutcome
    outbound_contact_id: str | None = None
    #: FAILED without knowing whether the call went out (a read time-out, a 5xx): dial the same
    #: attempt again, under the same ClientToken, so that Connect does not call the citizen twice
    maybe_placed: bool = False


def client_token(request: CallbackRequest) -> str:
    """Connect's idempotency token for the next dial of ``request``.

    It names the call, not the API request: it moves on only after an attempt in which Connect
    accepted a call (placed, connected or not answered). A FAILED attempt placed no call we know of,
    so the next dial repeats its token: if a timed-out request did place the call and that call is
    still going, Connect returns its contact instead of starting a second one (API reference,
    StartOutboundVoiceContact ``ClientToken``: valid 7 days; a contact already started is returned).
    A reclaimed lease (the dispatcher died) has no new attempt either, so it repeats the token too.
    """
    placed = sum(1 for attempt in request.attempts if attempt.outcome != "FAILED")
    return f"{request.callback_id}-{placed}"


class Dialer(Protocol):
    """Places the outbound call for a callback (Connect in AWS; the simulator locally)."""

    def dial(self, request: CallbackRequest) -> DialResult: ...


class TokenBucket:
    """Paces calls at ``rate`` per second with bursts of ``burst``; clock and sleep are injectable."""

    def __init__(
        self,
        rate: float,
        burst: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if rate <= 0 or burst < 1:
            raise ValueError("rate must be positive and burst at least 1")
        self.rate, self.burst, self._clock, self._sleep = rate, burst, clock, sleep
        self._tokens = burst
        self._last = clock()

    def acquire(self) -> None:
        """Block until one token is available, then take it."""
        while True:
            now = self._clock()
            self._tokens = min(self.burst, self._tokens + (now - self._last) * self.rate)
            self._last = now
            if self._tokens >= 1 - 1e-9:  # tolerance: float time steps may never add up to exactly 1
                self._tokens = max(self._tokens - 1, 0.0)
                return
            self._sleep((1 - self._tokens) / self.rate)
