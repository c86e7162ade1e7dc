"""case_status attempt limits that bind: reserved before the PIN check (under interleaved calls),
windows that really expire, withheld and spoofed numbers, and no timing oracle between an unknown case
and a wrong PIN (the same AWS calls and one KDF of the same cost)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from civicline.local.aws_faults import interleaved
from functions.domain import identifiers
from functions.handlers.case_status import handler
from tests.functional.conftest import Clock, make_event

LIMIT = 3  # MAX_VERIFY_ATTEMPTS default
WITHHELD_LIMIT = 10  # WITHHELD_VERIFY_ATTEMPTS default


def lookup(case_number: str, pin: str, contact_id: str, number: str | None) -> dict[str, str]:
    return handler(make_event({"caseNumber": case_number, "pin": pin}, contact_id, number), None)


def wrong_pins(right: str, n: int) -> list[str]:
    return [p for p in (f"{i:04d}" for i in range(10_000)) if p != right][:n]


@pytest.fixture
def checked(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every PIN the handler compared against a case (the domain's verify call), in order."""
    from functions.domain import case_status

    seen: list[str] = []
    real = case_status.verify_pin

    def spy(pin: str, *rest: Any) -> bool:
        seen.append(pin)
        return real(pin, *rest)

    monkeypatch.setattr(case_status, "verify_pin", spy)
    return seen


def counter(aws: Any, pk: str) -> dict[str, Any] | None:
    item = aws.client("dynamodb").get_item(
        TableName=aws.table("state"), Key={"pk": {"S": pk}, "sk": {"S": "VERIFY"}}, ConsistentRead=True
    )
    return item.get("Item")


# --- the limit binds under interleaved calls -----------------------------------------------------


def test_thirty_interleaved_guesses_check_at_most_the_limit_and_never_accept_once_locked(
    seeded: Any, cases: Any, checked: list[str]
) -> None:
    # Given 30 guesses on one case from 30 numbers at once, the right PIN among them (last), every
    # call paused before its first write until all 30 have read what they need
    case = cases[0]
    pins = [*wrong_pins(case.pin, 29), case.pin]
    work: list[Callable[[], dict[str, str]]] = [
        (lambda i=i, pin=pin: lookup(case.case_number, pin, f"race-{i}", f"+1202555{1000 + i}"))
        for i, pin in enumerate(pins)
    ]
    # When they run interleaved
    run = interleaved(work, pause_at="TransactWriteItems")
    assert run.raised() == []
    # Then at most LIMIT PINs were checked, every other call was refused before any check
    assert len(checked) <= LIMIT
    answers = [r["result"] for r in run.results]
    assert answers.count("LOCKED") >= 30 - LIMIT
    # And the right PIN is accepted only if it was one of the checked ones (inside the limit)
    assert (answers[-1] == "FOUND") == (case.pin in checked)
    stored = counter(seeded, f"ATTEMPTS#CASE#{case.case_number}")
    assert stored is not None and int(stored["failures"]["N"]) <= LIMIT


def test_once_locked_the_right_pin_is_refused_without_a_check(
    seeded: Any, cases: Any, checked: list[str]
) -> None:
    # Given a case locked by LIMIT interleaved wrong guesses
    case = cases[1]
    work = [
        (lambda i=i, pin=pin: lookup(case.case_number, pin, f"lock-{i}", f"+1202555{2000 + i}"))
        for i, pin in enumerate(wrong_pins(case.pin, LIMIT + 5))
    ]
    interleaved(work, pause_at="TransactWriteItems")
    assert len(checked) == LIMIT
    # When the right PIN comes next, Then it is refused and not even compared
    assert lookup(case.case_number, case.pin, "late", "+12025553999") == {"result": "LOCKED"}
    assert case.pin not in checked


