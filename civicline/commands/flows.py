"""``civicline flows``: validate Flow-language documents (and list what the library holds)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from civicline.engine.validator import Finding, has_errors, validate_paths

app = typer.Typer(no_args_is_help=True)
console = Console(highlight=False, soft_wrap=True)

#: flows/ of this checkout (used when no file is given)
FLOWS_DIR = Path(__file__).resolve().parents[2] / "flows"


def default_flow_files() -> list[Path]:
    here = Path("flows")
    folder = here if here.is_dir() else FLOWS_DIR
    return sorted(folder.glob("*.json"))


@app.command("validate")
def validate_cmd(
    files: Annotated[list[Path] | None, typer.Argument(help="Flow files (default: flows/*.json).")] = None,
    errors_only: Annotated[bool, typer.Option("--errors-only", "-e", help="Hide warnings.")] = False,
    designer: Annotated[
        bool, typer.Option("--designer", help="Also check what the Connect designer needs (warnings).")
    ] = False,
) -> None:
    """Check structure, per-action rules, Lambda contracts and the no-dropped-caller rule.

    Prints one line per finding, ``<file>: <identifier>: <severity>: <message>``; exits 1 when any
    file has an error.
    """
    paths = list(files or default_flow_files())
    if not paths:
        console.print("no flow files to validate")
        raise typer.Exit(1)
    findings: list[Finding] = validate_paths(paths, designer=designer)
    shown = [f for f in findings if f.severity == "error" or not errors_only]
    for finding in shown:
        console.print(finding.line(), markup=False, style="red" if finding.severity == "error" else "yellow")
    errors = sum(f.severity == "error" for f in findings)
    warnings = len(findings) - errors
    failed = len({f.file for f in findings if f.severity == "error"})
    console.print(
        f"{len(paths)} file(s): {len(paths) - failed} valid, {failed} invalid;"
        f" {errors} error(s), {warnings} warning(s)",
        markup=False,
    )
    if has_errors(findings):
        raise typer.Exit(1)
