"""case_status with fewer AWS calls and the same guarantees: one reservation transaction and one
give-back transaction, the write a counter most likely takes tried first, and the faults each of those
can meet (a cancelled give-back, a reservation meeting another lookup's transaction), under
interleaved calls too."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from civicline.local.aws_faults import interleaved
from functions.core.privacy import pseudonymize
from functions.handlers.case_status import handler
from tests.functional.conftest import make_event

LIMIT = 3  # MAX_VERIFY_ATTEMPTS default
WITHHELD_LIMIT = 10  # WITHHELD_VERIFY_ATTEMPTS default


def lookup(case_number: str, pin: str, contact_id: str, number: str | None) -> dict[str, str]:
    return handler(make_event({"caseNumber": case_number, "pin": pin}, contact_id, number), None)


def wrong_pin(right: str) -> str:
    return "0000" if right != "0000" else "0001"


def failures(aws: Any, pk: str) -> int | None:
    item = aws.client("dynamodb").get_item(
        TableName=aws.table("state"), Key={"pk": {"S": pk}, "sk": {"S": "VERIFY"}}, ConsistentRead=True
    )
    return int(item["Item"]["failures"]["N"]) if "Item" in item else None


def _operations(faults: Any) -> list[str]:
    """The lookup's own calls (the office name's reference read is the cache's, not the lookup's)."""
    return [op for op, p, _ in faults.calls if "reference" not in p.get("TableName", "")]


def give_back(_operation: str, params: dict[str, Any]) -> bool:
    """Matches the give-back transaction (its updates give a token back), not the reservation."""
    return "DELETE tokens" in params["TransactItems"][0]["Update"]["UpdateExpression"]


def reservation(_operation: str, params: dict[str, Any]) -> bool:
    return not give_back(_operation, params)


def _reservations(faults: Any) -> list[list[str]]:
    """Each reservation round's writes, by their first word (``ADD``: a count, ``SET``: a new window)."""
    return [
        [a["Update"]["UpdateExpression"].split()[0] for a in p["TransactItems"]]
        for op, p, _ in faults.calls
        if op == "TransactWriteItems"
        and "ReturnValuesOnConditionCheckFailure" in p["TransactItems"][0]["Update"]
    ]


def test_a_counter_in_an_open_window_takes_one_write_not_two(
    seeded: Any, cases: Any, aws_faults: Any
) -> None:
    # Given a wrong PIN on a case (its window is open)
    case = cases[3]
    assert lookup(case.case_number, wrong_pin(case.pin), "o-1", "+12025550601")["attemptsLeft"] == "2"
    faults = aws_faults("dynamodb")
    # When another caller gives a wrong PIN on the same case
    answer = lookup(case.case_number, wrong_pin(case.pin), "o-2", "+12025550602")
    # Then the case counter is counted by its first write (one more failure), the new caller's counter
    # opens a window by its first: one round, the hash read, and the count read back for the answer
    assert answer == {"result": "NOT_FOUND", "attemptsLeft": "1"}
    assert _operations(faults) == ["TransactWriteItems", "GetItem", "BatchGetItem"]
    assert _reservations(faults) == [["ADD", "SET"]]


def test_a_stale_window_costs_one_refused_write_never_a_wrong_count(
    seeded: Any, cases: Any, aws_faults: Any
) -> None:
    # Given a case counter this container saw open, then removed behind its back (TTL, a reset)
    case = cases[4]
    lookup(case.case_number, wrong_pin(case.pin), "s-1", "+12025550611")
    seeded.client("dynamodb").delete_item(
        TableName=seeded.table("state"),
        Key={"pk": {"S": f"ATTEMPTS#CASE#{case.case_number}"}, "sk": {"S": "VERIFY"}},
    )
    faults = aws_faults("dynamodb")
    # When the next wrong PIN comes, Then the refused count is followed by a new window: counted once
    # (the whole round is refused, so the caller's new window is written in the second round)
    answer = lookup(case.case_number, wrong_pin(case.pin), "s-2", "+12025550612")
    assert answer == {"result": "NOT_FOUND", "attemptsLeft": "2"}
    assert _reservations(faults) == [["ADD", "SET"], ["SET", "SET"]]
    assert failures(seeded, f"ATTEMPTS#CASE#{case.case_number}") == 1


