"""Items at rest (civicline.sim.cold_items) answer every request exactly as moto's own items do.

Two tables on the same moto: one as moto keeps it, one whose items are packed at rest before every
request (watched, then packed: what two sweeps of the day runner do to an untouched item). The same
generated requests (GetItem, Query with filters, Scan, conditional PutItem/DeleteItem, UpdateItem with
every ReturnValues and conditions that hold or fail) must give the same answers and the same errors,
and leave the same stored items.
"""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from civicline.sim.cold_items import packed_class, rest_cold_items, resting_ttl, watched_class
from civicline.sim.moto_tables import create_keyed_table

PLAIN, RESTING = "cold-moto", "cold-rest"
NAMES = ("a", "b", "n", "l", "expires_at")
PKS = ("p1", "p2")
SKS = ("s1", "s2", "s3")

SCALARS = st.one_of(
    st.text(max_size=12).map(lambda s: {"S": s}),
    st.integers(-(10**6), 10**6).map(lambda n: {"N": str(n)}),
    st.binary(min_size=1, max_size=6).map(lambda b: {"B": b}),
    st.booleans().map(lambda b: {"BOOL": b}),
    st.just({"NULL": True}),
    st.lists(st.text(min_size=1, max_size=5), min_size=1, max_size=3, unique=True).map(lambda v: {"SS": v}),
    st.lists(st.integers(0, 99).map(str), min_size=1, max_size=3, unique=True).map(lambda v: {"NS": v}),
    st.lists(st.binary(min_size=1, max_size=3), min_size=1, max_size=2, unique=True).map(lambda v: {"BS": v}),
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3).map(lambda v: {"L": v}),
        st.dictionaries(st.sampled_from(NAMES), inner, max_size=3).map(lambda m: {"M": m}),
    ),
    max_leaves=6,
)
ATTRS = st.dictionaries(st.sampled_from(NAMES), VALUES, max_size=4)
KEYS = st.tuples(st.sampled_from(PKS), st.sampled_from(SKS))
CONDITIONS = st.sampled_from(
    [None, "attribute_exists(#a)", "attribute_not_exists(#a)", "#a = :v", "size(#a) > :one", "#n < :v"]
)
UPDATES = st.sampled_from(
    [
        "SET #a = :v",
        "SET #a = if_not_exists(#a, :v)",
        "ADD #n :one",
        "REMOVE #a",
        "SET #l = list_append(if_not_exists(#l, :empty), :lv)",
        "SET #a = :v REMOVE #n",
    ]
)
FILTERS = st.sampled_from([None, "attribute_exists(#a)", "#n > :v"])
RETURNS = st.sampled_from(["NONE", "ALL_OLD", "ALL_NEW", "UPDATED_OLD", "UPDATED_NEW"])
OPERATIONS = st.one_of(
    st.tuples(st.just("get"), KEYS),
    st.tuples(st.just("query"), st.sampled_from(PKS), FILTERS),
    st.tuples(st.just("scan"), st.sampled_from([None, "attribute_not_exists(#a)", "contains(#a, :s)"])),
    st.tuples(st.just("put"), KEYS, ATTRS, CONDITIONS),
    st.tuples(st.just("delete"), KEYS, CONDITIONS, st.sampled_from(["NONE", "ALL_OLD"])),
    st.tuples(st.just("update"), KEYS, UPDATES, CONDITIONS, RETURNS, VALUES),
)


@pytest.fixture
def tables(local_aws: Any) -> Any:
    from functions.core.aws import client

    ddb = client("dynamodb")
    for name in (PLAIN, RESTING):
        create_keyed_table(ddb, name)
    return ddb


def _moto_table(name: str) -> Any:
    from moto.backends import get_backend

    return get_backend("dynamodb")["123456789012"]["us-east-1"].tables[name]


def _names(expression: str | None) -> dict[str, str]:
    return {f"#{n}": n for n in ("a", "n", "l") if expression and f"#{n}" in expression}


def _values(expression: str | None, value: Any) -> dict[str, Any]:
    every = {":v": value, ":one": {"N": "1"}, ":empty": {"L": []}, ":lv": {"L": [value]}, ":s": {"S": "x"}}
    return {k: v for k, v in every.items() if expression and k in expression}


def _expressions(request: dict[str, Any], value: Any, **expressions: str | None) -> dict[str, Any]:
    text = " ".join(e for e in expressions.values() if e)
    request.update({k: e for k, e in expressions.items() if e})
    if _names(text):
        request["ExpressionAttributeNames"] = _names(text)
    if _values(text, value):
        request["ExpressionAttributeValues"] = _values(text, value)
    return request


