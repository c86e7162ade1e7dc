"""``civicline simulate --profile`` / ``whatif`` / ``--inject``: run days, print, write ``--out``.

Thin glue between the command line and :mod:`civicline.sim.day`: a progress bar while the day runs,
the summary table (or JSON), the side-by-side comparison, the drill report, and the output files.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from civicline.sim.day import DayResult, run_day
from civicline.sim.faults import FaultPlan, parse_inject
from civicline.sim.profiles import ProfileError, load_profile, parse_profile
from civicline.sim.summary import HEADLINE, apply_variant, channel_rows, drift, fmt, summarize
from schemas.profile import SimulationProfile


def _run(
    profile: SimulationProfile,
    seed: int,
    *,
    calls: int | None,
    hours: float | None,
    faults: FaultPlan | None,
    label: str,
    console: Console,
    show_progress: bool,
) -> DayResult:
    if not show_progress:
        return run_day(profile, seed, calls=calls, hours=hours, faults=faults)
    with Progress(
        TextColumn(f"[bold]{label}[/bold]"),
        BarColumn(),
        TextColumn("{task.percentage:>3.0f} % of the run (day, then metrics)"),
        TimeElapsedColumn(),
        console=console,
        transient=False,
    ) as bar:
        task = bar.add_task(label, total=1.0)

        def progress(fraction: float) -> None:
            bar.update(task, completed=fraction)

        return run_day(profile, seed, calls=calls, hours=hours, faults=faults, progress=progress)


#: what-if rows from the simulator's truth (what the caller plan did; no aggregator measure says it)
TRUTH_ROWS = (
    ("status_first_calls", "Case-status first calls (truth)"),
    ("status_calls_avoided_by_notifications", "Status calls a notification replaced (truth)"),
)


def summary_table(
    columns: list[tuple[str, dict[str, Any]]], title: str, *, truth_rows: bool = False
) -> Table:
    # the headline sums every channel: an e-mail answered the next morning weighs in its speed of
    # answer and service level as it does in Connect's queue metrics, so say where the split is
    table = Table(title=title, caption="all channels together; the By channel table splits them")
    table.add_column("figure")
    for name, _ in columns:
        table.add_column(name, justify="right")
    for key, label, kind in HEADLINE:
        table.add_row(label, *(fmt(summary["metrics"].get(key), kind) for _, summary in columns))
    for key, label in TRUTH_ROWS if truth_rows else ():
        table.add_row(label, *(fmt(summary["truth"].get(key, 0), "n") for _, summary in columns))
    return table


def channel_table(summary: dict[str, Any]) -> Table:
    names, rows = channel_rows(summary)
    table = Table(title="By channel")
    table.add_column("figure")
    for name in names:
        table.add_column(name, justify="right")
    for label, cells in rows:
        table.add_row(label, *cells)
    return table


def print_reconciliation(summary: dict[str, Any], console: Console) -> None:
    """Every measure on which the aggregator's figure differs from what happened, as an error."""
    for name, pair in sorted(summary["reconciliation"].items()):
        console.print(
            f"[bold red]error:[/bold red] {name}: metrics {pair['metrics']:,} but truth {pair['truth']:,} "
            "(the aggregator and the simulator disagree)"
        )


def drill_table(
    summary: dict[str, Any],
    metrics_drift: dict[str, int] | None,
    plan: FaultPlan,
    delivery_drift: dict[str, int] | None = None,
) -> Table:
    table = Table(title=f"Failure drill: {plan.describe()}")
    table.add_column("check")
    table.add_column("value", justify="right")
    table.add_column("must be", justify="right")
    drill = summary["drill"]
    table.add_row("calls dropped without service", str(drill["dropped_without_service"]), "0")
    table.add_row("callbacks lost", str(drill["callbacks_lost"]), "0")
    if metrics_drift is not None:
        must = "0" if not plan.changes_outcomes else "(outcomes differ)"
        table.add_row("metrics drift vs fault-free run (cells)", str(metrics_drift["cells_differing"]), must)
        table.add_row(
            "metrics drift vs fault-free run (sum)", str(metrics_drift["absolute_difference"]), must
        )
    if delivery_drift is not None:
        table.add_row(
            "drift from duplicated/shuffled delivery (cells)", str(delivery_drift["cells_differing"]), "0"
        )
        table.add_row(
            "drift from duplicated/shuffled delivery (sum)", str(delivery_drift["absolute_difference"]), "0"
        )
    for name, count in sorted(drill["injected"].items()):
        table.add_row(f"injected: {name}", str(count), "")
    return table


def write_out(out: Path, result: DayResult, summary: dict[str, Any]) -> list[Path]:
    """summary.json, rollups.json (for ``metrics --from-dir``), metrics.json, metrics.csv, dashboard.html."""
    from civicline.metrics import render
    from civicline.metrics.files import ROLLUPS_FILE, rollups_text

    out.mkdir(parents=True, exist_ok=True)
    rows = [*result.day_rows, *result.interval_rows]
    files = {
        "summary.json": json.dumps(summary, indent=2, sort_keys=True, default=str) + "\n",
        ROLLUPS_FILE: rollups_text(result.rollups, result.rules),
        "metrics.json": render.json_text(rows),
        "metrics.csv": render.csv_text(rows),
        "dashboard.html": result.dashboard_html,
    }
    written = []
    for name, text in files.items():
        path = out / name
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


