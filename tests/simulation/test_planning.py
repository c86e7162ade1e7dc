"""Planning mode (M/M/c and M/M/c+M simulation) against Erlang C and Erlang A.

Tolerance is statistical: R independent replications (different seeds), and the theory must lie
within four standard errors of their mean (plus a small floor for the finite warm-up bias). The
seeds are fixed, so the test is deterministic; the tolerance says what a correct simulator achieves.
"""

from __future__ import annotations

import math
import statistics

import pytest

from civicline.sim.erlang import forecast
from civicline.sim.planning import simulate_single_queue

AGENTS = 10
AHT = 300.0


def _replicate(rho: float, patience: float | None, calls: int, reps: int) -> dict[str, tuple[float, float]]:
    rate = rho * AGENTS * 3600 / AHT
    hours = calls / rate
    runs = [
        simulate_single_queue(
            rate, AHT, AGENTS, patience, hours=hours, seed=100 + r, target_seconds=30, warmup_hours=2
        )
        for r in range(reps)
    ]
    out = {}
    for name in ("p_wait", "asa", "service_level", "abandonment", "occupancy"):
        values = [getattr(run, name) for run in runs]
        out[name] = (statistics.fmean(values), statistics.stdev(values) / math.sqrt(reps))
    return out


def _check(measured: dict[str, tuple[float, float]], expected: dict[str, float], floor: float) -> None:
    for name, theory in expected.items():
        mean, se = measured[name]
        tolerance = 4 * se + floor * max(1.0, abs(theory))
        message = f"{name}: simulated {mean:.4f} +- {se:.4f}, theory {theory:.4f}"
        assert abs(mean - theory) <= tolerance, message


@pytest.mark.parametrize(("rho", "calls"), [(0.7, 15_000), (0.85, 20_000)])
def test_without_abandonment_the_queue_agrees_with_erlang_c(rho: float, calls: int) -> None:
    # Given an M/M/10 queue at load rho
    f = forecast(rho * AGENTS * 3600 / AHT, AHT, AGENTS, None, 30)
    # When simulated in 8 replications
    measured = _replicate(rho, None, calls, 8)
    # Then P(wait), ASA, service level and occupancy agree with Erlang C
    _check(
        measured,
        {"p_wait": f.p_wait, "asa": f.asa, "service_level": f.service_level, "occupancy": f.occupancy},
        0.01,
    )
    assert measured["abandonment"][0] == 0.0


@pytest.mark.slow
def test_near_saturation_the_queue_agrees_with_erlang_c() -> None:
    # Given rho 0.95 (long, strongly correlated waits) / When simulated with many calls
    f = forecast(0.95 * AGENTS * 3600 / AHT, AHT, AGENTS, None, 30)
    measured = _replicate(0.95, None, 60_000, 8)
    # Then the probability of waiting and the service level agree with Erlang C, ASA within 4 SE
    _check(measured, {"p_wait": f.p_wait, "service_level": f.service_level, "asa": f.asa}, 0.01)


@pytest.mark.parametrize("rho", [0.7, 0.95, 1.2])
def test_with_patience_the_queue_agrees_with_erlang_a(rho: float) -> None:
    # Given exponential patience with mean 180 s, at, near and beyond saturation
    f = forecast(rho * AGENTS * 3600 / AHT, AHT, AGENTS, 180, 30)
    # When simulated
    measured = _replicate(rho, 180, 12_000, 8)
    # Then every figure agrees with Erlang A
    _check(
        measured,
        {
            "p_wait": f.p_wait,
            "asa": f.asa,
            "service_level": f.service_level,
            "abandonment": f.abandonment,
            "occupancy": f.occupancy,
        },
        0.01,
    )


def test_same_seed_same_result_and_different_seeds_differ() -> None:
    # Given two runs with the same seed / Then the results are identical
    a = simulate_single_queue(100, 300, 10, 120, hours=4, seed=7)
    b = simulate_single_queue(100, 300, 10, 120, hours=4, seed=7)
    c = simulate_single_queue(100, 300, 10, 120, hours=4, seed=8)
    assert a == b
    assert a != c


def test_common_random_numbers_make_more_agents_strictly_better() -> None:
    # Given the same callers (same seed) / When one agent is added
    few = simulate_single_queue(110, 300, 9, 120, hours=8, seed=3)
    more = simulate_single_queue(110, 300, 10, 120, hours=8, seed=3)
    # Then the same callers are offered, and fewer abandon
    assert few.offered == more.offered
    assert more.abandoned < few.abandoned
    assert more.service_level > few.service_level


def test_every_offered_caller_is_answered_or_abandons() -> None:
    r = simulate_single_queue(200, 300, 12, 90, hours=6, seed=11)
    assert r.offered == r.answered + r.abandoned
    assert r.events > r.offered


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"agents": 0}, "agents"),
        ({"arrivals_per_hour": 0}, "arrivals_per_hour"),
        ({"patience_seconds": 0}, "patience"),
    ],
)
def test_invalid_inputs_are_refused(kwargs: dict[str, float], message: str) -> None:
    args: dict[str, float | None] = {"arrivals_per_hour": 10, "aht_seconds": 100, "agents": 1}
    args.update(kwargs)
    with pytest.raises(ValueError, match=message):
        simulate_single_queue(**args)  # type: ignore[arg-type]