def test_interleaved_withheld_guesses_over_many_cases_are_bounded_by_the_shared_bucket(
    seeded: Any, cases: Any, checked: list[str]
) -> None:
    # Given 20 withheld-number calls, two per case over ten cases, all at once
    work = [
        (
            lambda i=i: lookup(
                cases[i % 10].case_number, wrong_pins(cases[i % 10].pin, 2)[i // 10], f"w-{i}", None
            )
        )
        for i in range(20)
    ]
    # When they run interleaved
    run = interleaved(work, pause_at="TransactWriteItems")
    # Then the bucket every withheld caller shares allowed only its limit (it was 20 of 20 before)
    assert run.raised() == []
    assert len(checked) == WITHHELD_LIMIT
    # And every answer is what the counters say once its check is done: the attempts left are read
    # back after the check, so a check whose bucket others filled meanwhile answers LOCKED too
    results = [r["result"] for r in run.results]
    assert set(results) <= {"NOT_FOUND", "LOCKED"}
    assert results.count("LOCKED") >= 20 - WITHHELD_LIMIT + 1


@pytest.mark.parametrize("number", [None, "anonymous", "Restricted", "+0000000"])
def test_one_withheld_contact_is_limited_across_cases(seeded: Any, cases: Any, number: str | None) -> None:
    # Given one call with a withheld number trying a different case each time
    results = [
        lookup(c.case_number, wrong_pins(c.pin, 1)[0], "withheld-1", number)["result"] for c in cases[:5]
    ]
    # Then the contact's own counter locks it at the limit
    assert results == ["NOT_FOUND"] * (LIMIT - 1) + ["LOCKED"] * (5 - LIMIT + 1)


def test_a_new_spoofed_number_per_call_is_still_bound_by_the_case(seeded: Any, cases: Any) -> None:
    # Given guesses on one case, each from a fresh (spoofed) caller id
    case = cases[3]
    results = [
        lookup(case.case_number, pin, f"spoof-{i}", f"+1415555{3000 + i}")["result"]
        for i, pin in enumerate(wrong_pins(case.pin, 6))
    ]
    # Then the case counter binds: LIMIT checked, the rest locked
    assert results == ["NOT_FOUND"] * (LIMIT - 1) + ["LOCKED"] * (6 - LIMIT + 1)


def test_a_locked_caller_does_not_use_up_an_attempt_of_the_next_case(seeded: Any, cases: Any) -> None:
    # Given a caller locked by three failures
    for i, c in enumerate(cases[:LIMIT]):
        lookup(c.case_number, wrong_pins(c.pin, 1)[0], f"l-{i}", "+12025550155")
    # When that caller tries a fourth case, Then it is refused and that case's counter is untouched
    # (the reservation is one transaction: a locked counter writes none of the others)
    other = cases[9]
    assert lookup(other.case_number, other.pin, "l-9", "+12025550155") == {"result": "LOCKED"}
    assert counter(seeded, f"ATTEMPTS#CASE#{other.case_number}") is None


# --- windows expire ------------------------------------------------------------------------------


def test_after_the_window_one_wrong_pin_does_not_relock(seeded: Any, cases: Any, clock: Clock) -> None:
    # Given a case locked by three failures
    case = cases[4]
    bad = wrong_pins(case.pin, 5)
    for i in range(LIMIT):
        lookup(case.case_number, bad[i], f"a{i}", f"+1202555040{i}")
    assert lookup(case.case_number, case.pin, "a8", "+12025550408") == {"result": "LOCKED"}
    # When the lockout has passed and a caller mistypes once
    clock.moment += timedelta(seconds=901)
    # Then a new window starts at one failure: not locked, and the right PIN still works
    assert lookup(case.case_number, bad[3], "a9", "+12025550409") == {
        "result": "NOT_FOUND",
        "attemptsLeft": "2",
    }
    assert lookup(case.case_number, case.pin, "a10", "+12025550410")["result"] == "FOUND"


def test_one_wrong_pin_every_fifteen_minutes_never_locks_the_case(
    seeded: Any, cases: Any, clock: Clock
) -> None:
    # Given an attacker who tries one wrong PIN on a victim's case every 15 minutes for five hours
    case = cases[5]
    for i, pin in enumerate(wrong_pins(case.pin, 20)):
        answer = lookup(case.case_number, pin, f"slow-{i}", "+12025550420")
        # Then every attempt starts a fresh window: never locked
        assert answer == {"result": "NOT_FOUND", "attemptsLeft": "2"}, i
        # And the victim (another number) can still look the case up right after
        assert lookup(case.case_number, case.pin, f"victim-{i}", "+12025550421")["result"] == "FOUND"
        clock.moment += timedelta(minutes=15)


def test_failures_count_in_the_window_the_first_opened_and_a_lock_lasts_after_the_last(
    seeded: Any, cases: Any, clock: Clock
) -> None:
    case = cases[6]
    bad = wrong_pins(case.pin, 8)
    start = clock.moment
    # Given failures at +0 and +600 s: the window opened at +0 closes at +900
    assert lookup(case.case_number, bad[0], "w0", "+12025550430")["attemptsLeft"] == "2"
    clock.moment = start + timedelta(seconds=600)
    assert lookup(case.case_number, bad[1], "w1", "+12025550431")["attemptsLeft"] == "1"
    # When the next failure comes at +1000 s, Then it opens a new window (not a lock)
    clock.moment = start + timedelta(seconds=1000)
    assert lookup(case.case_number, bad[2], "w2", "+12025550432")["attemptsLeft"] == "2"
    # Given two more failures at +1010 and +1020: the limit is reached at +1020
    clock.moment = start + timedelta(seconds=1010)
    lookup(case.case_number, bad[3], "w3", "+12025550433")
    clock.moment = start + timedelta(seconds=1020)
    assert lookup(case.case_number, bad[4], "w4", "+12025550434") == {"result": "LOCKED"}
    # Then the lock lasts lockout_seconds after that failure (to +1920), and no longer
    clock.moment = start + timedelta(seconds=1919)
    assert lookup(case.case_number, case.pin, "w5", "+12025550435") == {"result": "LOCKED"}
    clock.moment = start + timedelta(seconds=1920)
    assert lookup(case.case_number, case.pin, "w6", "+12025550436")["result"] == "FOUND"


def test_a_counter_written_before_windows_existed_restarts_once_expired(
    seeded: Any, cases: Any, clock: Clock
) -> None:
    # Given counters in the old layout (no window_ends): one expired with 4 failures, one still locked
    ddb = seeded.client("dynamodb")
    now = int(clock.moment.timestamp())
    expired, locked = cases[7], cases[8]
    for case, expires in ((expired, now - 1), (locked, now + 300)):
        ddb.put_item(
            TableName=seeded.table("state"),
            Item={
                "pk": {"S": f"ATTEMPTS#CASE#{case.case_number}"},
                "sk": {"S": "VERIFY"},
                "failures": {"N": "4"},
                "tokens": {"SS": ["old-a", "old-b"]},
                "expires_at": {"N": str(expires)},
            },
        )
    # When a caller mistypes on the expired one, Then it is not locked again (the review's repro)
    assert lookup(expired.case_number, wrong_pins(expired.pin, 1)[0], "o1", "+12025550440") == {
        "result": "NOT_FOUND",
        "attemptsLeft": "2",
    }
    # And the one still locked stays locked
    assert lookup(locked.case_number, locked.pin, "o2", "+12025550441") == {"result": "LOCKED"}


# --- retries, give-backs and faults ---------------------------------------------------------------


def test_the_same_wrong_pin_retried_in_one_contact_counts_once_even_at_the_limit(
    seeded: Any, cases: Any
) -> None:
    case = cases[9]
    bad = wrong_pins(case.pin, 3)
    assert lookup(case.case_number, bad[0], "r", "+12025550450")["attemptsLeft"] == "2"
    assert lookup(case.case_number, bad[1], "r", "+12025550450")["attemptsLeft"] == "1"
    assert lookup(case.case_number, bad[2], "r", "+12025550450") == {"result": "LOCKED"}
    # When Connect retries the last call (same contact, case and PIN), Then the same answer, no new count
    assert lookup(case.case_number, bad[2], "r", "+12025550450") == {"result": "LOCKED"}
    stored = counter(seeded, f"ATTEMPTS#CASE#{case.case_number}")
    assert stored is not None and int(stored["failures"]["N"]) == LIMIT


def test_a_failed_give_back_does_not_fail_a_verified_caller(seeded: Any, cases: Any, aws_faults: Any) -> None:
    # Given DynamoDB throttles the give-back of a verified caller's reservations (one transaction)
    from tests.functional.test_case_status_calls import give_back

    faults = aws_faults("dynamodb")
    faults.throttle("TransactWriteItems", match=give_back)
    # When the right PIN is given, Then it is still FOUND (the attempts stay used until the window ends)
    assert lookup(cases[10].case_number, cases[10].pin, "g", "+12025550460")["result"] == "FOUND"
    assert faults.fired() == 1
    stored = counter(seeded, f"ATTEMPTS#CASE#{cases[10].case_number}")
    assert stored is not None and int(stored["failures"]["N"]) == 1


def test_a_reservation_that_fails_is_an_error_not_a_check(
    seeded: Any, cases: Any, aws_faults: Any, checked: list[str]
) -> None:
    from botocore.exceptions import ClientError

    # Given the attempt counters cannot be written (throttled)
    aws_faults("dynamodb").throttle("TransactWriteItems", times=None)
    # When a lookup runs, Then it raises (the flow's error branch) and no PIN was compared
    with pytest.raises(ClientError):
        lookup(cases[11].case_number, cases[11].pin, "t", "+12025550470")
    assert checked == []


# --- no oracle between an unknown case and a wrong PIN -------------------------------------------


def _shape(calls: list[tuple[str, dict[str, Any], bool]]) -> list[tuple[Any, ...]]:
    """A call without its values: operation, table, key kind, expressions, options."""
    shapes = []
    for op, params, _ in calls:
        pk = params.get("Key", {}).get("pk", {}).get("S", "")
        shapes.append(
            (
                op,
                params.get("TableName"),
                pk.rsplit("#", 1)[0],
                params.get("UpdateExpression"),
                params.get("ConditionExpression"),
                params.get("ProjectionExpression"),
                params.get("ConsistentRead"),
                tuple(sorted(params.get("ExpressionAttributeValues", {}))),
            )
        )
    return shapes


def test_unknown_case_and_wrong_pin_make_the_same_calls_and_one_kdf_of_the_same_cost(
    seeded: Any, cases: Any, aws_faults: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    kdf: list[identifiers.KdfParams] = []
    real = identifiers._digest

    def spy(pin: str, salt: bytes, pepper: bytes, params: identifiers.KdfParams) -> bytes:
        kdf.append(params)
        return real(pin, salt, pepper, params)

    monkeypatch.setattr(identifiers, "_digest", spy)
    unknown = identifiers.make_case_number(1234567)
    runs = {}
    for name, case_number, pin in (
        ("unknown", unknown, "4321"),
        ("wrong", cases[12].case_number, wrong_pins(cases[12].pin, 1)[0]),
    ):
        # Given a fresh caller, When the lookup runs, Then its calls and KDF runs are recorded
        faults = aws_faults("dynamodb")
        kdf.clear()
        answer = lookup(case_number, pin, f"timing-{name}", f"+1202555048{len(runs)}")
        runs[name] = (answer, _shape(faults.calls), list(kdf))
        faults.__exit__(None, None, None)
    # Then the answers, the AWS call sequences and the KDF work are the same
    assert runs["unknown"][0] == runs["wrong"][0] == {"result": "NOT_FOUND", "attemptsLeft": "2"}
    assert runs["unknown"][1] == runs["wrong"][1]
    assert [op for op, *_ in runs["wrong"][1]] == ["TransactWriteItems", "GetItem"]
    assert runs["wrong"][1][1][5] == "pin_hash"  # before the PIN is verified, only the hash is read
    assert runs["unknown"][2] == runs["wrong"][2] == [identifiers.PIN_KDF]


def test_a_case_with_an_old_format_hash_fails_closed_with_the_same_work(
    seeded: Any, cases: Any, aws_faults: Any, captured_logs: Callable[[], str]
) -> None:
    import hashlib

    # Given a case whose PIN hash is still the old unpeppered PBKDF2 format
    case = cases[13]
    salt = b"s" * 16
    digest = hashlib.pbkdf2_hmac("sha256", case.pin.encode(), salt, 20_000).hex()
    seeded.client("dynamodb").update_item(
        TableName=seeded.table("cases"),
        Key={"pk": {"S": f"CASE#{case.case_number}"}, "sk": {"S": "CASE"}},
        UpdateExpression="SET pin_hash = :h",
        ExpressionAttributeValues={":h": {"S": f"pbkdf2_sha256$20000${salt.hex()}${digest}"}},
    )
    # When its right PIN is given, Then it verifies nothing (the PIN must be re-issued) and says so
    faults = aws_faults("dynamodb")
    assert lookup(case.case_number, case.pin, "old", "+12025550490") == {
        "result": "NOT_FOUND",
        "attemptsLeft": "2",
    }
    assert [op for op, *_ in faults.calls] == ["TransactWriteItems", "GetItem"]
    logs = captured_logs()
    assert "old format" in logs and case.case_number not in logs


def test_attempt_tokens_are_keyed_by_the_deployment_secret(seeded: Any, cases: Any) -> None:
    import hashlib

    # Given a failed attempt
    case = cases[14]
    pin = wrong_pins(case.pin, 1)[0]
    lookup(case.case_number, pin, "tok", "+12025550495")
    stored = counter(seeded, f"ATTEMPTS#CASE#{case.case_number}")
    assert stored is not None
    # Then its token is not the unkeyed hash of contact, case and PIN the review recovered PINs from
    unkeyed = hashlib.sha256(f"tok#verify#{case.case_number}#{pin}".encode()).hexdigest()
    assert all(not unkeyed.startswith(t) and t not in unkeyed for t in stored["tokens"]["SS"])
    # And another secret gives another token
    assert identifiers.attempt_token(b"a" * 32, "tok", case.case_number, pin) != identifiers.attempt_token(
        b"b" * 32, "tok", case.case_number, pin
    )


def test_the_counted_number_is_the_contacts_own_not_a_flow_parameter(seeded: Any, cases: Any) -> None:
    # Given a withheld number, and a flow parameter claiming a different number on every call
    results = []
    for i, c in enumerate(cases[:5]):
        event = make_event(
            {
                "caseNumber": c.case_number,
                "pin": wrong_pins(c.pin, 1)[0],
                "callerNumber": f"+1312555{4000 + i}",
            },
            "param-1",
            None,
        )
        results.append(handler(event, None)["result"])
    # Then the attempts count against the contact (withheld), so the limit still binds
    assert results == ["NOT_FOUND"] * (LIMIT - 1) + ["LOCKED"] * (5 - LIMIT + 1)


# --- the window semantics, as a property --------------------------------------------------------

_numbers = iter(range(10**6))


def _model(gaps: list[int], limit: int, window: int) -> list[dict[str, str]]:
    """The documented semantics (docs/decisions.md, "Lockout windows open at the first failure"),
    written plainly: the reference answers."""
    failures, window_ends, expires_at, t, answers = 0, 0, 0, 0, []
    for gap in gaps:
        t += gap
        if failures >= limit and t < expires_at:
            answers.append({"result": "LOCKED"})
            continue
        if t < window_ends and failures < limit:
            failures, expires_at = failures + 1, t + window
        else:
            failures, window_ends, expires_at = 1, t + window, t + window
        left = limit - failures
        answers.append(
            {"result": "LOCKED"} if left == 0 else {"result": "NOT_FOUND", "attemptsLeft": str(left)}
        )
    return answers


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from([0, 1, 60, 299, 600, 899, 900, 901, 1800]), min_size=1, max_size=9))
def test_any_sequence_of_wrong_pins_follows_the_documented_windows(
    seeded: Any, cases: Any, clock: Clock, gaps: list[int]
) -> None:
    # Given one case, its counter cleared, and wrong PINs from distinct numbers after the given gaps
    case = cases[15]
    seeded.client("dynamodb").delete_item(
        TableName=seeded.table("state"),
        Key={"pk": {"S": f"ATTEMPTS#CASE#{case.case_number}"}, "sk": {"S": "VERIFY"}},
    )
    start, answers = clock.moment, []
    bad = wrong_pins(case.pin, len(gaps))
    for gap, pin in zip(gaps, bad, strict=True):
        clock.moment += timedelta(seconds=gap)
        n = next(_numbers)
        answers.append(lookup(case.case_number, pin, f"prop-{n}", f"+1646555{n % 10_000:04d}"))
    clock.moment = start + timedelta(days=1)  # the next example starts long after this one
    # Then every answer is the one the documented semantics give
    assert answers == _model(gaps, LIMIT, 900)


