"""Unsigned requests to moto (civicline.sim.moto_signing) get what signed ones get.

A generated sequence of DynamoDB requests (puts, conditional updates that pass or fail, reads,
queries, deletes, a request on a table that does not exist) runs signed against one table and
unsigned against a twin; every answer or error (code and message) and the tables' final contents
must be the same. Then the claims the module's docstring rests on: the unsigned request really
carries no signature, moto resolves the same account and region, and a presigned URL is still signed.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from civicline.sim.moto_signing import signed, unsigned_requests
from civicline.sim.moto_tables import create_keyed_table

TABLES = ("left", "right")


@pytest.fixture(scope="module")
def ddb() -> Iterator[Any]:
    import boto3
    from moto import mock_aws

    with mock_aws():
        client = boto3.client("dynamodb", region_name="us-east-1")
        for name in TABLES:
            create_keyed_table(client, name)
        yield client


keys = st.sampled_from(["a", "b", "c"]).map(lambda pk: {"pk": {"S": pk}, "sk": {"S": "s"}})
numbers = st.sampled_from(["0", "1", "-1", "7"]).map(lambda n: {"N": n})
requests = st.one_of(
    st.tuples(st.just("put_item"), keys, numbers),
    st.tuples(st.just("update_item"), keys, numbers),
    st.tuples(st.just("conditional_update"), keys, numbers),
    st.tuples(st.just("get_item"), keys, st.none()),
    st.tuples(st.just("query"), keys, st.none()),
    st.tuples(st.just("delete_item"), keys, st.none()),
    st.tuples(st.just("missing_table"), keys, st.none()),
)


def _call(client: Any, table: str, request: tuple[str, dict[str, Any], Any]) -> Any:
    kind, key, number = request
    if kind == "put_item":
        return client.put_item(TableName=table, Item={**key, "n": number}, ReturnValues="ALL_OLD")
    if kind in ("update_item", "conditional_update"):
        condition = {"ConditionExpression": "n < :v"} if kind == "conditional_update" else {}
        return client.update_item(
            TableName=table,
            Key=key,
            UpdateExpression="ADD n :v SET t = :v",
            ExpressionAttributeValues={":v": number},
            ReturnValues="ALL_NEW",
            ReturnValuesOnConditionCheckFailure="ALL_OLD",
            **condition,
        )
    if kind == "get_item":
        return client.get_item(TableName=table, Key=key, ConsistentRead=True)
    if kind == "query":
        return client.query(
            TableName=table,
            KeyConditionExpression="pk = :p",
            ExpressionAttributeValues={":p": key["pk"]},
        )
    if kind == "delete_item":
        return client.delete_item(TableName=table, Key=key, ReturnValues="ALL_OLD")
    return client.get_item(TableName=f"{table}-missing", Key=key)


def _answer(client: Any, table: str, request: tuple[str, dict[str, Any], Any]) -> Any:
    try:
        answer: Any = _call(client, table, request)
        answer.pop("ResponseMetadata", None)
        if "ConsumedCapacity" in answer:  # names the table: the twins differ only there
            answer["ConsumedCapacity"]["TableName"] = "<table>"
        return answer
    except client.exceptions.ClientError as exc:
        error = exc.response["Error"]
        return (error["Code"], error["Message"].replace(table, "<table>"), exc.response.get("Item"))


def _contents(client: Any, table: str) -> list[Any]:
    items = client.scan(TableName=table, ConsistentRead=True)["Items"]
    return sorted(items, key=lambda item: item["pk"]["S"])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(requests, min_size=1, max_size=8))
def test_unsigned_requests_get_the_answers_errors_and_items_signed_ones_get(
    ddb: Any, sequence: list[tuple[str, dict[str, Any], Any]]
) -> None:
    # Given two empty twin tables
    for table in TABLES:
        for item in ddb.scan(TableName=table)["Items"]:
            ddb.delete_item(TableName=table, Key={"pk": item["pk"], "sk": item["sk"]})
    # When the same requests run signed on one and unsigned on the other
    own = [_answer(ddb, "left", request) for request in sequence]
    with unsigned_requests():
        fast = [_answer(ddb, "right", request) for request in sequence]
    # Then every answer and error, and what is stored, are the same
    assert fast == own
    assert _contents(ddb, "right") == _contents(ddb, "left")


def _headers_of_next_request(client: Any, call: Any) -> dict[str, str]:
    seen: dict[str, str] = {}

    def record(request: Any, **_: Any) -> None:
        seen.update(request.headers)

    client.meta.events.register("before-send", record)
    try:
        call()
    finally:
        client.meta.events.unregister("before-send", record)
    return {name: str(value) for name, value in seen.items()}


def test_an_unsigned_request_has_no_signature_and_signing_returns_on_exit(ddb: Any) -> None:
    def call() -> Any:
        return ddb.get_item(TableName="left", Key={"pk": {"S": "a"}, "sk": {"S": "s"}})

    # Given the lever, When a request is made, Then it carries no signature
    with unsigned_requests():
        assert "Authorization" not in _headers_of_next_request(ddb, call)
        # And a unit sample inside it is signed as a stock request is
        with signed():
            assert "AWS4-HMAC-SHA256" in _headers_of_next_request(ddb, call)["Authorization"]
        assert "Authorization" not in _headers_of_next_request(ddb, call)
    # And after it, requests are signed again
    assert "AWS4-HMAC-SHA256" in _headers_of_next_request(ddb, call)["Authorization"]


def test_moto_resolves_the_same_account_and_region_unsigned(ddb: Any) -> None:
    import boto3

    sts = boto3.client("sts", region_name="us-east-1")
    sqs = boto3.client("sqs", region_name="eu-west-1")
    own = (sts.get_caller_identity()["Account"], sqs.create_queue(QueueName="q")["QueueUrl"])
    with unsigned_requests():
        fast = (sts.get_caller_identity()["Account"], sqs.create_queue(QueueName="q")["QueueUrl"])
    assert fast == own
    assert "eu-west-1" in fast[1]


def test_a_presigned_url_is_still_signed(ddb: Any) -> None:
    import boto3

    s3 = boto3.client("s3", region_name="us-east-1")
    with unsigned_requests():
        url = s3.generate_presigned_url("get_object", Params={"Bucket": "b", "Key": "k"}, ExpiresIn=60)
    assert "X-Amz-Signature=" in url or "Signature=" in url
