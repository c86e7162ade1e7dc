"""``civicline metrics``: show rollups, export the A-11 quarterly data, write the HTML dashboard.

Every command reads the `metrics` table: the one named by ``--table`` or METRICS_TABLE (default
``civicline-local-metrics``, the local engine's), through ``--endpoint-url`` (a moto server or any
DynamoDB endpoint) or an AWS ``--profile``; without either, the default boto3 credentials chain.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from schemas.records import Grain

if TYPE_CHECKING:
    from civicline.metrics.queries import RollupSource
    from functions.adapters.metrics_dynamo import DynamoMetricsStore

app = typer.Typer(no_args_is_help=True)

EndpointOpt = Annotated[
    str | None, typer.Option("--endpoint-url", help="DynamoDB endpoint (e.g. moto server)")
]
ProfileOpt = Annotated[str | None, typer.Option("--profile", help="AWS profile to read the table with")]
TableOpt = Annotated[str | None, typer.Option("--table", help="metrics table name (default METRICS_TABLE)")]
RegionOpt = Annotated[str | None, typer.Option("--region", help="AWS region")]
FromDirOpt = Annotated[
    Path | None,
    typer.Option("--from-dir", help="a simulated day's --out folder (its rollups.json) instead of a table"),
]


def _source(
    from_dir: Path | None,
    endpoint_url: str | None,
    profile: str | None,
    table: str | None,
    region: str | None,
) -> RollupSource:
    """The rollups to read: a simulated day's folder, or the metrics table."""
    if from_dir is None:
        return _store(endpoint_url, profile, table, region)
    from civicline.metrics.files import FileRollups

    try:
        return FileRollups.load(from_dir)
    except FileNotFoundError as exc:
        raise typer.BadParameter(str(exc), param_hint="--from-dir") from exc


def _store(
    endpoint_url: str | None, profile: str | None, table: str | None, region: str | None
) -> DynamoMetricsStore:
    from civicline.metrics.queries import open_store

    name = table or os.environ.get("METRICS_TABLE") or "civicline-local-metrics"
    if endpoint_url and not os.environ.get("AWS_ACCESS_KEY_ID") and not profile:
        os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
        os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
    return open_store(
        endpoint_url=endpoint_url,
        profile=profile,
        table=name,
        region=region or os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1",
    )


@app.command("show")
def show_cmd(
    *,
    queue: Annotated[
        list[str] | None,
        typer.Option("--queue", help="queue name, repeatable (default: ALL, then every queue with data)"),
    ] = None,
    start: Annotated[
        str | None, typer.Option("--from", help="ISO date/datetime (or 2026Q4 for quarters)")
    ] = None,
    end: Annotated[str | None, typer.Option("--to", help="ISO date/datetime, inclusive")] = None,
    interval: Annotated[Grain, typer.Option("--interval", help="15m, day or quarter")] = Grain.DAY,
    fmt: Annotated[str, typer.Option("--format", help="table, csv or json")] = "table",
    from_dir: FromDirOpt = None,
    endpoint_url: EndpointOpt = None,
    profile: ProfileOpt = None,
    table: TableOpt = None,
    region: RegionOpt = None,
) -> None:
    """Print rollups per queue and period with the derived measures (LOS, ASA, service level...)."""
    from civicline.metrics.queries import query
    from civicline.metrics.render import csv_text, json_text
    from civicline.metrics.render import table as table_text

    if fmt not in ("table", "csv", "json"):
        raise typer.BadParameter("use table, csv or json", param_hint="--format")
    source = _source(from_dir, endpoint_url, profile, table, region)
    try:
        rows = query(
            source,
            queues=queue,
            grain=interval,
            start=start,
            end=end,
        )
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from exc
    if fmt == "csv":
        typer.echo(csv_text(rows), nl=False)
    elif fmt == "json":
        typer.echo(json_text(rows), nl=False)
    else:
        title = f"CivicLine metrics ({interval.value}, {source.rules.time_zone})"
        typer.echo(table_text(rows, title=title, tz=source.rules.tz), nl=False)


@app.command("export-a11")
def export_a11_cmd(
    *,
    quarter: Annotated[
        str, typer.Option("--quarter", help="calendar quarter (2026Q4) or federal fiscal quarter (FY2027Q1)")
    ],
    out: Annotated[Path | None, typer.Option("--out", help="file to write (default: stdout)")] = None,
    fmt: Annotated[str, typer.Option("--format", help="csv or json")] = "csv",
    omb_control_number: Annotated[
        str, typer.Option("--omb-control-number", help="the survey's OMB control number")
    ] = "",
    federal_register_url: Annotated[
        str, typer.Option("--federal-register-url", help="the survey's Federal Register notice")
    ] = "",
    organization: Annotated[str, typer.Option("--organization", help="department name")] = "",
    organization_abbreviation: Annotated[
        str, typer.Option("--organization-abbreviation", help="department abbreviation")
    ] = "",
    service_provider: Annotated[str, typer.Option("--service-provider", help="HISP name")] = "",
    from_dir: FromDirOpt = None,
    endpoint_url: EndpointOpt = None,
    profile: ProfileOpt = None,
    table: TableOpt = None,
    region: RegionOpt = None,
) -> None:
    """Write the quarter's OMB A-11 section 280 CX data: per service and channel the volumes of
    customers, of those offered the survey and of respondents, and per question the count at each
    scale point 1-5 (the collection tool's omb_cx_reporting_collections fields)."""
    from civicline.metrics import a11
    from civicline.metrics.queries import query
    from functions.domain.metrics import ALL_QUEUE

    if fmt not in ("csv", "json"):
        raise typer.BadParameter("use csv or json", param_hint="--format")
    try:
        label = a11.calendar_quarter(quarter)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--quarter") from exc
    rows = query(
        _source(from_dir, endpoint_url, profile, table, region),
        queues=[ALL_QUEUE],
        grain=Grain.QUARTER,
        start=label,
        end=label,
    )
    reporting = a11.A11Reporting(
        organization_name=organization,
        organization_abbreviation=organization_abbreviation,
        service_provider_name=service_provider,
        omb_control_number=omb_control_number,
        federal_register_url=federal_register_url,
    )
    records = a11.records(label, rows, reporting)
    text = a11.csv_text(records) if fmt == "csv" else a11.json_text(records)
    if out is None:
        typer.echo(text, nl=False)
    else:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text, encoding="utf-8")
        typer.echo(f"wrote {out} ({len(records)} service and channel records)")


@app.command("dashboard")
def dashboard_cmd(
    *,
    out: Annotated[Path, typer.Option("--out", help="HTML file to write")] = Path("report.html"),
    queue: Annotated[str, typer.Option("--queue", help="queue charted by interval")] = "ALL",
    start: Annotated[str | None, typer.Option("--from", help="ISO date/datetime")] = None,
    end: Annotated[str | None, typer.Option("--to", help="ISO date/datetime, inclusive")] = None,
    from_dir: FromDirOpt = None,
    endpoint_url: EndpointOpt = None,
    profile: ProfileOpt = None,
    table: TableOpt = None,
    region: RegionOpt = None,
) -> None:
    """Write a self-contained HTML dashboard (inline SVG charts, no network needed to view it)."""
    from civicline.metrics.dashboard import build

    html = build(_source(from_dir, endpoint_url, profile, table, region), queue=queue, start=start, end=end)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(html, encoding="utf-8")
    typer.echo(f"wrote {out}")
