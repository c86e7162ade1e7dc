"""callback under moto: virtual hold, scheduled windows, one open per number and queue, one write."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from functions.handlers.callback import handler
from tests.functional.conftest import CALLER, Clock, make_event


def request(
    contact_id: str = "cb-1", number: str | None = CALLER, queue: str | None = None, **params: str
) -> Any:
    return handler(make_event(params, contact_id, number, queue), None)


def stored(aws: Any, prefix: str) -> list[dict[str, Any]]:
    items = aws.client("dynamodb").scan(TableName=aws.table("callbacks"))["Items"]
    return [i for i in items if i["pk"]["S"].startswith(prefix)]


def test_virtual_hold_is_stored_with_one_write_before_confirming(seeded: Any, aws_calls: list[str]) -> None:
    aws_calls.clear()
    # Given a caller waiting in the general queue When they choose to keep their place
    result = request(mode="VIRTUAL_HOLD", queue="general")
    # Then the request is stored (one transactional write) and confirmed
    assert aws_calls == ["TransactWriteItems"]
    assert result["result"] == "CREATED"
    assert result["windowStart"] == "2026-11-23T15:00:00+00:00"
    assert result["windowSpoken"] == "Monday, November 23, 2026 at 10:00 AM"
    [item] = stored(seeded, "CALLBACK#")
    assert item["callback_id"]["S"] == result["callbackId"]
    assert item["enqueued_at"]["S"] == "2026-11-23T15:00:00Z"
    assert "gsi1pk" not in item  # Connect's queued callback dials it, not the dispatcher


@pytest.mark.parametrize(
    ("window", "start"),
    [
        ("1", "2026-11-24T14:00:00+00:00"),
        ("2", "2026-11-23T18:00:00+00:00"),
        ("3", "2026-11-23T15:00:00+00:00"),
    ],
)
def test_scheduled_windows(seeded: Any, window: str, start: str) -> None:
    # Given Monday 10:00 in New York: the morning has started, the afternoon has not
    result = request(mode="SCHEDULED", queueName="general", window=window)
    assert (result["result"], result["windowStart"]) == ("CREATED", start)
    [item] = stored(seeded, "CALLBACK#")
    assert item["gsi1pk"]["S"] == "DUE" and item["gsi1sk"]["S"] == start


def test_friday_afternoon_books_monday_morning_skipping_the_weekend(seeded: Any, clock: Clock) -> None:
    clock.moment = datetime(2026, 11, 27, 20, 0, tzinfo=UTC)  # Friday 15:00 New York
    result = request(mode="SCHEDULED", queueName="general", window="1", language="es")
    assert result["windowStart"] == "2026-11-30T14:00:00+00:00"
    assert result["windowSpoken"] == "lunes 30 de noviembre de 2026 a las 9:00"


def test_second_request_for_same_number_and_queue_returns_the_existing_one(seeded: Any) -> None:
    first = request("cb-1", mode="SCHEDULED", queueName="general", window="2")
    # When the same number asks again from another contact (another window)
    second = request("cb-2", mode="SCHEDULED", queueName="general", window="1")
    # Then the existing callback is returned and nothing new is stored
    assert second == {**first, "result": "EXISTING"}
    assert len(stored(seeded, "CALLBACK#")) == 1
    # And another queue is independent
    assert request("cb-3", mode="SCHEDULED", queueName="tier2", window="1")["result"] == "CREATED"
    assert len(stored(seeded, "OPEN#")) == 2


def test_replayed_request_has_one_effect_and_the_same_answer(seeded: Any) -> None:
    results = [request("same", mode="VIRTUAL_HOLD", queue="status") for _ in range(3)]
    assert results[0]["result"] == "CREATED"
    assert results[0] == results[1] == results[2]
    assert len(stored(seeded, "CALLBACK#")) == 1
    assert len(stored(seeded, "OPEN#")) == 1


def test_an_expired_virtual_hold_guard_frees_the_number(seeded: Any, clock: Clock) -> None:
    request("cb-1", mode="VIRTUAL_HOLD", queue="general")
    clock.moment += timedelta(hours=4, minutes=1) + timedelta(seconds=600 * 3)
    assert request("cb-2", mode="VIRTUAL_HOLD", queue="general")["result"] == "CREATED"


def test_stored_number_is_dialable_and_keys_are_pseudonymous(seeded: Any) -> None:
    request(mode="SCHEDULED", queueName="general", window="3", callbackNumber="(202) 555-0123")
    [item] = stored(seeded, "CALLBACK#")
    assert item["callback_number"]["S"] == "+12025550123"
    [guard] = stored(seeded, "OPEN#")
    assert "5550123" not in guard["pk"]["S"]


@pytest.mark.parametrize(
    "params",
    [
        {"mode": "SCHEDULED", "queueName": "general", "window": "7"},
        {"mode": "SCHEDULED", "queueName": "nosuchqueue", "window": "1"},
        {"mode": "SCHEDULED", "queueName": "general", "window": "1", "callbackNumber": "12"},
        {"mode": "LATER", "queueName": "general"},
        {"queueName": "general"},
    ],
)
def test_bad_input_is_invalid_and_stores_nothing(seeded: Any, params: dict[str, str]) -> None:
    assert request(**params) == {"result": "INVALID_INPUT"}
    assert stored(seeded, "") == []


def test_no_number_to_call_back_is_invalid(seeded: Any) -> None:
    assert request(number=None, mode="VIRTUAL_HOLD", queue="general") == {"result": "INVALID_INPUT"}


@pytest.fixture
def capacity_of_two(seeded: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    from functions.core.settings import reset_settings

    monkeypatch.setenv("CALLBACK_WINDOW_CAPACITY", "2")
    reset_settings()
    yield seeded
    monkeypatch.delenv("CALLBACK_WINDOW_CAPACITY")
    reset_settings()


def test_a_full_window_is_unavailable_and_nothing_is_stored(
    capacity_of_two: Any, aws_calls: list[str]
) -> None:
    # Given a queue that can return two callbacks per window
    numbers = ["+12025550181", "+12025550182", "+12025550183"]
    aws_calls.clear()
    # When three callers book the same afternoon window
    results = [request(f"cap-{n}", n, mode="SCHEDULED", queueName="general", window="2") for n in numbers]
    # Then two are booked, the third hears UNAVAILABLE, each with one write
    assert [r["result"] for r in results] == ["CREATED", "CREATED", "UNAVAILABLE"]
    assert aws_calls.count("TransactWriteItems") == 3
    assert len(stored(capacity_of_two, "CALLBACK#")) == 2
    assert len(stored(capacity_of_two, "OPEN#")) == 2
    [counter] = stored(capacity_of_two, "CAPACITY#general")
    assert counter["booked"]["N"] == "2" and "expires_at" in counter


def test_a_full_window_leaves_other_windows_queues_and_virtual_hold_open(capacity_of_two: Any) -> None:
    for n in ("+12025550184", "+12025550185"):
        assert (
            request(f"cap-{n}", n, mode="SCHEDULED", queueName="general", window="2")["result"] == "CREATED"
        )
    third = "+12025550186"
    assert request("c-1", third, mode="SCHEDULED", queueName="general", window="2")["result"] == "UNAVAILABLE"
    # the same caller can take the morning window, another queue, or keep their place in line
    assert request("c-2", third, mode="SCHEDULED", queueName="general", window="1")["result"] == "CREATED"
    assert request("c-3", third, mode="SCHEDULED", queueName="tier2", window="2")["result"] == "CREATED"
    assert request("c-4", "+12025550187", mode="VIRTUAL_HOLD", queue="general")["result"] == "CREATED"


def test_replays_and_repeat_requests_in_a_full_window_keep_their_answer(capacity_of_two: Any) -> None:
    # Given a window filled by two callers
    first = request("cap-a", "+12025550188", mode="SCHEDULED", queueName="general", window="2")
    request("cap-b", "+12025550189", mode="SCHEDULED", queueName="general", window="2")
    # When Connect retries the first call, and the first caller asks again from a new contact
    replay = request("cap-a", "+12025550188", mode="SCHEDULED", queueName="general", window="2")
    again = request("cap-c", "+12025550188", mode="SCHEDULED", queueName="general", window="2")
    # Then the retry gets the same answer and the caller their existing callback; the count is unchanged
    assert replay == first
    assert again == {**first, "result": "EXISTING"}
    [counter] = stored(capacity_of_two, "CAPACITY#general")
    assert counter["booked"]["N"] == "2"


@pytest.mark.parametrize(
    "number",
    ["+448712345678", "+88213000000", "+2693771234", "+53512345678", "+74951234567"],
)
def test_a_number_outside_the_dialable_countries_is_refused_and_nothing_is_stored(
    seeded: Any, number: str
) -> None:
    # Given the review's toll-fraud numbers (a spoofed caller ID, or one typed in) and the default:
    # callbacks dial North American numbers (+1) only
    # When a callback is asked for one of them, from the caller ID or as the callback number
    from_caller_id = request("cb-x", number, mode="VIRTUAL_HOLD", queue="general")
    typed = request("cb-y", mode="SCHEDULED", queueName="general", window="1", callbackNumber=number)
    # Then it is refused with the typed outcome the flows route to "could not book", and nothing stored
    assert from_caller_id == typed == {"result": "INVALID_INPUT"}
    assert stored(seeded, "") == []


def test_the_dialable_prefixes_are_a_setting(seeded: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from functions.core.settings import reset_settings

    # Given a deployment that calls back the UK and one US area code only
    monkeypatch.setenv("CALLBACK_DIAL_PREFIXES", "44, 1202")
    reset_settings()
    try:
        assert request("p-1", "+442071234567", mode="VIRTUAL_HOLD", queue="general")["result"] == "CREATED"
        assert request("p-2", "+12025550100", mode="VIRTUAL_HOLD", queue="general")["result"] == "CREATED"
        assert request("p-3", "+13125550100", mode="VIRTUAL_HOLD", queue="general") == {
            "result": "INVALID_INPUT"
        }
    finally:
        monkeypatch.delenv("CALLBACK_DIAL_PREFIXES")
        reset_settings()
