"""The simulator's faster moto (civicline.sim.moto_update, civicline.sim.fastmoto) behaves as moto does.

Each example writes the same item to two tables, runs the same generated ``UpdateItem`` (or the same
one-item ``TransactWriteItems``) through boto3 against moto's own code on one table and with the
fast path installed on the other, and compares everything a client sees: the response (ALL_OLD or
ALL_NEW attributes) or the error code and message, and the stored item afterwards.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager, nullcontext
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from civicline.sim.fastmoto import fast_transactions
from civicline.sim.moto_tables import create_keyed_table
from civicline.sim.moto_update import decided, fast_updates, plan

KEY = {"pk": {"S": "p"}, "sk": {"S": "s"}}
#: attribute names: plain ones, a reserved word, the index's key and the table's keys
NAMES = ["a", "b", "c", "d", "e", "f", "tokens", "status", "g", "pk"]
#: the ones moto refuses to update (a reserved word unless named by a placeholder, index and table keys)
GUARDED = ("status", "g", "pk")

numbers = st.sampled_from(["0", "1", "-1", "2.5", "10", "1.50", "100"]).map(lambda n: {"N": n})
strings = st.sampled_from(["", "x", "y", "zz"]).map(lambda s: {"S": s})
string_sets = st.lists(st.sampled_from(["t1", "t2", "t3", "t4"]), min_size=0, max_size=3).map(
    lambda v: {"SS": v}
)
number_sets = st.lists(st.sampled_from(["1", "2", "3"]), min_size=1, max_size=3, unique=True).map(
    lambda v: {"NS": v}
)
lists = st.lists(numbers, max_size=2).map(lambda v: {"L": v})
attribute_values = st.one_of(numbers, numbers, numbers, strings, string_sets, number_sets, lists)
adds = st.one_of(numbers, numbers, string_sets, number_sets, strings)
deletes = st.one_of(string_sets, string_sets, number_sets, numbers)


@st.composite
def items(draw: st.DrawFn) -> dict[str, Any] | None:
    if draw(st.booleans()) and draw(st.booleans()):
        return None
    names = draw(st.lists(st.sampled_from(["a", "b", "c", "d", "e", "tokens", "status"]), unique=True))
    sets = st.one_of(string_sets, number_sets, attribute_values)
    item = {**KEY, **{name: draw(sets if name in ("e", "tokens") else attribute_values) for name in names}}
    # a stored set is never empty (DynamoDB refuses one): drop generated empty sets
    return {k: v for k, v in item.items() if not ("SS" in v and not v["SS"])}


class Expression:
    """A generated update expression with its placeholders."""

    def __init__(self) -> None:
        self.names: dict[str, str] = {}
        self.values: dict[str, Any] = {}
        self.targets: set[str] = set()

    def target(self, draw: st.DrawFn) -> str:
        """Mostly an attribute no other action of the expression updates (moto refuses two)."""
        for _ in range(3 if draw(st.integers(0, 9)) else 0):
            placeholder = self.name(draw)
            resolved = self.names.get(placeholder, placeholder)
            if resolved not in self.targets:
                break
        else:
            placeholder = self.name(draw)
            resolved = self.names.get(placeholder, placeholder)
        self.targets.add(resolved)
        return placeholder

    def name(self, draw: st.DrawFn) -> str:
        common = [n for n in NAMES if n not in GUARDED]
        attribute = draw(st.sampled_from(NAMES if draw(st.integers(0, 9)) == 0 else common))
        if attribute in GUARDED or draw(st.booleans()):
            if draw(st.integers(0, 19)) == 0:
                return "#undefined"
            placeholder = f"#n{len(self.names)}"
            self.names[placeholder] = attribute
            return placeholder
        return attribute

    def value(self, draw: st.DrawFn, values: st.SearchStrategy[Any] = attribute_values) -> str:
        if draw(st.integers(0, 29)) == 0:
            return ":undefined"
        placeholder = f":v{len(self.values)}"
        self.values[placeholder] = draw(values)
        return placeholder

    def operand(self, draw: st.DrawFn) -> str:
        kind = draw(st.sampled_from(["value", "value", "path", "if_not_exists"]))
        if kind == "value":
            return self.value(draw)
        if kind == "path":
            return self.name(draw)
        return f"if_not_exists({self.name(draw)}, {self.value(draw)})"

    def set_action(self, draw: st.DrawFn) -> str:
        target = self.target(draw)
        if draw(st.booleans()):
            return f"{target} = {self.operand(draw)}"
        operator = draw(st.sampled_from(["+", "-"]))
        return f"{target} = {self.operand(draw)} {operator} {self.operand(draw)}"

    def action(self, draw: st.DrawFn, clause: str) -> str:
        if clause == "SET":
            return self.set_action(draw)
        if clause == "REMOVE":
            return self.target(draw)
        kind = adds if clause == "ADD" else deletes
        return f"{self.target(draw)} {self.value(draw, kind)}"


@st.composite
def updates(draw: st.DrawFn) -> dict[str, Any]:
    expression = Expression()
    clauses = draw(st.permutations(["SET", "ADD", "DELETE", "REMOVE"]))[: draw(st.integers(1, 3))]
    if draw(st.integers(0, 9)) == 0:
        clauses.append(clauses[0])  # a clause twice: moto refuses it
    text = " ".join(
        f"{clause} " + ", ".join(expression.action(draw, clause) for _ in range(draw(st.integers(1, 2))))
        for clause in clauses
    )
    request: dict[str, Any] = {"Key": KEY, "UpdateExpression": text}
    condition = draw(
        st.sampled_from([None, None, None, "attribute_exists(a)", "attribute_not_exists(b)", "c = :cv"])
    )
    if condition:
        request["ConditionExpression"] = condition
        if ":cv" in condition:
            expression.values[":cv"] = draw(numbers)
        request["ReturnValuesOnConditionCheckFailure"] = draw(st.sampled_from(["ALL_OLD", "NONE"]))
    if expression.names:
        request["ExpressionAttributeNames"] = expression.names
    if expression.values:
        request["ExpressionAttributeValues"] = expression.values
    request["ReturnValues"] = draw(st.sampled_from(["ALL_NEW", "ALL_OLD", "UPDATED_NEW", "NONE"]))
    return request


@pytest.fixture(scope="module")
def tables() -> Iterator[tuple[Any, str, str]]:
    import boto3
    from moto import mock_aws

    with mock_aws():
        client = boto3.client("dynamodb", region_name="us-east-1")
        names = ("moto-own", "moto-fast")
        for name in names:
            create_keyed_table(
                client,
                name,
                index_on="g",
                StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
            )
        decided.clear()
        yield client, *names
        # and the examples did exercise the fast path, not only moto's own code behind it
        assert decided["fast"] > 40, decided


def _outcome(client: Any, table: str, item: dict[str, Any] | None, call: Any, fast: bool) -> tuple[Any, Any]:
    client.delete_item(TableName=table, Key=KEY)
    if item is not None:
        client.put_item(TableName=table, Item=item)
    context: AbstractContextManager[None] = fast_updates() if fast else nullcontext()
    with context, fast_transactions() if fast else nullcontext():
        try:
            answer: Any = call(table)
            answer.pop("ResponseMetadata", None)
        except client.exceptions.ClientError as exc:
            answer = (exc.response["Error"]["Code"], exc.response["Error"]["Message"])
        except Exception as exc:  # moto itself fails on some requests (an undefined name): the same way
            answer = (type(exc).__name__, str(exc))
    stored = client.get_item(TableName=table, Key=KEY, ConsistentRead=True).get("Item")
    return answer, stored


def _normalised(outcome: tuple[Any, Any]) -> Any:
    """Sets compare as sets (DynamoDB does not order them), everything else exactly."""

    def norm(value: Any) -> Any:
        if isinstance(value, str):
            return value.replace("moto-fast", "TABLE").replace("moto-own", "TABLE")
        if isinstance(value, dict):
            return {k: (sorted(v) if k in ("SS", "NS") else norm(v)) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [norm(v) for v in value]
        return value

    return norm(outcome)


#: found by the property below in a fresh-clone CI run: moto refuses an undefined placeholder even
#: as the fallback of an if_not_exists whose attribute exists; the fast path had answered success
UNDEFINED_FALLBACK = {
    "item": {"pk": {"S": "p"}, "sk": {"S": "s"}, "a": {"N": "0"}},
    "request": {
        "Key": {"pk": {"S": "p"}, "sk": {"S": "s"}},
        "UpdateExpression": "SET a = :v0 + if_not_exists(a, :undefined)",
        "ExpressionAttributeValues": {":v0": {"N": "0"}},
        "ReturnValues": "ALL_NEW",
    },
}


@settings(max_examples=400, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(item=items(), request=updates())
@example(**UNDEFINED_FALLBACK)
def test_the_fast_update_item_answers_and_stores_what_moto_does(
    tables: tuple[Any, str, str], item: dict[str, Any] | None, request: dict[str, Any]
) -> None:
    client, own, fast = tables
    # Given the same item in two tables, When the same UpdateItem runs with moto's code and the fast path
    own_outcome = _outcome(client, own, item, lambda t: client.update_item(TableName=t, **request), False)
    fast_outcome = _outcome(client, fast, item, lambda t: client.update_item(TableName=t, **request), True)
    # Then the client sees the same answer (or error) and the same stored item
    assert _normalised(fast_outcome) == _normalised(own_outcome)


@settings(max_examples=200, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(item=items(), request=updates())
@example(**UNDEFINED_FALLBACK)
def test_the_fast_update_inside_a_transaction_matches_moto(
    tables: tuple[Any, str, str], item: dict[str, Any] | None, request: dict[str, Any]
) -> None:
    client, own, fast = tables
    update = {
        k: v for k, v in request.items() if k not in ("ReturnValues", "ReturnValuesOnConditionCheckFailure")
    }

    def call(table: str) -> Any:
        return client.transact_write_items(TransactItems=[{"Update": {"TableName": table, **update}}])

    # Given the same item, When a one-item transaction updates it with moto's code and the fast paths
    own_outcome = _outcome(client, own, item, call, False)
    fast_outcome = _outcome(client, fast, item, call, True)
    # Then the answer (or the cancellation and its reasons) and the stored item are the same
    assert _normalised(fast_outcome) == _normalised(own_outcome)


def test_the_aggregators_rollup_update_is_in_the_fragment() -> None:
    from functions.adapters.metrics_dynamo import DynamoMetricsStore

    # Given the aggregator's rollup update and the attempt counters' updates
    action = DynamoMetricsStore("m", None)._update_rollup(("Q", "day", "2026-03-02"), {"a": 1, "b": 2})
    from functions.adapters import cases

    expressions = [action["Update"]["UpdateExpression"], cases._RESTART, cases._COUNT]
    # Then the fast path decides them (not moto's quadratic validator)
    assert all(plan(expression) is not None for expression in expressions)
    # And an expression outside the fragment (a nested path) is left to moto
    assert plan("SET a.b = :v") is None
    assert plan("SET a = list_append(a, :v)") is None
