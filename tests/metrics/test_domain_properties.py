"""Many more generated lifecycles through the same aggregation pass, on an in-memory store.

The in-memory store implements the MetricsStore protocol with the same semantics as the DynamoDB
adapter (versioned state puts, rollup ADDs); it lets hypothesis explore hundreds of delivery orders
in seconds. It also injects lost races (ConflictError) to prove the retry path is idempotent.
"""

from __future__ import annotations

import copy
import random
from collections.abc import Sequence

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from functions.adapters.metrics_inputs import from_envelope, from_stream_record
from functions.domain.metrics import Contribution, add_into
from functions.domain.metrics_aggregation import ConflictError, EntityState, aggregate
from tests.metrics.conftest import RULES, envelope, stream_event, table_items
from tests.metrics.lifecycles import BASE, Lifecycle, expected_totals, lifecycles


class MemoryStore:
    def __init__(self, conflict_every: int = 0) -> None:
        self.states: dict[str, EntityState] = {}
        self.rollups: Contribution = {}
        self.commits = 0
        self.conflict_every = conflict_every

    def load(self, keys: Sequence[str]) -> dict[str, EntityState]:
        return {k: copy.deepcopy(self.states[k]) for k in keys if k in self.states}

    def commit(self, states: Sequence[EntityState], rollups: Contribution) -> None:
        self.commits += 1
        if self.conflict_every and self.commits % self.conflict_every == 0:
            raise ConflictError("injected")
        for state in states:
            stored = self.states.get(state.key)
            if (stored.version if stored else 0) != state.version:
                raise ConflictError(state.key)
        for state in states:
            self.states[state.key] = EntityState(state.key, state.facts, state.applied, state.version + 1)
        add_into(self.rollups, rollups)

    def intervals(self) -> dict[tuple[str, str], dict[str, int]]:
        out = {}
        for (queue, grain, period), counters in self.rollups.items():
            kept = {k: v for k, v in counters.items() if v}
            if grain == "15m" and kept:
                out[(queue, period)] = kept
        return out


def run(store: MemoryStore, lives: list[Lifecycle], seed: int, batch: int, noise: bool) -> None:
    rng = random.Random(seed)
    details = [e.detail for life in lives for e in life.events]
    if noise:
        details += rng.sample(details, k=len(details) // 2)
        rng.shuffle(details)
    facts = [t for d in details for t in from_envelope("x", envelope(d)).facts]
    items = table_items(lives) * (2 if noise else 1)
    for record in stream_event(items)["Records"]:
        facts.extend(from_stream_record(record).facts)
    if noise:
        rng.shuffle(facts)
    for start in range(0, len(facts), batch):
        aggregate(facts[start : start + batch], store, RULES, now_ms=0)


@settings(max_examples=100, deadline=None)
@given(
    lives=lifecycles(max_size=10),
    seed=st.integers(0, 2**32 - 1),
    batch=st.sampled_from([1, 2, 7, 10, 100]),
)
def test_any_order_duplicates_and_batching_give_the_hand_computed_rollups(
    lives: list[Lifecycle], seed: int, batch: int
) -> None:
    # Given generated lifecycles delivered shuffled with duplicates, in arbitrary batch sizes
    store = MemoryStore()
    # When aggregated
    run(store, lives, seed, batch, noise=True)
    # Then the rollups equal the hand-computed ones
    assert store.intervals() == expected_totals(lives)


@settings(max_examples=60, deadline=None)
@given(lives=lifecycles(max_size=8), seed=st.integers(0, 2**32 - 1))
def test_lost_races_are_retried_without_double_counting(lives: list[Lifecycle], seed: int) -> None:
    # Given a store where every third commit loses a race
    store = MemoryStore(conflict_every=3)
    # When batches are aggregated (each retried after reloading state)
    run(store, lives, seed, batch=5, noise=True)
    # Then nothing is counted twice or lost
    assert store.intervals() == expected_totals(lives)


def test_a_batch_that_keeps_losing_races_raises_after_its_attempts() -> None:
    # Given a store where every commit loses a race
    store = MemoryStore(conflict_every=1)
    life = Lifecycle("c1", "answered", "general", BASE).build()
    facts = [t for e in life.events for t in from_envelope("x", envelope(e.detail)).facts]
    # When aggregated, Then the conflict surfaces (the handler reports the batch as failed)
    with pytest.raises(ConflictError):
        aggregate(facts, store, RULES, now_ms=0, max_attempts=3)
    assert store.commits == 3
    assert store.rollups == {}
