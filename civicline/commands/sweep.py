"""``civicline sweep``, plus the profile preparation that ``simulate``, ``staffing`` and ``sweep``
share (``--calls``, ``--scale``, ``--plan``) and ``civicline staffing --profile``.

Thin: parse options, call :mod:`civicline.sim.scaling`, :mod:`civicline.sim.staffing_plan` and
:mod:`civicline.sim.sweep`, print. Every usage problem is a one-line error with exit status 2.
"""

from __future__ import annotations

import json
import math
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from civicline.sim.plan_check import QueueCheck
from civicline.sim.profiles import ProfileError, load_profile
from civicline.sim.staffing_plan import DeskTargets, PlanError, desk_lines
from civicline.sim.sweep import SweepSpecError
from schemas.profile import SimulationProfile

console = Console()
USAGE_ERRORS = (ProfileError, PlanError, SweepSpecError, ValueError)


def prepare_profile(
    name: str, *, calls: int | None, scale: str | None, plan: Path | None
) -> tuple[SimulationProfile, str]:
    """The profile as the options shape it, and one line saying what happened to volume and staff.

    ``--scale`` scales calls and staff together; ``--calls`` alone changes the volume only (and
    says so); ``--plan`` replaces the staffing by the plan's (after any scaling of the volume).
    """
    from civicline.sim import scaling
    from civicline.sim.staffing_plan import check_fits, load_plan

    base = load_profile(name)
    profile = base
    if calls is not None and scale is not None:
        raise ValueError("give --calls or --scale, not both (--scale scales calls and staff together)")
    if scale is not None:
        profile = scaling.scale_profile(profile, scaling.parse_scale(scale))
    if calls is not None:
        profile = scaling.with_calls(profile, calls)
    if plan is not None:
        staffing_plan = load_plan(plan)
        check_fits(staffing_plan, profile)
        profile = scaling.apply_plan(profile, staffing_plan)
    line = scaling.describe_staffing(base, profile)
    if plan is not None:
        line += f"; staffing from plan {plan.name}"
    return profile, line


@contextmanager
def profile_file(profile: SimulationProfile) -> Iterator[str]:
    """A prepared profile as a temporary JSON file, for commands that take a profile by name."""
    with tempfile.TemporaryDirectory(prefix="civicline-profile-") as folder:
        path = Path(folder) / f"{profile.name}.json"
        path.write_text(profile.model_dump_json(), encoding="utf-8")
        yield str(path)


def fail(exc: BaseException) -> typer.Exit:
    """Print a usage problem as one line on stderr; the caller raises the returned exit (status 2)."""
    Console(stderr=True).print(f"[red]error:[/red] {exc}", highlight=False, soft_wrap=True)
    return typer.Exit(2)


def _staffing_line(base: SimulationProfile, shaped: SimulationProfile) -> str:
    """What ``--calls`` / ``--scale`` mean for a plan: the plan staffs the shaped volume by itself."""
    from civicline.sim.scaling import agent_hours, total_agents

    volume = (
        f"{base.calls:,} -> {shaped.calls:,} calls"
        if base.calls != shaped.calls
        else f"{shaped.calls:,} calls"
    )
    return (
        f"{volume}; the plan below staffs this volume (agents per group and interval); the profile's own "
        f"staff, {total_agents(shaped)} agents ({agent_hours(shaped):,.1f} agent-hours), is not used"
    )


def staffing_for_profile(
    profile: str,
    *,
    target_sl: float,
    target_seconds: float,
    interval_minutes: int,
    calls: int | None,
    scale: str | None,
    out: Path | None,
    as_json: bool,
    desks: DeskTargets | None = None,
) -> None:
    """``civicline staffing --profile``: agents per interval by Erlang A, printed and written."""
    from civicline.sim.scaling import agent_hours, apply_plan
    from civicline.sim.staffing_plan import plan_for_profile, plan_text

    try:
        shaped, _ = prepare_profile(profile, calls=calls, scale=scale, plan=None)
        plan = plan_for_profile(shaped, target_sl, target_seconds, interval_minutes, desks=desks)
        line = _staffing_line(load_profile(profile), shaped)
    except USAGE_ERRORS as exc:
        raise fail(exc) from None
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(plan_text(plan, out), encoding="utf-8")
    if as_json:
        print(json.dumps(plan.model_dump(mode="json", exclude_none=True), indent=2))
        return
    console.print(line, highlight=False, soft_wrap=True)
    table = Table(
        title=f"Staffing plan ({plan.model}): {shaped.name}, {target_sl * 100:g} % in {target_seconds:g} s"
    )
    for column in ("interval", "calls to agents", "agents", "forecast service level"):
        table.add_column(column, justify="right")
    for i in plan.intervals:
        sl = "-" if i.forecast_service_level is None else f"{i.forecast_service_level * 100:.1f} %"
        table.add_row(f"{i.start}-{i.end}", f"{i.calls or 0:.1f}", str(i.agents), sl)
    console.print(table)
    console.print(desk_lines(plan, shaped), highlight=False, soft_wrap=True)
    planned = agent_hours(apply_plan(shaped, plan))
    console.print(
        f"{planned:,.1f} agent-hours planned; the profile staffs {agent_hours(shaped):,.1f}", highlight=False
    )
    if out is not None:
        console.print(
            f"wrote {out}; check it through a day with: civicline simulate --profile {profile} --plan {out}"
        )


