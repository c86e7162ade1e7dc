"""Simulation cost per contact, as a ratio to one moto DynamoDB write measured in the same run.

Figures, all measured in this run on this machine:
* one moto ``PutItem`` (the unit: what the cheapest real table access costs locally);
* the day runner's cost per inbound contact: flows in the engine, the real handlers and tables,
  the queue and agents (``simulate``), and with the contact events through the real aggregator
  (``with aggregation``); the target is at most 8 writes' worth for the simulation itself;
* contacts per second, both ways;
* peak memory (tracemalloc) of full-pipeline days of two sizes and the linear extrapolation to a
  10,000-call day, and the measured peak of the discrete-event core for 10,000 calls.
A full-pipeline 10,000-call day takes many minutes on moto; set CIVICLINE_BENCH_FULL_DAY=1 to run it.
"""

from __future__ import annotations

import os
import time
import tracemalloc

WRITES = 300
TARGET_RATIO = 8.0


def moto_write_seconds() -> float:
    from civicline.local.aws import LocalAws

    with LocalAws(prefix="bench-sim") as aws:
        ddb = aws.client("dynamodb")
        table = aws.table("state")
        ddb.put_item(TableName=table, Item={"pk": {"S": "warm"}, "sk": {"S": "up"}})
        started = time.perf_counter()
        for i in range(WRITES):
            ddb.put_item(TableName=table, Item={"pk": {"S": f"k{i}"}, "sk": {"S": "s"}, "n": {"N": str(i)}})
        return (time.perf_counter() - started) / WRITES


def day(calls: int, memory: bool = False) -> tuple[float, float, int, int]:
    """(simulate seconds, total seconds, inbound contacts, peak bytes) of a regional day."""
    from civicline.sim.day import run_day
    from civicline.sim.profiles import load_profile

    result = run_day(load_profile("regional-hotline-day"), 7, calls=calls, measure_memory=memory)
    contacts = result.truth.counts["inbound"]
    return result.timings["simulate"], sum(result.timings.values()), contacts, result.peak_memory_bytes


def run() -> None:
    from civicline.sim.planning import simulate_single_queue

    write = moto_write_seconds()
    simulate, total, contacts, _ = day(400)
    per_sim = simulate / contacts
    per_total = total / contacts
    print(f"{'figure':<58} {'value':>14} {'floor/target':>14}")
    print(f"{'one moto DynamoDB PutItem':<58} {write * 1000:>11.2f} ms {'(unit)':>14}")
    print(f"{'day runner per contact (engine, handlers, tables, queue)':<58} {per_sim * 1000:>11.1f} ms")
    print(f"{'  = moto writes per contact':<58} {per_sim / write:>14.1f} {f'<= {TARGET_RATIO:g}':>14}")
    print(f"{'day runner per contact, with aggregation':<58} {per_total * 1000:>11.1f} ms")
    print(f"{'  = moto writes per contact':<58} {per_total / write:>14.1f}")
    print(f"{'contacts per second (simulate)':<58} {contacts / simulate:>14.1f}")
    print(f"{'contacts per second (with aggregation)':<58} {contacts / total:>14.1f}")
    small, large = 200, 400
    _, _, c_small, m_small = day(small, memory=True)
    _, _, c_large, m_large = day(large, memory=True)
    slope = (m_large - m_small) / max(1, c_large - c_small)
    extrapolated = m_large + slope * (10_000 - c_large)
    print(f"{f'peak memory, full day of {c_small} contacts':<58} {m_small / 2**20:>11.1f} MB")
    print(f"{f'peak memory, full day of {c_large} contacts':<58} {m_large / 2**20:>11.1f} MB")
    print(f"{'peak memory, 10,000-call day (linear extrapolation)':<58} {extrapolated / 2**20:>11.1f} MB")
    tracemalloc.start()
    started = time.perf_counter()
    core = simulate_single_queue(10_000 / 10, 300, 95, 240, hours=10, seed=7)
    elapsed = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    print(f"{f'discrete-event core, {core.offered:,}-call day: peak memory':<58} {peak / 2**10:>11.1f} KB")
    print(f"{'discrete-event core: contacts per second':<58} {core.offered / elapsed:>14.0f}")
    if os.environ.get("CIVICLINE_BENCH_FULL_DAY") == "1":
        simulate, total, contacts, peak = day(10_000, memory=True)
        print(f"{f'full pipeline, {contacts:,}-call day: peak memory':<58} {peak / 2**20:>11.1f} MB")
        print(f"{'full pipeline, 10,000-call day: contacts per second':<58} {contacts / total:>14.1f}")
