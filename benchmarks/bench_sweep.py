"""Sweep speed-up: the same planning-mode sweep with 1 worker (in process) and 2 worker processes.

Figures, measured in this run: wall time of a sweep of the tax-agency peak day (agents 50..80 step 2,
30 replications each: 480 simulated days, so the work dwarfs the workers' start-up, which is
measured too) run serially, in 2 spawned worker processes and on a Dask LocalCluster of 2 worker
processes (when ``distributed`` is installed), the speed-ups, and whether every way gave identical
figures (they must: the tasks are seeded, not scheduled). The machine's load is printed first.
On a 2-core machine the ideal is 2x; process start-up and other load on the machine take from it, so
the same run measures a control: pure CPU work in 2 processes against 1 (what the machine allows now).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context

from civicline.sim.sweep import Runner

Figures = list[dict[str, list[float]]]


def burn(n: int) -> int:
    """Pure CPU work: what 2 processes can gain on this machine right now, whatever the sweep does."""
    total = 0
    for i in range(n):
        total += i * i
    return total


def machine_speed_up() -> float:
    work = [2_000_000] * 8
    started = time.perf_counter()
    for n in work:
        burn(n)
    one = time.perf_counter() - started
    started = time.perf_counter()
    with ProcessPoolExecutor(max_workers=2, mp_context=get_context("spawn")) as pool:
        list(pool.map(burn, work))
    return one / (time.perf_counter() - started)


def _noop(x: int) -> int:
    return x


def start_up_seconds() -> float:
    """What starting 2 spawned workers costs (interpreter + imports): the part a sweep cannot split."""
    started = time.perf_counter()
    with ProcessPoolExecutor(max_workers=2, mp_context=get_context("spawn")) as pool:
        list(pool.map(_noop, range(2)))
    return time.perf_counter() - started


#: replications per setting: large enough that the sweep's work dwarfs the worker start-up
REPLICATIONS = 30


def _row(label: str, value: str, floor: str = "") -> None:
    print(f"{label:<58} {value:>14} {floor:>14}")


def _dask_timed(timed: Callable[[Runner], tuple[float, Figures]]) -> tuple[float, Figures] | None:
    """The same sweep on a Dask LocalCluster of 2 worker processes (None without ``distributed``)."""
    try:
        from distributed import LocalCluster
    except ImportError:
        return None
    from civicline.sim.sweep import dask_runner

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:  # type: ignore[no-untyped-call]
        return timed(dask_runner(cluster.scheduler_address))


def run() -> None:
    from civicline.sim.profiles import load_profile
    from civicline.sim.sweep import parse_vary, process_runner, run_sweep, serial_runner

    profile = load_profile("tax-agency-peak-day")
    variation = parse_vary("agents=50:80:2")

    def timed(runner: Runner) -> tuple[float, Figures]:
        started = time.perf_counter()
        result = run_sweep(
            profile,
            [variation],
            replications=REPLICATIONS,
            base_seed=1,
            mode="planning",
            target_sl=0.8,
            target_seconds=60,
            runner=runner,
        )
        return time.perf_counter() - started, [row.values for row in result.rows]

    load = os.getloadavg()[0]
    one, serial = timed(serial_runner)
    two, parallel = timed(process_runner(2))
    days = len(serial) * REPLICATIONS
    _row("figure", "value", "floor/target")
    _row(f"machine load (1-minute average, {os.cpu_count()} cores) at the start", f"{load:.2f}")
    _row(f"sweep of {days} planning days, 1 worker", f"{one:.2f} s")
    _row(f"sweep of {days} planning days, 2 worker processes", f"{two:.2f} s")
    _row("  speed-up, 2 workers against 1", f"{one / two:.2f}x", "(ideal 2x)")
    _row("  start-up of 2 spawned workers (included above)", f"{start_up_seconds():.2f} s")
    dask = _dask_timed(timed)
    if dask is None:
        _row("  Dask LocalCluster, 2 workers", "not installed", "civicline[cluster]")
    else:
        _row(f"sweep of {days} planning days, Dask LocalCluster of 2 workers", f"{dask[0]:.2f} s")
        _row("  speed-up, Dask 2 workers against 1", f"{one / dask[0]:.2f}x", "(ideal 2x)")
    control = machine_speed_up()
    _row("  control: pure CPU work, 2 processes against 1", f"{control:.2f}x", "(ideal 2x)")
    same = serial == parallel and (dask is None or dask[1] == serial)
    _row("  identical figures every way", str(same), "True")
