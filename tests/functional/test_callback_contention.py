"""callback under DynamoDB contention: a caller hears CREATED only when the request is stored.

Faults are injected at botocore's ``before-call`` (civicline/local/aws_faults.py), so a cancelled or
throttled transaction writes nothing, exactly as DynamoDB cancels it. TransactWriteItems items are,
in order: the one-open guard, the request, and (scheduled, with a capacity) the window counter.
"""

from __future__ import annotations

import time
from typing import Any

import pytest

from functions.adapters.transient import Contention
from functions.handlers.callback import handler
from tests.functional.conftest import CALLER, make_event

SCHEDULED = {"mode": "SCHEDULED", "queueName": "general", "window": "2"}


def request(contact_id: str = "cb-1", number: str | None = CALLER, **params: str) -> Any:
    return handler(make_event(params, contact_id, number), None)


def stored(aws: Any, prefix: str) -> list[dict[str, Any]]:
    items = aws.client("dynamodb").scan(TableName=aws.table("callbacks"))["Items"]
    return [i for i in items if i["pk"]["S"].startswith(prefix)]


@pytest.fixture
def capacity(seeded: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    from functions.core.settings import reset_settings

    monkeypatch.setenv("CALLBACK_WINDOW_CAPACITY", "2")
    reset_settings()
    yield seeded
    monkeypatch.delenv("CALLBACK_WINDOW_CAPACITY")
    reset_settings()


#: the review's four measured cases (HIGH-2): conflicts and throttling on the counter, guard, request
CONTENTION = [
    pytest.param(["None", "None", "TransactionConflict"], id="capacity-conflict"),
    pytest.param(["TransactionConflict", "None", "None"], id="guard-conflict"),
    pytest.param(["None", "None", "ThrottlingError"], id="capacity-throttled"),
    pytest.param(["None", "ThrottlingError", "None"], id="request-throttled"),
]


@pytest.mark.parametrize("reasons", CONTENTION)
def test_a_transient_cancellation_is_retried_and_created_only_once_stored(
    capacity: Any, aws_faults: Any, reasons: list[str]
) -> None:
    # Given DynamoDB cancels the booking once for contention or throttling
    faults = aws_faults("dynamodb")
    faults.cancel(reasons, times=1)
    # When a caller books a window
    result = request(**SCHEDULED)
    # Then the booking was retried, and CREATED names a request that is stored with its guard
    assert faults.fired() == 1
    assert faults.stored_calls("TransactWriteItems") == 1
    assert result["result"] == "CREATED"
    [item] = stored(capacity, "CALLBACK#")
    assert item["callback_id"]["S"] == result["callbackId"]
    assert len(stored(capacity, "OPEN#")) == 1
    [counter] = stored(capacity, "CAPACITY#general")
    assert counter["booked"]["N"] == "1"


@pytest.mark.parametrize("reasons", [CONTENTION[0], CONTENTION[3]])
def test_persistent_contention_raises_within_the_flow_time_limit_and_stores_nothing(
    capacity: Any, aws_faults: Any, reasons: list[str]
) -> None:
    from functions.handlers.callback import FLOW_TIME_LIMIT_SECONDS

    # Given every booking attempt is cancelled for contention or throttling
    faults = aws_faults("dynamodb")
    faults.cancel(reasons, times=None)
    started = time.monotonic()
    # When a caller books a window, Then the function fails (the flow takes its error branch: the
    # caller keeps their place in the queue) instead of confirming a callback
    with pytest.raises(Contention):
        request(**SCHEDULED)
    elapsed = time.monotonic() - started
    # And it retried, with jitter, but gave up inside the flow's Lambda time limit
    assert faults.fired() > 1
    assert elapsed < FLOW_TIME_LIMIT_SECONDS
    # And nothing is stored
    assert stored(capacity, "") == []


@pytest.mark.parametrize(
    "inject",
    [
        pytest.param(lambda f: f.throttle("TransactWriteItems"), id="call-throttled"),
        pytest.param(lambda f: f.timeout("TransactWriteItems"), id="read-timeout"),
        pytest.param(lambda f: f.fail("TransactWriteItems", "InternalServerError", status=500), id="5xx"),
    ],
)
def test_a_throttled_or_timed_out_booking_is_retried(seeded: Any, aws_faults: Any, inject: Any) -> None:
    # Given the booking call fails once as a whole (after botocore's own retries)
    faults = aws_faults("dynamodb")
    inject(faults)
    # When a caller keeps their place in the queue
    result = request(mode="VIRTUAL_HOLD", queueName="general")
    # Then it was retried and the stored request is the confirmed one
    assert faults.fired() == 1 and result["result"] == "CREATED"
    [item] = stored(seeded, "CALLBACK#")
    assert item["callback_id"]["S"] == result["callbackId"]


def test_a_guard_failure_with_no_guard_and_no_request_is_not_taken_as_ours(
    seeded: Any, aws_faults: Any
) -> None:
    # Given the guard's condition failed (another request held it) but that request has closed
    # since, so neither a guard nor our request is stored: the old code answered CREATED here
    faults = aws_faults("dynamodb")
    faults.cancel(["ConditionalCheckFailed", "None"], times=None)
    # When a caller books, Then nothing is confirmed: the function fails, and nothing is stored
    with pytest.raises(Contention, match="booking refused meanwhile"):
        request(**SCHEDULED)
    assert stored(seeded, "") == []


def test_a_guard_freed_meanwhile_is_booked_on_the_retry(seeded: Any, aws_faults: Any) -> None:
    # Given the guard's condition failed once, and the guard is gone when read back
    faults = aws_faults("dynamodb")
    faults.cancel(["ConditionalCheckFailed", "None"], times=1)
    # When a caller books, Then the retry books it and CREATED names the stored request
    result = request(**SCHEDULED)
    assert result["result"] == "CREATED"
    assert [i["callback_id"]["S"] for i in stored(seeded, "CALLBACK#")] == [result["callbackId"]]


def test_our_own_stored_request_is_recognized_by_reading_it_back(seeded: Any, aws_faults: Any) -> None:
    # Given the first call stored the request but its answer was lost (Connect retries the Lambda)
    first = request("cb-own", **SCHEDULED)
    faults = aws_faults("dynamodb")
    # When the same contact asks again
    again = request("cb-own", **SCHEDULED)
    # Then the conditions failed on the guard and the request, the request was read back, and the
    # answer is the same CREATED, with one request stored
    assert again == first
    assert faults.operations() == ["TransactWriteItems", "GetItem"]
    assert len(stored(seeded, "CALLBACK#")) == 1


def test_another_requests_guard_answers_existing_with_its_window(seeded: Any) -> None:
    first = request("cb-a", **SCHEDULED)
    second = request("cb-b", **{**SCHEDULED, "window": "1"})
    assert second == {**first, "result": "EXISTING"}
    assert len(stored(seeded, "CALLBACK#")) == 1


def test_the_retry_budget_fits_every_flow_that_invokes_the_function() -> None:
    import json

    from functions.handlers.callback import FLOW_TIME_LIMIT_SECONDS, RETRY_BUDGET
    from tests.conftest import ROOT

    limits = []
    for path in sorted((ROOT / "flows").glob("*.json")):
        for action in json.loads(path.read_text(encoding="utf-8"))["Actions"]:
            params = action.get("Parameters", {})
            if action["Type"] == "InvokeLambdaFunction" and params.get("LambdaFunctionARN") == (
                "%LAMBDA_CALLBACK%"
            ):
                limits.append(float(params["InvocationTimeLimitSeconds"]))
    # Given the flows that invoke the callback function, Then its retries end inside each one's limit
    assert limits, "no flow invokes the callback function"
    assert min(limits) == FLOW_TIME_LIMIT_SECONDS
    assert RETRY_BUDGET.seconds < FLOW_TIME_LIMIT_SECONDS


def test_interleaved_bookings_for_the_last_place_never_overbook(capacity: Any) -> None:
    from civicline.local.aws_faults import interleaved

    # Given a window with one place left
    assert request("first", "+12025550170", **SCHEDULED)["result"] == "CREATED"
    numbers = [f"+1202555017{i}" for i in range(1, 7)]
    # When six callers book it at once (every one reads before anyone writes)
    run = interleaved(
        [lambda n=n: request(f"race-{n}", n, **SCHEDULED) for n in numbers], pause_at="TransactWriteItems"
    )
    # Then exactly one gets the place, the others hear UNAVAILABLE, and the counter holds two
    assert run.raised() == []
    results = sorted(r["result"] for r in run.results)
    assert results == ["CREATED"] + ["UNAVAILABLE"] * 5
    assert len(stored(capacity, "CALLBACK#")) == 2
    [counter] = stored(capacity, "CAPACITY#general")
    assert counter["booked"]["N"] == "2"


def test_a_throttled_read_back_is_retried_too(seeded: Any, aws_faults: Any) -> None:
    # Given a stored request whose contact retries (the conditions fail: it must be read back), and
    # the read-back is throttled once
    first = request("cb-rb", **SCHEDULED)
    faults = aws_faults("dynamodb")
    faults.throttle("GetItem", times=1)
    # Then the whole booking is retried and the answer is the same
    assert request("cb-rb", **SCHEDULED) == first
    assert faults.operations() == ["TransactWriteItems", "GetItem", "TransactWriteItems", "GetItem"]
