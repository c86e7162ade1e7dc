"""``civicline simulate``, ``civicline staffing`` and ``civicline whatif``: top-level commands.

Thin: parse options, call :mod:`civicline.sim`, print. The planning mode (``--arrivals-per-hour``)
runs the single-queue simulation next to its Erlang forecast; a profile runs the full day through
the flow engine, the real handlers, the tables and the metric aggregator.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

if TYPE_CHECKING:
    from civicline.sim.staffing_plan import DeskTargets

console = Console()


def _fmt(value: float, kind: str) -> str:
    if isinstance(value, float) and math.isinf(value):
        return "inf"
    if kind == "pct":
        return f"{value * 100:.1f} %"
    if kind == "sec":
        return f"{value:.1f} s"
    return f"{value:g}" if isinstance(value, float) else str(value)


def _planning_table(rows: list[tuple[str, str, Any, Any]], title: str) -> Table:
    table = Table(title=title)
    table.add_column("figure")
    table.add_column("simulated", justify="right")
    table.add_column("theory", justify="right")
    for label, kind, simulated, theory in rows:
        table.add_row(label, _fmt(simulated, kind), "" if theory is None else _fmt(theory, kind))
    return table


def run_planning(
    *,
    arrivals_per_hour: float,
    aht_seconds: float,
    agents: int,
    patience_seconds: float | None,
    hours: float,
    seed: int,
    target_seconds: float,
    as_json: bool,
) -> None:
    """Planning mode: simulate one queue and print it beside Erlang C (or Erlang A with patience)."""
    from civicline.sim.erlang import forecast
    from civicline.sim.planning import simulate_single_queue

    result = simulate_single_queue(
        arrivals_per_hour,
        aht_seconds,
        agents,
        patience_seconds,
        hours=hours,
        seed=seed,
        target_seconds=target_seconds,
    )
    theory = forecast(arrivals_per_hour, aht_seconds, agents, patience_seconds, target_seconds)
    if as_json:
        print(json.dumps({"simulated": result.to_dict(), "theory": _finite(theory.to_dict())}, indent=2))
        return
    rows: list[tuple[str, str, Any, Any]] = [
        ("offered", "n", result.offered, None),
        ("answered", "n", result.answered, None),
        ("abandoned", "n", result.abandoned, None),
        ("P(wait)", "pct", result.p_wait, theory.p_wait),
        ("ASA", "sec", result.asa, theory.asa),
        (f"service level ({target_seconds:g} s)", "pct", result.service_level, theory.service_level),
        ("abandonment", "pct", result.abandonment, theory.abandonment),
        ("occupancy", "pct", result.occupancy, theory.occupancy),
    ]
    console.print(_planning_table(rows, f"Planning mode: {agents} agents, {theory.model}"))


def _finite(data: dict[str, Any]) -> dict[str, Any]:
    """JSON has no infinity: an unbounded figure is reported as null."""
    return {k: (None if isinstance(v, float) and math.isinf(v) else v) for k, v in data.items()}


def simulate(
    *,
    profile: Annotated[
        str | None, typer.Option(help="built-in profile name or a YAML/JSON profile file")
    ] = None,
    calls: Annotated[int | None, typer.Option(help="override the profile's call volume")] = None,
    hours: Annotated[float | None, typer.Option(help="hours to simulate (planning mode: default 8)")] = None,
    seed: Annotated[int, typer.Option(help="random seed: same seed, same results")] = 1,
    out: Annotated[Path | None, typer.Option(help="write summary, metrics and dashboard here")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print JSON instead of tables")] = False,
    arrivals_per_hour: Annotated[float | None, typer.Option(help="planning mode: arrival rate")] = None,
    aht_seconds: Annotated[float | None, typer.Option(help="planning mode: mean handle time")] = None,
    agents: Annotated[int | None, typer.Option(help="planning mode: agents")] = None,
    patience_seconds: Annotated[
        float | None, typer.Option(help="planning mode: mean patience (Erlang A); none = Erlang C")
    ] = None,
    target_seconds: Annotated[float, typer.Option(help="planning mode: service-level threshold")] = 20.0,
    inject: Annotated[
        str | None,
        typer.Option(
            help="failure drill, e.g. lambda-errors=0.2,lambda-timeouts=0.05,ddb-throttle=0.1,"
            "duplicate-events=0.1,shuffle-events"
        ),
    ] = None,
    compare: Annotated[
        str | None,
        typer.Option(help="what-if variant run with common random numbers, e.g. virtual-hold=off"),
    ] = None,
    env: Annotated[
        str | None,
        typer.Option(
            "--env",
            help="run the day as that environment deploys: its rendered flows, names, hours and "
            "holidays, each flow-invoked function with its stack's environment and IAM role",
        ),
    ] = None,
    scale: Annotated[
        str | None, typer.Option(help="scale the profile's calls and staff together, e.g. 6x")
    ] = None,
    plan: Annotated[
        Path | None, typer.Option(help="staffing plan file (civicline staffing --profile --out)")
    ] = None,
) -> None:
    """Simulate a hotline day (profile) or one queue (planning mode) and print the summary."""
    if env is not None:
        simulate_as_deployed(env, profile or "regional-hotline-day", calls=calls, seed=seed)
        return
    planning = arrivals_per_hour is not None or aht_seconds is not None or agents is not None
    if planning:
        if arrivals_per_hour is None or aht_seconds is None or agents is None:
            raise typer.BadParameter("planning mode needs --arrivals-per-hour, --aht-seconds and --agents")
        run_planning(
            arrivals_per_hour=arrivals_per_hour,
            aht_seconds=aht_seconds,
            agents=agents,
            patience_seconds=patience_seconds,
            hours=hours or 8.0,
            seed=seed,
            target_seconds=target_seconds,
            as_json=as_json,
        )
        return
    name = profile or "regional-hotline-day"

    def run(shaped: str) -> None:
        from civicline.sim import runner

        # --calls reaches the day through _simulate_prepared's shaped profile, never twice
        runner.run_cli(
            shaped,
            calls=None,
            hours=hours,
            seed=seed,
            out=out,
            as_json=as_json,
            inject=inject,
            compare=compare,
            console=console,
        )

    if plan is not None and inject is None and compare is None:
        from civicline.commands.sweep import simulate_with_plan

        simulate_with_plan(
            name, calls=calls, scale=scale, plan=plan, hours=hours, seed=seed, out=out, as_json=as_json
        )
        return
    if scale is not None or plan is not None or calls is not None:
        _simulate_prepared(name, calls=calls, scale=scale, plan=plan, run=run, as_json=as_json)
        return
    run(name)


def simulate_as_deployed(env: str, profile_name: str, *, calls: int | None, seed: int) -> None:
    """``simulate --env``: one profile day through the deployed flows; prints the JSON summary."""
    from civicline.local.as_deployed import run_day_as_deployed
    from civicline.sim.profiles import ProfileError, load_profile
    from civicline.sim.summary import summarize
    from infra.config import InfraConfigError

    try:
        profile = load_profile(profile_name)
        result = run_day_as_deployed(env, profile, seed, calls=calls)
    except (ProfileError, InfraConfigError) as exc:
        raise typer.BadParameter(str(exc)) from exc
    summary = summarize(result, profile)
    summary["environment"] = env
    print(json.dumps(summary, indent=2, sort_keys=True, default=str))


def _simulate_prepared(
    name: str,
    *,
    calls: int | None,
    scale: str | None,
    plan: Path | None,
    run: Callable[[str], None],
    as_json: bool,
) -> None:
    """``--calls`` / ``--scale`` / ``--plan``: shape the profile first and say what it did to staff."""
    from civicline.commands.sweep import USAGE_ERRORS, fail, prepare_profile, profile_file

    try:
        shaped, line = prepare_profile(name, calls=calls, scale=scale, plan=plan)
    except USAGE_ERRORS as exc:
        raise fail(exc) from None
    # with --json the line goes to stderr, so stdout stays one JSON document
    (Console(stderr=True) if as_json else console).print(line, highlight=False, soft_wrap=True)
    with profile_file(shaped) as path:
        run(path)


def _desk_targets(
    on: bool,
    chat_sl: float,
    chat_seconds: float | None,
    target_seconds: float,
    email: float,
    *,
    email_by: str,
) -> DeskTargets | None:
    """The desks' targets for the plan (None: the desks keep the profile's headcount)."""
    if not on:
        return None
    if email_by not in ("deadline", "closing"):
        raise typer.BadParameter(f"--email-by is 'deadline' or 'closing', got {email_by!r}")
    from civicline.sim.staffing_plan import DeskTargets
    from schemas.staffing_plan import EmailTarget, PlanTarget

    try:
        seconds = target_seconds if chat_seconds is None else chat_seconds
        return DeskTargets(
            chat=PlanTarget(service_level=chat_sl, seconds=seconds),
            email=EmailTarget(answered_within_24h=email, by=email_by),
        )
    except ValueError as exc:  # pydantic's ValidationError: a target out of range
        raise typer.BadParameter(str(exc).splitlines()[-1].strip()) from None


def staffing(
    *,
    arrivals_per_hour: Annotated[float | None, typer.Option(help="arrival rate (calls per hour)")] = None,
    aht_seconds: Annotated[float | None, typer.Option(help="mean handle time, seconds")] = None,
    target_sl: Annotated[float, typer.Option(help="service-level target, e.g. 0.8")] = 0.8,
    target_seconds: Annotated[float, typer.Option(help="answered within this many seconds")] = 60.0,
    patience_seconds: Annotated[
        float | None, typer.Option(help="mean caller patience: Erlang A instead of Erlang C")
    ] = None,
    max_abandonment: Annotated[float | None, typer.Option(help="also cap abandonment (Erlang A)")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
    profile: Annotated[
        str | None, typer.Option(help="plan a profile's day: agents per interval (Erlang A, its patience)")
    ] = None,
    out: Annotated[Path | None, typer.Option(help="with --profile: write the plan (.yaml or .json)")] = None,
    interval_minutes: Annotated[int, typer.Option(help="with --profile: 15, 30 or 60")] = 30,
    calls: Annotated[int | None, typer.Option(help="with --profile: the day's call volume")] = None,
    scale: Annotated[str | None, typer.Option(help="with --profile: scale calls and staff, e.g. 6x")] = None,
    chat_target_sl: Annotated[
        float | None, typer.Option(help="with --profile: the chat desk's service level (default --target-sl)")
    ] = None,
    chat_target_seconds: Annotated[
        float | None, typer.Option(help="with --profile: chats answered within (default --target-seconds)")
    ] = None,
    email_target: Annotated[
        float, typer.Option(help="with --profile: share of e-mails answered within their 24 h deadline")
    ] = 0.9,
    email_by: Annotated[
        str,
        typer.Option(
            help="with --profile: when an e-mail is due: 'deadline' (24 h after receipt; mail left at "
            "closing and answered the next working day counts as in time) or 'closing' (by the day's "
            "closing: the one-day simulated day's horizon, which `simulate --plan` measures)"
        ),
    ] = "deadline",
    desks: Annotated[
        bool, typer.Option(help="with --profile: size the chat and e-mail desks (--no-desks: keep them)")
    ] = True,
) -> None:
    """Agents needed for a service-level target (Erlang C, or Erlang A with patience); with
    ``--profile``, a staffing plan of agents per interval for that day, its chat and e-mail desks too."""
    if profile is not None:
        from civicline.commands.sweep import staffing_for_profile

        if arrivals_per_hour is not None or aht_seconds is not None or patience_seconds is not None:
            raise typer.BadParameter("--profile takes its rates and patience from the profile")

        staffing_for_profile(
            profile,
            target_sl=target_sl,
            target_seconds=target_seconds,
            interval_minutes=interval_minutes,
            calls=calls,
            scale=scale,
            out=out,
            as_json=as_json,
            desks=_desk_targets(
                desks,
                chat_target_sl or target_sl,
                chat_target_seconds,
                target_seconds,
                email_target,
                email_by=email_by,
            ),
        )
        return
    if arrivals_per_hour is None or aht_seconds is None:
        raise typer.BadParameter("give --arrivals-per-hour and --aht-seconds, or --profile")
    from civicline.sim.staffing import agents_needed

    try:
        answer = agents_needed(
            arrivals_per_hour,
            aht_seconds,
            target_sl,
            target_seconds,
            patience_seconds,
            max_abandonment=max_abandonment,
        )
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from exc
    f = answer.forecast
    if as_json:
        print(json.dumps({"agents": answer.agents, "met": answer.met, **_finite(f.to_dict())}, indent=2))
        return
    table = Table(title=f"Staffing ({f.model}): {arrivals_per_hour:g} calls/h, AHT {aht_seconds:g} s")
    table.add_column("figure")
    table.add_column("value", justify="right")
    table.add_row("agents needed", str(answer.agents) + ("" if answer.met else " (target not met)"))
    table.add_row("offered load", f"{f.offered_load:.2f} erlangs")
    table.add_row(f"service level ({target_seconds:g} s)", _fmt(f.service_level, "pct"))
    table.add_row("ASA", _fmt(f.asa, "sec"))
    table.add_row("P(wait)", _fmt(f.p_wait, "pct"))
    table.add_row("abandonment", _fmt(f.abandonment, "pct"))
    table.add_row("occupancy", _fmt(f.occupancy, "pct"))
    console.print(table)


def whatif(
    *,
    profile: Annotated[str, typer.Option(help="built-in profile name or a profile file")] = (
        "regional-hotline-day"
    ),
    variant: Annotated[
        str, typer.Option(help="the change to try, e.g. virtual-hold=off, agents=+3, calls=x1.2")
    ] = "virtual-hold=off",
    calls: Annotated[int | None, typer.Option(help="override the profile's call volume")] = None,
    seed: Annotated[int, typer.Option(help="random seed shared by both runs")] = 1,
    out: Annotated[Path | None, typer.Option(help="write both runs' outputs here")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
) -> None:
    """Two runs of the same day with common random numbers, side by side (baseline vs variant)."""
    from civicline.sim import runner

    runner.run_cli(
        profile,
        calls=calls,
        hours=None,
        seed=seed,
        out=out,
        as_json=as_json,
        inject=None,
        compare=variant,
        console=console,
    )


def register(app: typer.Typer) -> None:
    """Add the top-level commands to the ``civicline`` app."""
    app.command("simulate")(simulate)
    app.command("staffing")(staffing)
    app.command("whatif")(whatif)
