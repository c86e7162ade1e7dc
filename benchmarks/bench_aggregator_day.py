"""A simulated day's aggregator inputs, recorded once and replayed against a fresh moto table.

``python -m benchmarks.bench_aggregator_day record 2500 /tmp/agg-2500.pickle`` runs a seeded day and
keeps every delivery the contact-event handler received (SQS batches of envelopes, the survey and
callback tables' stream batches) with the day's settings. ``... replay /tmp/agg-2500.pickle`` feeds
them, in order, to the real handler on the simulator's moto (the day's hot paths entered), and
prints the handler's own CPU time, the CPU time of its AWS calls (botocore and moto, by operation)
and a digest of every item the metrics table ends with: the digest must not move when the
aggregator's code changes (the clock the states' TTL is read from is pinned for the replay).

Why: the day's ``aggregator`` phase is a few percent of a run that takes minutes; the replay gives
the same work, alone, in seconds, repeatably enough to compare medians of several runs.
"""

from __future__ import annotations

import argparse
import copy
import hashlib
import json
import pickle
import statistics
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

#: the epoch milliseconds the replay's handler reads as "now" (TTL of the states it writes)
PINNED_NOW = 1_795_000_000.0


def record(calls: int, seed: int, path: str) -> None:
    """Run the seeded day and pickle every handler delivery with the settings it ran under."""
    import functions.handlers.contact_events as contact_events
    from civicline.sim import scaling
    from civicline.sim.day import run_day
    from civicline.sim.profiles import load_profile

    base = load_profile("regional-hotline-day")
    profile = scaling.scale_profile(base, calls / base.calls)
    deliveries: list[dict[str, Any]] = []
    original = contact_events.handler

    def recording(event: Any, context: Any) -> Any:
        deliveries.append(copy.deepcopy(event))
        return original(event, context)

    contact_events.handler = recording
    try:
        run_day(profile, seed)
    finally:
        contact_events.handler = original
    env = {"SERVICE_LEVEL_SECONDS": str(int(profile.service_level_seconds)), "TIME_ZONE": profile.time_zone}
    with open(path, "wb") as out:
        pickle.dump({"env": env, "deliveries": deliveries}, out)
    print(f"{len(deliveries)} deliveries, {sum(len(d['Records']) for d in deliveries)} records -> {path}")


@contextmanager
def _pinned_clock() -> Iterator[None]:
    """The handler's ``time.time()`` pinned, so that the states' TTL (now + 35 days) is repeatable."""
    import functions.handlers.contact_events as contact_events

    class Clock:
        @staticmethod
        def time() -> float:
            return PINNED_NOW

    saved = getattr(contact_events, "time")  # noqa: B009 (the module's own import of time)
    setattr(contact_events, "time", Clock)  # noqa: B010
    try:
        yield
    finally:
        setattr(contact_events, "time", saved)  # noqa: B010


def _digest(ddb: Any, table: str) -> tuple[str, int]:
    items: list[Any] = []
    kwargs: dict[str, Any] = {"TableName": table}
    while True:
        page = ddb.scan(**kwargs)
        items.extend(page["Items"])
        if "LastEvaluatedKey" not in page:
            break
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
    text = json.dumps(sorted(items, key=lambda i: (i["pk"]["S"], i["sk"]["S"])), sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:16], len(items)


def replay_once(recorded: dict[str, Any]) -> dict[str, Any]:
    """One replay on a fresh local AWS: seconds by phase, calls by operation, the table's digest."""
    import contextlib
    import io
    import os
    import sys

    import functions.handlers.contact_events as contact_events
    from benchmarks.phases import PhaseClock, install
    from civicline.local.aws import LocalAws
    from civicline.metrics.pipeline import single_writer
    from civicline.sim.day import quiet_logs
    from civicline.sim.fastmoto import fast_transactions
    from civicline.sim.moto_retention import day_retention

    os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "CRITICAL")
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 20_000))
    deliveries = copy.deepcopy(recorded["deliveries"])
    with (
        LocalAws(prefix="civicline-sim", extra_env=recorded["env"]) as aws,
        quiet_logs(),
        fast_transactions(),
        day_retention(),
        single_writer(enabled=False),
        _pinned_clock(),
    ):
        clock = PhaseClock()
        undo = install(clock)
        began = time.process_time()
        with contextlib.redirect_stdout(io.StringIO()):
            for event in deliveries:
                contact_events.handler(event, None)
        seconds = time.process_time() - began
        clock.total()
        for step in undo:
            step()
        digest, items = _digest(aws.client("dynamodb"), aws.table("metrics"))
    phases = {k: round(v, 3) for k, v in sorted(clock.seconds.items(), key=lambda kv: -kv[1]) if v >= 0.001}
    calls = {k: v for k, v in clock.calls.items() if k != "aggregator"}
    return {"seconds": round(seconds, 3), "phases": phases, "calls": calls, "digest": digest, "items": items}


def replay(path: str, repeat: int, first: int | None = None) -> None:
    """``repeat`` replays of the recording (of its ``first`` deliveries only, when given)."""
    with open(path, "rb") as source:
        recorded = pickle.load(source)
    recorded["deliveries"] = recorded["deliveries"][:first]
    runs = [replay_once(recorded) for _ in range(repeat)]
    names = sorted({name for run in runs for name in run["phases"]})
    median = {name: round(statistics.median(r["phases"].get(name, 0.0) for r in runs), 3) for name in names}
    report = {
        "deliveries": len(recorded["deliveries"]),
        "digest": sorted({r["digest"] for r in runs}),
        "items": runs[0]["items"],
        "seconds_median": round(statistics.median(r["seconds"] for r in runs), 3),
        "seconds": [r["seconds"] for r in runs],
        "phases_median": dict(sorted(median.items(), key=lambda kv: -kv[1])),
        "aggregator": [r["phases"].get("aggregator", 0.0) for r in runs],
        "calls": runs[0]["calls"],
    }
    print(json.dumps(report, indent=1))


def main() -> None:
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command", required=True)
    rec = sub.add_parser("record")
    rec.add_argument("calls", type=int)
    rec.add_argument("path")
    rec.add_argument("--seed", type=int, default=1)
    rep = sub.add_parser("replay")
    rep.add_argument("path")
    rep.add_argument("--repeat", type=int, default=3)
    rep.add_argument("--first", type=int, default=None, help="only the first N deliveries")
    args = parser.parse_args()
    if args.command == "record":
        record(args.calls, args.seed, args.path)
    else:
        replay(args.path, args.repeat, args.first)


if __name__ == "__main__":
    main()
