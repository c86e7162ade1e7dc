"""The aggregator's cheaper steps give exactly what the steps they replaced gave.

* :func:`~functions.domain.metrics_aggregation.transactions` sums in place and counts whether the
  next change fits from that change's own buckets; the reference below copied every sum so far;
* :func:`~schemas.contact_events.camelize` walks objects and lists only, with remembered key names;
  the reference walked every value;
* a rollup update names its key fields without placeholders: on moto the stored item is the one the
  update with a placeholder per name wrote.
"""

from __future__ import annotations

from typing import Any

import boto3
from hypothesis import given, settings
from hypothesis import strategies as st
from moto import mock_aws

from functions.adapters.metrics_dynamo import DynamoMetricsStore
from functions.domain.metrics import Contribution, add_into
from functions.domain.metrics_aggregation import EntityState, transactions
from schemas.contact_events import camel_key, camelize


def reference_transactions(
    changes: list[tuple[EntityState, Contribution]], limit: int
) -> list[tuple[list[EntityState], Contribution]]:
    """The grouping as it was written before: a copy of the sums merged for every change."""
    groups: list[tuple[list[EntityState], Contribution]] = []
    states: list[EntityState] = []
    rollups: Contribution = {}
    for state, change in changes:
        merged = {bucket: dict(counters) for bucket, counters in rollups.items()}
        add_into(merged, change)
        if states and len(states) + 1 + len(merged) > limit:
            groups.append((states, rollups))
            states, merged = [], {}
            add_into(merged, change)
        states.append(state)
        rollups = merged
    if states:
        groups.append((states, rollups))
    return groups


BUCKETS = st.tuples(
    st.sampled_from(["ALL", "general"]), st.sampled_from(["15m", "day"]), st.sampled_from("ab")
)
COUNTERS = st.dictionaries(st.sampled_from(["offered", "answered", "x|y"]), st.integers(-2, 2), min_size=1)
CHANGES = st.lists(st.dictionaries(BUCKETS, COUNTERS, max_size=5), max_size=25)


@settings(max_examples=300, deadline=None)
@given(changes=CHANGES, limit=st.integers(2, 12))
def test_transactions_group_and_sum_as_the_copying_reference(changes: list[Contribution], limit: int) -> None:
    # Given changes whose counters cancel out (sums of zero, buckets all zero), under small limits
    paired = [(EntityState(f"CONTACT#{i}"), change) for i, change in enumerate(changes)]
    # When they are grouped into commits
    got = transactions(paired, limit)
    # Then the commits, their states and their summed rollups are those of the reference
    want = reference_transactions(paired, limit)
    assert [([s.key for s in states], rollups) for states, rollups in got] == [
        ([s.key for s in states], rollups) for states, rollups in want
    ]


def reference_camelize(value: Any) -> Any:
    """The walk as it was written before: every value visited."""
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, item in value.items():
            new = camel_key(str(key))
            out[new] = (
                item
                if new in {"tags", "attributes", "segmentAttributes", "userDefinedAttributes"}
                else (reference_camelize(item))
            )
        return out
    if isinstance(value, list):
        return [reference_camelize(item) for item in value]
    return value


KEYS = st.sampled_from(["AgentInfo", "instanceARN", "queueInfo", "Tags", "attributes", "ID", "x", ""])
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(KEYS | st.text(max_size=6), inner, max_size=4)
    ),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(value=JSON)
def test_camelize_matches_the_full_walk(value: Any) -> None:
    # Given any JSON value (PascalCase keys, ARN suffixes, verbatim maps, lists of objects)
    # When it is re-cased, Then the result is the reference's, and the input is left as it was
    before = repr(value)
    assert camelize(value) == reference_camelize(value)
    assert repr(value) == before


