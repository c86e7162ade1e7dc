"""callback_dispatcher under moto with an in-process Dialer (our own seam, not a fake of AWS)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from functions.domain.callbacks import DialOutcome, DialResult, TokenBucket
from functions.handlers.callback import handler as request_handler
from functions.handlers.callback_dispatcher import dispatch
from schemas.records import CallbackRequest, CallbackState
from tests.functional.conftest import Clock, make_event


@dataclass
class ScriptedDialer:
    """Answers each dial from a script of outcomes; records what it dialed."""

    outcomes: list[DialOutcome] = field(default_factory=list)
    dialed: list[str] = field(default_factory=list)

    def dial(self, request: CallbackRequest) -> DialResult:
        self.dialed.append(request.callback_id)
        outcome = self.outcomes.pop(0) if self.outcomes else "CONNECTED"
        return DialResult(outcome, f"out-{len(self.dialed)}" if outcome == "CONNECTED" else None)


class FakeTime:
    def __init__(self) -> None:
        self.t = 0.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.t

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.t += seconds


def book(number: str, window: str = "3", queue: str = "general", contact: str = "") -> str:
    result = request_handler(
        make_event(
            {"mode": "SCHEDULED", "queueName": queue, "window": window}, contact or f"c-{number}", number
        ),
        None,
    )
    assert result["result"] == "CREATED"
    return str(result["callbackId"])


def state_of(callback_id: str) -> CallbackRequest:
    from functions.adapters.callbacks import get_request

    request = get_request(callback_id)
    assert request is not None
    return request


def test_due_callback_is_dialed_and_closed(seeded: Any, clock: Clock) -> None:
    # Given an as-soon-as-possible callback
    cid = book("+12025550111")
    dialer = ScriptedDialer(["CONNECTED"])
    # When the dispatcher runs
    summary = dispatch(dialer, bucket=TokenBucket(100, 10))
    # Then it is dialed once, recorded as connected, the guard is gone and a TTL is set
    assert dialer.dialed == [cid]
    assert summary.as_dict() == {"due": 1, "claimed": 1, "reclaimed": 0, "outcomes": {"CONNECTED": 1}}
    request = state_of(cid)
    assert request.state is CallbackState.CONNECTED
    assert [a.outcome for a in request.attempts] == ["CONNECTED"]
    assert request.attempts[0].outbound_contact_id == "out-1"
    items = seeded.client("dynamodb").scan(TableName=seeded.table("callbacks"))["Items"]
    assert [i["pk"]["S"] for i in items] == [f"CALLBACK#{cid}"]
    assert int(items[0]["expires_at"]["N"]) > clock.moment.timestamp()
    # And the number can ask for a new callback now (a new contact gets a new one, not EXISTING)
    assert book("+12025550111", contact="later-call") != cid


def test_no_answer_is_retried_after_the_delay_then_closed(seeded: Any, clock: Clock) -> None:
    cid = book("+12025550112")
    dialer = ScriptedDialer(["NO_ANSWER", "NO_ANSWER", "NO_ANSWER"])
    dispatch(dialer, bucket=TokenBucket(100, 10))
    first = state_of(cid)
    assert first.state is CallbackState.PENDING
    assert first.next_attempt_at == clock.moment + timedelta(seconds=600)
    # Not due again before the retry delay
    assert dispatch(dialer, bucket=TokenBucket(100, 10)).due == 0
    for _ in range(2):
        clock.moment += timedelta(seconds=601)
        dispatch(dialer, bucket=TokenBucket(100, 10))
    final = state_of(cid)
    assert final.state is CallbackState.NO_ANSWER
    assert [a.outcome for a in final.attempts] == ["NO_ANSWER"] * 3
    assert dialer.dialed == [cid] * 3


def test_failed_dial_is_recorded(seeded: Any) -> None:
    cid = book("+12025550113")
    dispatch(ScriptedDialer(["FAILED"]), bucket=TokenBucket(100, 10))
    request = state_of(cid)
    assert request.state is CallbackState.PENDING and request.attempts[0].outcome == "FAILED"


def test_scheduled_window_is_not_dialed_early(seeded: Any, clock: Clock) -> None:
    book("+12025550114", window="1")  # tomorrow 9:00
    dialer = ScriptedDialer()
    assert dispatch(dialer).due == 0
    clock.moment += timedelta(days=1)
    assert dispatch(dialer, bucket=TokenBucket(100, 10)).claimed == 1


def test_two_dispatchers_never_dial_one_callback_twice(seeded: Any) -> None:
    # Given five due callbacks, and a second dispatcher that runs completely while the first one is
    # in the middle of its first dial (the first one's list of due callbacks is now stale)
    ids = {book(f"+1202555012{i}") for i in range(5)}
    second = ScriptedDialer()

    @dataclass
    class InterleavingDialer(ScriptedDialer):
        def dial(self, request: CallbackRequest) -> DialResult:
            if not self.dialed:
                dispatch(second, bucket=TokenBucket(1000, 10))
            return super().dial(request)

    first = InterleavingDialer()
    # When the first dispatcher runs
    dispatch(first, bucket=TokenBucket(1000, 10))
    # Then every callback was dialed exactly once, by one of them
    assert len(first.dialed) == 1
    assert sorted(first.dialed + second.dialed) == sorted(ids)
    assert all(state_of(i).state is CallbackState.CONNECTED for i in ids)


def test_a_claimed_callback_is_not_claimed_again(seeded: Any, clock: Clock) -> None:
    from functions.adapters.callbacks import claim

    cid = book("+12025550131")
    assert claim(cid, clock.moment) is True
    assert claim(cid, clock.moment) is False
    assert dispatch(ScriptedDialer()).due == 0  # a DIALING request is off the due index


def test_a_claim_left_by_a_crashed_dispatcher_is_taken_over_after_its_lease(
    seeded: Any, clock: Clock
) -> None:
    from datetime import timedelta

    from functions.adapters.callbacks import LEASE_SECONDS, claim

    # Given a dispatcher claimed a callback and died before recording the attempt
    cid = book("+12025550132")
    assert claim(cid, clock.moment) is True
    # When another dispatcher runs inside the lease, nothing happens to it
    inside = ScriptedDialer()
    assert dispatch(inside, at=clock.moment + timedelta(seconds=LEASE_SECONDS - 1)).reclaimed == 0
    assert inside.dialed == []
    # But once the lease has run out, one dispatcher takes it over and dials it (same attempt number,
    # so Connect's ClientToken deduplicates a call the dead dispatcher may already have placed)
    later = clock.moment + timedelta(seconds=LEASE_SECONDS + 1)
    taker, rival = ScriptedDialer(), ScriptedDialer()
    summary = dispatch(taker, at=later, bucket=TokenBucket(100, 10))
    assert dispatch(rival, at=later, bucket=TokenBucket(100, 10)).reclaimed == 0
    assert (summary.reclaimed, taker.dialed, rival.dialed) == (1, [cid], [])
    assert state_of(cid).state is CallbackState.CONNECTED
    assert len(state_of(cid).attempts) == 1


def test_dialing_is_paced_by_the_token_bucket(seeded: Any) -> None:
    # Given six due callbacks and a rate of 2 per second with no burst
    for i in range(6):
        book(f"+1202555014{i}")
    fake = FakeTime()
    dispatch(ScriptedDialer(), bucket=TokenBucket(2.0, 1, clock=fake.clock, sleep=fake.sleep))
    # Then six dials took 2.5 s of (fake) time: never faster than 2 per second
    assert abs(fake.t - 2.5) < 1e-9


def test_handler_uses_connect_and_records_failure_when_connect_refuses(seeded: Any) -> None:
    # Given moto's Connect does not place outbound calls, the ConnectDialer records FAILED
    from functions.handlers.callback_dispatcher import handler

    cid = book("+12025550151")
    result = handler({"source": "aws.events"}, None)
    assert result["claimed"] == 1
    assert state_of(cid).attempts[0].outcome == "FAILED"


def test_connect_dialer_sends_the_request_connect_expects(seeded: Any, monkeypatch: Any) -> None:
    # Given Connect settings and botocore's own Stubber on the connect client
    from botocore.stub import Stubber

    from functions.core.aws import client
    from functions.core.settings import reset_settings
    from functions.handlers.callback_dispatcher import ConnectDialer

    monkeypatch.setenv("OUTBOUND_FLOW_ARN", "arn:aws:connect:us-east-1:1:instance/i-1/contact-flow/flow-9")
    monkeypatch.setenv("QUEUE_ARNS", '{"general": "arn:aws:connect:us-east-1:1:instance/i-1/queue/q-7"}')
    reset_settings()
    cid = book("+12025550161")
    request = state_of(cid)
    connect = client("connect")
    with Stubber(connect) as stub:
        stub.add_response(
            "start_outbound_voice_contact",
            {"ContactId": "outbound-1"},
            {
                "DestinationPhoneNumber": "+12025550161",
                "ContactFlowId": "flow-9",
                "InstanceId": "00000000-0000-4000-8000-000000000001",
                "QueueId": "q-7",
                "Attributes": {
                    "callbackId": cid,
                    "queue": "general",
                    "queueArn": "arn:aws:connect:us-east-1:1:instance/i-1/queue/q-7",
                    "language": request.language,
                    "intent": request.intent or "",
                },
                "ClientToken": f"{cid}-0",
            },
        )
        stub.add_client_error("start_outbound_voice_contact", "TooManyRequestsException")
        # When it dials twice (the second call is throttled)
        first = ConnectDialer().dial(request)
        second = ConnectDialer().dial(request)
    reset_settings()
    # Then a placed call is PLACED with its contact id (its events settle it), a throttled one FAILED
    assert first == DialResult("PLACED", "outbound-1")
    assert second == DialResult("FAILED")
