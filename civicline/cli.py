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


def main() -> None:
    """Console-script entry point."""
    app()