def _old_form(update: dict[str, Any]) -> dict[str, Any]:
    """The same update with a placeholder for every key field, as written before."""
    update = dict(update)
    update["UpdateExpression"] = update["UpdateExpression"].replace(
        "SET queue = :q, grain = :g, period = :p, period_start = if_not_exists(period_start, :s)",
        "SET #q = :q, #g = :g, #p = :p, #s = if_not_exists(#s, :s)",
    )
    update["ExpressionAttributeNames"] = {
        **update["ExpressionAttributeNames"],
        "#q": "queue",
        "#g": "grain",
        "#p": "period",
        "#s": "period_start",
    }
    return update


@mock_aws
def test_rollup_update_stores_the_item_of_the_placeholder_form() -> None:
    # Given two metrics tables, and one rollup item's counters (a name with "|", a negative delta)
    ddb = boto3.client("dynamodb", region_name="us-east-1")
    for name in ("new", "old"):
        ddb.create_table(
            TableName=name,
            KeySchema=[
                {"AttributeName": "pk", "KeyType": "HASH"},
                {"AttributeName": "sk", "KeyType": "RANGE"},
            ],
            AttributeDefinitions=[
                {"AttributeName": "pk", "AttributeType": "S"},
                {"AttributeName": "sk", "AttributeType": "S"},
            ],
            BillingMode="PAY_PER_REQUEST",
        )
    bucket = ("general", "15m", "2026-11-23T14:15:00Z")
    for counters in ({"offered": 2, "ch|VOICE|offered": 2, "answered": 1}, {"offered": -1, "queue_x": 3}):
        # When each table gets the update twice (the item created, then added to), in either form
        new = DynamoMetricsStore("new", ddb)._update_rollup(bucket, counters)["Update"]
        ddb.update_item(**new)
        ddb.update_item(
            **_old_form(DynamoMetricsStore("old", ddb)._update_rollup(bucket, counters)["Update"])
        )
    # Then both tables hold the same item
    key = {"pk": {"S": "ROLLUP#general#15m"}, "sk": {"S": bucket[2]}}
    stored = [ddb.get_item(TableName=name, Key=key)["Item"] for name in ("new", "old")]
    assert stored[0] == stored[1]
    assert stored[0]["offered"] == {"N": "1"} and stored[0]["queue"] == {"S": "general"}


EVENT_FACTS = st.dictionaries(
    st.text(min_size=1, max_size=4),
    st.fixed_dictionaries(
        {
            "kind": st.just("event"),
            "type": st.sampled_from(["QUEUED", "DISCONNECTED"]),
            "contact": st.just("c"),
        },
        optional={
            "queue": st.sampled_from(["a", "b"]),
            "enq": st.integers(0, 3),
            "attrs": st.just({"x": "1"}),
        },
    ),
    max_size=6,
)


@settings(max_examples=200, deadline=None)
@given(facts=EVENT_FACTS)
def test_view_does_not_depend_on_the_order_facts_were_merged_in(facts: dict[str, Any]) -> None:
    from functions.domain.metrics import view

    # Given a contact's facts merged in one order and in the reverse order
    reverse = dict(reversed(list(facts.items())))
    # When each is folded, Then the views are equal, their events in the same order
    assert view("c", facts) == view("c", reverse)


def reference_delta(old: Contribution, new: Contribution) -> Contribution:
    """``new - old`` as it was written before: every name of every bucket subtracted."""
    out: Contribution = {}
    for bucket in set(old) | set(new):
        before, after = old.get(bucket, {}), new.get(bucket, {})
        diff = {n: after.get(n, 0) - before.get(n, 0) for n in set(before) | set(after)}
        diff = {n: d for n, d in diff.items() if d}
        if diff:
            out[bucket] = diff
    return out


@settings(max_examples=300, deadline=None)
@given(
    old=st.dictionaries(BUCKETS, COUNTERS | st.just({}), max_size=4),
    new=st.dictionaries(BUCKETS, COUNTERS, max_size=4),
)
def test_delta_matches_the_full_subtraction(old: Contribution, new: Contribution) -> None:
    from functions.domain.metrics import delta

    # Given two contributions (buckets only old, only new, equal, differing, zero counters)
    # When the delta is taken, Then it is the reference's, with no zero entries
    assert delta(old, new) == reference_delta(old, new)
    assert delta(new, new) == {}