def _queue_table(queues: list[QueueCheck]) -> Table:
    table = Table(title="Per queue (aggregator's day rollups)")
    for column in ("queue", "offered", "answered in time", "abandoned", "measured SL"):
        table.add_column(column, justify="right")
    for q in queues:
        sl = "-" if q.service_level is None else f"{q.service_level * 100:.1f} %"
        table.add_row(q.queue, str(q.offered), str(q.answered_within), str(q.abandoned), sl)
    return table


def simulate_with_plan(
    name: str,
    *,
    calls: int | None,
    scale: str | None,
    plan: Path,
    hours: float | None,
    seed: int,
    out: Path | None,
    as_json: bool,
) -> None:
    """``civicline simulate --plan``: one full day with the plan's staff, and per plan interval the
    planned agents and forecast beside the service level the aggregator measured."""
    from civicline.sim import runner
    from civicline.sim.center import SimCenter
    from civicline.sim.day import run_day
    from civicline.sim.plan_check import (
        CARRIED_IN_TIME,
        check_desks,
        check_plan,
        check_queues,
        short_intervals,
    )
    from civicline.sim.staffing_plan import load_plan
    from civicline.sim.summary import summarize

    try:
        shaped, line = prepare_profile(name, calls=calls, scale=scale, plan=plan)
        staffing_plan = load_plan(plan)
    except USAGE_ERRORS as exc:
        raise fail(exc) from None
    (Console(stderr=True) if as_json else console).print(line, highlight=False, soft_wrap=True)
    result = run_day(shaped, seed, hours=hours)
    summary = summarize(result, shaped)
    midnight = SimCenter.midnight_of(shaped.day, shaped.time_zone)
    checks = check_plan(staffing_plan, result.interval_rows, midnight)
    queues = check_queues(result.day_rows)
    summary["plan_check"] = [c.to_dict() for c in checks]
    summary["plan_check_queues"] = [q.to_dict() for q in queues]
    carried = int(result.truth.counts.get(CARRIED_IN_TIME, 0))  # a plan by deadline counts them
    desks = check_desks(staffing_plan, summary["channels"], carried)
    summary["plan_check_desks"] = [d.to_dict() for d in desks]
    written = runner.write_out(out, result, summary) if out else []
    if as_json:
        print(json.dumps(summary, indent=2, sort_keys=True, default=str))
        return
    console.print(runner.summary_table([(f"seed {seed}", summary)], f"{shaped.name} with plan {plan.name}"))
    runner.print_reconciliation(summary, console)
    table = Table(title=f"Plan {plan.name} against the day (aggregator's interval rollups)")
    for column in ("interval", "agents", "forecast SL", "offered", "answered in time", "measured SL"):
        table.add_column(column, justify="right")
    for c in checks:
        forecast = "-" if c.forecast_service_level is None else f"{c.forecast_service_level * 100:.1f} %"
        measured = "-" if c.service_level is None else f"{c.service_level * 100:.1f} %"
        table.add_row(
            f"{c.start}-{c.end}", str(c.agents), forecast, str(c.offered), str(c.answered_within), measured
        )
    console.print(table)
    console.print(_queue_table(queues))
    short = short_intervals(checks, staffing_plan)
    if staffing_plan.target is not None:
        console.print(
            f"{len(short)} of {len(checks)} intervals below the plan's target "
            f"({staffing_plan.target.service_level * 100:g} % in {staffing_plan.target.seconds:g} s)",
            highlight=False,
        )
    for d in desks:
        measured = "-" if d.measured is None else f"{d.measured * 100:.1f} %"
        verdict = "met" if d.met else "NOT met"
        console.print(f"{d.channel} desk: {d.measure} {measured}, target {d.target * 100:g} % ({verdict})")
    for path in written:
        console.print(f"wrote {path}")


def _fmt(value: float, kind: str) -> str:
    if not math.isfinite(value):
        return "-"
    return f"{value * 100:.1f} %" if kind == "pct" else f"{value:.1f} s"


