"""Sweep speed-up: the same planning-mode sweep with 1 worker (in process) and 2 worker processes.

Figures, measured in this run: wall time of a sweep of the tax-agency peak day (agents 50..80 step 2,
10 replications each: 160 simulated days) run serially and in 2 spawned worker processes, the
speed-up, and whether both gave identical figures (they must: the tasks are seeded, not scheduled).
On a 2-core machine the ideal is 2x; process start-up and other load on the machine take from it, so
the same run measures a control: pure CPU work in 2 processes against 1 (what the machine allows now).
"""

from __future__ import annotations

import time
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context


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


def run() -> None:
    from civicline.sim.profiles import load_profile
    from civicline.sim.sweep import parse_vary, process_runner, run_sweep, serial_runner

    profile = load_profile("tax-agency-peak-day")
    variation = parse_vary("agents=50:80:2")

    def timed(runner: object) -> tuple[float, list[dict[str, list[float]]]]:
        started = time.perf_counter()
        result = run_sweep(
            profile,
            [variation],
            replications=10,
            base_seed=1,
            mode="planning",
            target_sl=0.8,
            target_seconds=60,
            runner=runner,  # type: ignore[arg-type]
        )
        return time.perf_counter() - started, [row.values for row in result.rows]

    one, serial = timed(serial_runner)
    two, parallel = timed(process_runner(2))
    days = len(serial) * 10
    print(f"{'figure':<58} {'value':>14} {'floor/target':>14}")
    print(f"{f'sweep of {days} planning days, 1 worker':<58} {one:>12.2f} s")
    print(f"{f'sweep of {days} planning days, 2 worker processes':<58} {two:>12.2f} s")
    print(f"{'  speed-up, 2 workers against 1':<58} {one / two:>13.2f}x {'(ideal 2x)':>14}")
    control = machine_speed_up()
    print(f"{'  control: pure CPU work, 2 processes against 1':<58} {control:>13.2f}x {'(ideal 2x)':>14}")
    print(f"{'  identical figures either way':<58} {serial == parallel!s:>14} {'True':>14}")
