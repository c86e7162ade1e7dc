"""Rows as a rich table, CSV or JSON (the quarterly A-11 export is civicline.metrics.a11)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from dataclasses import asdict
from datetime import UTC, tzinfo

from civicline.metrics.queries import Row
from functions.domain.metrics_registry import ALL_RATIOS, BY_NAME, COUNTERS, TABLE, kind_of
from schemas.records import A11Driver

#: (header, counter or ratio name, format) for the table view, from the measure registry
TABLE_COLUMNS: tuple[tuple[str, str, str], ...] = tuple(
    (BY_NAME[name].short, name, {"pct": "%", "sec": "s"}.get(kind_of(name), "n")) for name in TABLE
)


def _fmt(value: float | None, kind: str) -> str:
    if value is None:
        return "-"
    if kind == "%":
        return f"{value * 100:.1f}%"
    if kind == "s":
        return f"{value:.1f}"
    return str(int(value))


def local_period(row: Row, tz: tzinfo) -> str:
    """A 15-minute period in the agency's local time (``2026-11-23 09:15 EST``); others as keyed."""
    if "T" not in row.rollup.period:
        return row.rollup.period
    return row.rollup.period_start.astimezone(tz).strftime("%Y-%m-%d %H:%M %Z")


def table(rows: Sequence[Row], title: str = "CivicLine metrics", tz: tzinfo = UTC) -> str:
    """A rich table rendered to text (no colours, so it can be piped); periods in local time."""
    from rich.console import Console
    from rich.table import Table

    view = Table(title=title)
    view.add_column("Queue")
    view.add_column("Period")
    for header, _, _ in TABLE_COLUMNS:
        view.add_column(header, justify="right")
    for row in rows:
        counters = asdict(row.rollup)
        cells = [row.rollup.queue, local_period(row, tz)]
        for _, name, kind in TABLE_COLUMNS:
            if name in row.ratios:
                cells.append(_fmt(row.ratios[name], kind))
            else:
                cells.append(_fmt(float(counters.get(name, 0)), kind))
        view.add_row(*cells)
    buffer = io.StringIO()
    Console(file=buffer, width=220, color_system=None, force_terminal=False).print(view)
    return buffer.getvalue()


def csv_columns() -> list[str]:
    """The CSV header: period fields and the channel (``ALL`` on the line of every channel together),
    then every counter and ratio column with its unit in the name, then per A-11 driver the sum of
    points, the responses and the responses agreeing (4 or 5)."""
    drivers = [
        f"a11_{d.value}_{part}" for d in A11Driver for part in ("points_sum", "responses", "agree_responses")
    ]
    return [
        "queue",
        "grain",
        "period",
        "period_start",
        "channel",
        *(c.column for c in COUNTERS),
        *(r.column for r in ALL_RATIOS),
        *drivers,
    ]


ALL_CHANNELS = "ALL"


def row_values(row: Row) -> list[object]:
    """One row's values in :func:`csv_columns` order (None for a ratio without a denominator)."""
    r = row.rollup
    data = asdict(r)
    line: list[object] = [r.queue, r.grain.value, r.period, r.period_start.isoformat(), ALL_CHANNELS]
    line.extend(data[c.name] for c in COUNTERS)
    line.extend(_ratio_cell(row.ratios.get(ratio.name)) for ratio in ALL_RATIOS)
    for driver in A11Driver:
        line.extend(
            [r.driver_sums.get(driver, 0), r.driver_counts.get(driver, 0), r.driver_agree.get(driver, 0)]
        )
    return line


def channel_lines(row: Row) -> list[list[object]]:
    """The row again once per channel it has counters for: that channel's counters and ratios (the
    A-11 driver columns stay empty: the quarterly export splits them by channel)."""
    r = row.rollup
    out = []
    for channel, values in row.channels().items():
        line: list[object] = [r.queue, r.grain.value, r.period, r.period_start.isoformat(), channel]
        line.extend(int(values.get(c.name) or 0) for c in COUNTERS)
        line.extend(_ratio_cell(values.get(ratio.name)) for ratio in ALL_RATIOS)
        line.extend([None] * (3 * len(A11Driver)))
        out.append(line)
    return out


def csv_text(rows: Sequence[Row]) -> str:
    """One line per queue and period for every channel together (channel ALL), then one per channel
    (columns: :func:`csv_columns`; an empty cell is no denominator)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(csv_columns())
    for row in rows:
        for line in (row_values(row), *channel_lines(row)):
            writer.writerow("" if v is None else v for v in line)
    return buffer.getvalue()


def _ratio_cell(value: float | None) -> float | None:
    return None if value is None else round(value, 6)


def json_text(rows: Sequence[Row]) -> str:
    """The CSV's lines as JSON objects (same names, units in them); the ALL-channels line of each
    row carries the A-11 scale points too."""
    columns = csv_columns()
    out: list[dict[str, object]] = []
    for row in rows:
        out.append({**dict(zip(columns, row_values(row), strict=True)), "a11_points": row.rollup.a11_points})
        out.extend(dict(zip(columns, line, strict=True)) for line in channel_lines(row))
    return json.dumps(out, indent=2, sort_keys=True) + "\n"
