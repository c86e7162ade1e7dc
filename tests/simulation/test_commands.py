"""``civicline simulate`` (planning mode), ``staffing`` and argument errors through the real CLI."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from civicline.cli import app

runner = CliRunner()


def test_staffing_prints_the_agents_needed_and_the_predictions() -> None:
    # Given the worked example's load / When asked for 80 % in 20 s
    result = runner.invoke(
        app,
        [
            "staffing",
            "--arrivals-per-hour",
            "200",
            "--aht-seconds",
            "180",
            "--target-sl",
            "0.8",
            "--target-seconds",
            "20",
            "--json",
        ],
    )
    # Then 14 agents, with Erlang C's figures
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["agents"] == 14
    assert data["model"] == "erlang-c"
    assert abs(data["service_level"] - 0.8883) < 5e-4
    assert data["abandonment"] == 0.0


def test_staffing_with_patience_uses_erlang_a_and_prints_a_table() -> None:
    result = runner.invoke(
        app,
        [
            "staffing",
            "--arrivals-per-hour",
            "200",
            "--aht-seconds",
            "180",
            "--target-seconds",
            "20",
            "--patience-seconds",
            "120",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "erlang-a" in result.output
    assert "agents needed" in result.output


def test_planning_mode_prints_simulation_beside_theory_and_is_reproducible() -> None:
    args = [
        "simulate",
        "--arrivals-per-hour",
        "120",
        "--aht-seconds",
        "240",
        "--agents",
        "10",
        "--patience-seconds",
        "180",
        "--hours",
        "20",
        "--seed",
        "3",
        "--json",
    ]
    first = runner.invoke(app, args)
    second = runner.invoke(app, args)
    assert first.exit_code == 0, first.output
    assert first.output == second.output
    data = json.loads(first.output)
    assert data["theory"]["model"] == "erlang-a"
    assert abs(data["simulated"]["p_wait"] - data["theory"]["p_wait"]) < 0.05
    table = runner.invoke(app, args[:-1])
    assert "simulated" in table.output and "theory" in table.output


def test_bad_arguments_are_reported_not_raised() -> None:
    partial = runner.invoke(app, ["simulate", "--arrivals-per-hour", "100"])
    assert partial.exit_code != 0
    assert "planning mode needs" in partial.output
    unknown = runner.invoke(app, ["simulate", "--profile", "no-such-profile"])
    assert unknown.exit_code != 0
    assert "no profile" in unknown.output
    fault = runner.invoke(app, ["simulate", "--inject", "gremlins=1"])
    assert fault.exit_code != 0
    assert "unknown fault" in fault.output
    target = runner.invoke(
        app, ["staffing", "--arrivals-per-hour", "1", "--aht-seconds", "1", "--target-sl", "2"]
    )
    assert target.exit_code != 0
    overload = runner.invoke(
        app,
        [
            "simulate",
            "--arrivals-per-hour",
            "100",
            "--aht-seconds",
            "300",
            "--agents",
            "2",
            "--hours",
            "1",
            "--json",
        ],
    )
    assert overload.exit_code == 0
    assert json.loads(overload.output)["theory"]["asa"] is None  # unbounded under Erlang C
