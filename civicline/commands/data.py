"""``civicline data``: load and list the demo data set (docs/data.md documents it)."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

app = typer.Typer(no_args_is_help=True)
console = Console()


@app.command("seed")
def seed_cmd(
    endpoint_url: Annotated[
        str | None, typer.Option(help="DynamoDB endpoint (a moto server); tables are created if missing")
    ] = None,
    prefix: Annotated[str, typer.Option(help="table name prefix when the table env vars are not set")] = (
        "civicline-local"
    ),
) -> None:
    """Load offices, routing rules, knowledge answers (en/es), holidays and sample cases.

    Table names come from REFERENCE_TABLE, CASES_TABLE, ... (as in Lambda); with --endpoint-url and no
    such variables, the tables ``<prefix>-<name>`` are created there first.
    """
    from civicline.data import seed
    from functions.core.settings import TABLE_ENV

    now = datetime.now(UTC)
    if endpoint_url:
        from civicline.local.aws import LocalAws

        with LocalAws(prefix=prefix, endpoint_url=endpoint_url, use_moto=False):
            summary = seed(now)
    elif all(os.environ.get(env) for env in TABLE_ENV.values() if env in ("REFERENCE_TABLE", "CASES_TABLE")):
        summary = seed(now)
    else:
        console.print("[red]no tables: set REFERENCE_TABLE and CASES_TABLE, or pass --endpoint-url[/red]")
        raise typer.Exit(2)
    for kind, count in summary.as_dict().items():
        console.print(f"{kind:>18}: {count}")


@app.command("cases")
def cases_cmd() -> None:
    """List the sample cases with their PINs (demo data only: never do this with real cases)."""
    from civicline.data.demo import demo_cases

    table = Table("case number", "PIN", "status", "category", "office")
    for case in demo_cases():
        table.add_row(case.case_number, case.pin, case.status.value, case.category, case.office_id)
    console.print(table)
