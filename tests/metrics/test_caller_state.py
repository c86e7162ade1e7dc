"""The per-caller state behind repeat-contact FCR stays bounded, and the FCR figures stay exact.

Issue 13 item 9: the ``CALLER#<callerKey>#<intent>`` state kept one fact and one applied
contribution per contact forever, passing DynamoDB's 400 KB item limit at about 1,600 contacts,
after which every batch holding that caller failed. It now keeps only the contacts whose repeat
status can still change (the repeat window plus the 35 days an event may still arrive, at most
``MAX_CALLER_ENTRIES``) and a floor for the rest.
"""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from functions.adapters.metrics_dynamo import DynamoMetricsStore
from functions.domain.metrics import Rules
from functions.domain.metrics_aggregation import CALLER, MAX_CALLER_ENTRIES, aggregate
from functions.handlers.contact_events import process
from tests.metrics.conftest import envelope, fresh_store, rollups, sqs_event
from tests.metrics.lifecycles import INSTANCE, slot, ts
from tests.metrics.test_domain_properties import MemoryStore

START = datetime(2026, 1, 5, 14, 0, tzinfo=UTC)
LIMIT = 400 * 1024


def call(contact_id: str, at: datetime, caller: str = "k1", intent: str = "STATUS") -> dict[str, Any]:
    """One self-service INBOUND call of ``caller`` as its DISCONNECTED event (all the FCR needs)."""
    return {
        "eventType": "DISCONNECTED",
        "contactId": contact_id,
        "initiationMethod": "INBOUND",
        "channel": "VOICE",
        "instanceArn": INSTANCE,
        "initiationTimestamp": ts(at),
        "disconnectTimestamp": ts(at + timedelta(minutes=2)),
        "disconnectReason": "CONTACT_FLOW_DISCONNECT",
        "attributes": {"callerKey": caller, "intent": intent},
    }


def expected_fcr(calls: list[tuple[str, datetime, str]], window_days: int) -> dict[tuple[str, str], int]:
    """By hand: per (counter, ALL 15-minute slot), first vs repeat contacts of each caller."""
    out: dict[tuple[str, str], int] = {}
    last: dict[str, datetime] = {}
    for _contact, at, caller in sorted(calls, key=lambda c: (c[1], c[0])):
        previous = last.get(caller)
        repeat = previous is not None and at - previous <= timedelta(days=window_days)
        key = ("repeat_contacts" if repeat else "first_contacts", slot(at))
        out[key] = out.get(key, 0) + 1
        last[caller] = at
    return out


def fcr_of(intervals: dict[tuple[str, str], dict[str, int]]) -> dict[tuple[str, str], int]:
    return {
        (name, period): value
        for (queue, period), counters in intervals.items()
        if queue == "ALL"
        for name, value in counters.items()
        if name in ("first_contacts", "repeat_contacts") and value
    }


def sequential_store(local_aws: Any, rules: Rules) -> DynamoMetricsStore:
    """A fresh metrics table written with sequential conditional writes (moto's transactions copy
    the whole table per action, too slow for thousands of contacts; the items are the same)."""
    store = fresh_store(local_aws)
    return DynamoMetricsStore(store.table, store.client, rules, transactional=False)


def item_bytes(store: Any, key: str) -> int:
    """The stored item's size as DynamoDB counts it (attribute names plus values)."""
    item = store.client.get_item(TableName=store.table, Key={"pk": {"S": key}, "sk": {"S": "STATE"}})["Item"]
    return sum(len(name) + len(json.dumps(value)) for name, value in item.items())


def stored_item_bytes(state: Any) -> int:
    """The size of the item the DynamoDB adapter writes for ``state`` (attribute names plus values)."""
    item = DynamoMetricsStore("metrics", None)._put_state(state)["Put"]["Item"]
    return sum(len(name) + len(json.dumps(value)) for name, value in item.items())


