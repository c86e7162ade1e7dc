"""Rows as a rich table, CSV or JSON, and the quarterly A-11 customer-experience export."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from dataclasses import asdict

from civicline.metrics.queries import Row
from functions.domain.metrics import COUNTER_NAMES, DERIVED, federal_fiscal_quarter, parse_quarter
from schemas.records import A11Driver

#: (header, counter or derived name, format) for the table view
TABLE_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("Offered", "offered", "n"),
    ("Answered", "answered", "n"),
    ("Aband.", "abandoned", "n"),
    ("ASA s", "asa_seconds", "s"),
    ("LOS", "level_of_service", "%"),
    ("SL", "service_level", "%"),
    ("Aband.%", "abandonment_rate", "%"),
    ("CB off/acc/dial/conn", "callbacks", "cb"),
    ("Contained", "containment_rate", "%"),
    ("Transf.", "transfers", "n"),
    ("FCR srv", "fcr_survey_rate", "%"),
    ("FCR rep", "fcr_repeat_rate", "%"),
    ("Surveys", "survey_responses", "n"),
)


def _fmt(value: float | None, kind: str) -> str:
    if value is None:
        return "-"
    if kind == "%":
        return f"{value * 100:.1f}%"
    if kind == "s":
        return f"{value:.1f}"
    return str(int(value))


def table(rows: Sequence[Row], title: str = "CivicLine metrics") -> str:
    """A rich table rendered to text (no colours, so it can be piped)."""
    from rich.console import Console
    from rich.table import Table

    view = Table(title=title)
    view.add_column("Queue")
    view.add_column("Period")
    for header, _, _ in TABLE_COLUMNS:
        view.add_column(header, justify="right")
    for row in rows:
        counters = asdict(row.rollup)
        cells = [row.rollup.queue, row.rollup.period]
        for _, name, kind in TABLE_COLUMNS:
            if kind == "cb":
                r = row.rollup
                cells.append(
                    f"{r.callbacks_offered}/{r.callbacks_accepted}/{r.callbacks_dialed}/{r.callbacks_connected}"
                )
            elif name in row.ratios:
                cells.append(_fmt(row.ratios[name], kind))
            else:
                cells.append(_fmt(float(counters.get(name, 0)), kind))
        view.add_row(*cells)
    buffer = io.StringIO()
    Console(file=buffer, width=220, color_system=None, force_terminal=False).print(view)
    return buffer.getvalue()


def csv_text(rows: Sequence[Row]) -> str:
    """One line per queue and period: every counter, every derived ratio, A-11 driver sums/counts."""
    derived_names = [m.name for m in DERIVED]
    driver_cols = [f"{kind}_{d.value}" for d in A11Driver for kind in ("driver_sum", "driver_count")]
    mean_cols = [f"a11_{d.value}_mean" for d in A11Driver]
    header = [
        "queue",
        "grain",
        "period",
        "period_start",
        *COUNTER_NAMES,
        *derived_names,
        *mean_cols,
        *driver_cols,
    ]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        r = row.rollup
        data = asdict(r)
        line: list[object] = [r.queue, r.grain.value, r.period, r.period_start.isoformat()]
        line.extend(data[name] for name in COUNTER_NAMES)
        line.extend(
            "" if row.ratios.get(n) is None else round(float(row.ratios[n] or 0), 6) for n in derived_names
        )
        line.extend(
            "" if row.ratios.get(n) is None else round(float(row.ratios[n] or 0), 6) for n in mean_cols
        )
        for driver in A11Driver:
            line.extend([r.driver_sums.get(driver, 0), r.driver_counts.get(driver, 0)])
        writer.writerow(line)
    return buffer.getvalue()


def _ratio_cell(value: float | None) -> object:
    return "" if value is None else round(value, 6)


def json_text(rows: Sequence[Row]) -> str:
    return json.dumps([row.to_json() for row in rows], indent=2, sort_keys=True) + "\n"


A11_HEADER = ("quarter", "fiscal_quarter", "service", "channel", "driver", "scale_point", "count")


def a11_csv(quarter: str, rows: Sequence[Row]) -> str:
    """OMB A-11 section 280 quarterly data: per service, channel and driver, the count of responses
    at each scale point 1-5 (zeros included), then a ``total`` line per driver. Read from the ALL
    queue's quarter rollup so that each response is counted once."""
    year, q = parse_quarter(quarter)
    label = f"{year}Q{q}"
    points: dict[tuple[str, str, str], dict[int, int]] = {}
    for row in rows:
        if row.rollup.period != label:
            continue
        for key, count in row.rollup.a11_points.items():
            service, channel, driver, scale = key.rsplit("|", 3)
            bucket = points.setdefault((service, channel, driver), {})
            bucket[int(scale)] = bucket.get(int(scale), 0) + count
    order = {d.value: i for i, d in enumerate(A11Driver)}
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(A11_HEADER)
    fiscal = federal_fiscal_quarter(label)
    for service, channel, driver in sorted(points, key=lambda k: (k[0], k[1], order.get(k[2], 99), k[2])):
        counts = points[(service, channel, driver)]
        for point in range(1, 6):
            writer.writerow([label, fiscal, service, channel, driver, point, counts.get(point, 0)])
        writer.writerow([label, fiscal, service, channel, driver, "total", sum(counts.values())])
    return buffer.getvalue()
