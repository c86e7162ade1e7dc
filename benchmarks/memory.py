"""Where a simulated day's memory goes: ``python -m benchmarks.memory CALLS [--seed N] [--tracemalloc]``.

At a fifth and at four fifths of the day's arrivals (and after the day) it prints, as JSON, what the
day keeps alive: moto's stored items per table and the bytes of their Python objects, the stream
records moto keeps per table, the live moto ``Item`` objects, the simulator's own per-contact state
(ground truth, callers), the process's resident memory (VmRSS) and, with ``--tracemalloc``, the
allocations that grew between the two points grouped by file and line, and per contact by owner
(:data:`OWNERS`: moto's items, truth, events, engine, kernel...). Counting live objects is
deterministic; resident memory is not.
"""

from __future__ import annotations

import argparse
import gc
import json
import sys
import time
import tracemalloc
from collections.abc import Iterator
from typing import Any


def rss_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


#: who allocated what grew, by the file of the allocating line (the first match wins); the JSON
#: decoder's strings are the requests' values that moto's items keep
OWNERS: tuple[tuple[str, str], ...] = (
    ("json/decoder.py", "moto items"),
    ("moto/dynamodb/", "moto items"),
    ("civicline/sim/moto_", "moto items"),
    ("civicline/sim/cold_items.py", "moto items"),
    ("civicline/sim/truth.py", "truth"),
    ("civicline/sim/summary.py", "summary"),
    ("civicline/sim/delivery.py", "events"),
    ("civicline/engine/", "engine"),
    ("civicline/sim/kernel.py", "kernel"),
    ("civicline/sim/callers.py", "callers' plan"),
    ("civicline/sim/", "simulator, other"),
    ("functions/", "functions"),
    ("moto/", "moto, other"),
)


def owner(filename: str) -> str:
    return next((who for part, who in OWNERS if part in filename), "other")


def deep_bytes(obj: Any, seen: set[int]) -> int:
    """``sys.getsizeof`` of ``obj`` and of everything it holds that ``seen`` has not counted yet."""
    total, stack = 0, [obj]
    while stack:
        item = stack.pop()
        if id(item) in seen or isinstance(item, type):
            continue
        seen.add(id(item))
        total += sys.getsizeof(item)
        if isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list | tuple | set | frozenset):
            stack.extend(item)
        elif hasattr(item, "__dict__"):
            stack.append(item.__dict__)
    return total


def moto_census() -> dict[str, Any]:
    """Items, the bytes of their Python objects and stream records per table in moto's in-process
    DynamoDB (strings shared between tables counted once), and live ``Item`` objects."""
    from moto.backends import get_backend
    from moto.dynamodb.models.dynamo_type import Item

    backend = get_backend("dynamodb")["123456789012"]["us-east-1"]
    tables: dict[str, dict[str, int]] = {}
    seen: set[int] = set()
    for name, table in backend.tables.items():
        shard = table.stream_shard
        tables[name.rsplit("-", 1)[-1]] = {
            "items": len(table.all_items()),
            "kb": deep_bytes(table.items, seen) // 1024,
            "stream_records": len(shard.items) if shard is not None else 0,
        }
    gc.collect()
    live = sum(1 for obj in gc.get_objects() if isinstance(obj, Item))
    return {"tables": tables, "live_moto_items": live}


def day_census(day: Any) -> dict[str, Any]:
    """The day runner's own per-contact state."""
    return {
        "now": day.sim.now,
        "book_cases": len(day.book.cases),
        "book_callers": len(day.book.callers),
        "callers_by_number": len(day.callers_by_number),
        "callbacks_by_id": len(day.callbacks_by_id),
        "dialed_tokens": len(day.dialed_tokens),
        "promised": len(day.promised),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("calls", type=int)
    parser.add_argument("--profile", default="regional-hotline-day")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--tracemalloc", action="store_true")
    parser.add_argument("--top", type=int, default=30)
    args = parser.parse_args()

    from civicline.sim import scaling
    from civicline.sim.day import DayRunner, run_day
    from civicline.sim.profiles import load_profile

    points: list[dict[str, Any]] = []
    snapshots: list[tracemalloc.Snapshot] = []
    start, run = DayRunner.start, DayRunner.run

    def census(day: Any, label: str) -> None:
        point: dict[str, Any] = {"at": label, "rss_mb": round(rss_mb(), 1)}
        if args.tracemalloc:  # before the census's own walk over the tables
            snapshots.append(tracemalloc.take_snapshot())
            point["traced_mb"] = round(tracemalloc.get_traced_memory()[0] / 2**20, 1)
        points.append({**point, **day_census(day), **moto_census()})

    def start_with_points(day: Any) -> None:
        start(day)
        census(day, "start")
        span = day.last_arrival - day.open_s

        def points_process() -> Iterator[float]:
            yield day.open_s + span / 5 - day.sim.now
            census(day, "one fifth")
            yield span * 3 / 5
            census(day, "four fifths")

        day.sim.start(points_process())

    def run_with_end(day: Any) -> Any:
        result = run(day)
        census(day, "end")
        return result

    DayRunner.start = start_with_points  # type: ignore[method-assign]
    DayRunner.run = run_with_end  # type: ignore[method-assign]
    if args.tracemalloc:
        tracemalloc.start(1)
    base = load_profile(args.profile)
    profile = scaling.scale_profile(base, args.calls / base.calls)
    before = rss_mb()
    started = time.perf_counter()
    result = run_day(profile, args.seed)
    report: dict[str, Any] = {
        "calls": args.calls,
        "contacts": result.truth.counts["inbound"],
        "rss_before_day_mb": round(before, 1),
        "wall_seconds": round(time.perf_counter() - started, 1),
        "points": points,
    }
    if snapshots:
        report["held_at_start_by_file"] = [
            {"where": str(s.traceback[0].filename), "kb": round(s.size / 1024, 1), "blocks": s.count}
            for s in snapshots[0].statistics("filename")[: args.top]
        ]
    if len(snapshots) >= 3:
        stats = snapshots[2].compare_to(snapshots[1], "lineno")
        contacts = points[2]["book_cases"] - points[1]["book_cases"]
        by_owner: dict[str, float] = {}
        for stat in snapshots[2].compare_to(snapshots[1], "filename"):
            who = owner(str(stat.traceback[0].filename))
            by_owner[who] = by_owner.get(who, 0.0) + stat.size_diff
        report["grew_per_contact_by_owner_bytes"] = {
            who: round(size / contacts) for who, size in sorted(by_owner.items(), key=lambda kv: -kv[1])
        }
        report["contacts_between_fifths"] = contacts
        report["grew_between_fifths"] = [
            {"where": str(s.traceback[0]), "kb": round(s.size_diff / 1024, 1), "blocks": s.count_diff}
            for s in stats[: args.top]
        ]
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
