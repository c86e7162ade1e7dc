"""``civicline test``: Amazon Connect test cases (the testing language) run offline on the engine."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from civicline.conntest import report
from civicline.conntest.runner import CaseResult
from civicline.conntest.suite import run_paths


def register(app: typer.Typer) -> None:
    @app.command("test")
    def test_cmd(
        paths: Annotated[list[Path], typer.Argument(help="Test-case files or folders of them.")],
        flow: Annotated[
            str | None,
            typer.Option(
                "--flow", "-f", help="Entry flow for bare testing-language documents (name or ARN)."
            ),
        ] = None,
        as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
        junit: Annotated[Path | None, typer.Option("--junit", help="Write JUnit XML to this file.")] = None,
        coverage: Annotated[
            bool, typer.Option("--coverage", help="Print the share of each flow's actions and branches run.")
        ] = False,
    ) -> None:
        """Run Connect test cases against the local flows; exit 0 only when every case passes."""
        missing = [str(p) for p in paths if not p.exists()]
        if missing:
            typer.echo(f"no such file or folder: {', '.join(missing)}", err=True)
            raise typer.Exit(2)

        def show(result: CaseResult) -> None:
            if not as_json:
                typer.echo(report.line(result))

        suite = run_paths(paths, flow=flow, on_result=show)
        if junit is not None:
            report.write_junit(suite, junit)
        if as_json:
            typer.echo(report.dumps(report.as_json(suite, with_coverage=coverage)))
        else:
            typer.echo(report.summary(suite))
            if coverage and suite.coverage is not None:
                for row in report.coverage_lines(suite.coverage):
                    typer.echo(row)
        if not suite.ok:
            raise typer.Exit(1)
