"""The throttle drill injects at botocore's ``before-call``: a drill-throttled write is not stored,
the callback dispatcher is drilled too, and "callbacks lost: 0" is checked against the tables."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from botocore.exceptions import ClientError

from civicline.sim.faults import FaultInjector, FaultPlan, throttled_dynamodb
from tests.functional.conftest import NOW, make_event


@pytest.fixture
def aws() -> Iterator[Any]:
    from civicline.local.aws import LocalAws

    with LocalAws(prefix="drill") as local:
        yield local


def _count(aws: Any, logical: str) -> int:
    return int(aws.client("dynamodb").scan(TableName=aws.table(logical))["Count"])


def test_a_drill_throttled_write_is_not_stored(aws: Any) -> None:
    from functions.core.aws import client

    # Given the drill throttles every DynamoDB request
    injector = FaultInjector(FaultPlan(ddb_throttle=1.0), seed=1)
    # When a function writes, Then it sees DynamoDB's throttling error once botocore gives up
    item = {"pk": {"S": "X"}, "sk": {"S": "Y"}}
    with throttled_dynamodb(injector) as drill, pytest.raises(ClientError) as raised:
        client("dynamodb").put_item(TableName=aws.table("callbacks"), Item=item)
    assert raised.value.response["Error"]["Code"] == "ProvisionedThroughputExceededException"
    # And nothing was written (the review's phantom write: a before-send answer stored it anyway)
    assert _count(aws, "callbacks") == 0
    assert drill.faults.stored_calls("PutItem") == 0
    assert injector.injected == {"ddb-throttle": 1}
    # And botocore's back-off before its one retry passed in simulated time
    assert drill.skipped > 0


def test_the_rate_is_per_request_and_a_call_fails_when_every_attempt_is_throttled() -> None:
    # Given a 30 % throttle per request and botocore's two attempts per call
    injector = FaultInjector(FaultPlan(ddb_throttle=0.3), seed=7)
    failed = sum(injector.ddb_throttled("PutItem", {}) for _ in range(20_000))
    # Then about 0.3 ** 2 of the calls fail, and the same seed draws the same faults
    assert failed / 20_000 == pytest.approx(0.09, abs=0.01)
    again = FaultInjector(FaultPlan(ddb_throttle=0.3), seed=7)
    assert sum(again.ddb_throttled("PutItem", {}) for _ in range(20_000)) == failed
    injector.enabled = False
    assert not any(injector.ddb_throttled("PutItem", {}) for _ in range(100))


def test_under_the_drill_every_created_callback_is_stored(aws: Any) -> None:
    from civicline.data import seed_demo
    from functions.adapters.callbacks import get_request
    from functions.handlers.callback import handler

    seed_demo(NOW)
    # Given a table that throttles 60 % of the requests
    injector = FaultInjector(FaultPlan(ddb_throttle=0.6), seed=3)
    answers = []
    with throttled_dynamodb(injector):
        # When forty callers keep their place in the queue
        for i in range(40):
            event = make_event(
                {"mode": "VIRTUAL_HOLD", "queueName": "general"}, f"drill-{i}", f"+120255506{i:02d}"
            )
            try:
                answers.append(handler(event, None))
            except Exception as exc:  # the flow's error branch: the caller keeps the queue
                answers.append({"result": type(exc).__name__})
    # Then throttling happened, and every caller told CREATED has a stored request
    assert injector.injected["ddb-throttle"] > 0
    created = [a["callbackId"] for a in answers if a["result"] == "CREATED"]
    assert created
    assert all(get_request(cid) is not None for cid in created)
    assert _count(aws, "callbacks") == 2 * len(created)  # each: its request and its guard


def test_the_dispatcher_is_drilled_and_lost_callbacks_are_checked_against_the_table() -> None:
    from civicline.local.aws import LocalAws
    from civicline.sim.callbacks import dispatch_run, find_lost_callbacks
    from civicline.sim.day import DayRunner, Truth, quiet_logs
    from civicline.sim.fastmoto import fast_transactions
    from civicline.sim.profiles import load_profile
    from civicline.sim.summary import apply_variant

    profile = apply_variant(load_profile("regional-hotline-day"), "calls=600")
    with LocalAws(prefix="drill-day") as aws, quiet_logs(), fast_transactions():
        # Given a morning drilled with 30 % of DynamoDB requests throttled (about 9 % of the calls
        # fail once botocore's two attempts are spent), the dispatcher's included
        runner = DayRunner(profile, 4, aws, hours=3, faults=FaultPlan(ddb_throttle=0.3))
        runner.run()
        counts = runner.truth.counts
        # Then dispatcher runs failed and were retried, and still every promised callback was
        # stored and dialed, and nobody was dropped
        assert counts["dispatcher_failures"] > 0
        assert counts["scheduled_dialed"] > 0
        assert runner.promised, "the day should promise some callbacks"
        assert (counts["callbacks_lost"], counts["dropped"]) == (0, 0), runner.truth.lost_callbacks
        # When a promised request is missing from the table (as a phantom CREATED would leave it)
        missing = sorted(runner.promised)[0]
        ddb = aws.client("dynamodb")
        ddb.delete_item(
            TableName=aws.table("callbacks"),
            Key={"pk": {"S": f"CALLBACK#{missing}"}, "sk": {"S": "REQUEST"}},
        )
        runner.truth = Truth()
        find_lost_callbacks(runner)
        # Then the drill reports it lost
        assert missing in runner.truth.lost_callbacks
        assert runner.truth.counts["callbacks_promised_not_stored"] == 1
        # And the dispatcher runs under the drill: a throttled run fails and is retried later
        runner.injector.plan = FaultPlan(ddb_throttle=1.0)
        pending = runner.sim.pending()
        with throttled_dynamodb(runner.injector):
            runner.sim.start(dispatch_run(runner))
            runner.sim.run(until=runner.sim.now)
        assert runner.truth.counts["dispatcher_failures"] == 1
        assert runner.sim.pending() == pending + 1