@dataclass(frozen=True)
class _Options:
    """The command's options every kind of run shares."""

    calls: int | None
    hours: float | None
    seed: int
    out: Path | None
    as_json: bool
    console: Console

    def run(self, profile: SimulationProfile, faults: FaultPlan | None, label: str) -> DayResult:
        return _run(
            profile,
            self.seed,
            calls=self.calls,
            hours=self.hours,
            faults=faults,
            label=label,
            console=self.console,
            show_progress=not self.as_json,
        )


def run_cli(
    profile_name: str,
    *,
    calls: int | None,
    hours: float | None,
    seed: int,
    out: Path | None,
    as_json: bool,
    inject: str | None,
    compare: str | None,
    console: Console,
) -> None:
    """What ``civicline simulate --profile`` and ``civicline whatif`` do."""
    try:
        profile = load_profile(profile_name)
        plan = parse_inject(inject)
        variant = parse_profile(apply_variant(profile, compare).model_dump(mode="json")) if compare else None
    except (ProfileError, ValueError) as exc:
        raise typer.BadParameter(str(exc)) from exc
    options = _Options(calls, hours, seed, out, as_json, console)
    if plan.active:
        _drill(profile, plan, options)
    elif variant is not None:
        assert compare is not None
        _compare(profile, variant, compare, options)
    else:
        _single(profile, options)


def _drill(profile: SimulationProfile, plan: FaultPlan, options: _Options) -> None:
    """``--inject``: the fault-free day, the drilled day, and the drift between them."""
    baseline = options.run(profile, None, "fault-free day")
    drilled = options.run(profile, plan, "drill day")
    base_summary = summarize(baseline, profile)
    summary = summarize(drilled, profile)
    metrics_drift = drift(baseline.rollups, drilled.rollups)
    summary["drill"]["metrics_drift"] = metrics_drift
    delivery_drift: dict[str, int] | None = None
    if plan.changes_outcomes and (plan.duplicate_events or plan.shuffle_events):
        # the same faulty day delivered cleanly: isolates what duplicates and shuffling change
        outcome_only = FaultPlan(plan.lambda_errors, plan.lambda_timeouts, plan.ddb_throttle)
        clean = options.run(profile, outcome_only, "drill day, clean delivery")
        delivery_drift = drift(clean.rollups, drilled.rollups)
        summary["drill"]["delivery_drift"] = delivery_drift
    summary["drill"]["baseline_dropped"] = base_summary["drill"]["dropped_without_service"]
    if options.out:
        write_out(options.out, drilled, summary)
    if options.as_json:
        print(json.dumps(summary, indent=2, sort_keys=True, default=str))
        return
    console = options.console
    console.print(summary_table([("fault-free", base_summary), ("drill", summary)], profile.name))
    console.print(drill_table(summary, metrics_drift, plan, delivery_drift))
    print_reconciliation(summary, console)


def _compare(profile: SimulationProfile, variant: SimulationProfile, compare: str, options: _Options) -> None:
    """``whatif`` / ``--compare``: the baseline and the variant with common random numbers."""
    first = options.run(profile, None, "baseline")
    second = options.run(variant, None, compare)
    a, b = summarize(first, profile), summarize(second, variant)
    if options.out:
        write_out(options.out / "baseline", first, a)
        write_out(options.out / "variant", second, b)
    if options.as_json:
        print(json.dumps({"baseline": a, "variant": b, "change": compare}, indent=2, default=str))
        return
    console = options.console
    title = f"{profile.name}: what if {compare}"
    console.print(summary_table([("baseline", a), (compare, b)], title, truth_rows=True))
    print_reconciliation(a, console)
    print_reconciliation(b, console)


def _single(profile: SimulationProfile, options: _Options) -> None:
    result = options.run(profile, None, profile.name)
    summary = summarize(result, profile)
    written = write_out(options.out, result, summary) if options.out else []
    if options.as_json:
        print(json.dumps(summary, indent=2, sort_keys=True, default=str))
        return
    console = options.console
    console.print(
        summary_table([(f"seed {options.seed}", summary)], f"{profile.name} ({profile.day.isoformat()})")
    )
    if len(summary["channels"]) > 1:
        console.print(channel_table(summary))
    print_reconciliation(summary, console)
    perf = summary["performance"]
    console.print(
        f"{perf['contacts']:,} contacts, {perf['events']:,} contact events, {perf['lambda_calls']:,} Lambda "
        f"calls; {perf['contacts_per_second']} contacts/s; dropped without service: "
        f"{summary['drill']['dropped_without_service']}, callbacks lost: {summary['drill']['callbacks_lost']}"
    )
    for path in written:
        console.print(f"wrote {path}")
