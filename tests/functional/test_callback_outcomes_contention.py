"""callback_outcomes under DynamoDB contention: a "no answer" is retried or raised, never dropped.

Only a fresh read that finds the attempt settled answers ``already_settled``; contention and
throttling are retried and then raised, so the invocation fails and Lambda's async retries (then the
DLQ) keep the event. Faults are injected at botocore's ``before-call``: a failed write has no effect.
"""

from __future__ import annotations

from typing import Any

import pytest

from functions.adapters.transient import Contention
from functions.handlers.callback_outcomes import handler
from schemas.records import CallbackState
from tests.functional.conftest import Clock
from tests.functional.test_callback_dispatcher import state_of
from tests.functional.test_callback_outcomes import PlacingDialer, contact_event, place


@pytest.mark.parametrize(
    "reasons", [["TransactionConflict"], ["ThrottlingError"], ["ProvisionedThroughputExceeded"]]
)
def test_a_conflicting_settle_is_retried_and_the_caller_is_called_again(
    seeded: Any, clock: Clock, aws_faults: Any, reasons: list[str]
) -> None:
    # Given a placed call, and DynamoDB cancels the settling write once (contention on the request)
    dialer = PlacingDialer()
    cid = place("+12025550401", dialer)
    faults = aws_faults("dynamodb")
    faults.cancel(reasons, times=1)
    # When the call's "not answered" event arrives
    result = handler(contact_event("DISCONNECTED", dialer.placed[0], answered=False), None)
    # Then it was retried (not taken as "already settled"), and the callback is due again
    assert faults.fired() == 1
    assert result == {"retry": 1}
    assert state_of(cid).state is CallbackState.PENDING


def test_persistent_throttling_raises_so_the_event_is_redelivered_not_lost(
    seeded: Any, clock: Clock, aws_faults: Any
) -> None:
    # Given a placed call, and a table that throttles every settling write
    dialer = PlacingDialer()
    cid = place("+12025550402", dialer)
    event = contact_event("DISCONNECTED", dialer.placed[0], answered=False)
    faults = aws_faults("dynamodb")
    faults.throttle("TransactWriteItems", times=None)
    # When the "not answered" event arrives, Then the invocation fails (Lambda retries it, then DLQ)
    with pytest.raises(Contention):
        handler(event, None)
    assert faults.fired() > 1 and faults.stored_calls("TransactWriteItems") == 0
    assert state_of(cid).state is CallbackState.PLACED
    # And when the table recovers, the redelivered event settles it
    faults.rules.clear()
    assert handler(event, None) == {"retry": 1}
    assert state_of(cid).state is CallbackState.PENDING


def test_a_throttled_read_is_retried(seeded: Any, clock: Clock, aws_faults: Any) -> None:
    dialer = PlacingDialer()
    cid = place("+12025550403", dialer)
    faults = aws_faults("dynamodb")
    faults.throttle("GetItem", times=1)
    assert handler(contact_event("DISCONNECTED", dialer.placed[0], answered=True), None) == {"connected": 1}
    assert state_of(cid).state is CallbackState.CONNECTED


def test_two_deliveries_at_once_settle_once_and_the_loser_reads_it_back(seeded: Any, clock: Clock) -> None:
    from civicline.local.aws_faults import interleaved

    # Given a placed call whose "not answered" event is delivered twice at the same moment
    dialer = PlacingDialer()
    cid = place("+12025550404", dialer)
    event = contact_event("DISCONNECTED", dialer.placed[0], answered=False)
    # When both read before either writes
    run = interleaved([lambda: handler(event, None)] * 2, pause_at="TransactWriteItems")
    # Then one settles it, the other finds it settled on a fresh read; one NO_ANSWER attempt
    assert run.raised() == []
    assert sorted(next(iter(r)) for r in run.results) == ["already_settled", "retry"]
    request = state_of(cid)
    assert request.state is CallbackState.PENDING
    assert [a.outcome for a in request.attempts] == ["NO_ANSWER"]


def test_a_guard_held_by_another_request_is_left_alone_when_closing(
    seeded: Any, clock: Clock, aws_faults: Any
) -> None:
    # Given a placed call whose guard another request holds by now (the delete's condition fails)
    dialer = PlacingDialer()
    cid = place("+12025550405", dialer)
    faults = aws_faults("dynamodb")
    faults.cancel(["None", "ConditionalCheckFailed"], times=1)
    # When the answered event closes the callback, Then it is closed without freeing that guard
    assert handler(contact_event("DISCONNECTED", dialer.placed[0], answered=True), None) == {"connected": 1}
    assert state_of(cid).state is CallbackState.CONNECTED
    assert faults.stored_calls("TransactWriteItems") == 1
