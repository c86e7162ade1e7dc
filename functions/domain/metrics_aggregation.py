"""One aggregation pass over a batch of facts: load entity states, merge, recompute, write deltas.

The storage is behind :class:`MetricsStore` (the DynamoDB adapter in production and in tests under
moto). The pass is safe to repeat: an entity whose merged facts did not change contributes nothing,
and a commit is conditional on the version it loaded, so two concurrent invocations touching the
same contact cannot both apply the same change (the loser reloads and recomputes).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol, TypeVar

from functions.domain.metrics import (
    ALL_QUEUE,
    CALLER_FLOOR,
    Contribution,
    Fact,
    Rules,
    add_into,
    beyond_floor,
    caller_classes,
    caller_entry,
    contact_contribution,
    delta,
    merge_facts,
    prune_callers,
    spread_classes,
    view,
)
from schemas.records import Grain

CONTACT = "CONTACT#"
CALLER = "CALLER#"
#: DynamoDB TransactWriteItems limit
MAX_TRANSACTION_ITEMS = 100
CONTACT_TTL_DAYS = 35
#: most contacts a caller state keeps (older ones are frozen into its floor)
MAX_CALLER_ENTRIES = 128
DAY_MS = 86_400_000

Group = TypeVar("Group")


@dataclass
class EntityState:
    """A contact's (or caller+intent's) facts and the contribution already applied to the rollups."""

    key: str
    facts: dict[str, Fact] = field(default_factory=dict)
    applied: Contribution = field(default_factory=dict)
    version: int = 0
    expires_at: int | None = None


class ConflictError(Exception):
    """A conditional commit lost a race with another invocation (reload and recompute)."""


class MetricsStore(Protocol):
    def load(self, keys: Sequence[str]) -> dict[str, EntityState]:
        """States by key; a key never stored is absent from the result."""

    def commit(self, states: Sequence[EntityState], rollups: Contribution) -> None:
        """Atomically write the states (each conditioned on its loaded version) and ADD the rollup
        deltas; raise :class:`ConflictError` when a version check fails."""


@dataclass
class AggregationReport:
    facts: int = 0
    entities_changed: int = 0
    rollup_updates: int = 0
    transactions: int = 0
    attempts: int = 0
    #: net change of every counter across all queues (one grain only, so nothing is counted thrice):
    #: what the handler publishes as CloudWatch metrics for the dashboard and the LOS alarm
    totals: dict[str, int] = field(default_factory=dict)


def _changed_state(
    old: EntityState | None, key: str, facts: dict[str, Fact], contribution: Contribution, expires_at: int
) -> tuple[EntityState, Contribution] | None:
    previous = old or EntityState(key)
    if old is not None and facts == old.facts:
        return None
    state = EntityState(
        key=key,
        facts=facts,
        applied=contribution,
        version=previous.version,
        expires_at=max(expires_at, previous.expires_at or 0),
    )
    return state, delta(previous.applied, contribution)


def plan(
    new_facts: Iterable[tuple[str, str, Fact]],
    load: Mapping[str, EntityState] | None,
    rules: Rules,
    now_ms: int,
    load_callers: LoadFn | None = None,
) -> list[tuple[EntityState, Contribution]]:
    """Pure planning step (the store is consulted only through ``load``/``load_callers``):
    the entities to write, each with the rollup delta it brings."""
    grouped: dict[str, list[tuple[str, Fact]]] = {}
    for contact_id, key, fact in new_facts:
        grouped.setdefault(CONTACT + contact_id, []).append((key, fact))
    states = dict(load or {})
    changes: list[tuple[EntityState, Contribution]] = []
    callers: dict[str, list[tuple[str, Fact]]] = {}
    for key, incoming in sorted(grouped.items()):
        old = states.get(key)
        facts = merge_facts(old.facts if old else {}, incoming)
        contact_view = view(key.removeprefix(CONTACT), facts)
        entry = caller_entry(contact_view)
        if entry is not None:
            caller_key, caller_fact = entry
            callers.setdefault(CALLER + caller_key, []).append((caller_fact["contact"], caller_fact))
        change = _changed_state(
            old, key, facts, contact_contribution(contact_view, rules), now_ms + CONTACT_TTL_DAYS * DAY_MS
        )
        if change is not None:
            changes.append(change)
    if callers:
        caller_states = load_callers(sorted(callers)) if load_callers else {}
        for key, incoming in sorted(callers.items()):
            change = caller_change(caller_states.get(key), key, incoming, rules, now_ms)
            if change is not None:
                changes.append(change)
    return changes


def caller_change(
    old: EntityState | None, key: str, incoming: list[tuple[str, Fact]], rules: Rules, now_ms: int
) -> tuple[EntityState, Contribution] | None:
    """The caller+intent state after ``incoming`` and its rollup delta, pruned to the contacts whose
    repeat status can still change (:func:`~functions.domain.metrics.prune_callers`): what it
    freezes stays counted in the rollups and leaves the state, so the item stays small forever."""
    previous = old or EntityState(key)
    fresh = [(k, f) for k, f in incoming if beyond_floor(previous.facts, f)]
    facts = merge_facts(previous.facts, fresh)
    if old is not None and facts == old.facts:
        return None
    classes = caller_classes(facts, rules)
    kept, frozen = prune_callers(classes, rules, MAX_CALLER_ENTRIES, CONTACT_TTL_DAYS * DAY_MS)
    stored = {str(entry["contact"]): entry for entry, _ in kept}
    floor = facts.get(CALLER_FLOOR)
    if frozen:
        last = frozen[-1][0]
        floor = {"kind": "caller_floor", "at": last["at"], "contact": last["contact"]}
    if floor is not None:
        stored[CALLER_FLOOR] = floor
    newest = max((int(f["at"]) for f in facts.values()), default=now_ms)
    state = EntityState(
        key=key,
        facts=stored,
        applied=spread_classes(kept, rules),
        version=previous.version,
        expires_at=max(now_ms, newest) + (rules.repeat_window_days + CONTACT_TTL_DAYS) * DAY_MS,
    )
    return state, delta(previous.applied, spread_classes(classes, rules))


class LoadFn(Protocol):
    def __call__(self, keys: Sequence[str]) -> dict[str, EntityState]: ...


def transactions(
    changes: Sequence[tuple[EntityState, Contribution]], limit: int = MAX_TRANSACTION_ITEMS
) -> list[tuple[list[EntityState], Contribution]]:
    """Group changes into commits of at most ``limit`` items (states + distinct rollup items), summing
    deltas so that each commit writes one update per touched rollup item. Usually one commit.

    The sums are kept in place; whether the next change still fits is counted from its own buckets
    (:func:`_merged_size`), not from a copy of every bucket summed so far."""
    groups: list[tuple[list[EntityState], Contribution]] = []
    states: list[EntityState] = []
    rollups: Contribution = {}
    for state, change in changes:
        if states and len(states) + 1 + _merged_size(rollups, change) > limit:
            groups.append((states, rollups))
            states, rollups = [], {}
        add_into(rollups, change)
        states.append(state)
    if states:
        groups.append((states, rollups))
    return groups


def _merged_size(total: Contribution, part: Contribution) -> int:
    """``len(total)`` after ``add_into(total, part)``, without changing ``total``: a new bucket
    counts unless all its counters are zero, a bucket the part brings to all zeros is dropped."""
    size = len(total)
    for bucket, counters in part.items():
        current = total.get(bucket)
        if current is None:
            size += any(counters.values())
        elif not any(current.get(n, 0) + counters.get(n, 0) for n in current.keys() | counters.keys()):
            size -= 1
    return size


def aggregate(
    new_facts: Sequence[tuple[str, str, Fact]],
    store: MetricsStore,
    rules: Rules,
    now_ms: int,
    max_attempts: int = 4,
) -> AggregationReport:
    """Merge ``(contact id, fact key, fact)`` triples into the store and apply the rollup deltas.

    Retries on a lost race by reloading; once every commit succeeded, running it again is a no-op.
    Raises :class:`ConflictError` after ``max_attempts`` (the caller fails the batch: it is retried,
    then dead-lettered, never silently dropped).
    """
    report = AggregationReport(facts=len(new_facts))
    keys = sorted({CONTACT + contact_id for contact_id, _, _ in new_facts})
    for attempt in range(1, max_attempts + 1):
        report.attempts = attempt
        try:
            changes = plan(new_facts, store.load(keys), rules, now_ms, load_callers=store.load)
            for states, rollups in transactions(changes):
                store.commit(states, rollups)
                report.transactions += 1
                report.rollup_updates += len(rollups)
                report.entities_changed += len(states)
                for (queue, grain, _period), counters in rollups.items():
                    if queue == ALL_QUEUE and grain == Grain.INTERVAL.value:
                        for name, value in counters.items():
                            report.totals[name] = report.totals.get(name, 0) + value
            return report
        except ConflictError:
            if attempt == max_attempts:
                raise
    return report


def merge_reports(reports: Iterable[AggregationReport]) -> AggregationReport:
    """The sum of several passes' reports (the handler runs one per isolated group of records)."""
    out = AggregationReport()
    for report in reports:
        out.facts += report.facts
        out.entities_changed += report.entities_changed
        out.rollup_updates += report.rollup_updates
        out.transactions += report.transactions
        out.attempts = max(out.attempts, report.attempts)
        for name, value in report.totals.items():
            out.totals[name] = out.totals.get(name, 0) + value
    return out