def _request(table: str, operation: tuple[Any, ...]) -> tuple[str, dict[str, Any]]:
    kind = operation[0]
    if kind in ("get", "put", "delete", "update"):
        pk, sk = operation[1]
        key = {"pk": {"S": pk}, "sk": {"S": sk}}
    if kind == "get":
        return "get_item", {"TableName": table, "Key": key}
    if kind == "query":
        request = {"TableName": table, "ExpressionAttributeValues": {":p": {"S": operation[1]}}}
        request = _expressions(request, {"N": "0"}, FilterExpression=operation[2])
        request["ExpressionAttributeValues"][":p"] = {"S": operation[1]}
        request["KeyConditionExpression"] = "pk = :p"
        return "query", request
    if kind == "scan":
        return "scan", _expressions({"TableName": table}, {"N": "0"}, FilterExpression=operation[1])
    if kind == "put":
        request = {"TableName": table, "Item": {**operation[2], **key}, "ReturnValues": "ALL_OLD"}
        return "put_item", _expressions(request, {"N": "3"}, ConditionExpression=operation[3])
    if kind == "delete":
        request = {"TableName": table, "Key": key, "ReturnValues": operation[3]}
        return "delete_item", _expressions(request, {"N": "3"}, ConditionExpression=operation[2])
    _, _, update, condition, returns, value = operation
    request = {"TableName": table, "Key": key, "ReturnValues": returns}
    return "update_item", _expressions(request, value, UpdateExpression=update, ConditionExpression=condition)


def _answer(ddb: Any, table: str, operation: tuple[Any, ...]) -> Any:
    method, request = _request(table, operation)
    try:
        answer = getattr(ddb, method)(**request)
    except ClientError as error:
        return ("error", error.response["Error"]["Code"], error.response["Error"]["Message"])
    except (TypeError, ValueError) as error:  # moto's own failures (a map against a number...)
        return ("raised", str(error))
    answer.pop("ResponseMetadata", None)
    answer.pop("ConsumedCapacity", None)  # names the table
    return answer


def _rest_everything(table: Any) -> None:
    rest_cold_items([table])  # watched
    rest_cold_items([table])  # untouched for a sweep: packed


def _stored(table: Any) -> list[Any]:
    return [(i.hash_key, i.range_key, dict(i.attrs)) for i in table.all_items()]


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    items=st.lists(st.tuples(KEYS, ATTRS), max_size=5),
    operations=st.lists(OPERATIONS, min_size=1, max_size=8),
)
@example(
    items=[(("p1", "s1"), {"a": {"S": "x"}, "n": {"N": "2"}, "expires_at": {"N": "5"}})],
    operations=[("update", ("p1", "s1"), "ADD #n :one", "#n < :v", "UPDATED_NEW", {"N": "9"})],
)
def test_a_resting_item_answers_every_request_exactly_as_motos(
    tables: Any, items: list[Any], operations: list[Any]
) -> None:
    plain, resting = _moto_table(PLAIN), _moto_table(RESTING)
    # Given the same items in both tables, one of them packed at rest
    for name in (PLAIN, RESTING):
        for (pk, sk), attrs in items:
            tables.put_item(TableName=name, Item={**attrs, "pk": {"S": pk}, "sk": {"S": sk}})
    for operation in operations:
        _rest_everything(resting)
        assert all(type(i) is packed_class() for i in resting.all_items())
        # And the time to live the TTL sweep reads is the one stored
        assert [resting_ttl(i) for i in resting.all_items()] == [resting_ttl(i) for i in plain.all_items()]
        # When the same request is made of both
        expected = _answer(tables, PLAIN, operation)
        got = _answer(tables, RESTING, operation)
        # Then the answers (or the errors) are moto's own
        assert got == expected, operation
    # And the tables hold the same items, attribute for attribute, in the same order
    assert _stored(resting) == _stored(plain)
    assert [list(a) for *_, a in _stored(resting)] == [list(a) for *_, a in _stored(plain)]


def test_a_touched_item_is_not_packed_and_a_read_one_is_plain_again(tables: Any) -> None:
    from moto.dynamodb.models.dynamo_type import Item

    table = _moto_table(RESTING)
    for sk in SKS:
        tables.put_item(TableName=RESTING, Item={"pk": {"S": "p1"}, "sk": {"S": sk}, "a": {"S": "x" * 100}})
    # Given every item watched at one sweep
    assert rest_cold_items([table]) == (3, 0)
    # When one is read before the next sweep
    tables.get_item(TableName=RESTING, Key={"pk": {"S": "p1"}, "sk": {"S": "s2"}})
    # Then the next sweep packs the two untouched ones and watches the read one again
    assert rest_cold_items([table]) == (1, 2)
    kinds = {str(i.range_key.value): type(i) for i in table.all_items()}
    assert kinds == {"s1": packed_class(), "s2": watched_class(), "s3": packed_class()}
    # And a request that reads a packed item makes it a plain moto Item with the same attributes
    answer = tables.get_item(TableName=RESTING, Key={"pk": {"S": "p1"}, "sk": {"S": "s1"}})
    assert answer["Item"]["a"] == {"S": "x" * 100}
    assert type(table.get_item(*_key("p1", "s1"))) is Item


