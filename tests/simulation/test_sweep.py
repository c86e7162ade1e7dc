"""``civicline sweep``: replications with common random numbers, confidence intervals, the cheapest
setting, the outputs, and identical figures whichever runner (serial, local processes, Dask) ran them."""

from __future__ import annotations

import csv
import itertools
import json
import math
import statistics
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from civicline.cli import app
from civicline.sim.confidence import estimate, t_cdf, t_quantile
from civicline.sim.profiles import load_profile
from civicline.sim.sweep import (
    SweepSpecError,
    dask_runner,
    parse_vary,
    process_runner,
    run_sweep,
    serial_runner,
)

cli = CliRunner()


def _sweep(runner: object) -> object:
    profile = load_profile("regional-hotline-day")
    return run_sweep(
        profile,
        [parse_vary("agents=10:14:2")],
        replications=3,
        base_seed=5,
        mode="planning",
        target_sl=0.8,
        target_seconds=60,
        runner=runner,  # type: ignore[arg-type]
    )


def _figures(result: object) -> list[dict[str, list[float]]]:
    return [row.values for row in result.rows]  # type: ignore[attr-defined]


def test_serial_local_workers_and_a_dask_cluster_give_identical_figures() -> None:
    # Given one sweep / When run serially, in 2 local processes and on an in-process Dask cluster
    from distributed import LocalCluster

    serial = _figures(_sweep(serial_runner))
    local = _figures(_sweep(process_runner(2)))
    with LocalCluster(n_workers=2, processes=False, protocol="tcp://", dashboard_address=None) as cluster:
        dask = _figures(_sweep(dask_runner(cluster.scheduler_address)))
    # Then every replication's figures are bit-identical
    assert serial == local == dask
    assert len(serial) == 3
    assert all(len(v) == 3 for row in serial for v in row.values())


def test_common_random_numbers_more_agents_never_serve_worse_on_the_same_seed() -> None:
    # Given the same seeds for every setting / When staff grows
    rows = _figures(_sweep(serial_runner))
    # Then, replication by replication, the service level does not fall (same callers, more agents)
    for fewer, more in itertools.pairwise(rows):
        for a, b in zip(fewer["service_level"], more["service_level"], strict=True):
            assert b >= a
    # and different seeds give different days
    assert len(set(rows[0]["service_level"])) > 1


def test_the_cheapest_setting_is_the_fewest_agent_hours_whose_lower_bound_meets_the_target() -> None:
    result = _sweep(serial_runner)
    rows = result.rows  # type: ignore[attr-defined]
    cheapest = result.cheapest  # type: ignore[attr-defined]
    # Then the pick meets the target with confidence and nothing cheaper does
    assert cheapest is not None
    assert cheapest.estimates["service_level"].low >= 0.8
    assert all(not r.meets_target for r in rows if r.agent_hours < cheapest.agent_hours)
    assert [r.setting["agents"] for r in rows] == ["10", "12", "14"]
    assert [r.agents for r in rows] == [10, 12, 14]


def test_the_command_prints_intervals_marks_the_cheapest_and_writes_csv_json_and_a_chart(
    tmp_path: Path,
) -> None:
    # When the sweep runs through the CLI with an output folder
    result = cli.invoke(
        app,
        [
            "sweep",
            "--profile",
            "regional-hotline-day",
            "--vary",
            "agents=10:16:2",
            "--replications",
            "4",
            "--workers",
            "1",
            "--out",
            str(tmp_path),
        ],
    )
    # Then it prints the settings with intervals and the cheapest pick, and writes the four files
    assert result.exit_code == 0, result.output
    assert "cheapest setting meeting the target with confidence: agents=" in result.output
    assert "1,500 calls; staff unchanged at 27 agents" in result.output
    data = json.loads((tmp_path / "sweep.json").read_text())
    assert data["seeds"] == [1, 2, 3, 4]
    assert [s["agents"] for s in data["settings"]] == ["10", "12", "14", "16"]
    first = data["settings"][0]
    mean = statistics.fmean(first["replications"]["service_level"])
    assert math.isclose(first["service_level_mean"], mean)
    assert first["service_level_low"] < mean < first["service_level_high"]
    rows = list(csv.DictReader((tmp_path / "sweep.csv").open()))
    assert sum(r["cheapest"] == "True" for r in rows) == 1
    (picked,) = [r for r in rows if r["cheapest"] == "True"]
    assert data["cheapest"] == {"agents": picked["agents"]}
    svg = (tmp_path / "sweep.svg").read_text()
    assert svg.startswith("<svg") and svg.count("<circle") == 4
    page = (tmp_path / "sweep.html").read_text()
    assert "<svg" in page and "http://" not in page.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "src=" not in page


