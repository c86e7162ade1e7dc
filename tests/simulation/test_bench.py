"""The simulation benchmark runs end to end on a tiny day (its figures are printed, never asserted)."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("simulation-day")]


def test_the_simulation_benchmark_prints_cost_floor_and_measured_memory(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from benchmarks import bench_simulation

    # Given a tiny day instead of the 10,000 calls of `make bench`
    monkeypatch.setenv("CIVICLINE_BENCH_CALLS", "40")
    # When the benchmark runs (each day in its own subprocess)
    bench_simulation.run()
    out = capsys.readouterr().out
    # Then it prints the unit, the cost per contact in that unit, and the measured peak memory
    assert "one moto DynamoDB PutItem through boto3" in out
    assert "= moto-write-equivalents per contact" in out
    assert "peak memory of the process (VmHWM, measured)" in out
    assert "the same in CPU time (per contact / one PutItem)" in out
    # And each day's resident memory before it starts (what does not grow with the day)
    assert out.count("resident memory just before the day starts") == 3
    # And the growth of the measured peak per contact between each pair of days, measured in this run
    assert out.count("peak memory growth per contact") == 3
    assert "(10 -> 20 calls)" in out and "(20 -> 40 calls)" in out and "(10 -> 40 calls)" in out
    # And the three tiny days reconciled: no metric differs from the truth
    assert out.count("metrics that differ from the truth") == 3
    for line in out.splitlines():
        if "metrics that differ from the truth" in line:
            assert line.split()[-2] == "0", line
