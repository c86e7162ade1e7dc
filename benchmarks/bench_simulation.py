"""Full-fidelity simulated days: cost per contact in moto writes, and measured peak memory.

Figures, all measured in this run on this machine:
* the unit: one moto DynamoDB ``PutItem`` through boto3 (what the cheapest real table access costs
  locally), measured here and again in each day's own process;
* a 10,000-call regional day scaled with its staffing (``--scale``), every contact through the
  flows, the real handlers on moto tables and the real aggregator, run in a subprocess: wall time,
  cost per contact in moto-write-equivalents (wall time per contact / the unit; target <= 6,
  aggregation included), AWS calls per contact, and the process's peak resident memory (VmHWM;
  target <= 300 MB);
* the same for days a half and a quarter as long, and the growth of the peak per contact between
  each pair of them (quarter -> half, half -> whole), so that "flat in the day's length" is a
  measurement too: the peak of every day is measured in its own process, none is extrapolated;
* the resident set of each day's process just before the day starts (imports and the unit's tables:
  the part of the peak that does not grow with the day);
* beside the wall-time figures, the same ratio in this process's CPU time (the day's CPU time per
  contact over one PutItem's CPU time), which other work on a shared machine moves much less;
* the discrete-event core alone (planning mode): contacts per second.
``CIVICLINE_BENCH_CALLS`` changes the day's size (a test runs a tiny one).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

TARGET_WRITES = 6.0
TARGET_MB = 300.0
ROOT = Path(__file__).resolve().parent.parent


def day_in_subprocess(calls: int) -> dict[str, Any]:
    """One day in a fresh interpreter (``python -m benchmarks.dayrun``); its JSON report."""
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.dayrun", str(calls)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    report: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return report


def _row(label: str, value: str, target: str = "") -> None:
    print(f"{label:<62} {value:>16} {target:>12}")


def _day_rows(day: dict[str, Any]) -> None:
    contacts = max(1, int(day["contacts"]))
    floor = float(day["floor_seconds"])
    per_contact = float(day["wall_seconds"]) / contacts
    calls = sum(day["aws_calls"].values()) / contacts
    writes = sum(
        n
        for op, n in day["aws_calls"].items()
        if op.split(".")[-1] in ("PutItem", "UpdateItem", "DeleteItem")
    )
    name = f"{day['calls']:,}-call day ({contacts:,} contacts, {day['agents']} agents)"
    _row(name, f"{day['wall_seconds']:.1f} s")
    _row("  one moto PutItem in the day's own process (the unit)", f"{floor * 1000:.3f} ms")
    _row("  wall time per contact, aggregation included", f"{per_contact * 1000:.2f} ms")
    _row("  = moto-write-equivalents per contact", f"{per_contact / floor:.2f}", f"<= {TARGET_WRITES:g}")
    cpu_unit = float(day["cpu_floor_seconds"])
    cpu_per_contact = float(day["cpu_seconds"]) / contacts
    _row("  the same in CPU time (per contact / one PutItem)", f"{cpu_per_contact / cpu_unit:.2f}")
    _row("  AWS calls per contact (all operations)", f"{calls:.1f}")
    _row("  single-item writes per contact (Put/Update/Delete)", f"{writes / contacts:.1f}")
    _row(
        "  peak memory of the process (VmHWM, measured)",
        f"{day['max_rss_mb']:.0f} MB",
        f"<= {TARGET_MB:g}",
    )
    if "rss_before_day_mb" in day:
        _row("  resident memory just before the day starts", f"{day['rss_before_day_mb']:.0f} MB")
    timings = day["timings"]
    _row("  of which simulating (aggregating as it goes)", f"{timings['simulate']:.1f} s")
    _row("  of which the last delivery and the tables' replay", f"{timings['aggregate']:.1f} s")
    _row("  metrics that differ from the truth", str(len(day["reconciliation"])), "0")


def growth_per_contact_kb(shorter: dict[str, Any], longer: dict[str, Any]) -> float:
    """The measured peak's growth per contact between two days measured in this run."""
    more = int(longer["contacts"]) - int(shorter["contacts"])
    return (float(longer["max_rss_mb"]) - float(shorter["max_rss_mb"])) * 1024 / max(1, more)


def run() -> None:
    from benchmarks.dayrun import put_item_seconds
    from civicline.sim.planning import simulate_single_queue

    calls = int(os.environ.get("CIVICLINE_BENCH_CALLS", "10000"))
    _row("figure", "value", "target")
    _row("one moto DynamoDB PutItem through boto3 (this process)", f"{put_item_seconds() * 1000:.3f} ms")
    days = [day_in_subprocess(size) for size in (calls, max(1, calls // 2), max(1, calls // 4))]
    for day in days:
        _day_rows(day)
    for longer, shorter in ((days[1], days[2]), (days[0], days[1]), (days[0], days[2])):
        _row(
            f"peak memory growth per contact ({shorter['calls']:,} -> {longer['calls']:,} calls)",
            f"{growth_per_contact_kb(shorter, longer):.1f} KB",
        )
    started = time.perf_counter()
    core = simulate_single_queue(calls / 10, 300, 95, 240, hours=10, seed=7)
    elapsed = time.perf_counter() - started
    _row(
        f"discrete-event core alone, {core.offered:,}-call day: contacts/s", f"{core.offered / elapsed:,.0f}"
    )
