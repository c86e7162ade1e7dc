"""The AWS-boundary fault and interleaving helpers: a failed call has no effect, and interleaved
callers all read before anyone writes."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from botocore.exceptions import ClientError, ReadTimeoutError

from civicline.local.aws_faults import AwsFaults, interleaved


@pytest.fixture
def table() -> Iterator[Any]:
    import boto3
    from moto import mock_aws

    with mock_aws():
        ddb = boto3.client("dynamodb", region_name="us-east-1")
        ddb.create_table(
            TableName="t",
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
        yield ddb


def _put(ddb: Any, pk: str) -> None:
    ddb.put_item(TableName="t", Item={"pk": {"S": pk}})


def test_a_throttled_write_is_not_stored_and_only_matching_calls_fail(table: Any) -> None:
    # Given a throttle on PutItem of item "a" only
    with AwsFaults(table) as faults:
        faults.throttle("PutItem", match=lambda _op, params: params["Item"]["pk"]["S"] == "a")
        # When both items are written
        with pytest.raises(ClientError) as raised:
            _put(table, "a")
        _put(table, "b")
    # Then the caller saw DynamoDB's error, and only "b" is stored
    assert raised.value.response["Error"]["Code"] == "ProvisionedThroughputExceededException"
    assert [i["pk"]["S"] for i in table.scan(TableName="t")["Items"]] == ["b"]
    assert faults.stored_calls("PutItem") == 1 and faults.fired() == 1


def test_a_cancelled_transaction_carries_its_reasons_and_writes_nothing(table: Any) -> None:
    items = [{"Put": {"TableName": "t", "Item": {"pk": {"S": k}}}} for k in ("x", "y")]
    with AwsFaults(table) as faults:
        faults.cancel(["None", "TransactionConflict"])
        with pytest.raises(table.exceptions.TransactionCanceledException) as raised:
            table.transact_write_items(TransactItems=items)
        table.transact_write_items(TransactItems=items)  # the rule was consumed once
    reasons = [r["Code"] for r in raised.value.response["CancellationReasons"]]
    assert reasons == ["None", "TransactionConflict"]
    assert table.scan(TableName="t")["Count"] == 2


def test_a_read_timeout_raises_botocores_own_error(table: Any) -> None:
    with AwsFaults(table) as faults:
        faults.timeout("GetItem")
        with pytest.raises(ReadTimeoutError):
            table.get_item(TableName="t", Key={"pk": {"S": "x"}})


def test_interleaved_callers_all_read_before_anyone_writes(table: Any) -> None:
    # Given ten read-increment-write callers on one counter
    def increment() -> int:
        item = table.get_item(TableName="t", Key={"pk": {"S": "n"}}).get("Item")
        seen = int(item["v"]["N"]) if item else 0
        table.put_item(TableName="t", Item={"pk": {"S": "n"}, "v": {"N": str(seen + 1)}})
        return seen

    # When they run paused at their write
    run = interleaved([increment] * 10, pause_at="PutItem")
    # Then every one of them read the initial value (the lost-update race is reproduced)
    assert run.results == [0] * 10 and not run.raised()


def test_a_caller_that_never_reaches_the_pause_point_does_not_hold_the_others() -> None:
    run = interleaved([lambda: 1, lambda: 2], pause_at="PutItem")
    assert run.results == [1, 2]