def isolate_failures(
    groups: Sequence[Group],
    run: Callable[[Sequence[Group]], AggregationReport],
    batch_wide: Callable[[Exception], bool],
) -> tuple[list[Group], list[AggregationReport], Exception | None]:
    """Run ``groups`` (one per delivered record) together; when that fails, bisect so that only the
    records that fail on their own are reported (``(failed, reports, last error)``).

    Why bisect rather than give up: one record DynamoDB always refuses (a key over its size limit,
    an item over 400 KB) would otherwise fail every batch-mate on every redelivery until all of them
    reach the dead-letter queue. Why not bisect every error: a throttled or missing table fails every
    record alike, and splitting would only multiply the failing calls, so such an error
    (``batch_wide``) fails the whole remaining group at once. Re-running a group that had partly
    committed is harmless: aggregation is idempotent (functions.domain.metrics).
    """
    try:
        return [], [run(groups)], None
    except Exception as exc:
        if len(groups) == 1 or batch_wide(exc):
            return list(groups), [], exc
    middle = len(groups) // 2
    failed_a, reports_a, error_a = isolate_failures(groups[:middle], run, batch_wide)
    failed_b, reports_b, error_b = isolate_failures(groups[middle:], run, batch_wide)
    return failed_a + failed_b, reports_a + reports_b, error_b or error_a
