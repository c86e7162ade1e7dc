"""Where a full-fidelity day's time goes, by phase, measured (``python -m benchmarks.phases CALLS``).

A profiler with little overhead (cProfile inflates moto's deep recursion several times over): a few
entry points are wrapped with timers that charge this process's CPU time (steadier than wall time on
a shared machine) to the innermost running phase, so every second of the day is counted once:

* ``aggregator`` the contact-event handler's own code (parsing, the domain's fold and plan);
* ``lambda:<name>`` a flow's Lambda handler (its domain logic and adapters);
* ``botocore`` a boto3/botocore call outside moto's backend (serialising, hooks, moto's request
  parsing and response serialising, which a PutItem pays too);
* ``moto:<Operation>`` moto's DynamoDB backend doing the operation;
* ``engine`` the flow engine interpreting the flows (actions, events, pydantic models);
* ``gc`` the garbage collector's passes (``gc.callbacks``), whatever phase they interrupt;
* ``sim`` everything else (the discrete-event kernel, callers and agents, the truth).

``--memory N`` also takes ``N`` tracemalloc snapshots through the day and prints what grew between
the first and the last one, by allocating line (slow: for attributing growth, not for timing).
"""

from __future__ import annotations

import argparse
import functools
import gc
import json
import time
import tracemalloc
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any


class PhaseClock:
    """Exclusive CPU time per phase: entering a phase stops the clock of the one it interrupts."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self.calls: Counter[str] = Counter()
        self._stack = ["sim"]
        self._since = time.process_time()

    def _switch(self) -> None:
        now = time.process_time()
        top = self._stack[-1]
        self.seconds[top] = self.seconds.get(top, 0.0) + now - self._since
        self._since = now

    @contextmanager
    def phase(self, name: str) -> Iterator[None]:
        if self._stack[-1] == "floor":  # a unit sample is all the unit's, whatever it calls
            yield
            return
        self._switch()
        self._stack.append(name)
        self.calls[name] += 1
        try:
            yield
        finally:
            self._switch()
            self._stack.pop()

    def wrap(self, owner: Any, attribute: str, name: str | Callable[..., str]) -> Callable[[], None]:
        """Time ``owner.attribute`` as phase ``name`` (or ``name(*args)``); returns the undo."""
        original = getattr(owner, attribute)

        @functools.wraps(original)
        def timed(*args: Any, **kwargs: Any) -> Any:
            with self.phase(name(*args) if callable(name) else name):
                return original(*args, **kwargs)

        setattr(owner, attribute, timed)
        return lambda: setattr(owner, attribute, original)

    def collector(self, phase: str, _info: dict[str, Any]) -> None:
        """A ``gc.callbacks`` entry: the garbage collector's passes are a phase of their own."""
        if self._stack[-1] == "floor":
            return
        if phase == "start":
            self._switch()
            self._stack.append("gc")
            self.calls["gc"] += 1
        elif self._stack[-1] == "gc":
            self._switch()
            self._stack.pop()

    def total(self) -> float:
        self._switch()
        return sum(self.seconds.values())


MOTO_OPERATIONS = {
    "get_item": "GetItem",
    "put_item": "PutItem",
    "update_item": "UpdateItem",
    "delete_item": "DeleteItem",
    "query": "Query",
    "scan": "Scan",
    "transact_write_items": "TransactWriteItems",
    "batch_get_item": "BatchGetItem",
}


def _table(name: Any) -> str:
    """The logical table of a local table name (``civicline-sim-metrics`` -> ``metrics``)."""
    return str(name).rsplit("-", 1)[-1] if name else ""


def _botocore_phase(_client: Any, operation: str, params: dict[str, Any], *_: Any) -> str:
    return f"botocore:{operation}:{_table(params.get('TableName'))}"


def _moto_phase(operation: str) -> Callable[..., str]:
    def name(_backend: Any, table: Any = None, *_: Any, **__: Any) -> str:
        return f"moto:{operation}:{_table(table) if isinstance(table, str) else ''}"

    return name


