"""Pure domain rules (no AWS): check digits, PIN hashes, due dates, windows, pacing, survey scoring."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from functions.domain import callbacks, dates, identifiers, routing, survey
from schemas import codec
from schemas.functions import SurveyParameters
from schemas.records import CallbackMode, CallbackRequest, CallbackState, Intent, RoutingRule


@given(st.integers(0, 10**7 - 1))
def test_every_generated_case_number_is_valid(body: int) -> None:
    assert identifiers.is_valid_case_number(identifiers.make_case_number(body))


@given(st.integers(0, 10**7 - 1), st.integers(0, 7), st.integers(1, 9))
def test_any_single_digit_change_is_caught(body: int, position: int, delta: int) -> None:
    number = identifiers.make_case_number(body)
    changed = number[:position] + str((int(number[position]) + delta) % 10) + number[position + 1 :]
    assert not identifiers.is_valid_case_number(changed)


@given(st.text(max_size=12))
def test_case_number_check_never_raises(value: str) -> None:
    identifiers.is_valid_case_number(value)
    identifiers.normalize_phone(value)
    identifiers.is_valid_pin(value)


#: a cheap cost for the property tests of the format (the real cost is tested in test_pin_hashes.py)
CHEAP = identifiers.KdfParams(n=16, r=1, p=1)
PEPPER = b"p" * 32


@given(st.from_regex(r"[0-9]{4,8}", fullmatch=True), st.binary(min_size=8, max_size=16))
def test_pin_hash_round_trip(pin: str, salt: bytes) -> None:
    stored = identifiers.hash_pin(pin, salt, PEPPER, CHEAP)
    assert identifiers.verify_pin(pin, stored, PEPPER, CHEAP)
    assert not identifiers.verify_pin(pin + "0", stored, PEPPER, CHEAP)
    assert pin not in stored.split("$")[2:]


def test_malformed_stored_hash_verifies_nothing() -> None:
    for stored in ("", "garbage", "md5$1$zz$00", "hmac-scrypt-v1$n=16,r=1,p=1$zz$00"):
        assert not identifiers.verify_pin("1234", stored, PEPPER, CHEAP)


def test_receipts_are_stable_per_seed_and_shaped() -> None:
    a = identifiers.receipt_number("AP", "contact#appeal")
    assert a == identifiers.receipt_number("AP", "contact#appeal")
    assert a != identifiers.receipt_number("AP", "contact#appeal", 1)
    assert len(a) == 11 and a[:3] == "AP-" and a[3:].isdigit()


@given(st.dates(date(2025, 1, 1), date(2030, 12, 31)), st.integers(1, 60))
def test_working_day_due_date_lands_on_a_working_day_after_exactly_n(start: date, days: int) -> None:
    holidays = {start + timedelta(days=d) for d in (3, 10, 17)}
    due = dates.due_date(start, days, "WORKING_DAYS", holidays)
    assert dates.is_working_day(due, holidays)
    counted = sum(
        dates.is_working_day(start + timedelta(days=d), holidays) for d in range(1, (due - start).days + 1)
    )
    assert counted == days


def test_calendar_due_date_and_bad_days() -> None:
    assert dates.due_date(date(2026, 1, 30), 30, "CALENDAR_DAYS") == date(2026, 3, 1)
    with pytest.raises(ValueError, match="positive"):
        dates.due_date(date(2026, 1, 1), 0, "CALENDAR_DAYS")


def test_spoken_forms() -> None:
    assert dates.spoken_date(date(2026, 3, 6), "en") == "Friday, March 6, 2026"
    assert dates.spoken_date(date(2026, 3, 6), "es") == "viernes 6 de marzo de 2026"
    assert dates.spoken_time(datetime(2026, 3, 6, 0, 5), "en") == "12:05 AM"
    assert dates.spoken_time(datetime(2026, 3, 6, 14, 5), "es") == "14:05"
    assert identifiers.spoken_digits("AP-1203") == "A P 1 2 0 3"


@given(
    st.datetimes(datetime(2026, 1, 1), datetime(2027, 12, 31), timezones=st.just(UTC)), st.sampled_from("123")
)
def test_scheduled_window_is_in_the_future_or_now_and_ordered(now: datetime, choice: str) -> None:
    start, end = callbacks.window(CallbackMode.SCHEDULED, choice, now, "America/New_York")
    assert now <= start < end
    assert end - start <= timedelta(hours=4)
    if choice != "3":
        local = start.astimezone(callbacks.ZoneInfo("America/New_York"))
        assert local.weekday() < 5 and local.hour in (9, 13)


def test_unknown_window_is_refused() -> None:
    with pytest.raises(ValueError, match="window"):
        callbacks.window(CallbackMode.SCHEDULED, "4", datetime(2026, 1, 5, tzinfo=UTC), "America/New_York")


def _request(max_attempts: int = 3) -> CallbackRequest:
    now = datetime(2026, 1, 5, 15, tzinfo=UTC)
    return CallbackRequest(
        callback_id="id",
        contact_id="c",
        queue="general",
        mode=CallbackMode.SCHEDULED,
        callback_number="+12025550100",
        caller_key="k",
        requested_at=now,
        window_start=now,
        window_end=now + timedelta(hours=2),
        state=CallbackState.DIALING,
        max_attempts=max_attempts,
    )


@given(st.lists(st.sampled_from(["CONNECTED", "NO_ANSWER", "FAILED"]), min_size=1, max_size=5))
def test_attempts_end_in_a_final_state_within_max_attempts(outcomes: list[callbacks.DialOutcome]) -> None:
    request = _request()
    at = request.requested_at
    for outcome in outcomes:
        if callbacks.is_closed(request.state) and request.state is not CallbackState.DIALING:
            break
        request = callbacks.record_attempt(request, outcome, at, None)
        at += timedelta(minutes=10)
    assert len(request.attempts) <= request.max_attempts
    if request.state is CallbackState.PENDING:
        assert request.next_attempt_at is not None and len(request.attempts) < request.max_attempts
    else:
        assert request.next_attempt_at is None


@given(st.floats(0.5, 5.0), st.integers(1, 5), st.integers(1, 30))
def test_token_bucket_never_exceeds_rate_plus_burst(rate: float, burst: int, calls: int) -> None:
    t = [0.0]

    def sleep(seconds: float) -> None:
        t[0] += seconds

    bucket = callbacks.TokenBucket(rate, burst, clock=lambda: t[0], sleep=sleep)
    for _ in range(calls):
        bucket.acquire()
    # n calls need at least (n - burst) / rate seconds
    assert t[0] >= max(calls - burst, 0) / rate - 1e-6


answers = st.sampled_from(["", "0", "1", "2", "3", "4", "5", "6", "9", "x", "12"])


@given(st.dictionaries(st.sampled_from(list(codec.fields_of(SurveyParameters))[:11]), answers))
def test_survey_result_matches_the_number_answered(given_answers: dict[str, str]) -> None:
    params = codec.load(SurveyParameters, given_answers)
    result, answered, record = survey.build_response("c-1", params, datetime(2026, 1, 5, 15, 7, tzinfo=UTC))
    assert 0 <= answered <= survey.QUESTIONS
    assert result == ("COMPLETE" if answered == 11 else "PARTIAL" if answered else "DECLINED")
    assert record.complete is (result == "COMPLETE")
    assert all(1 <= v <= 5 for v in record.drivers.values())


def test_period_is_the_fifteen_minute_interval() -> None:
    assert survey.period_start(datetime(2026, 1, 5, 15, 29, 59, tzinfo=UTC)) == "2026-01-05T15:15:00+00:00"


def test_most_specific_rule_wins() -> None:
    rules = [
        RoutingRule(intent=Intent.REDIRECT, queue="a"),
        RoutingRule(intent=Intent.REDIRECT, topic="1", queue="b"),
        RoutingRule(intent=Intent.REDIRECT, topic="1", language="es", queue="c"),
        RoutingRule(intent=Intent.REDIRECT, topic="1", language="es", queue="d", priority=1),
    ]
    assert routing.best_rule(rules, "1", "es").queue == "d"  # type: ignore[union-attr]
    assert routing.best_rule(rules, "1", "en").queue == "b"  # type: ignore[union-attr]
    assert routing.best_rule(rules, "2", "en").queue == "a"  # type: ignore[union-attr]
    assert routing.best_rule([], "2", "en") is None


def test_as_soon_as_possible_at_night_is_the_next_working_morning() -> None:
    # Given Friday 22:00 in New York
    friday_night = datetime(2026, 11, 28, 3, 0, tzinfo=UTC)
    start, _ = callbacks.window(CallbackMode.SCHEDULED, "3", friday_night, "America/New_York")
    # Then the callback starts Monday 9:00
    assert start == datetime(2026, 11, 30, 14, 0, tzinfo=UTC)
