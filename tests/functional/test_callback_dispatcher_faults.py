"""callback_dispatcher at the AWS boundary: Connect time-outs never call a citizen twice, and a busy
table loses no attempt.

moto does not implement Connect's StartOutboundVoiceContact, so Connect's answers come from
botocore's own Stubber (as in test_callback_dispatcher.py) and the failures from AwsFaults, both at
botocore's ``before-call``: a faulted call never reaches the stub, exactly as a request that timed out.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest

from functions.domain.callbacks import TokenBucket
from functions.handlers.callback_dispatcher import ConnectDialer, dispatch
from schemas.records import CallbackState
from tests.functional.conftest import Clock
from tests.functional.test_callback_dispatcher import ScriptedDialer, book, state_of

FLOW = "arn:aws:connect:us-east-1:1:instance/i-1/contact-flow/flow-9"


@pytest.fixture
def connect_settings(seeded: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    from functions.core.settings import reset_settings

    monkeypatch.setenv("OUTBOUND_FLOW_ARN", FLOW)
    monkeypatch.setenv("SOURCE_PHONE_NUMBER", "+18005550100")
    reset_settings()
    yield seeded
    reset_settings()


def tokens(faults: Any) -> list[str]:
    return [params["ClientToken"] for op, params, _ in faults.calls if op == "StartOutboundVoiceContact"]


def test_a_timed_out_dial_is_repeated_at_once_with_the_same_client_token(
    connect_settings: Any, aws_faults: Any
) -> None:
    from botocore.stub import Stubber

    from functions.core.aws import client

    # Given a due callback, and a first StartOutboundVoiceContact whose answer times out
    cid = book("+12025550501")
    faults = aws_faults("connect")
    faults.timeout("StartOutboundVoiceContact")
    with Stubber(client("connect")) as stub:
        # (Connect: the same token names the call already started, if it went out)
        stub.add_response("start_outbound_voice_contact", {"ContactId": "outbound-1"})
        # When the dispatcher runs
        summary = dispatch(ConnectDialer(), bucket=TokenBucket(100, 10))
    # Then the dial was repeated under the same ClientToken, and the call is PLACED once
    assert tokens(faults) == [f"{cid}-0", f"{cid}-0"]
    assert summary.outcomes == {"PLACED": 1}
    request = state_of(cid)
    assert [(a.outcome, a.outbound_contact_id) for a in request.attempts] == [("PLACED", "outbound-1")]


@pytest.mark.parametrize(
    "inject",
    [
        pytest.param(lambda f: f.timeout("StartOutboundVoiceContact", times=None), id="read-timeout"),
        pytest.param(
            lambda f: f.fail("StartOutboundVoiceContact", "InternalServiceException", status=500, times=None),
            id="5xx",
        ),
    ],
)
def test_the_next_attempt_after_an_uncertain_failure_reuses_the_token(
    connect_settings: Any, clock: Clock, aws_faults: Any, inject: Any
) -> None:
    # Given every dial times out (or Connect answers 5xx): nobody knows whether a call went out
    cid = book("+12025550502")
    faults = aws_faults("connect")
    inject(faults)
    dispatch(ConnectDialer(), bucket=TokenBucket(100, 10))
    assert state_of(cid).attempts[0].outcome == "FAILED"
    # When the retry is due 10 minutes later
    clock.moment += timedelta(seconds=601)
    dispatch(ConnectDialer(), bucket=TokenBucket(100, 10))
    # Then every request for this call carried the same ClientToken (one call for Connect)
    assert tokens(faults) == [f"{cid}-0"] * 4
    assert [a.outcome for a in state_of(cid).attempts] == ["FAILED", "FAILED"]


def test_a_new_call_gets_a_new_token_only_after_connect_took_the_previous_one(
    connect_settings: Any, clock: Clock, aws_faults: Any
) -> None:
    # Given a first attempt that was placed and not answered (settled NO_ANSWER, due again)
    cid = book("+12025550503")
    dispatch(ScriptedDialer(["NO_ANSWER"]), bucket=TokenBucket(100, 10))
    clock.moment += timedelta(seconds=601)
    # When the next attempt is dialed (and throttled: Connect refused, no call went out)
    faults = aws_faults("connect")
    faults.fail("StartOutboundVoiceContact", "ThrottlingException", status=429)
    dispatch(ConnectDialer(), bucket=TokenBucket(100, 10))
    # Then it is a new call (a new token), tried once: a throttled request placed nothing
    assert tokens(faults) == [f"{cid}-1"]
    assert [a.outcome for a in state_of(cid).attempts] == ["NO_ANSWER", "FAILED"]


def test_a_throttled_attempt_record_is_retried(seeded: Any, aws_faults: Any) -> None:
    # Given a dial that succeeds, and the write that records it is throttled once
    cid = book("+12025550504")
    faults = aws_faults("dynamodb")
    faults.throttle("TransactWriteItems", times=1)
    summary = dispatch(ScriptedDialer(["CONNECTED"]), bucket=TokenBucket(100, 10))
    # Then the attempt is recorded all the same
    assert faults.fired() == 1 and summary.outcomes == {"CONNECTED": 1}
    assert state_of(cid).state is CallbackState.CONNECTED


def test_an_attempt_that_cannot_be_recorded_is_not_counted_and_comes_back_by_its_lease(
    seeded: Any, clock: Clock, aws_faults: Any
) -> None:
    from functions.adapters.callbacks import LEASE_SECONDS

    # Given the table cancels every write of the attempt
    cid = book("+12025550505")
    faults = aws_faults("dynamodb")
    faults.cancel(["TransactionConflict", "None"], times=None)
    dialer = ScriptedDialer(["NO_ANSWER", "CONNECTED"])
    summary = dispatch(dialer, bucket=TokenBucket(100, 10))
    # Then it is reported as not recorded, and the callback stays claimed (DIALING)
    assert summary.outcomes == {"UNRECORDED": 1}
    assert state_of(cid).state is CallbackState.DIALING
    # And once the table recovers and the lease runs out, it is dialed again and recorded
    faults.rules.clear()
    later = clock.moment + timedelta(seconds=LEASE_SECONDS + 1)
    assert dispatch(dialer, at=later, bucket=TokenBucket(100, 10)).reclaimed == 1
    assert state_of(cid).state is CallbackState.CONNECTED


def test_a_throttled_claim_skips_the_callback_until_the_next_run(seeded: Any, aws_faults: Any) -> None:
    cid = book("+12025550506")
    faults = aws_faults("dynamodb")
    faults.throttle("UpdateItem", times=None)
    dialer = ScriptedDialer()
    summary = dispatch(dialer, bucket=TokenBucket(100, 10))
    assert (summary.due, summary.claimed, dialer.dialed) == (1, 0, [])
    faults.rules.clear()
    assert dispatch(dialer, bucket=TokenBucket(100, 10)).claimed == 1
    assert dialer.dialed == [cid]