def install(clock: PhaseClock) -> list[Callable[[], None]]:
    """Wrap the phase entry points; the handler modules are looked up at call time by their users."""
    from botocore.client import BaseClient
    from moto.dynamodb.models import DynamoDBBackend

    import functions.handlers.contact_events as contact_events
    from civicline.engine.interpreter import Engine
    from civicline.engine.invoker import LambdaInvoker

    gc.callbacks.append(clock.collector)
    undo = [
        lambda: gc.callbacks.remove(clock.collector),
        clock.wrap(Engine, "run_contact", "engine"),
        clock.wrap(Engine, "run_queue_flow", "engine"),
        clock.wrap(LambdaInvoker, "invoke", lambda _self, function, *a, **k: f"lambda:{function}"),
        clock.wrap(contact_events, "handler", "aggregator"),
        clock.wrap(BaseClient, "_make_api_call", _botocore_phase),
    ]
    for method, operation in MOTO_OPERATIONS.items():
        undo.append(clock.wrap(DynamoDBBackend, method, _moto_phase(operation)))
    return undo


def memory_points(snapshots: int) -> tuple[list[tracemalloc.Snapshot], Callable[[Any], None]]:
    """A hook that adds a process to the day taking ``snapshots`` snapshots at even times."""
    from civicline.sim.day import DayRunner

    taken: list[tracemalloc.Snapshot] = []
    start = DayRunner.start

    def start_with_snapshots(day: Any) -> None:
        start(day)
        span = day.last_arrival - day.open_s

        def snapshot_process() -> Iterator[float]:
            yield day.open_s + span / (snapshots + 1) - day.sim.now
            for _ in range(snapshots):
                taken.append(tracemalloc.take_snapshot())
                yield span / (snapshots + 1)

        day.sim.start(snapshot_process())

    return taken, start_with_snapshots


#: PutItems per floor sample taken inside the day (``--floor-samples``)
SAMPLE_WRITES = 100


class DayFloor:
    """The unit sampled while the day runs, in the day's own process and moto, at even simulated
    times: on a machine shared with other sessions the CPU time of one moto PutItem moved by a factor
    of two between runs and within one (docs/decisions.md), so a unit measured only before the day
    priced the day at another load. Each sample puts ``SAMPLE_WRITES`` items into a table of its own
    (no other code reads it) through a client of its own, with every swap of
    :mod:`civicline.sim.moto_patch` undone for the sample (:func:`~civicline.sim.moto_patch.stock`:
    signed, on moto's own action listing and so on; the collector's policy stays). The samples' CPU
    time is charged to the phase ``floor``, which the day's total leaves out."""

    def __init__(self, clock: PhaseClock, samples: int) -> None:
        self.clock = clock
        self.samples = samples
        self.seconds: list[float] = []

    def hook(self) -> Callable[[Any], None]:
        from civicline.sim.day import DayRunner

        start = DayRunner.start
        floor = self

        def start_with_floor(day: Any) -> None:
            start(day)
            span = day.last_arrival - day.open_s

            def floor_process() -> Iterator[float]:
                yield day.open_s + span / (floor.samples + 1) - day.sim.now
                for _ in range(floor.samples):
                    floor.sample(day.aws)
                    yield span / (floor.samples + 1)

            day.sim.start(floor_process())

        return start_with_floor

    def sample(self, aws: Any) -> None:
        import boto3

        from civicline.sim.moto_patch import stock
        from civicline.sim.moto_tables import create_keyed_table

        with self.clock.phase("floor"), stock():
            ddb = boto3.client("dynamodb")
            table = "civicline-floor-sample"
            if table not in ddb.list_tables()["TableNames"]:
                create_keyed_table(ddb, table)
            ddb.put_item(TableName=table, Item={"pk": {"S": "warm"}, "sk": {"S": "up"}})
            started = time.process_time()
            for i in range(SAMPLE_WRITES):
                item = {"pk": {"S": f"k{len(self.seconds)}-{i}"}, "sk": {"S": "s"}, "n": {"N": str(i)}}
                ddb.put_item(TableName=table, Item=item)
            self.seconds.append((time.process_time() - started) / SAMPLE_WRITES)


def growth(taken: list[tracemalloc.Snapshot], top: int = 25) -> list[dict[str, Any]]:
    if len(taken) < 2:
        return []
    stats = taken[-1].compare_to(taken[0], "lineno")
    return [
        {"where": str(s.traceback[0]), "grew_kb": round(s.size_diff / 1024, 1), "blocks": s.count_diff}
        for s in stats[:top]
    ]