def test_scale_scales_calls_and_staff_together_and_calls_alone_says_the_staff_is_unchanged() -> None:
    scaled = cli.invoke(app, ["sweep", "--scale", "2x", "--replications", "2", "--workers", "1"])
    assert scaled.exit_code == 0, scaled.output
    assert "1,500 -> 3,000 calls; 27 -> 54 agents" in scaled.output
    more = cli.invoke(app, ["sweep", "--calls", "3000", "--replications", "2", "--workers", "1"])
    assert more.exit_code == 0, more.output
    assert "staff unchanged at 27 agents" in more.output and "--scale 2x scales staff too" in more.output


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("agents", "NAME=VALUES"),
        ("staff=1:3", "unknown variable 'staff'"),
        ("agents=10:5", "START <= STOP"),
        ("agents=10:20:0", "positive STEP"),
        ("agents=a:b", "not a numeric range"),
        ("agents=10.5,12", "whole numbers"),
        ("callback=maybe", "only the full day"),
        ("patience=0", "out of range"),
        ("agents=1:100000", "too many"),
    ],
)
def test_bad_vary_specs_are_one_line_errors_with_exit_2(spec: str, message: str) -> None:
    result = cli.invoke(app, ["sweep", "--vary", spec, "--replications", "2", "--workers", "1"])
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert "Traceback" not in result.output and len(result.output.strip().splitlines()) <= 2


def test_full_mode_only_variables_are_accepted_in_full_mode() -> None:
    assert parse_vary("callback=on,off", "full").values == ("on", "off")
    assert parse_vary("acceptance=0.2:0.4:0.1", "full").values == ("0.2", "0.3", "0.4")
    with pytest.raises(SweepSpecError, match="full day"):
        parse_vary("acceptance=0.2", "planning")


def test_other_usage_errors_exit_2() -> None:
    for args in (
        ["--replications", "1"],
        ["--mode", "fast"],
        ["--workers", "0"],
        ["--calls", "10", "--scale", "2x"],
        ["--scale", "-3"],
        ["--profile", "nope"],
    ):
        result = cli.invoke(app, ["sweep", *args])
        assert result.exit_code == 2, (args, result.output)
        assert "error:" in result.output


# -- confidence-interval arithmetic ------------------------------------------------------------


def test_t_quantiles_match_the_table() -> None:
    assert math.isclose(t_quantile(0.975, 9), 2.262157, abs_tol=1e-6)
    assert math.isclose(t_quantile(0.975, 1), 12.706205, abs_tol=1e-5)
    assert math.isclose(t_quantile(0.975, 30), 2.042272, abs_tol=1e-6)
    assert math.isclose(t_quantile(0.975, 1e6), 1.959966, abs_tol=1e-5)


@given(st.floats(min_value=0.001, max_value=0.999))
def test_t_quantile_agrees_with_the_closed_forms_for_one_and_two_degrees_of_freedom(p: float) -> None:
    assert math.isclose(t_quantile(p, 1), math.tan(math.pi * (p - 0.5)), rel_tol=1e-7, abs_tol=1e-9)
    assert math.isclose(
        t_quantile(p, 2), (2 * p - 1) / math.sqrt(2 * p * (1 - p)), rel_tol=1e-7, abs_tol=1e-9
    )


@settings(max_examples=60)
@given(st.floats(min_value=0.01, max_value=0.99), st.integers(min_value=1, max_value=200))
def test_the_t_cdf_inverts_the_quantile(p: float, df: int) -> None:
    assert math.isclose(t_cdf(t_quantile(p, df), df), p, abs_tol=1e-9)


@settings(max_examples=80)
@given(st.lists(st.floats(min_value=-1e3, max_value=1e3), min_size=2, max_size=40))
def test_the_interval_is_the_mean_plus_minus_t_times_the_standard_error(values: list[float]) -> None:
    e = estimate(values)
    mean = statistics.fmean(values)
    half = t_quantile(0.975, len(values) - 1) * statistics.stdev(values) / math.sqrt(len(values))
    assert math.isclose(e.mean, mean, abs_tol=1e-9)
    assert math.isclose(e.high - e.mean, half, rel_tol=1e-9, abs_tol=1e-9)
    assert math.isclose(e.mean - e.low, half, rel_tol=1e-9, abs_tol=1e-9)
    assert e.low <= e.mean <= e.high
    # shifting every value shifts the interval; a wider level gives a wider interval
    shifted = estimate([v + 10 for v in values])
    assert math.isclose(shifted.low, e.low + 10, abs_tol=1e-6)
    assert estimate(values, 0.99).half_width >= e.half_width - 1e-12


@pytest.mark.slow
def test_a_full_mode_sweep_gives_the_same_figures_serially_and_in_worker_processes() -> None:
    # Given a small full day (flows, handlers, moto tables, aggregation) with and without virtual hold
    from civicline.sim.scaling import with_calls

    profile = with_calls(load_profile("regional-hotline-day"), 30)

    def run(runner: object) -> object:
        return run_sweep(
            profile,
            [parse_vary("callback=on,off", "full")],
            replications=2,
            base_seed=3,
            mode="full",
            target_sl=0.8,
            target_seconds=60,
            runner=runner,  # type: ignore[arg-type]
        )

    # When run in this process and in 2 spawned workers / Then the figures are identical
    serial, local = _figures(run(serial_runner)), _figures(run(process_runner(2)))
    assert serial == local
    assert all(0.0 <= v <= 1.0 for row in serial for v in row["service_level"])