def test_a_caller_with_thousands_of_contacts_stays_far_below_the_item_limit() -> None:
    # Given one caller who phones about the same thing ten times a day for 300 days (3,000 contacts,
    # an accountant's office), delivered day by day through the aggregation pass
    from functions.adapters.metrics_inputs import from_envelope

    rules = Rules(repeat_window_days=7, time_zone="America/New_York")
    store = MemoryStore()
    calls = [(f"c{i:05d}", START + timedelta(days=i // 10, minutes=37 * (i % 10)), "k1") for i in range(3000)]
    sizes = []
    for day in range(0, 3000, 100):
        facts = [
            t
            for cid, at, _ in calls[day : day + 100]
            for t in from_envelope("x", envelope(call(cid, at))).facts
        ]
        # When each batch is aggregated
        aggregate(facts, store, rules, now_ms=0)
        sizes.append(stored_item_bytes(store.states[f"{CALLER}k1#STATUS"]))
    # Then the item the adapter writes for the caller stays bounded, far below DynamoDB's 400 KB
    assert max(sizes) < LIMIT / 10
    assert max(sizes[10:]) < 1.2 * sizes[9]  # no growth once the window is full
    # And repeat-contact FCR is exactly what an unbounded count over every contact gives
    assert fcr_of(store.intervals()) == expected_fcr(calls, 7)


def test_on_moto_a_frequent_caller_is_stored_small_and_counted_exactly(local_aws: Any) -> None:
    # Given a shared line calling every 20 s, past the state's entry cap, delivered to the handler
    rules = Rules(repeat_window_days=7)
    store = sequential_store(local_aws, rules)
    count = MAX_CALLER_ENTRIES + 50
    calls = [(f"b{i:05d}", START + timedelta(seconds=20 * i), "pbx") for i in range(count)]
    for start in range(0, count, 100):
        chunk = calls[start : start + 100]
        response = process(sqs_event([envelope(call(c, at, "pbx")) for c, at, _ in chunk]), store, rules, 0)
        assert response["batchItemFailures"] == []
    # Then the stored state holds at most the cap (plus the floor) and stays small
    key = f"{CALLER}pbx#STATUS"
    item = store.client.get_item(TableName=store.table, Key={"pk": {"S": key}, "sk": {"S": "STATE"}})["Item"]
    assert len(json.loads(item["facts"]["S"])) <= MAX_CALLER_ENTRIES + 1
    assert item_bytes(store, key) < LIMIT / 4
    # And every contact after the first is a repeat
    totals: dict[str, int] = {}
    for (name, _), value in fcr_of(rollups(store)).items():
        totals[name] = totals.get(name, 0) + value
    assert totals == {"first_contacts": 1, "repeat_contacts": count - 1}


@settings(max_examples=80, deadline=None)
@given(
    gaps=st.lists(st.one_of(st.integers(0, 180), st.integers(0, 40 * 60)), min_size=1, max_size=40),
    callers=st.integers(1, 3),
    seed=st.integers(0, 2**32 - 1),
    batch=st.sampled_from([1, 3, 10, 50]),
)
def test_pruned_caller_state_gives_the_unbounded_fcr_in_any_order(
    gaps: list[int], callers: int, seed: int, batch: int
) -> None:
    # Given contacts of a few callers spread over many repeat windows (window 1 day, gaps 0-40 h)
    rng = random.Random(seed)
    calls = []
    at = START
    for i, gap in enumerate(gaps):
        at += timedelta(minutes=gap)
        calls.append((f"p{i:03d}", at, f"k{rng.randrange(callers)}"))
    # delivered late by up to half a window, shuffled within that, with duplicates
    delivery = calls + rng.sample(calls, k=len(calls) // 2)
    delivery.sort(key=lambda c: c[1] + timedelta(hours=rng.uniform(0, 12)))
    rules = Rules(repeat_window_days=1)
    store = MemoryStore()
    # When aggregated in batches
    from functions.adapters.metrics_inputs import from_envelope

    facts = [
        t
        for cid, moment, caller in delivery
        for t in from_envelope("x", envelope(call(cid, moment, caller))).facts
    ]
    for start in range(0, len(facts), batch):
        aggregate(facts[start : start + batch], store, rules, now_ms=0)
    # Then first and repeat contacts are exactly the unbounded hand count
    assert fcr_of(store.intervals()) == expected_fcr(calls, 1)
    # And no caller state holds contacts outside its window plus the floor
    for key, state in store.states.items():
        if key.startswith(CALLER):
            assert len(state.facts) <= MAX_CALLER_ENTRIES + 1