def _peak_rss_mb() -> float:
    from benchmarks.dayrun import peak_rss_mb

    return peak_rss_mb()


def _floor() -> float:
    """The unit: moto's own PutItem in CPU time, the mean of three batches (on a shared machine one
    batch can land in another process's burst; the report takes the mean of before and after)."""
    from benchmarks.dayrun import put_item_seconds

    return sum(put_item_seconds(time.process_time) for _ in range(3)) / 3


def _at(total: float, contacts: int, samples: list[float]) -> float | None:
    """The day's cost per contact in units of the mean PutItem sampled inside the day."""
    if not samples:
        return None
    return round(total / contacts / (sum(samples) / len(samples)), 2)


def figures(result: Any) -> dict[str, Any]:
    """What a seeded day must reproduce whatever its speed: counts, calls and a digest of every rollup."""
    import hashlib

    rollups = json.dumps(sorted((list(key), value) for key, value in result.rollups.items()), sort_keys=True)
    return {
        "truth": dict(sorted(result.truth.counts.items())),
        "events": len(result.events),
        "delivered_events": result.delivered_events,
        "lambda_calls": result.lambda_calls,
        "engine_runs": result.engine_runs,
        "rollups_sha256": hashlib.sha256(rollups.encode()).hexdigest()[:16],
    }


def _reconciliation(result: Any, profile: Any) -> Any:
    from civicline.sim.summary import summarize

    return summarize(result, profile)["reconciliation"]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("calls", type=int)
    parser.add_argument("--profile", default="regional-hotline-day")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--memory", type=int, default=0, help="tracemalloc snapshots through the day")
    parser.add_argument("--floor-samples", type=int, default=10, help="unit samples inside the day")
    parser.add_argument("--without", default="", help="CPU levers left out (civicline.sim.hotpaths)")
    args = parser.parse_args()
    from civicline.sim import hotpaths

    hotpaths.DISABLED.update(filter(None, args.without.split(",")))

    from civicline.sim import scaling
    from civicline.sim.day import DayRunner, run_day
    from civicline.sim.profiles import load_profile

    floor_before = _floor()
    base = load_profile(args.profile)
    profile = scaling.scale_profile(base, args.calls / base.calls)
    taken: list[tracemalloc.Snapshot] = []
    if args.memory:
        taken, hook = memory_points(args.memory)
        DayRunner.start = hook  # type: ignore[method-assign,assignment]
        tracemalloc.start(1)
    clock = PhaseClock()
    day_floor = DayFloor(clock, args.floor_samples)
    if args.floor_samples:
        DayRunner.start = day_floor.hook()  # type: ignore[method-assign,assignment]
    undo = install(clock)
    result = run_day(profile, args.seed)
    total = clock.total() - clock.seconds.get("floor", 0.0)
    for step in undo:
        step()
    floor_after = _floor()
    floor = (floor_before + floor_after) / 2
    contacts = result.truth.counts["inbound"]
    unit = floor * contacts
    report = {
        "calls": args.calls,
        "contacts": contacts,
        "floor_ms": round(floor * 1000, 3),
        "floor_before_after_ms": [round(floor_before * 1000, 3), round(floor_after * 1000, 3)],
        "ms_per_contact": round(total / contacts * 1000, 2),
        "floor_in_day_ms": [round(x * 1000, 3) for x in day_floor.seconds],
        "write_equivalents_per_contact_at_day_floor": _at(total, contacts, day_floor.seconds),
        "figures": figures(result),
        "peak_rss_mb": round(_peak_rss_mb(), 1),
        "total_seconds": round(total, 2),
        "write_equivalents_per_contact": round(total / unit, 2),
        "without": sorted(hotpaths.DISABLED),
        "reconciliation": _reconciliation(result, profile),
        "phases": {
            name: {
                "seconds": round(seconds, 2),
                "per_contact_units": round(seconds / unit, 3),
                "calls": clock.calls[name],
            }
            for name, seconds in sorted(clock.seconds.items(), key=lambda kv: -kv[1])
        },
        "memory_growth": growth(taken),
    }
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
