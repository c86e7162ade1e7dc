"""``docs/metrics.md``'s measure tables, generated from the measure registry (and checked by a test).

``python -m civicline.metrics.docs`` rewrites the part of docs/metrics.md between the two markers;
``--check`` exits 1 when the file differs from the registry.
"""

from __future__ import annotations

import sys
from pathlib import Path

from functions.domain.metrics_registry import (
    A11_RATIOS,
    COUNTERS,
    RATIOS,
    Counter,
    Ratio,
)

DOC = Path(__file__).resolve().parents[2] / "docs" / "metrics.md"
BEGIN = "<!-- measures: generated from functions/domain/metrics_registry.py; do not edit -->"
END = "<!-- end of generated measures -->"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _counter_row(c: Counter) -> str:
    cloudwatch = f"`{c.cloudwatch.name}`" if c.cloudwatch else ""
    return (
        f"| `{c.name}` | {_cell(c.label)} | {_cell(c.definition)} | `{_cell(c.formula)}` | {c.unit} | "
        f"`{c.column}` | {cloudwatch} | {_cell(c.reads)} |"
    )


def _ratio_row(r: Ratio) -> str:
    return (
        f"| `{r.name}` | {_cell(r.label)} | {_cell(r.definition)} | `{_cell(r.formula)}` | {r.unit} | "
        f"`{r.column}` |"
    )


def measures_markdown() -> str:
    """The generated block, markers included."""
    lines = [
        BEGIN,
        "",
        "Counters (stored per queue and period; the formula is the rule's code on one contact `c`, "
        "with `x_ms` the threshold X, or on one survey `s`):",
        "",
        "| Counter | Label | Definition | Formula | Unit | CSV column | CloudWatch | Reads |",
        "|---|---|---|---|---|---|---|---|",
        *(_counter_row(c) for c in COUNTERS),
        "",
        "Ratios (derived when read; empty when the denominator is zero):",
        "",
        "| Ratio | Label | Definition | Formula | Unit | CSV column |",
        "|---|---|---|---|---|---|",
        *(_ratio_row(r) for r in RATIOS),
        "",
        "A-11 drivers, per driver `d`: counters `driver_sum|d` (sum of the 1-5 answers), `driver_count|d` "
        "(responses), `driver_agree|d` (answers of 4 or 5) and `a11|<service>|<channel>|d|<point>` "
        "(responses per scale point), and the ratios:",
        "",
        "| Ratio | Label | Definition | Formula | Unit | CSV column |",
        "|---|---|---|---|---|---|",
        *(_ratio_row(r) for r in A11_RATIOS),
        "",
        END,
    ]
    return "\n".join(lines)


def render(text: str) -> str:
    """``text`` (docs/metrics.md) with its generated block replaced by the registry's."""
    start, end = text.index(BEGIN), text.index(END) + len(END)
    return text[:start] + measures_markdown() + text[end:]


def main(argv: list[str]) -> int:
    current = DOC.read_text(encoding="utf-8")
    wanted = render(current)
    if "--check" in argv:
        if current != wanted:
            print("docs/metrics.md differs from the measure registry: run python -m civicline.metrics.docs")
            return 1
        return 0
    DOC.write_text(wanted, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