def test_a_refused_retry_does_not_give_back_the_attempt_its_first_call_counted(
    seeded: Any, cases: Any, clock: Clock
) -> None:
    from functions.core.privacy import pseudonymize

    # Given a wrong PIN counted on a case, and then the caller's counter locked by other attempts
    case, number = cases[16], "+12025550510"
    pin = wrong_pins(case.pin, 1)[0]
    assert lookup(case.case_number, pin, "first", number)["attemptsLeft"] == "2"
    now = int(clock.moment.timestamp())
    seeded.client("dynamodb").put_item(
        TableName=seeded.table("state"),
        Item={
            "pk": {"S": f"ATTEMPTS#CALLER#{pseudonymize(number)}"},
            "sk": {"S": "VERIFY"},
            "failures": {"N": "3"},
            "tokens": {"SS": ["x", "y", "z"]},
            "window_ends": {"N": str(now + 600)},
            "expires_at": {"N": str(now + 600)},
        },
    )
    # When the first call is retried (same contact, case and PIN), Then it is refused
    assert lookup(case.case_number, pin, "first", number) == {"result": "LOCKED"}
    # And the case still counts the first call's failure
    stored = counter(seeded, f"ATTEMPTS#CASE#{case.case_number}")
    assert stored is not None and int(stored["failures"]["N"]) == 1
