"""Placed callback calls are settled from their contact events: answered, or called again.

The dispatcher records a call Connect accepted as PLACED; ``callback_outcomes`` reads the call's
contact events (unordered, at least once, mostly about other contacts) and settles it.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest

from functions.domain.callbacks import DialResult, TokenBucket
from functions.handlers.callback_dispatcher import dispatch
from functions.handlers.callback_outcomes import handler
from schemas.records import CallbackRequest, CallbackState
from tests.conftest import conformance_files, load_json
from tests.functional.conftest import Clock
from tests.functional.test_callback_dispatcher import book, state_of

OUTBOUND_SAMPLE = next(
    p for p in conformance_files("events", "eventbridge__") if "disconnected-outbound" in p.stem
)


@dataclass
class PlacingDialer:
    """Connect's answer to StartOutboundVoiceContact: the call is placed, with a new contact id."""

    placed: list[str] = field(default_factory=list)

    def dial(self, request: CallbackRequest) -> DialResult:
        self.placed.append(f"out-{request.callback_id[:8]}-{len(request.attempts)}")
        return DialResult("PLACED", self.placed[-1])


def contact_event(event_type: str, contact_id: str, *, answered: bool) -> dict[str, Any]:
    """A real outbound DISCONNECTED sample (AWS docs) turned into the event we need."""
    event = copy.deepcopy(load_json(OUTBOUND_SAMPLE))
    detail = event["detail"]
    detail.update(eventType=event_type, contactId=contact_id, initiationMethod="API")
    if not answered:
        detail.pop("connectedToSystemTimestamp", None)
        detail.pop("agentInfo", None)
    return event


def place(number: str, dialer: PlacingDialer) -> str:
    cid = book(number)
    dispatch(dialer, bucket=TokenBucket(100, 10))
    return cid


def test_a_placed_call_stays_open_until_its_events_arrive(seeded: Any, clock: Clock) -> None:
    # Given a due callback that Connect accepted
    dialer = PlacingDialer()
    cid = place("+12025550171", dialer)
    # Then the attempt is PLACED, the request keeps its one-open guard, and it is not due again
    request = state_of(cid)
    assert request.state is CallbackState.PLACED
    assert [(a.outcome, a.outbound_contact_id) for a in request.attempts] == [("PLACED", dialer.placed[0])]
    assert dispatch(dialer, bucket=TokenBucket(100, 10)).due == 0
    assert book("+12025550171", contact="c-+12025550171") == cid  # the same request, still open


def test_an_answered_call_closes_the_callback_as_connected(seeded: Any, clock: Clock) -> None:
    dialer = PlacingDialer()
    cid = place("+12025550172", dialer)
    # When the call's DISCONNECTED event says it reached the system and an agent
    result = handler(contact_event("DISCONNECTED", dialer.placed[0], answered=True), None)
    # Then the callback is CONNECTED and closed: the number may ask for a new one
    assert result == {"connected": 1}
    request = state_of(cid)
    assert request.state is CallbackState.CONNECTED
    assert [a.outcome for a in request.attempts] == ["CONNECTED"]
    assert book("+12025550172", contact="later-call") != cid


def test_an_unanswered_call_is_called_again_after_the_retry_delay(seeded: Any, clock: Clock) -> None:
    dialer = PlacingDialer()
    cid = place("+12025550173", dialer)
    # When the call ends without ever connecting
    assert handler(contact_event("DISCONNECTED", dialer.placed[0], answered=False), None) == {"retry": 1}
    # Then the attempt is NO_ANSWER and the callback is due again after its retry delay, still open
    request = state_of(cid)
    assert request.state is CallbackState.PENDING
    assert [a.outcome for a in request.attempts] == ["NO_ANSWER"]
    assert request.next_attempt_at == clock.moment + timedelta(seconds=request.retry_delay_seconds)
    assert dispatch(dialer, bucket=TokenBucket(100, 10)).due == 0
    clock.moment += timedelta(seconds=request.retry_delay_seconds + 1)
    dispatch(dialer, bucket=TokenBucket(100, 10))
    assert len(dialer.placed) == 2
    assert state_of(cid).state is CallbackState.PLACED


def test_the_last_unanswered_attempt_closes_the_callback(seeded: Any, clock: Clock) -> None:
    dialer = PlacingDialer()
    cid = place("+12025550174", dialer)
    for attempt in range(3):
        outcome = handler(contact_event("DISCONNECTED", dialer.placed[attempt], answered=False), None)
        assert outcome == ({"no_answer": 1} if attempt == 2 else {"retry": 1})
        clock.moment += timedelta(seconds=601)
        dispatch(dialer, bucket=TokenBucket(100, 10))
    request = state_of(cid)
    assert request.state is CallbackState.NO_ANSWER
    assert [a.outcome for a in request.attempts] == ["NO_ANSWER"] * 3
    assert len(dialer.placed) == 3


def test_events_in_any_order_and_replayed_settle_once(seeded: Any, clock: Clock) -> None:
    # Given a placed call whose events arrive late, out of order and three times each
    dialer = PlacingDialer()
    cid = place("+12025550175", dialer)
    contact = dialer.placed[0]
    events = [
        contact_event("DISCONNECTED", contact, answered=True),
        contact_event("CONNECTED_TO_AGENT", contact, answered=True),
        contact_event("CONNECTED_TO_SYSTEM", contact, answered=True),
    ] * 3
    results = [handler(e, None) for e in events]
    # Then the first settles it, every other one changes nothing
    assert results[0] == {"connected": 1}
    assert all(r == {"already_settled": 1} for r in results[1:])
    assert [a.outcome for a in state_of(cid).attempts] == ["CONNECTED"]


def test_an_sqs_batch_is_settled_record_by_record(seeded: Any, clock: Clock) -> None:
    import json

    dialer = PlacingDialer()
    place("+12025550176", dialer)
    place("+12025550177", dialer)
    batch = {
        "Records": [
            {
                "messageId": "1",
                "body": json.dumps(contact_event("DISCONNECTED", dialer.placed[0], answered=True)),
            },
            {
                "messageId": "2",
                "body": json.dumps(contact_event("DISCONNECTED", dialer.placed[1], answered=False)),
            },
            {"messageId": "3", "body": "not json"},
        ]
    }
    assert handler(batch, None) == {"connected": 1, "retry": 1, "malformed": 1}


@pytest.mark.parametrize(
    ("event", "expected"),
    [
        (
            {
                "detail-type": "Scheduled Event",
                "source": "aws.events",
                "id": "x",
                "detail": {"eventType": "X", "contactId": "c"},
            },
            "not_contact_event",
        ),
        ({"garbage": True}, "malformed"),
        (None, "malformed"),
    ],
    ids=["other-source", "garbage", "null"],
)
def test_foreign_and_malformed_events_change_nothing(seeded: Any, event: Any, expected: str) -> None:
    assert handler(event, None) == {expected: 1}


def test_events_of_other_contacts_and_other_types_are_ignored(seeded: Any, clock: Clock) -> None:
    dialer = PlacingDialer()
    cid = place("+12025550178", dialer)
    assert handler(contact_event("DISCONNECTED", "some-inbound-contact", answered=False), None) == {
        "not_a_callback": 1
    }
    assert handler(contact_event("QUEUED", dialer.placed[0], answered=True), None) == {"ignored": 1}
    assert state_of(cid).state is CallbackState.PLACED
