"""Every item of the callbacks table that holds a phone number expires when its purpose ends.

Decision "callbacks keep numbers only as long as needed": each write path is run through the real
handlers on moto, and after each one the whole table is scanned. Any item holding a number (an E.164
value anywhere in it) without a TTL (``expires_at``, the table's TTL attribute), or with one that
lets the number outlive its purpose by more than the retention, fails the test.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest

from functions.domain.callbacks import CLOSED_RETENTION, DialResult, TokenBucket
from functions.handlers.callback import handler as request_handler
from functions.handlers.callback_dispatcher import dispatch
from functions.handlers.callback_outcomes import handler as outcomes_handler
from schemas.records import CallbackRequest
from tests.functional.conftest import Clock, make_event
from tests.functional.test_callback_outcomes import contact_event

E164 = re.compile(r"\+[1-9]\d{6,14}")


def _values(attr: Any) -> Iterator[str]:
    if isinstance(attr, dict):
        for kind, value in attr.items():
            if kind == "S":
                yield value
            else:
                yield from _values(value)
    elif isinstance(attr, list):
        for value in attr:
            yield from _values(value)


def number_items_without_expiry(aws: Any, now: datetime, longest: timedelta) -> list[str]:
    """Keys of items holding a number with no TTL, an expired TTL, or one later than ``longest``."""
    ddb = aws.client("dynamodb")
    bad = []
    for page in ddb.get_paginator("scan").paginate(TableName=aws.table("callbacks")):
        for item in page["Items"]:
            if not any(E164.search(v) for v in _values(item)):
                continue
            expires = int(item["expires_at"]["N"]) if "expires_at" in item else None
            fine = expires is not None and now.timestamp() < expires <= (now + longest).timestamp()
            if not fine:
                bad.append(f"{item['pk']['S']} expires_at={expires}")
    return bad


#: a request's purpose ends at most a day after it is made (window + retries) plus the retention
LONGEST = timedelta(days=1) + CLOSED_RETENTION


def book(number: str, mode: str = "SCHEDULED", contact: str = "") -> str:
    params = {"mode": mode, "queueName": "general", "window": "3"}
    result = request_handler(make_event(params, contact or f"ret-{number}", number), None)
    assert result["result"] == "CREATED"
    return str(result["callbackId"])


class Dialer:
    def __init__(self, outcome: str) -> None:
        self.outcome = outcome
        self.placed: list[str] = []

    def dial(self, request: CallbackRequest) -> DialResult:
        if self.outcome != "PLACED":
            return DialResult(self.outcome)  # type: ignore[arg-type]
        self.placed.append(f"ret-out-{request.callback_id[:8]}-{len(request.attempts)}")
        return DialResult("PLACED", self.placed[-1])


def test_a_virtual_hold_request_expires_after_its_window_plus_retention(seeded: Any, clock: Clock) -> None:
    # Given a caller who keeps their place in the queue (Connect's queued callback dials it: nothing
    # of ours ever closes it)
    cid = book("+12025550301", mode="VIRTUAL_HOLD")
    # Then the request expires when its window ends plus the retention
    item = seeded.client("dynamodb").get_item(
        TableName=seeded.table("callbacks"), Key={"pk": {"S": f"CALLBACK#{cid}"}, "sk": {"S": "REQUEST"}}
    )["Item"]
    window_end = datetime.fromisoformat(item["window_end"]["S"].replace("Z", "+00:00"))
    assert int(item["expires_at"]["N"]) == int((window_end + CLOSED_RETENTION).timestamp())
    assert number_items_without_expiry(seeded, clock.moment, LONGEST) == []


@pytest.mark.parametrize("outcome", ["PLACED", "CONNECTED", "NO_ANSWER", "FAILED"])
def test_every_write_path_leaves_no_number_without_expiry(seeded: Any, clock: Clock, outcome: str) -> None:
    # Given a scheduled request: stored with a TTL
    book("+12025550302")
    assert number_items_without_expiry(seeded, clock.moment, LONGEST) == []
    # When it is dialed (each outcome: placed with its OUTBOUND# pointer, connected, not answered and
    # due again, failed), Then every number-holding item still expires
    dialer = Dialer(outcome)
    dispatch(dialer, bucket=TokenBucket(100, 10))
    assert number_items_without_expiry(seeded, clock.moment, LONGEST) == []
    if outcome != "PLACED":
        return
    # And when the placed call is settled as not answered (reopened, due again) and then closes
    outcomes_handler(contact_event("DISCONNECTED", dialer.placed[0], answered=False), None)
    assert number_items_without_expiry(seeded, clock.moment, LONGEST) == []
    for _ in range(2):
        clock.moment += timedelta(seconds=601)
        dispatch(dialer, bucket=TokenBucket(100, 10))
        outcomes_handler(contact_event("DISCONNECTED", dialer.placed[-1], answered=False), None)
        assert number_items_without_expiry(seeded, clock.moment, LONGEST) == []


def test_a_claimed_request_keeps_its_expiry(seeded: Any, clock: Clock) -> None:
    from functions.adapters.callbacks import claim

    cid = book("+12025550303")
    assert claim(cid, clock.moment)
    assert number_items_without_expiry(seeded, clock.moment, LONGEST) == []
