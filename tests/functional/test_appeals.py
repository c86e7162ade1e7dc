"""appeals under moto: receipts, statutory due dates, identity-theft category, idempotency."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from functions.handlers.appeals import handler
from tests.functional.conftest import Clock, make_event


def register(contact_id: str = "a-1", number: str | None = "+12025550199", **params: str) -> Any:
    return handler(make_event(params, contact_id, number), None)


def stored_appeals(aws: Any) -> list[dict[str, Any]]:
    items = aws.client("dynamodb").scan(TableName=aws.table("cases"))["Items"]
    return [i for i in items if i["pk"]["S"].startswith("APPEAL#")]


def test_appeal_gets_receipt_and_calendar_due_date(seeded: Any) -> None:
    # Given the default rule (30 calendar days) When an appeal is registered on 2026-11-23
    result = register(category="APPEAL")
    # Then an AP receipt and the date 30 days later come back, spoken too
    assert result["result"] == "REGISTERED"
    assert result["receipt"].startswith("AP-") and len(result["receipt"]) == 11
    assert result["receiptSpoken"] == " ".join(result["receipt"].replace("-", ""))
    assert (result["dueDate"], result["dueDays"], result["category"]) == ("2026-12-23", "30", "APPEAL")
    assert result["dueDateSpoken"] == "Wednesday, December 23, 2026"
    [item] = stored_appeals(seeded)
    assert item["office_id"]["S"] == "central"
    assert "+1202" not in str(item)  # only the pseudonymized callback key is stored


def test_identity_theft_has_its_own_category_and_receipt(seeded: Any) -> None:
    result = register(category="IDENTITY_THEFT", language="es")
    assert result["receipt"].startswith("IT-")
    assert result["category"] == "IDENTITY_THEFT"
    assert result["dueDateSpoken"] == "miércoles 23 de diciembre de 2026"


def test_working_days_skip_weekends_and_holidays(seeded: Any, clock: Clock, monkeypatch: Any) -> None:
    # Given the working-days rule with 10 days and Dec 24 as an extra configured holiday
    from functions.core.settings import reset_settings

    monkeypatch.setenv("APPEAL_WORKING_DAYS", "true")
    monkeypatch.setenv("APPEAL_DUE_DAYS", "10")
    monkeypatch.setenv("HOLIDAYS", "2026-12-24")
    reset_settings()
    clock.moment = datetime(2026, 12, 14, 15, 0, tzinfo=UTC)  # a Monday
    # When an appeal is registered
    result = register(category="APPEAL")
    reset_settings()
    # Then Dec 24 (configured) and Dec 25 (seeded holiday) and the weekends are skipped
    assert result["dueDate"] == "2026-12-30"


def test_replayed_registration_has_one_effect(seeded: Any) -> None:
    # Given Connect retries the same call three times
    results = [register("same-contact", category="APPEAL") for _ in range(3)]
    # Then one appeal is stored and every answer is the same
    assert results[0] == results[1] == results[2]
    assert len(stored_appeals(seeded)) == 1


def test_a_receipt_collision_moves_to_the_next_receipt(seeded: Any) -> None:
    # Given another contact's appeal already holds the receipt this contact would get first
    from functions.adapters import cases
    from functions.domain.identifiers import receipt_number
    from schemas.records import Appeal

    taken = receipt_number("AP", "collide#appeal#APPEAL", 0)
    cases.put_appeal(
        Appeal(
            receipt=taken,
            contact_id="someone-else",
            category="APPEAL",
            office_id="central",
            callback_key="k",
            registered_at=datetime(2026, 1, 5, tzinfo=UTC),
            due_date=datetime(2026, 2, 4).date(),
            due_rule="CALENDAR_DAYS",
            due_days=30,
        )
    )
    # When this contact registers Then it gets a different receipt and both appeals are kept
    result = register("collide", category="APPEAL")
    assert result["receipt"] != taken
    assert result["receipt"] == receipt_number("AP", "collide#appeal#APPEAL", 1)
    assert len(stored_appeals(seeded)) == 2


@pytest.mark.parametrize(
    "params",
    [
        {"category": "APPEAL", "callbackNumber": "12"},
        {"category": "APPEAL", "officeId": "nowhere"},
        {"category": "APPEAL", "caseNumber": "12345678"},
        {"category": "PARKING"},
    ],
)
def test_bad_input_is_invalid(seeded: Any, params: dict[str, str]) -> None:
    assert register(**params) == {"result": "INVALID_INPUT"}
    assert stored_appeals(seeded) == []


def test_no_callback_number_at_all_is_invalid(seeded: Any) -> None:
    assert register(number=None, category="APPEAL") == {"result": "INVALID_INPUT"}


def test_explicit_office_and_case(seeded: Any, cases: Any) -> None:
    result = register(category="APPEAL", officeId="appeals", caseNumber=cases[3].case_number)
    assert result["result"] == "REGISTERED"
    [item] = stored_appeals(seeded)
    assert (item["office_id"]["S"], item["case_number"]["S"]) == ("appeals", cases[3].case_number)