def _key(pk: str, sk: str) -> tuple[Any, Any]:
    from moto.dynamodb.models.dynamo_type import DynamoType

    return DynamoType({"S": pk}), DynamoType({"S": sk})


def test_the_ttl_sweep_deletes_a_resting_expired_item_without_rebuilding_the_others(local_aws: Any) -> None:
    from civicline.sim.moto_retention import expire
    from functions.core.aws import client

    ddb, name = client("dynamodb"), local_aws.table("state")
    table = _moto_table(name)
    # Given two attempt counters at rest, one past its time to live and one not
    for key, expires in (("ATTEMPTS#old", "100"), ("ATTEMPTS#new", "900")):
        item = {"pk": {"S": key}, "sk": {"S": "VERIFY"}, "expires_at": {"N": expires}}
        ddb.put_item(TableName=name, Item=item)
    _rest_everything(table)
    # When DynamoDB's TTL runs at the simulated time 500
    deleted = expire({"state": name}, 500.0)
    # Then the expired one is gone and the other is still at rest (its blob was not opened)
    assert deleted == 1
    assert [(str(i.hash_key.value), type(i)) for i in table.all_items()] == [("ATTEMPTS#new", packed_class())]


def test_an_empty_partition_moto_left_behind_is_dropped_and_nothing_reads_differently(tables: Any) -> None:
    table = _moto_table(RESTING)
    tables.put_item(TableName=RESTING, Item={"pk": {"S": "p1"}, "sk": {"S": "s1"}})
    # Given a read of an absent key, which leaves an empty partition in moto's table
    assert "Item" not in tables.get_item(TableName=RESTING, Key={"pk": {"S": "p2"}, "sk": {"S": "s1"}})
    assert len(table.items) == 2
    # When the sweep runs
    rest_cold_items([table])
    # Then the empty partition is gone and the table reads and counts the same
    assert len(table.items) == 1 and len(table) == 1
    assert tables.scan(TableName=RESTING)["Count"] == 1
    query = {"KeyConditionExpression": "pk = :p", "ExpressionAttributeValues": {":p": {"S": "p2"}}}
    assert tables.query(TableName=RESTING, **query)["Items"] == []


def test_a_rewritten_items_keys_become_the_tables_own_key_objects(tables: Any) -> None:
    from moto.dynamodb.models.dynamo_type import DynamoType

    from civicline.sim.cold_items import _same

    table = _moto_table(RESTING)
    key = {"pk": {"S": "p1"}, "sk": {"S": "s1"}}
    tables.put_item(TableName=RESTING, Item={**key, "a": {"S": "x"}})
    # Given an item written again: moto keys it by the first key objects, the new item holds new ones
    tables.put_item(TableName=RESTING, Item={**key, "a": {"S": "y"}})
    [(partition_key, partition)] = table.items.items()
    [(range_key, item)] = partition.items()
    before = (item.hash_key, item.range_key)
    assert before[0] is not partition_key and before[1] is not range_key
    # When the sweep runs
    rest_cold_items([table])
    # Then the item's keys are the table's own objects, equal to what it held
    assert item.hash_key is partition_key and item.range_key is range_key
    assert (item.hash_key, item.range_key) == before
    assert tables.get_item(TableName=RESTING, Key=key)["Item"] == {**key, "a": {"S": "y"}}
    # And a key only equal, not the same (a number written another way), is never taken for it
    assert not _same(DynamoType({"N": "1.0"}), DynamoType({"N": "1"}))
    assert _same(DynamoType({"N": "1"}), DynamoType({"N": "1"}))


def test_a_sweep_passes_over_items_at_rest_and_leaves_them_as_they_were(tables: Any) -> None:
    """Given items at rest after two sweeps (their keys shared with the table's), and one written
    again since, when a third sweep runs, then the resting items are left exactly as they were (the
    same state, the same keys: the sweep skips them) and only the new one is watched."""
    table = _moto_table(RESTING)
    for sk in SKS:
        tables.put_item(TableName=RESTING, Item={"pk": {"S": "p1"}, "sk": {"S": sk}, "a": {"S": sk}})
    rest_cold_items([table])
    assert rest_cold_items([table]) == (0, len(SKS))
    resting = {sk: (item, dict(item.__dict__)) for sk, item in _partition_items(table)}
    tables.put_item(TableName=RESTING, Item={"pk": {"S": "p1"}, "sk": {"S": "s1"}, "a": {"S": "new"}})
    assert rest_cold_items([table]) == (1, 0)
    for sk, item in _partition_items(table):
        if sk == "s1":
            assert type(item) is watched_class()
            continue
        then, state = resting[sk]
        assert item is then and type(item) is packed_class() and item.__dict__ == state
    assert tables.get_item(TableName=RESTING, Key={"pk": {"S": "p1"}, "sk": {"S": "s2"}})["Item"]["a"] == {
        "S": "s2"
    }


def _partition_items(table: Any) -> list[tuple[str, Any]]:
    return [
        (str(range_key.value), item)
        for partition in table.items.values()
        for range_key, item in partition.items()
    ]
