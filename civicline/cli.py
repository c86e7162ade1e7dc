"""The ``civicline`` command line.

Each command group lives in its own module under :mod:`civicline.commands` and exposes ``app``
(a Typer group) or ``register(app)`` (top-level commands). This module only assembles them.
"""

from __future__ import annotations

import importlib
import importlib.util

import typer

app = typer.Typer(
    name="civicline",
    help="CivicLine: a public-service contact center on Amazon Connect, runnable locally.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,
)

#: (module under civicline.commands, group name or None for top-level commands, help)
COMMAND_MODULES: tuple[tuple[str, str | None, str], ...] = (
    ("schemas", "schemas", "Generate and check the JSON Schema files of the contracts."),
    ("flows", "flows", "Validate and inspect Flow-language documents."),
    ("call", None, "Run one contact through the flows."),
    ("data", "data", "Seed and inspect the demo data set."),
    ("metrics", "metrics", "Query contact-center metrics, export A-11 data, build the dashboard."),
    ("simulate", None, "Day-scale simulation, staffing and what-if planning."),
    ("sweep", None, "Replicated sweeps over staffing settings with confidence intervals."),
    ("test", None, "Run Amazon Connect test cases (the testing language) offline."),
    ("email", None, "Run one inbound e-mail through the e-mail flow."),
)


def _assemble() -> None:
    for module_name, group, help_text in COMMAND_MODULES:
        qualified = f"civicline.commands.{module_name}"
        if importlib.util.find_spec(qualified) is None:
            continue  # a command group not built yet is simply not listed
        module = importlib.import_module(qualified)
        if group is None:
            module.register(app)
        else:
            app.add_typer(module.app, name=group, help=help_text)


_assemble()


def aws_access_problem(exc: BaseException) -> str | None:
    """A one-line explanation for the AWS access failures a user can fix, else None.

    Commands that read tables (``metrics``, ``data seed``) reach AWS or an endpoint; a missing
    credential or table is a usage problem, not a crash, and deserves a sentence, not a traceback.
    """
    from botocore.exceptions import ClientError, EndpointConnectionError, NoCredentialsError, NoRegionError

    hint = (
        "pass --endpoint-url (a moto server or DynamoDB Local) or --profile; a simulated day's "
        "metrics are in its --out folder (metrics.csv, metrics.json, dashboard.html)"
    )
    if isinstance(exc, NoCredentialsError):
        return f"no AWS credentials: {hint}"
    if isinstance(exc, NoRegionError):
        return "no AWS region: pass --region or set AWS_REGION"
    if isinstance(exc, EndpointConnectionError):
        return f"cannot reach {exc.kwargs.get('endpoint_url', 'the endpoint')}: is it running?"
    if isinstance(exc, ClientError):
        code = exc.response.get("Error", {}).get("Code", "")
        if code == "ResourceNotFoundException":
            return f"table not found ({exc.response['Error'].get('Message', '')}): check --table"
        if code in {"AccessDeniedException", "UnrecognizedClientException", "ExpiredTokenException"}:
            return f"AWS refused access ({code}): check --profile and its permissions"
    return None


def main() -> None:
    """Console-script entry point."""
    try:
        app()
    except Exception as exc:
        problem = aws_access_problem(exc)
        if problem is None:
            raise
        from rich.console import Console

        Console(stderr=True).print(f"[red]error:[/red] {problem}")
        raise SystemExit(2) from None
