"""``civicline data``: seed reference data (a deployment's step) and, locally, the demo cases.

docs/deploy.md says which command a deployment runs (``seed-reference --file``) and docs/data.md
what the demo data set holds. Demo cases have published PINs: they go to local tables only, unless
``seed-demo --i-understand-demo-pins-are-public`` is given, and even then never over an existing case.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.table import Table

if TYPE_CHECKING:
    from civicline.data import SeedSummary

app = typer.Typer(no_args_is_help=True)
console = Console()

EndpointOption = Annotated[
    str | None, typer.Option(help="DynamoDB endpoint (a moto server); tables are created if missing")
]
PrefixOption = Annotated[
    str, typer.Option(help="table name prefix with --endpoint-url when the table env vars are not set")
]


@contextmanager
def _tables(endpoint_url: str | None, prefix: str, needed: tuple[str, ...]) -> Iterator[None]:
    """The tables to seed: ``<prefix>-<name>`` created on ``endpoint_url``, or the ``*_TABLE`` names
    of the environment (as in Lambda) on whatever endpoint the AWS configuration gives."""
    from functions.core.settings import TABLE_ENV

    if endpoint_url:
        from civicline.local.aws import LocalAws

        with LocalAws(prefix=prefix, endpoint_url=endpoint_url, use_moto=False):
            yield
    elif all(os.environ.get(TABLE_ENV[name]) for name in needed):
        yield
    else:
        names = " and ".join(TABLE_ENV[name] for name in needed)
        console.print(f"[red]no tables: set {names}, or pass --endpoint-url[/red]")
        raise typer.Exit(2)


def _run(
    seed: Callable[[], SeedSummary], endpoint_url: str | None, prefix: str, needed: tuple[str, ...]
) -> None:
    from civicline.data import SeedRefused

    with _tables(endpoint_url, prefix, needed):
        try:
            summary = seed()
        except SeedRefused as refused:
            console.print(f"[red]refused: {refused}[/red]")
            raise typer.Exit(3) from None
    for kind, count in summary.as_dict().items():
        if count:
            console.print(f"{kind:>18}: {count}")
    if summary.cases_kept:
        console.print(
            f"[yellow]{summary.cases_kept} case numbers already existed and were left as they are[/yellow]"
        )


@app.command("seed-reference")
def seed_reference_cmd(
    file: Annotated[
        Path | None,
        typer.Option(
            "--file",
            help="your agency's reference data (JSON, see export-reference); required for a deployment",
        ),
    ] = None,
    endpoint_url: EndpointOption = None,
    prefix: PrefixOption = "civicline-local",
) -> None:
    """Load offices, routing rules, knowledge answers and holidays (the step a deployment runs).

    Without --file the built-in fictional set is loaded, on local tables only.
    """
    from civicline.data import ReferenceData, seed_reference

    try:
        data = ReferenceData.from_file(file) if file else None
    except ValueError as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from None
    _run(lambda: seed_reference(data), endpoint_url, prefix, ("reference",))


@app.command("seed-demo")
def seed_demo_cmd(
    endpoint_url: EndpointOption = None,
    prefix: PrefixOption = "civicline-local",
    i_understand_demo_pins_are_public: Annotated[
        bool,
        typer.Option(
            "--i-understand-demo-pins-are-public",
            help="also write the demo cases to DEPLOYED tables: anyone who reads docs/data.md can open them",
        ),
    ] = False,
) -> None:
    """Load the twenty demo cases (published PINs). Local tables only unless explicitly asked;
    never overwrites a case: an existing case number is left as it is."""
    from civicline.data import seed_demo_cases

    now = datetime.now(UTC)
    _run(
        lambda: seed_demo_cases(now, on_deployed_tables=i_understand_demo_pins_are_public),
        endpoint_url,
        prefix,
        ("cases",),
    )


@app.command("seed")
def seed_cmd(endpoint_url: EndpointOption = None, prefix: PrefixOption = "civicline-local") -> None:
    """Local demo: the built-in reference data and the demo cases. Refuses deployed tables."""
    from civicline.data import seed_demo

    now = datetime.now(UTC)
    _run(lambda: seed_demo(now), endpoint_url, prefix, ("reference", "cases"))


@app.command("export-reference")
def export_reference_cmd(
    out: Annotated[Path | None, typer.Option(help="write here instead of standard output")] = None,
) -> None:
    """Write the built-in (fictional) reference data as JSON: the template of a deployment's file."""
    from civicline.data import ReferenceData

    text = ReferenceData.built_in().to_json()
    if out:
        out.write_text(text, encoding="utf-8")
    else:
        typer.echo(text, nl=False)


@app.command("cases")
def cases_cmd() -> None:
    """List the sample cases with their PINs (demo data only: never do this with real cases)."""
    from civicline.data.demo import demo_cases

    table = Table("case number", "PIN", "status", "category", "office")
    for case in demo_cases():
        table.add_row(case.case_number, case.pin, case.status.value, case.category, case.office_id)
    console.print(table)