def _print_sweep(result: object) -> None:
    from civicline.sim.sweep import FIGURES, SweepResult

    assert isinstance(result, SweepResult)
    cheapest = result.cheapest
    table = Table(
        title=f"Sweep {result.profile} ({result.mode} mode): {result.replications} replications, "
        f"seeds {result.base_seed}..{result.base_seed + result.replications - 1}, 95 % CI"
    )
    names = list(result.rows[0].setting)
    for name in [*names, "agent-hours"]:
        table.add_column(name, justify="right")
    for _, label, _ in FIGURES:
        table.add_column(label, justify="right")
    table.add_column(f"meets {result.target_sl * 100:g} %", justify="center")
    for row in result.rows:
        cells = [
            f"{_fmt(e.mean, kind)} [{_fmt(e.low, kind)}, {_fmt(e.high, kind)}]"
            for e, kind in ((row.estimates[key], kind) for key, _, kind in FIGURES)
        ]
        mark = "cheapest" if row is cheapest else ("yes" if row.meets_target else "")
        table.add_row(*row.setting.values(), f"{row.agent_hours:,.1f}", *cells, mark)
    console.print(table)
    if cheapest is None:
        console.print("no setting meets the target with confidence (lower 95 % bound >= target)")
    else:
        pick = ", ".join(f"{k}={v}" for k, v in cheapest.setting.items()) or "the profile as it is"
        console.print(
            f"cheapest setting meeting the target with confidence: {pick} "
            f"({cheapest.agent_hours:,.1f} agent-hours)"
        )


def sweep(
    *,
    profile: Annotated[
        str, typer.Option(help="built-in profile name or a profile file")
    ] = "regional-hotline-day",
    vary: Annotated[
        list[str] | None,
        typer.Option(
            help="NAME=START:STOP[:STEP] or NAME=V1,V2: agents, calls, patience, notification_uptake; "
            "full mode also callback=on,off, acceptance, virtual_hold_threshold (seconds)"
        ),
    ] = None,
    replications: Annotated[
        int, typer.Option(help="independent replications per setting (seeds seed..seed+R-1)")
    ] = 10,
    mode: Annotated[
        str, typer.Option(help="planning (one pooled queue, fast) or full (flows, functions, tables)")
    ] = "planning",
    calls: Annotated[int | None, typer.Option(help="the day's call volume (staff unchanged)")] = None,
    scale: Annotated[str | None, typer.Option(help="scale calls and staff together, e.g. 6x")] = None,
    plan: Annotated[Path | None, typer.Option(help="staffing plan file (YAML/JSON) to start from")] = None,
    seed: Annotated[int, typer.Option(help="first seed; replication r uses seed + r in every setting")] = 1,
    target_sl: Annotated[float, typer.Option(help="service-level target")] = 0.8,
    target_seconds: Annotated[
        float | None, typer.Option(help="answered within (default: the profile's)")
    ] = None,
    workers: Annotated[
        int | None, typer.Option(help="worker processes (default: one per core; 1 = in process)")
    ] = None,
    scheduler: Annotated[str | None, typer.Option(help="run on a Dask cluster, e.g. tcp://host:8786")] = None,
    out: Annotated[
        Path | None, typer.Option(help="write sweep.csv, sweep.json, sweep.svg, sweep.html here")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
) -> None:
    """Replicated runs over settings with common random numbers: each figure with a 95 % CI."""
    from civicline.sim import sweep as engine
    from civicline.sim.sweep_report import json_text, write_outputs

    try:
        if mode not in ("planning", "full"):
            raise SweepSpecError(f"--mode is planning or full, got {mode!r}")
        checked: engine.Mode = "planning" if mode == "planning" else "full"
        variations = [engine.parse_vary(v, checked) for v in vary or []]
        shaped, line = prepare_profile(profile, calls=calls, scale=scale, plan=plan)
        if not 0 < target_sl < 1:
            raise SweepSpecError("--target-sl must be between 0 and 1 (exclusive)")
        result = engine.run_sweep(
            shaped,
            variations,
            replications=replications,
            base_seed=seed,
            mode=checked,
            target_sl=target_sl,
            target_seconds=shaped.service_level_seconds if target_seconds is None else target_seconds,
            runner=engine.choose_runner(workers, scheduler),
        )
    except USAGE_ERRORS as exc:
        raise fail(exc) from None
    written = write_outputs(out, result) if out else []
    if as_json:
        Console(stderr=True).print(line, highlight=False, soft_wrap=True)  # stdout stays one document
        print(json_text(result), end="")
        return
    console.print(line, highlight=False, soft_wrap=True)
    _print_sweep(result)
    for path in written:
        console.print(f"wrote {path}")


def register(app: typer.Typer) -> None:
    """Add ``civicline sweep``."""
    app.command("sweep")(sweep)
