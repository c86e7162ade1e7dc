"""``civicline schemas``: write or check the JSON Schema files of the contracts."""

from __future__ import annotations

import typer
from rich.console import Console

from schemas import generate as gen

app = typer.Typer(no_args_is_help=True)
console = Console()


@app.command("generate")
def generate_cmd() -> None:
    """Write schemas/json/*.schema.json from the pydantic models."""
    for path in gen.generate():
        console.print(f"wrote {path.name}")


@app.command("check")
def check_cmd() -> None:
    """Exit 1 when a committed schema file differs from the models."""
    problems = gen.drift()
    for problem in problems:
        console.print(f"[red]{problem}[/red]")
    if problems:
        console.print("run `make schemas` to regenerate")
        raise typer.Exit(1)
    console.print("schemas are up to date")
