"""The simulator's CPU hot paths (civicline.sim.hotpaths) leave what a client sees of moto unchanged.

Each property runs the same generated request through boto3 against moto's own code and with one
hot path installed, and compares the answer or the error (code and message) and, for writes, the
stored item: a Query that reads only its partition, and an index Query on the table's items unsorted
(moto_query), attribute values serialized
directly (moto_serialize, also compared byte for byte on moto's serializer), and condition
expressions parsed once per expression (moto_condition: the cache is primed with other values first,
so a stale value would show).
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from civicline.sim.hotpaths import day_collector
from civicline.sim.moto_condition import cached_conditions
from civicline.sim.moto_dispatch import remembered_actions
from civicline.sim.moto_query import partition_queries
from civicline.sim.moto_serialize import direct_attribute_values

SLOW = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# -- attribute values ----------------------------------------------------------------------------
scalars = st.one_of(
    st.sampled_from(["0", "1", "-1", "2.5", "100", "1E+2"]).map(lambda n: {"N": n}),
    st.text(max_size=4).map(lambda s: {"S": s}),
    st.booleans().map(lambda b: {"BOOL": b}),
    st.just({"NULL": True}),
    st.binary(max_size=4).map(lambda b: {"B": b}),
    st.lists(st.sampled_from(["a", "b", "c"]), min_size=1, max_size=3, unique=True).map(lambda v: {"SS": v}),
    st.lists(st.sampled_from(["1", "2", "3"]), min_size=1, max_size=3, unique=True).map(lambda v: {"NS": v}),
    st.lists(st.binary(min_size=1, max_size=2), min_size=1, max_size=2, unique=True).map(lambda v: {"BS": v}),
)
attribute_values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.dictionaries(st.sampled_from(["x", "y", "z"]), inner, max_size=3).map(lambda m: {"M": m}),
        st.lists(inner, max_size=3).map(lambda v: {"L": v}),
    ),
    max_leaves=6,
)
KEY_NAMES = ("pk", "sk")


@pytest.fixture(scope="module")
def ddb() -> Iterator[Any]:
    import boto3
    from moto import mock_aws

    with mock_aws():
        client = boto3.client("dynamodb", region_name="us-east-1")
        client.create_table(
            TableName="ranged",
            KeySchema=[
                {"AttributeName": "pk", "KeyType": "HASH"},
                {"AttributeName": "sk", "KeyType": "RANGE"},
            ],
            AttributeDefinitions=[
                {"AttributeName": "pk", "AttributeType": "S"},
                {"AttributeName": "sk", "AttributeType": "N"},
            ],
            BillingMode="PAY_PER_REQUEST",
        )
        client.create_table(
            TableName="indexed",
            KeySchema=[
                {"AttributeName": "pk", "KeyType": "HASH"},
                {"AttributeName": "sk", "KeyType": "RANGE"},
            ],
            AttributeDefinitions=[
                {"AttributeName": "pk", "AttributeType": "S"},
                {"AttributeName": "sk", "AttributeType": "N"},
                {"AttributeName": "g", "AttributeType": "S"},
                {"AttributeName": "gs", "AttributeType": "S"},
            ],
            GlobalSecondaryIndexes=[
                {
                    "IndexName": "by_g",
                    "KeySchema": [
                        {"AttributeName": "g", "KeyType": "HASH"},
                        {"AttributeName": "gs", "KeyType": "RANGE"},
                    ],
                    "Projection": {"ProjectionType": "ALL"},
                },
                {
                    "IndexName": "by_g_only",
                    "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                    "Projection": {"ProjectionType": "KEYS_ONLY"},
                },
            ],
            BillingMode="PAY_PER_REQUEST",
        )
        client.create_table(
            TableName="plain",
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
        yield client


def _answer(client: Any, call: Callable[[], Any]) -> Any:
    try:
        answer: Any = call()
        answer.pop("ResponseMetadata", None)
        return answer
    except client.exceptions.ClientError as exc:
        return (exc.response["Error"]["Code"], exc.response["Error"]["Message"])
    except Exception as exc:  # moto itself fails on some requests: the same way on both sides
        return (type(exc).__name__, str(exc))


def _both(client: Any, hot_path: Callable[[], AbstractContextManager[None]], call: Callable[[], Any]) -> Any:
    own = _answer(client, call)
    with hot_path():
        fast = _answer(client, call)
    return own, fast


def _clear(client: Any, table: str) -> None:
    for item in client.scan(TableName=table).get("Items", []):
        client.delete_item(TableName=table, Key={k: item[k] for k in KEY_NAMES if k in item})


# -- Query ---------------------------------------------------------------------------------------
rows = st.lists(
    st.tuples(st.sampled_from(["p", "q", "r"]), st.integers(-3, 12), st.integers(0, 5)),
    max_size=25,
    unique_by=lambda row: row[:2],
)


@st.composite
def queries(draw: st.DrawFn) -> dict[str, Any]:
    values: dict[str, Any] = {":p": {"S": draw(st.sampled_from(["p", "q", "r", "s"]))}}
    condition = "pk = :p"
    kind = draw(st.sampled_from([None, "=", "<", "<=", ">", ">=", "BETWEEN", "begins_with"]))
    if kind == "BETWEEN":
        condition += " AND sk BETWEEN :lo AND :hi"
        values[":lo"], values[":hi"] = ({"N": str(draw(st.integers(-3, 12)))} for _ in range(2))
    elif kind == "begins_with":
        condition += " AND begins_with(sk, :lo)"  # a number sort key: moto's own error
        values[":lo"] = {"N": "1"}
    elif kind:
        condition += f" AND sk {kind} :lo"
        values[":lo"] = {"N": str(draw(st.integers(-3, 12)))}
    request: dict[str, Any] = {"KeyConditionExpression": condition, "ExpressionAttributeValues": values}
    if draw(st.booleans()):
        request["FilterExpression"] = "v > :v"
        values[":v"] = {"N": str(draw(st.integers(0, 5)))}
    if draw(st.booleans()):
        request["Limit"] = draw(st.integers(1, 6))
    if draw(st.booleans()):
        request["ScanIndexForward"] = False
    if draw(st.booleans()):
        request["ProjectionExpression"] = draw(st.sampled_from(["sk", "v, pk", "missing"]))
    if draw(st.integers(0, 3)) == 0:
        request["ExclusiveStartKey"] = {"pk": values[":p"], "sk": {"N": str(draw(st.integers(-3, 12)))}}
    if draw(st.integers(0, 5)) == 0:
        request["Select"] = "COUNT"
    return request


@SLOW
@given(stored=rows, request=queries())
def test_a_partition_query_answers_what_moto_answers(
    ddb: Any, stored: list[tuple[str, int, int]], request: dict[str, Any]
) -> None:
    # Given items in several partitions of one table
    _clear(ddb, "ranged")
    for pk, sk, v in stored:
        ddb.put_item(TableName="ranged", Item={"pk": {"S": pk}, "sk": {"N": str(sk)}, "v": {"N": str(v)}})
    # When the same query runs on moto's code and on the one-partition candidates
    own, fast = _both(ddb, partition_queries, lambda: ddb.query(TableName="ranged", **request))
    # Then the page (items, order, counts, last key) or the error is the same
    assert fast == own


@SLOW
@given(pks=st.lists(st.sampled_from(["p", "q", "r"]), unique=True), wanted=st.sampled_from(["p", "q", "s"]))
def test_a_partition_query_on_a_table_without_sort_key_matches_moto(
    ddb: Any, pks: list[str], wanted: str
) -> None:
    # Given a table keyed by partition only
    _clear(ddb, "plain")
    for pk in pks:
        ddb.put_item(TableName="plain", Item={"pk": {"S": pk}, "n": {"N": "1"}})
    request = {"KeyConditionExpression": "pk = :p", "ExpressionAttributeValues": {":p": {"S": wanted}}}
    # When / Then: the same answer on both paths
    own, fast = _both(ddb, partition_queries, lambda: ddb.query(TableName="plain", **request))
    assert fast == own


indexed_rows = st.lists(
    st.tuples(
        st.sampled_from(["p", "q", "r"]),
        st.integers(-3, 12),
        st.one_of(st.none(), st.sampled_from(["DUE", "LEASE"])),
        st.one_of(st.none(), st.sampled_from(["2026-01-01", "2026-01-02", "2026-01-03"])),
    ),
    max_size=25,
    unique_by=lambda row: row[:2],
)


@st.composite
def index_queries(draw: st.DrawFn) -> dict[str, Any]:
    values: dict[str, Any] = {":g": {"S": draw(st.sampled_from(["DUE", "LEASE", "NONE"]))}}
    index = draw(st.sampled_from(["by_g", "by_g_only"]))
    condition = "g = :g"
    if index == "by_g" and draw(st.booleans()):
        condition += f" AND gs {draw(st.sampled_from(['<=', '>', '=']))} :t"
        values[":t"] = {"S": draw(st.sampled_from(["2026-01-01", "2026-01-02", "2026-01-04"]))}
    request: dict[str, Any] = {
        "IndexName": index,
        "KeyConditionExpression": condition,
        "ExpressionAttributeValues": values,
    }
    if draw(st.booleans()):
        request["Limit"] = draw(st.integers(1, 6))
    if draw(st.booleans()):
        request["ScanIndexForward"] = False
    return request


@SLOW
@given(stored=indexed_rows, request=index_queries())
def test_an_index_query_on_unsorted_items_answers_what_moto_answers(
    ddb: Any, stored: list[tuple[str, int, str | None, str | None]], request: dict[str, Any]
) -> None:
    # Given items in several partitions, some in the index (both index keys), some not
    _clear(ddb, "indexed")
    for pk, sk, g, gs in stored:
        item = {"pk": {"S": pk}, "sk": {"N": str(sk)}}
        item |= {"g": {"S": g}} if g else {}
        item |= {"gs": {"S": gs}} if gs else {}
        ddb.put_item(TableName="indexed", Item=item)
    # When the same index query runs on moto's code and on the table's items unsorted
    own, fast = _both(ddb, partition_queries, lambda: ddb.query(TableName="indexed", **request))
    # Then the page (items, order, counts, last key) is the same
    assert fast == own


# -- serialized attribute values -----------------------------------------------------------------
@SLOW
@given(attributes=st.dictionaries(st.sampled_from(["a", "b", "c"]), attribute_values, max_size=3))
def test_directly_serialized_items_read_back_as_moto_serializes_them(
    ddb: Any, attributes: dict[str, Any]
) -> None:
    # Given an item of generated attribute values (binary, sets, nested maps and lists)
    item = {"pk": {"S": "p"}, "sk": {"N": "1"}, **attributes}
    ddb.put_item(TableName="ranged", Item=item)
    key = {"pk": {"S": "p"}, "sk": {"N": "1"}}
    # When it is read by GetItem and Query on moto's serializer and on the direct build
    for call in (
        lambda: ddb.get_item(TableName="ranged", Key=key),
        lambda: ddb.query(
            TableName="ranged", KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": {"S": "p"}}
        ),
    ):
        own, fast = _both(ddb, direct_attribute_values, call)
        # Then the client reads the same
        assert fast == own


odd_values = st.one_of(
    attribute_values,
    st.none(),
    st.just({}),
    st.just({"S": None, "N": "1"}),
    st.just({"S": 5}),
    st.just({"Q": "x"}),
    st.just({"ListAttributeValue": [], "L": []}),
    st.just({"M": {"": {"S": "merged"}}}),
    st.just({"L": [None, {"N": "1"}]}),
    st.just({"M": {"k": None}}),
    st.just("not a dict"),
)


@settings(max_examples=300, deadline=None)
@given(
    item=st.dictionaries(st.sampled_from(["a", "b", ""]), odd_values, max_size=3),
    operation=st.sampled_from(["GetItem", "Query", "UpdateItem"]),
)
def test_the_direct_build_writes_the_bytes_moto_writes(item: dict[str, Any], operation: str) -> None:
    from moto.core.serialize import XFormedAttributePicker, get_serializer_class
    from moto.core.utils import get_service_model

    # Given moto's own JSON serializer of a DynamoDB response, and odd values moto must decide itself
    model = get_service_model("dynamodb")
    result = (
        {"Items": [item, item], "Count": 2} if operation == "Query" else {"Item": item, "Attributes": item}
    )

    def body() -> Any:
        serializer = get_serializer_class("dynamodb", "json")(
            operation_model=model.operation_model(operation),
            pretty_print=False,
            value_picker=XFormedAttributePicker(response_transformers=None),
        )
        try:
            return serializer.serialize(result)["body"]
        except Exception as exc:  # moto's serializer fails on some values: the same way on both sides
            return (type(exc).__name__, str(exc))

    # When the same result is serialized with and without the direct build
    own = body()
    with direct_attribute_values():
        fast = body()
    # Then the bytes are the same
    assert fast == own


# -- condition expressions -----------------------------------------------------------------------
class Condition:
    """A generated condition expression with its placeholders."""

    def __init__(self, draw: st.DrawFn) -> None:
        self.draw = draw
        self.names: dict[str, str] = {}
        self.used_values: list[str] = []

    def path(self) -> str:
        name = self.draw(st.sampled_from(["a", "b", "m.x", "l[0]", "status", "#n", "#undefined", "c"]))
        if name == "#n":
            self.names["#n"] = self.draw(st.sampled_from(["a", "b", "status"]))
        return name

    def value(self) -> str:
        placeholder = self.draw(st.sampled_from([":v0", ":v1", ":v2", ":undefined"]))
        self.used_values.append(placeholder)
        return placeholder

    def operand(self) -> str:
        kind = self.draw(st.sampled_from(["path", "value", "value", "size"]))
        if kind == "size":
            return f"size({self.path()})"
        return self.path() if kind == "path" else self.value()

    def condition(self, depth: int = 0) -> str:
        kinds = ["compare", "function", "between", "in"] + (
            ["and", "or", "not", "paren"] if depth < 2 else []
        )
        kind = self.draw(st.sampled_from(kinds))
        if kind == "compare":
            operator = self.draw(st.sampled_from(["=", "<>", "<", "<=", ">", ">="]))
            return f"{self.operand()} {operator} {self.operand()}"
        if kind == "function":
            function = self.draw(
                st.sampled_from(
                    ["attribute_exists", "attribute_not_exists", "attribute_type", "begins_with", "contains"]
                )
            )
            if function.startswith("attribute_") and function != "attribute_type":
                return f"{function}({self.path()})"
            return f"{function}({self.path()}, {self.value()})"
        if kind == "between":
            return f"{self.operand()} BETWEEN {self.value()} AND {self.value()}"
        if kind == "in":
            return f"{self.operand()} IN ({self.value()}, {self.value()})"
        if kind == "not":
            return f"NOT {self.condition(depth + 1)}"
        if kind == "paren":
            return f"({self.condition(depth + 1)})"
        joiner = " AND " if kind == "and" else " OR "
        return self.condition(depth + 1) + joiner + self.condition(depth + 1)


condition_values = st.one_of(
    st.sampled_from(["0", "1", "5"]).map(lambda n: {"N": n}),
    st.sampled_from(["", "a", "ab", "S", "N", "SS", "M"]).map(lambda s: {"S": s}),
    st.just({"SS": ["a", "b"]}),
)


@st.composite
def conditional_puts(draw: st.DrawFn) -> tuple[dict[str, Any], dict[str, Any]]:
    """A conditional PutItem and, for priming the cache, the same expression with other values."""
    condition = Condition(draw)
    text = condition.condition()
    if draw(st.integers(0, 19)) == 0:
        text += draw(st.sampled_from([" AND", " )", " ((", " = = :v0"]))
    wanted = set(condition.used_values) - {":undefined"}
    spare = draw(st.booleans()) and draw(st.booleans())  # an unused value: moto's own refusal

    def values() -> dict[str, Any]:
        return {name: draw(condition_values) for name in sorted(wanted | ({":spare"} if spare else set()))}

    request: dict[str, Any] = {
        "Item": {"pk": {"S": "c"}, "sk": {"N": "1"}, "written": {"S": "yes"}},
        "ConditionExpression": text,
        "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
    }
    if condition.names:
        request["ExpressionAttributeNames"] = condition.names
    primed, final = dict(request), dict(request)
    if wanted or spare:
        primed["ExpressionAttributeValues"], final["ExpressionAttributeValues"] = values(), values()
    return primed, final


stored_items = st.fixed_dictionaries(
    {},
    optional={
        "a": condition_values,
        "b": condition_values,
        "c": condition_values,
        "status": condition_values,
        "m": st.just({"M": {"x": {"N": "1"}}}),
        "l": st.just({"L": [{"S": "a"}]}),
    },
)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(stored=st.one_of(st.none(), stored_items), puts=conditional_puts())
def test_a_cached_condition_decides_what_moto_decides(
    ddb: Any, stored: dict[str, Any] | None, puts: tuple[dict[str, Any], dict[str, Any]]
) -> None:
    primed, final = puts
    key = {"pk": {"S": "c"}, "sk": {"N": "1"}}

    def reset() -> None:
        ddb.delete_item(TableName="ranged", Key=key)
        if stored is not None:
            ddb.put_item(TableName="ranged", Item={**key, **stored})

    def put(request: dict[str, Any]) -> tuple[Any, Any]:
        reset()
        answer = _answer(ddb, lambda: ddb.put_item(TableName="ranged", **request))
        return answer, ddb.get_item(TableName="ranged", Key=key).get("Item")

    # Given a stored item (or none), When moto's own parse decides the conditional write
    own = put(final)
    # and the cached parse decides it after the same expression was cached with other values
    with cached_conditions():
        put(primed)
        fast = put(final)
    # Then the answer (or the error) and the stored item are the same
    assert fast == own


# -- the collector and the installation ----------------------------------------------------------
def test_the_day_collector_still_collects_cycles_and_restores_the_collector() -> None:
    import weakref

    class Node:
        pass

    before = (gc.get_threshold(), gc.get_freeze_count(), gc.isenabled())
    with day_collector():
        # Given a reference cycle made while a day runs
        first, second = Node(), Node()
        first.other, second.other = second, first  # type: ignore[attr-defined]
        gone = weakref.ref(first)
        del first, second
        # When the collector runs, Then the cycle is freed (frozen objects are only the older ones)
        gc.collect()
        assert gone() is None
        assert gc.get_threshold()[0] > before[0][0]
    # And afterwards the thresholds and the frozen set are as they were
    assert (gc.get_threshold(), gc.get_freeze_count(), gc.isenabled()) == before


def test_the_hot_paths_leave_moto_as_it_was() -> None:
    import moto.core.responses as responses
    from moto.core.serialize import BaseJSONSerializer
    from moto.dynamodb.comparisons import ConditionExpressionParser
    from moto.dynamodb.models.table import Table

    from civicline.sim.fastmoto import fast_transactions

    def installed() -> tuple[Any, ...]:
        return (
            responses.method_names_from_class,  # type: ignore[attr-defined]
            Table.query,
            BaseJSONSerializer._serialize_type_structure,
            BaseJSONSerializer._serialize_type_map,
            ConditionExpressionParser.parse,
        )

    # Given moto's own methods
    before = installed()
    # When the simulator's hot paths are installed, they replace them, and when removed
    with fast_transactions():
        assert all(now is not then for now, then in zip(installed(), before, strict=True))
    # Then moto is exactly as it was
    assert installed() == before


def test_a_handler_class_lists_the_actions_moto_lists() -> None:
    from moto.core.utils import method_names_from_class
    from moto.dynamodb.responses import DynamoHandler

    from civicline.sim.moto_dispatch import _method_names, remembered_actions

    # Given moto's own list of the DynamoDB handler's actions
    own = method_names_from_class(DynamoHandler)
    with remembered_actions():
        # When it is asked for twice with the list remembered, Then it is moto's list both times
        assert _method_names(DynamoHandler) == own
        assert _method_names(DynamoHandler) == own
        assert "get_item" in own


def test_nested_installation_is_a_no_op() -> None:
    from moto.dynamodb.models.table import Table

    # Given the hot paths installed twice, nested
    with partition_queries():
        inner = Table.query
        with partition_queries(), direct_attribute_values(), cached_conditions(), remembered_actions():
            assert Table.query is inner
        # Then leaving the inner use keeps the outer one installed
        assert Table.query is inner
