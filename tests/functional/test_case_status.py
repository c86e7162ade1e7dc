"""case_status under moto: verification, lockouts, no enumeration oracle, one read per lookup."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from functions.handlers.case_status import handler
from tests.functional.conftest import CALLER, Clock, make_event


def lookup(
    case_number: str, pin: str, contact_id: str = "c-1", number: str | None = CALLER, **extra: str
) -> Any:
    return handler(make_event({"caseNumber": case_number, "pin": pin, **extra}, contact_id, number), None)


def test_correct_pin_returns_status_next_step_and_due_date(seeded: Any, cases: Any) -> None:
    # Given a sample case and its PIN
    case = cases[2]
    # When the caller looks it up
    result = lookup(case.case_number, case.pin)
    # Then the status, plain-language next step and the due date come back
    assert result["result"] == "FOUND"
    assert result["status"] == "WAITING_FOR_CALLER"
    assert "documents" in result["nextStep"]
    assert result["dueDate"] == "2026-12-07"
    assert result["dueDateSpoken"] == "Monday, December 7, 2026"
    assert result["officeName"] == "the Citizen Service Center"


def test_spanish_lookup_speaks_spanish(seeded: Any, cases: Any) -> None:
    case = cases[1]
    result = lookup(case.case_number, case.pin, language="es")
    assert result["result"] == "FOUND"
    assert result["statusText"] == "en revisión"
    assert result["dueDateSpoken"].startswith("sábado") or " de " in result["dueDateSpoken"]


def test_a_lookup_reserves_its_attempts_before_reading_and_gives_them_back_when_verified(
    seeded: Any, cases: Any, aws_faults: Any
) -> None:
    # Given a warm container (the office names are cached after one lookup)
    lookup(cases[0].case_number, cases[0].pin, contact_id="warm")
    faults = aws_faults("dynamodb")
    # When another caller looks up a case of the same office with the right PIN
    result = lookup(cases[5].case_number, cases[5].pin, contact_id="c-2", number="+12025550177")
    # Then one attempt is reserved on the case and on the caller (one transaction of conditional
    # updates), the PIN hash is read, then (verified) the case, and both reservations are given back
    # in one transaction of conditional updates (no attempt used): four calls
    assert result["result"] == "FOUND"
    calls = [(op, params.get("Key", {}).get("pk", {}).get("S", "")[:14]) for op, params, _ in faults.calls]
    assert calls == [
        ("TransactWriteItems", ""),
        ("GetItem", "CASE#" + cases[5].case_number[:9]),
        ("GetItem", "CASE#" + cases[5].case_number[:9]),
        ("TransactWriteItems", ""),
    ]
    reserved, given_back = faults.calls[0][1]["TransactItems"], faults.calls[-1][1]["TransactItems"]
    for actions in (reserved, given_back):
        assert [a["Update"]["Key"]["pk"]["S"][:14] for a in actions] == ["ATTEMPTS#CASE#", "ATTEMPTS#CALLE"]
    assert all("ConditionExpression" in a["Update"] for a in reserved)
    assert all(a["Update"]["ConditionExpression"] == "contains(tokens, :token)" for a in given_back)
    counters = seeded.client("dynamodb").scan(TableName=seeded.table("state"))["Items"]
    assert {int(c["failures"]["N"]) for c in counters} == {0}


@pytest.mark.parametrize(
    "case_number", ["", "1234567", "123456789", "abcdefgh", "17502304", "１７５０２３０３"]
)
def test_malformed_or_bad_check_digit_is_invalid_before_any_read(
    seeded: Any, aws_calls: list[str], case_number: str
) -> None:
    # Given a case number of the wrong shape or with a wrong check digit (17502303 is valid)
    aws_calls.clear()
    # When it is looked up, Then it is refused without touching DynamoDB
    assert lookup(case_number, "1234") == {"result": "INVALID_INPUT"}
    assert aws_calls == []


def test_malformed_pin_is_invalid(seeded: Any, cases: Any) -> None:
    assert lookup(cases[0].case_number, "12a4") == {"result": "INVALID_INPUT"}
    assert lookup(cases[0].case_number, "") == {"result": "INVALID_INPUT"}


def test_unknown_case_and_wrong_pin_get_the_same_answer(seeded: Any, cases: Any) -> None:
    from functions.domain.identifiers import make_case_number

    # Given a well-formed case number that does not exist and a real case with a wrong PIN
    unknown = make_case_number(1234567)
    wrong_pin = "0000" if cases[0].pin != "0000" else "1111"
    # When both are tried by different callers
    a = lookup(unknown, "4321", contact_id="a", number="+12025550101")
    b = lookup(cases[0].case_number, wrong_pin, contact_id="b", number="+12025550102")
    # Then the answers are identical
    assert a == b == {"result": "NOT_FOUND", "attemptsLeft": "2"}


def test_caller_is_locked_after_max_attempts_even_across_cases(seeded: Any, cases: Any) -> None:
    # Given a caller who fails three times on different cases
    for i, case in enumerate(cases[:2]):
        assert lookup(case.case_number, "0001", contact_id=f"c{i}")["result"] == "NOT_FOUND"
    assert lookup(cases[2].case_number, "0001", contact_id="c2") == {"result": "LOCKED"}
    # When the caller then gives a correct PIN
    # Then the caller stays locked
    assert lookup(cases[3].case_number, cases[3].pin, contact_id="c3") == {"result": "LOCKED"}


def test_case_is_locked_for_every_caller_and_lock_expires(seeded: Any, cases: Any, clock: Clock) -> None:
    # Given three failures on one case from three different numbers
    case = cases[4]
    for i in range(3):
        lookup(case.case_number, "0002" if case.pin != "0002" else "0003", f"x{i}", f"+1202555020{i}")
    # When a fourth caller gives the right PIN, Then the case is locked
    assert lookup(case.case_number, case.pin, "x9", "+12025550299") == {"result": "LOCKED"}
    # When the lockout has expired, Then the right PIN works again
    clock.moment += timedelta(seconds=901)
    assert lookup(case.case_number, case.pin, "x10", "+12025550299")["result"] == "FOUND"


def test_anonymous_callers_do_not_share_a_counter(seeded: Any, cases: Any) -> None:
    # Given two callers with withheld numbers, one of whom locks themselves out
    wrong = [p for p in ("0000", "1111", "2222", "3333") if p != cases[6].pin][:3]
    results = [lookup(cases[6].case_number, pin, "anon-1", number=None)["result"] for pin in wrong]
    assert results == ["NOT_FOUND", "NOT_FOUND", "LOCKED"]
    # When the other one looks up a case, Then their lookup is not affected
    assert lookup(cases[7].case_number, cases[7].pin, "anon-2", number=None)["result"] == "FOUND"


def test_retried_failure_is_counted_once(seeded: Any, cases: Any) -> None:
    # Given a failed attempt that Connect retries three times (same contact, same input)
    wrong = "9999" if cases[8].pin != "9999" else "8888"
    results = [lookup(cases[8].case_number, wrong, contact_id="retry") for _ in range(3)]
    # Then every answer is the same and only one attempt was used
    assert results == [{"result": "NOT_FOUND", "attemptsLeft": "2"}] * 3


def test_dependency_failure_raises(seeded: Any, cases: Any) -> None:
    # Given the cases table is gone
    seeded.client("dynamodb").delete_table(TableName=seeded.table("cases"))
    # When a lookup runs, Then the error propagates (the flow takes its error branch)
    from botocore.exceptions import ClientError

    with pytest.raises(ClientError):
        lookup(cases[0].case_number, cases[0].pin)
