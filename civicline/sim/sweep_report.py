"""Sweep outputs: CSV, JSON and a self-contained chart (SVG, and the same SVG inside an HTML page).

Why hand-written SVG: the chart is one line with error bars and a target line; a plotting library
(and a network-loaded script) would be heavier than the chart. The page loads nothing.
"""

from __future__ import annotations

import csv
import html
import io
import json
import math
from pathlib import Path
from typing import Any

from civicline.sim.sweep import SweepResult, flatten

W, H, PAD = 720, 360, 56


def _finite(value: Any) -> Any:
    """JSON has no NaN or infinity: an undefined figure is null (recursively)."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_finite(v) for v in value]
    return value


def json_text(result: SweepResult) -> str:
    cheapest = result.cheapest
    data = {
        "profile": result.profile,
        "mode": result.mode,
        "replications": result.replications,
        "seeds": [result.base_seed + r for r in range(result.replications)],
        "target": {"service_level": result.target_sl, "seconds": result.target_seconds},
        "confidence": 0.95,
        "cheapest": None if cheapest is None else cheapest.setting,
        "settings": [
            {**record, "replications": row.values}
            for record, row in zip(flatten(result.rows), result.rows, strict=True)
        ],
    }
    return json.dumps(_finite(data), indent=2, allow_nan=False) + "\n"


def csv_text(result: SweepResult) -> str:
    records = flatten(result.rows)
    cheapest = result.cheapest
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=[*records[0].keys(), "cheapest"], lineterminator="\n")
    writer.writeheader()
    for record, row in zip(records, result.rows, strict=True):
        writer.writerow({**record, "cheapest": row is cheapest})
    return buffer.getvalue()


def _label(setting: dict[str, str]) -> str:
    return ", ".join(f"{k}={v}" for k, v in setting.items()) or "profile"


def svg_text(result: SweepResult) -> str:
    """Service level per setting with its 95 % interval, the target line, the cheapest pick marked."""
    rows = result.rows
    n = len(rows)
    x = [PAD + (W - 2 * PAD) * (i + 0.5) / n for i in range(n)]

    def y(value: float) -> float:
        return H - PAD - (H - 2 * PAD) * max(0.0, min(1.0, value))

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" viewBox="0 0 {W} {H}" '
        'font-family="sans-serif" font-size="11">',
        f"<title>{html.escape(result.profile)}: service level by setting (95 % CI)</title>",
        f'<line x1="{PAD}" y1="{H - PAD}" x2="{W - PAD}" y2="{H - PAD}" stroke="#333"/>',
        f'<line x1="{PAD}" y1="{PAD}" x2="{PAD}" y2="{H - PAD}" stroke="#333"/>',
    ]
    for tick in range(0, 101, 20):
        parts.append(f'<text x="{PAD - 6}" y="{y(tick / 100) + 4:.1f}" text-anchor="end">{tick} %</text>')
    ty = y(result.target_sl)
    parts.append(
        f'<line x1="{PAD}" y1="{ty:.1f}" x2="{W - PAD}" y2="{ty:.1f}" stroke="#c00" stroke-dasharray="4 3"/>'
        f'<text x="{W - PAD}" y="{ty - 4:.1f}" text-anchor="end" fill="#c00">target '
        f"{result.target_sl * 100:g} % in {result.target_seconds:g} s</text>"
    )
    cheapest = result.cheapest
    for xi, row in zip(x, rows, strict=True):
        e = row.estimates["service_level"]
        if not math.isfinite(e.mean):
            continue
        colour = "#080" if row is cheapest else ("#258" if row.meets_target else "#888")
        parts.append(
            f'<line x1="{xi:.1f}" y1="{y(e.low):.1f}" x2="{xi:.1f}" y2="{y(e.high):.1f}" stroke="{colour}"/>'
            f'<circle cx="{xi:.1f}" cy="{y(e.mean):.1f}" r="{5 if row is cheapest else 3}" fill="{colour}">'
            f"<title>{html.escape(_label(row.setting))}: {e.mean * 100:.1f} % "
            f"[{e.low * 100:.1f}, {e.high * 100:.1f}]</title></circle>"
        )
        if n <= 24:
            parts.append(
                f'<text x="{xi:.1f}" y="{H - PAD + 14}" text-anchor="middle">'
                f"{html.escape(', '.join(row.setting.values()))}</text>"
            )
    axis = html.escape(", ".join(rows[0].setting) or "setting")
    parts.append(f'<text x="{W / 2}" y="{H - 12}" text-anchor="middle">{axis}</text>')
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def html_text(result: SweepResult) -> str:
    cheapest = result.cheapest
    pick = "no setting meets the target with confidence" if cheapest is None else _label(cheapest.setting)
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>Sweep: {html.escape(result.profile)}</title></head><body>\n"
        f"<h1>Sweep: {html.escape(result.profile)} ({result.mode} mode, "
        f"{result.replications} replications)</h1>\n"
        "<p>Cheapest setting meeting the target with 95 % confidence: "
        f"<strong>{html.escape(pick)}</strong></p>\n"
        f"{svg_text(result)}</body></html>\n"
    )


def write_outputs(out: Path, result: SweepResult) -> list[Path]:
    """sweep.csv, sweep.json, sweep.svg and sweep.html in ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    files = {
        "sweep.csv": csv_text(result),
        "sweep.json": json_text(result),
        "sweep.svg": svg_text(result),
        "sweep.html": html_text(result),
    }
    written = []
    for name, text in files.items():
        path = out / name
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written
