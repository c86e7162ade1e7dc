"""Property tests: generated contact lifecycles through the real handler logic on moto (few examples:
moto's transactions are slow; tests/metrics/test_domain_properties.py runs many more in memory).

Given any set of caller requests, the rollups equal the hand-computed counters; delivering the same
events shuffled, duplicated (same or new envelope id), in other batch sizes, or without the events
whose content others repeat, gives exactly the same rollups.
"""

from __future__ import annotations

import random
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.metrics.conftest import deliver, envelope, fresh_store, rollups, table_items
from tests.metrics.lifecycles import Lifecycle, expected_totals, lifecycles

PROPERTY = settings(
    max_examples=5,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def ordered(lives: list[Lifecycle]) -> list[dict[str, Any]]:
    return [envelope(e.detail) for life in lives for e in life.events]


@pytest.mark.slow
@PROPERTY
@given(lives=lifecycles(max_size=5))
def test_ordered_delivery_matches_hand_computed_counts(local_aws: Any, lives: list[Lifecycle]) -> None:
    # Given generated lifecycles delivered in order, one SQS batch of 10 at a time
    store = fresh_store(local_aws)
    # When the handler aggregates them
    deliver(store, ordered(lives), table_items(lives))
    # Then every 15-minute rollup (per queue and ALL) equals the hand-computed counters
    assert rollups(store) == expected_totals(lives)


@pytest.mark.slow
@PROPERTY
@given(lives=lifecycles(max_size=5), seed=st.integers(0, 2**32 - 1), batch=st.sampled_from([1, 3, 10]))
def test_shuffled_and_duplicated_delivery_gives_identical_rollups(
    local_aws: Any, lives: list[Lifecycle], seed: int, batch: int
) -> None:
    # Given the same events, duplicated (re-sent with the same id and re-published with a new id)
    # and shuffled, with table records replayed twice, in another batch size
    rng = random.Random(seed)
    envelopes = ordered(lives)
    noisy = envelopes + [dict(e) for e in rng.sample(envelopes, k=len(envelopes) // 2)]
    noisy += [envelope(e["detail"]) for e in rng.sample(envelopes, k=len(envelopes) // 3)]
    rng.shuffle(noisy)
    items = table_items(lives) * 2
    rng.shuffle(items)
    store = fresh_store(local_aws)
    # When they are aggregated
    deliver(store, noisy, items, batch=batch)
    # Then the rollups are exactly the hand-computed ones (those of ordered delivery)
    assert rollups(store) == expected_totals(lives)


@pytest.mark.slow
@PROPERTY
@given(lives=lifecycles(max_size=5), seed=st.integers(0, 2**32 - 1))
def test_missing_redundant_events_change_nothing(local_aws: Any, lives: list[Lifecycle], seed: int) -> None:
    # Given lifecycles where some INITIATED / CONNECTED_TO_SYSTEM / QUEUED / COMPLETED events never arrive
    rng = random.Random(seed)
    kept = [
        envelope(e.detail) for life in lives for e in life.events if not (e.droppable and rng.random() < 0.6)
    ]
    rng.shuffle(kept)
    store = fresh_store(local_aws)
    # When the rest is aggregated
    deliver(store, kept, table_items(lives))
    # Then what the remaining events carry (queueInfo, agentInfo, timestamps) gives the same counts
    assert rollups(store) == expected_totals(lives)


@pytest.mark.slow
@PROPERTY
@given(lives=lifecycles(max_size=5))
def test_day_and_quarter_rollups_sum_the_intervals(local_aws: Any, lives: list[Lifecycle]) -> None:
    # Given aggregated lifecycles
    store = fresh_store(local_aws)
    deliver(store, ordered(lives), table_items(lives))
    intervals = rollups(store, "15m")
    # When days and quarters are read
    for grain in ("day", "quarter"):
        coarse = rollups(store, grain)
        # Then per queue, their counters sum to the intervals' counters
        for queue in {q for q, _ in intervals}:
            want: dict[str, int] = {}
            for (q, _), counters in intervals.items():
                if q == queue:
                    for name, value in counters.items():
                        want[name] = want.get(name, 0) + value
            got: dict[str, int] = {}
            for (q, _), counters in coarse.items():
                if q == queue:
                    for name, value in counters.items():
                        got[name] = got.get(name, 0) + value
            assert got == want