def test_a_withheld_right_pin_gives_back_three_counters_in_one_transaction(
    seeded: Any, cases: Any, aws_faults: Any
) -> None:
    # Given a withheld number, When the right PIN is given
    case = cases[6]
    faults = aws_faults("dynamodb")
    assert lookup(case.case_number, case.pin, "wh-1", None)["result"] == "FOUND"
    # Then one reservation of three counters, two reads and one give-back (it was eight calls, then six)
    assert _operations(faults) == ["TransactWriteItems", "GetItem", "GetItem", "TransactWriteItems"]
    assert _reservations(faults) == [["SET", "SET", "SET"]]
    assert failures(seeded, f"ATTEMPTS#CASE#{case.case_number}") == 0
    assert failures(seeded, f"ATTEMPTS#CONTACT#{pseudonymize('wh-1')}") == 0
    assert failures(seeded, "ATTEMPTS#WITHHELD#ALL") == 0


def test_a_cancelled_give_back_returns_the_counters_whose_condition_held(
    seeded: Any, cases: Any, aws_faults: Any
) -> None:
    # Given the give-back transaction is cancelled: the caller's condition failed, the case's held
    case, number = cases[7], "+12025550621"
    faults = aws_faults("dynamodb")
    faults.cancel(["None", "ConditionalCheckFailed"], match=give_back)
    # When the right PIN is given, Then it is FOUND, the case's attempt is given back on its own and
    # the counter whose condition failed is left alone (given back or restarted by someone else)
    assert lookup(case.case_number, case.pin, "cx-1", number)["result"] == "FOUND"
    assert _operations(faults)[-2:] == ["TransactWriteItems", "UpdateItem"]
    assert failures(seeded, f"ATTEMPTS#CASE#{case.case_number}") == 0
    assert failures(seeded, f"ATTEMPTS#CALLER#{pseudonymize(number)}") == 1


def test_a_give_back_that_met_a_conflict_is_retried_one_by_one(
    seeded: Any, cases: Any, aws_faults: Any
) -> None:
    # Given the give-back transaction met another write on the caller's counter (TransactionConflict)
    case, number = cases[8], "+12025550631"
    faults = aws_faults("dynamodb")
    faults.cancel(["None", "TransactionConflict"], match=give_back)
    # When the right PIN is given, Then both attempts are still given back, one by one
    assert lookup(case.case_number, case.pin, "cf-1", number)["result"] == "FOUND"
    assert _operations(faults)[-3:] == ["TransactWriteItems", "UpdateItem", "UpdateItem"]
    assert failures(seeded, f"ATTEMPTS#CASE#{case.case_number}") == 0
    assert failures(seeded, f"ATTEMPTS#CALLER#{pseudonymize(number)}") == 0


@pytest.mark.parametrize("reason", ["TransactionConflict", "ThrottlingError"])
def test_a_reservation_that_meets_a_transaction_or_throttling_is_retried_and_counted_once(
    seeded: Any, cases: Any, aws_faults: Any, reason: str
) -> None:
    # Given the reservation meets another lookup's transaction on the case's counter (or throttling)
    case = cases[9 if reason == "TransactionConflict" else 10]
    faults = aws_faults("dynamodb")
    faults.cancel([reason, "None"], match=reservation)
    # When a wrong PIN is given, Then the lookup answers as usual and the failure counts once
    answer = lookup(case.case_number, wrong_pin(case.pin), "tc-1", "+12025550641")
    assert answer == {"result": "NOT_FOUND", "attemptsLeft": "2"}
    assert faults.fired() == 1 and len(_reservations(faults)) == 2
    assert failures(seeded, f"ATTEMPTS#CASE#{case.case_number}") == 1


def test_interleaved_withheld_right_and_wrong_pins_leave_exactly_the_failures(
    seeded: Any, cases: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from functions.domain import case_status

    checked: list[str] = []
    real = case_status.verify_pin

    def spy(pin: str, *rest: Any) -> bool:
        checked.append(pin)
        return real(pin, *rest)

    monkeypatch.setattr(case_status, "verify_pin", spy)
    # Given 16 withheld-number calls at once over eight cases: on each case one right and one wrong PIN
    work: list[Callable[[], dict[str, str]]] = []
    for i in range(16):
        case = cases[i % 8]
        pin = case.pin if i < 8 else wrong_pin(case.pin)
        work.append(lambda c=case, p=pin, i=i: lookup(c.case_number, p, f"iw-{i}", None))
    # When they run interleaved (every call paused before its first write)
    run = interleaved(work, pause_at="TransactWriteItems")
    assert run.raised() == []
    # Then the shared bucket and each case hold exactly the wrong PINs that were checked: every
    # verified call gave its attempts back, none twice, and a refused call holds nothing
    right = {c.pin for c in cases[:8]}
    wrong_checked = [p for p in checked if p not in right]
    assert [r["result"] for r in run.results[:8]].count("FOUND") == sum(1 for p in checked if p in right)
    assert failures(seeded, "ATTEMPTS#WITHHELD#ALL") == len(wrong_checked)
    assert len(checked) >= WITHHELD_LIMIT  # the bucket's limit bound, and give-backs freed room
