"""A self-contained HTML dashboard: inline SVG charts and inline CSS, no script, no network.

Charts: level of service and ASA by interval, abandonment by interval, the callback funnel,
self-service containment, first-contact resolution (survey and repeat contacts) and the A-11 driver
scores with their response counts; then a per-queue summary and the definitions of every measure
(read from :mod:`functions.domain.metrics`, the one place they are defined).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, tzinfo
from html import escape

from civicline.metrics.channels import Backlog, channel_totals, email_backlog
from civicline.metrics.queries import RollupSource, Row
from functions.domain.email_backlog import deadline_status, overall
from functions.domain.metrics import ALL_QUEUE, derived
from functions.domain.metrics_registry import (
    A11_RATIOS,
    ALL_RATIOS,
    BY_NAME,
    COUNTERS,
    TABLE,
    Counter,
    Ratio,
    driver_count_key,
    kind_of,
)
from schemas.records import A11Driver, Grain

#: the definitions section: ratios first (what analysts read), then the counters they are made of
MEASURES_FOR_READERS: tuple[Counter | Ratio, ...] = (*ALL_RATIOS, *COUNTERS)
WIDTH, HEIGHT, PAD_L, PAD_R, PAD_T, PAD_B = 560, 220, 48, 12, 14, 34
COLORS = ("#1f6feb", "#d1242f", "#2da44e", "#bf8700", "#8250df", "#57606a")


def _num(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _frame(name: str, title: str, body: str, legend: Sequence[tuple[str, str]] = ()) -> str:
    keys = "".join(
        f'<span class="key"><i style="background:{color}"></i>{escape(label)}</span>'
        for label, color in legend
    )
    return (
        f'<figure class="card"><figcaption>{escape(title)}</figcaption>'
        f'<svg class="chart" data-chart="{name}" viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" '
        f'height="{HEIGHT}" role="img" aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">'
        f"<title>{escape(title)}</title>{body}</svg>"
        f'<div class="legend">{keys}</div></figure>'
    )


def _axes(top: float, labels: Sequence[str], unit: str = "") -> str:
    """Y grid with 5 ticks from 0 to ``top``, X labels thinned to about 8."""
    plot_h = HEIGHT - PAD_T - PAD_B
    parts = []
    for i in range(5):
        value = top * i / 4
        y = PAD_T + plot_h - plot_h * i / 4
        parts.append(f'<path class="grid" d="M{PAD_L} {y:.1f}H{WIDTH - PAD_R}"/>')
        parts.append(
            f'<text class="tick" x="{PAD_L - 4}" y="{y + 3:.1f}" text-anchor="end">{_num(value)}{unit}</text>'
        )
    step = max(1, len(labels) // 8)
    plot_w = WIDTH - PAD_L - PAD_R
    for i, label in enumerate(labels):
        if i % step:
            continue
        x = PAD_L + plot_w * (i + 0.5) / max(1, len(labels))
        parts.append(
            f'<text class="tick" x="{x:.1f}" y="{HEIGHT - PAD_B + 14}" text-anchor="middle">'
            f"{escape(label)}</text>"
        )
    parts.append(f'<path class="axis" d="M{PAD_L} {PAD_T}V{HEIGHT - PAD_B}H{WIDTH - PAD_R}"/>')
    return "".join(parts)


def _empty(name: str, title: str) -> str:
    body = f'<text class="empty" x="{WIDTH / 2}" y="{HEIGHT / 2}" text-anchor="middle">no data yet</text>'
    return _frame(name, title, body)


def line_chart(
    name: str,
    title: str,
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[float | None]]],
    unit: str = "",
) -> str:
    values = [v for _, vs in series for v in vs if v is not None]
    if not labels or not values:
        return _empty(name, title)
    top = max(values) * 1.1 or 1.0
    plot_w, plot_h = WIDTH - PAD_L - PAD_R, HEIGHT - PAD_T - PAD_B
    parts = [_axes(top, labels, unit)]
    legend = []
    for index, (label, points) in enumerate(series):
        color = COLORS[index % len(COLORS)]
        legend.append((label, color))
        commands, pen = [], "M"
        for i, value in enumerate(points):
            if value is None:
                pen = "M"
                continue
            x = PAD_L + plot_w * (i + 0.5) / len(labels)
            y = PAD_T + plot_h - plot_h * value / top
            commands.append(f"{pen}{x:.1f} {y:.1f}")
            pen = "L"
            parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2.5" fill="{color}"/>')
        if commands:
            parts.append(f'<path class="series" d="{" ".join(commands)}" stroke="{color}" fill="none"/>')
    return _frame(name, title, "".join(parts), legend)


def bar_chart(
    name: str,
    title: str,
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[float]]],
    unit: str = "",
) -> str:
    """Grouped vertical bars (drawn as paths)."""
    values = [v for _, vs in series for v in vs]
    if not labels or not values or max(values) <= 0:
        return _empty(name, title)
    top = max(values) * 1.1
    plot_w, plot_h = WIDTH - PAD_L - PAD_R, HEIGHT - PAD_T - PAD_B
    slot = plot_w / len(labels)
    width = max(1.0, slot * 0.8 / len(series))
    parts = [_axes(top, labels, unit)]
    legend = []
    for index, (label, points) in enumerate(series):
        color = COLORS[index % len(COLORS)]
        legend.append((label, color))
        for i, value in enumerate(points):
            if value <= 0:
                continue
            x = PAD_L + slot * i + slot * 0.1 + width * index
            h = plot_h * value / top
            y = PAD_T + plot_h - h
            base = PAD_T + plot_h
            parts.append(
                f'<path class="bar" d="M{x:.1f} {base:.1f}V{y:.1f}H{x + width:.1f}V{base:.1f}Z" '
                f'fill="{color}"><title>{escape(label)} {escape(labels[i])}: {_num(value)}</title></path>'
            )
    return _frame(name, title, "".join(parts), legend)


def hbar_chart(
    name: str, title: str, items: Sequence[tuple[str, float, str]], top: float | None = None
) -> str:
    """Horizontal bars: (label, value, annotation)."""
    if not items or max(v for _, v, _ in items) <= 0:
        return _empty(name, title)
    scale = top or max(v for _, v, _ in items)
    left, row_h = 150, (HEIGHT - PAD_T - 10) / len(items)
    parts = []
    for index, (label, value, note) in enumerate(items):
        y = PAD_T + row_h * index
        w = (WIDTH - left - 90) * value / scale
        color = COLORS[index % len(COLORS)]
        h = row_h * 0.7
        parts.append(
            f'<text class="label" x="{left - 6}" y="{y + h * 0.7:.1f}" text-anchor="end">'
            f"{escape(label)}</text>"
        )
        if w > 0:
            parts.append(f'<path class="bar" d="M{left} {y:.1f}h{w:.1f}v{h:.1f}h{-w:.1f}Z" fill="{color}"/>')
        parts.append(
            f'<text class="value" x="{left + w + 6:.1f}" y="{y + h * 0.7:.1f}">{escape(note)}</text>'
        )
    return _frame(name, title, "".join(parts))


def _total(rows: Sequence[Row]) -> dict[str, float]:
    """The raw counters (registry names and A-11 keys) summed over ``rows``."""
    sums: dict[str, float] = {}
    for row in rows:
        for name, value in row.counters().items():
            sums[name] = sums.get(name, 0.0) + value
    return sums


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value * 100:.1f}%"


def local_label(row: Row, tz: tzinfo, *, with_day: bool = False) -> str:
    """An interval's start as the agency's clock reads it (``09:15``, or ``11-23 09:15`` when the
    chart spans several days); days and quarters as keyed."""
    if row.rollup.grain is not Grain.INTERVAL:
        return row.rollup.period
    return row.rollup.period_start.astimezone(tz).strftime("%m-%d %H:%M" if with_day else "%H:%M")


def render(
    intervals: Sequence[Row],
    summary: Sequence[Row] = (),
    *,
    title: str = "CivicLine contact-center metrics",
    service_level_seconds: int = 60,
    generated: datetime | None = None,
    tz: tzinfo = UTC,
    days: Sequence[tuple[str, Row | None]] = (),
    quarters: Sequence[Row] = (),
    channels: Mapping[str, Mapping[str, float | None]] | None = None,
    backlog: Sequence[Backlog] = (),
) -> str:
    """The whole page. ``intervals``: one queue's (usually ALL) 15-minute rows, oldest first;
    ``summary``: rows for the per-queue table (any grain); ``days``: every local day of the range
    with its day row (None: no contact that day); ``quarters``: the quarter rows the range touches.
    Times read in the agency's zone ``tz``."""
    several_days = len({r.rollup.period_start.astimezone(tz).date() for r in intervals}) > 1
    labels = [local_label(r, tz, with_day=several_days) for r in intervals]
    los = [r.ratios["level_of_service"] for r in intervals]
    sl = [r.ratios["service_level"] for r in intervals]
    asa = [r.ratios["asa_seconds"] for r in intervals]
    total = _total(intervals) if intervals else None
    totals = derived(total) if total else {}
    charts = [
        line_chart(
            "los",
            "Level of service and service level by interval (%)",
            labels,
            [
                ("Level of service", [None if v is None else v * 100 for v in los]),
                (f"Service level {service_level_seconds}s", [None if v is None else v * 100 for v in sl]),
            ],
            "%",
        ),
        line_chart("asa", "Average speed of answer by interval (s)", labels, [("ASA", asa)], "s"),
        bar_chart(
            "abandonment",
            "Offered, answered and abandoned by interval",
            labels,
            [
                ("Offered", [float(r.rollup.offered) for r in intervals]),
                ("Answered", [float(r.rollup.answered) for r in intervals]),
                ("Abandoned", [float(r.rollup.abandoned) for r in intervals]),
            ],
        ),
    ]
    if total is not None:
        funnel = [
            (BY_NAME[n].label, total.get(n, 0.0))
            for n in ("callbacks_offered", "callbacks_accepted", "callbacks_dialed", "callbacks_connected")
        ]
        charts.append(hbar_chart("callbacks", "Callback funnel", [(n, v, f"{v:.0f}") for n, v in funnel]))
        charts.append(
            hbar_chart(
                "containment",
                "Self-service containment",
                [
                    (
                        "Inbound contacts",
                        total.get("inbound_contacts", 0.0),
                        f"{total.get('inbound_contacts', 0):.0f}",
                    ),
                    (
                        "Contained in IVR",
                        total.get("self_service_contained", 0.0),
                        f"{total.get('self_service_contained', 0):.0f} "
                        f"({_pct(totals.get('containment_rate'))})",
                    ),
                    ("Reached a queue", total.get("offered", 0.0), f"{total.get('offered', 0):.0f}"),
                ],
            )
        )
        identified = total.get("first_contacts", 0) + total.get("repeat_contacts", 0)
        charts.append(
            hbar_chart(
                "fcr",
                "First-contact resolution (%)",
                [
                    (
                        "Survey",
                        (totals.get("fcr_survey_rate") or 0) * 100,
                        f"{_pct(totals.get('fcr_survey_rate'))} of "
                        f"{total.get('fcr_survey_responses', 0):.0f}",
                    ),
                    (
                        "Repeat contacts",
                        (totals.get("fcr_repeat_rate") or 0) * 100,
                        f"{_pct(totals.get('fcr_repeat_rate'))} of {identified:.0f}",
                    ),
                ],
                top=100.0,
            )
        )
        drivers = [
            (
                d.value,
                (totals.get(f"a11_{d.value}_mean") or 0.0),
                f"{totals.get(f'a11_{d.value}_mean') or 0:.2f}, "
                f"{_pct(totals.get(f'a11_{d.value}_agree'))} agree "
                f"(n={total.get(driver_count_key(d), 0):.0f})",
            )
            for d in A11Driver
        ]
        charts.append(
            hbar_chart("a11", "A-11 drivers: mean (1-5), share agreeing (4-5), responses", drivers, top=5.0)
        )
    else:
        for name, chart_title in (
            ("callbacks", "Callback funnel"),
            ("containment", "Self-service containment"),
            ("fcr", "First-contact resolution (%)"),
            ("a11", "A-11 driver scores"),
        ):
            charts.append(_empty(name, chart_title))
    moment = (generated or datetime.now(UTC)).astimezone(tz).strftime("%Y-%m-%d %H:%M %Z")
    return _PAGE.format(
        title=escape(title),
        generated=escape(moment),
        charts="\n".join(charts),
        trends=_trends(days, quarters),
        channels=_channel_section(
            channels if channels is not None else channel_totals(intervals), backlog, tz
        ),
        summary=_summary_table(summary),
        definitions=_definitions(service_level_seconds),
    )


#: the measures of the day and quarter trend tables
TREND: tuple[str, ...] = (
    "offered",
    "answered",
    "abandoned",
    "level_of_service",
    "service_level",
    "asa_seconds",
    "containment_rate",
    "surveys_offered",
    "survey_responses",
    "survey_response_rate",
)


def _percent(row: Row | None, name: str) -> float | None:
    value = None if row is None else row.ratios.get(name)
    return None if value is None else value * 100


def _trend_table(title: str, rows: Sequence[tuple[str, Row | None]]) -> str:
    """One line per period (an empty period reads 0 contacts, ratios ``-``), A-11 agreement too."""
    agree = [r.name for r in A11_RATIOS if r.name.endswith("_agree")]
    head = "".join(f"<th>{escape(BY_NAME[n].short)}</th>" for n in (*TREND, *agree))
    body = []
    for label, row in rows:
        cells = "".join(f"<td>{escape(_trend_cell(row, n))}</td>" for n in (*TREND, *agree))
        body.append(f"<tr><td>{escape(label)}</td>{cells}</tr>")
    table = f"<tr><th>{escape(title)}</th>{head}</tr>{''.join(body)}"
    return f'<table class="trend" data-trend="{escape(title)}">{table}</table>'


def _trend_cell(row: Row | None, name: str) -> str:
    """A trend cell; a period without a row has no contact (0) and no ratio (-)."""
    if row is not None:
        return _cell(row, name)
    return "0" if kind_of(name) == "n" else "-"


def _trends(days: Sequence[tuple[str, Row | None]], quarters: Sequence[Row]) -> str:
    """Day trend (charts and table, every day of the range) and quarter trend (table, fiscal label)."""
    if not days and not quarters:
        return ""
    from functions.domain.metrics import federal_fiscal_quarter

    labels = [day[5:] for day, _ in days]
    charts = [
        line_chart(
            "day-los",
            "Level of service and service level by day (%)",
            labels,
            [
                ("Level of service", [_percent(r, "level_of_service") for _, r in days]),
                ("Service level", [_percent(r, "service_level") for _, r in days]),
            ],
            "%",
        ),
        bar_chart(
            "day-volume",
            "Offered, answered and abandoned by day",
            labels,
            [
                (label, [float(getattr(r.rollup, name)) if r else 0.0 for _, r in days])
                for label, name in (
                    ("Offered", "offered"),
                    ("Answered", "answered"),
                    ("Abandoned", "abandoned"),
                )
            ],
        ),
    ]
    quarter_rows = [(f"{q.rollup.period} ({federal_fiscal_quarter(q.rollup.period)})", q) for q in quarters]
    return (
        '<h2>Day trend</h2><section class="charts">'
        + "".join(charts)
        + "</section>"
        + _trend_table("Day", days)
        + "<h2>Quarter trend</h2>"
        + _trend_table("Quarter", quarter_rows)
    )


#: the measures of the channel table
CHANNEL_TABLE: tuple[str, ...] = (
    "inbound_contacts",
    "offered",
    "answered",
    "abandoned",
    "level_of_service",
    "service_level",
    "asa_seconds",
    "containment_rate",
    "emails_received",
    "emails_answered_within_24h",
    "email_answered_within_24h_rate",
    "notifications_sent",
    "notifications_delivered",
    "notifications_opted_out",
    "survey_responses",
)


def _value(values: Mapping[str, float | None], name: str) -> str:
    value = values.get(name)
    kind = kind_of(name)
    if kind == "n":
        return str(int(value or 0))
    if value is None:
        return "-"
    return _pct(value) if kind == "pct" else f"{value:.1f}"


def _local(moment: datetime | None, tz: tzinfo) -> str:
    return "-" if moment is None else moment.astimezone(tz).strftime("%Y-%m-%d %H:%M %Z")


def backlog_rows(backlog: Sequence[Backlog], tz: tzinfo) -> str:
    """One row per queue and one for every queue together (the figure the stack's backlog alarms
    read), each with where its oldest e-mail stands against the deadline (the alarms' thresholds at
    their defaults: functions.domain.email_backlog.deadline_status)."""
    rows = [*backlog, overall(backlog)] if len(backlog) > 1 else list(backlog)
    return "".join(
        f"<tr><td>{escape('All queues' if b.queue == ALL_QUEUE else b.queue)}</td><td>{b.waiting}</td>"
        f"<td>{escape(_local(b.oldest, tz))}</td>"
        f"<td>{escape('-' if b.age_seconds is None else f'{b.age_seconds / 3600:.1f}')}</td>"
        f"<td>{escape(deadline_status(b.age_seconds))}</td></tr>"
        for b in rows
    )


def _channel_section(
    channels: Mapping[str, Mapping[str, float | None]], backlog: Sequence[Backlog], tz: tzinfo
) -> str:
    """Every measure per channel (VOICE, CHAT, EMAIL, TASK, and SMS for notifications), a chart of
    contacts per channel, and the e-mail backlog per queue (waiting, oldest, its age)."""
    head = "".join(f"<th>{escape(BY_NAME[n].short)}</th>" for n in CHANNEL_TABLE)
    body = "".join(
        f"<tr><td>{escape(ch)}</td>"
        + "".join(f"<td>{escape(_value(values, n))}</td>" for n in CHANNEL_TABLE)
        + "</tr>"
        for ch, values in channels.items()
    )
    names = list(channels)
    chart = bar_chart(
        "channels",
        "Contacts by channel",
        names,
        [
            (BY_NAME[n].label, [float(channels[ch].get(n) or 0) for ch in names])
            for n in ("inbound_contacts", "answered", "notifications_sent")
        ],
    )
    table = f'<table class="channels"><tr><th>Channel</th>{head}</tr>{body}</table>'
    waiting = (
        '<table class="backlog"><tr><th>Queue</th><th>E-mails waiting</th><th>Oldest arrived</th>'
        f"<th>Oldest age (h)</th><th>24 h deadline</th></tr>{backlog_rows(backlog, tz)}</table>"
        if backlog
        else "<p>No e-mail in this range.</p>"
    )
    return (
        f'<h2>By channel</h2><section class="charts">{chart}</section>{table}<h3>E-mail backlog</h3>{waiting}'
    )


def _cell(row: Row, name: str) -> str:
    kind = kind_of(name)
    if name in row.ratios:
        value = row.ratios[name]
        if value is None:
            return "-"
        return _pct(value) if kind == "pct" else f"{value:.1f}"
    return str(int(getattr(row.rollup, name)))


def _summary_table(rows: Sequence[Row]) -> str:
    if not rows:
        return "<p>No rollups.</p>"
    head = "<tr><th>Queue</th><th>Period</th>" + "".join(
        f"<th>{escape(BY_NAME[n].short)}</th>" for n in TABLE
    )
    body = []
    for row in rows:
        cells = "".join(f"<td>{escape(_cell(row, n))}</td>" for n in TABLE)
        body.append(
            f"<tr><td>{escape(row.rollup.queue)}</td><td>{escape(row.rollup.period)}</td>{cells}</tr>"
        )
    return f"<table>{head}</tr>{''.join(body)}</table>"


def _definitions(service_level_seconds: int) -> str:
    items = []
    for measure in MEASURES_FOR_READERS:
        reads = measure.reads if isinstance(measure, Counter) else "the counters below"
        items.append(
            f'<dt id="def-{measure.name}">{escape(measure.label)} <code>{escape(measure.column)}</code></dt>'
            f"<dd>{escape(measure.definition)}<br><b>Formula:</b> <code>{escape(measure.formula)}</code>"
            f"<br><b>Reads:</b> {escape(reads)}</dd>"
        )
    note = (
        f"<p>Threshold X = {service_level_seconds} s. Connect's service level is time-based (removed from "
        "queue within X seconds over contacts queued); the IRS-style level of service has no threshold: "
        "callers who reached an agent over callers who sought one.</p>"
    )
    return note + f"<dl>{''.join(items)}</dl>"


_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>
body{{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:24px;color:#1f2328;
background:#f6f8fa}}
h1{{font-size:22px;margin:0 0 4px}} h2{{font-size:18px;margin:28px 0 8px}}
.meta{{color:#57606a;font-size:13px}}
.grid{{stroke:#d0d7de;stroke-width:1}} .axis{{stroke:#57606a;fill:none}}
.charts{{display:flex;flex-wrap:wrap;gap:16px}}
.card{{background:#fff;border:1px solid #d0d7de;border-radius:6px;padding:10px;margin:0}}
figcaption{{font-weight:600;font-size:14px;margin-bottom:4px}}
.series{{stroke-width:2}} .tick,.label,.value,.empty{{font-size:11px;fill:#57606a}}
.legend{{font-size:12px;color:#57606a}} .key{{margin-right:12px}}
.key i{{display:inline-block;width:10px;height:10px;margin-right:4px;border-radius:2px}}
table{{border-collapse:collapse;background:#fff;font-size:13px}}
td,th{{border:1px solid #d0d7de;padding:4px 8px;text-align:right}}
td:first-child,th:first-child{{text-align:left}}
dt{{font-weight:600;margin-top:10px}} dd{{margin:2px 0 0 16px;font-size:13px}}
</style></head>
<body>
<h1>{title}</h1>
<p class="meta">Generated {generated}. Self-contained: no scripts, no network.</p>
<section class="charts">
{charts}
</section>
{trends}
{channels}
<h2>By queue</h2>
{summary}
<h2>Definitions</h2>
{definitions}
</body></html>
"""


def build(
    store: RollupSource,
    *,
    queue: str = "ALL",
    start: str | None = None,
    end: str | None = None,
    generated: datetime | None = None,
) -> str:
    """The dashboard for ``queue``: its 15-minute intervals, every local day of the range (day
    trend, empty days included) and the quarters the range touches (quarter trend), with a
    per-queue daily summary. Reads a deployment's rollups table or a simulated day's folder."""
    from civicline.metrics.queries import query

    intervals = query(store, queues=[queue], grain=Grain.INTERVAL, start=start, end=end)
    every_queue = query(store, grain=Grain.INTERVAL, start=start, end=end)
    summary = query(store, grain=Grain.DAY, start=start, end=end)
    day_rows = query(store, queues=[queue], grain=Grain.DAY, start=start, end=end)
    quarters = query(store, queues=[queue], grain=Grain.QUARTER, start=start, end=end)
    return render(
        intervals,
        summary,
        service_level_seconds=store.rules.service_level_seconds,
        generated=generated,
        tz=store.rules.tz,
        days=every_day(day_rows, start, end),
        quarters=quarters,
        backlog=email_backlog(
            [r for r in every_queue if r.rollup.queue != ALL_QUEUE], generated or datetime.now(UTC)
        ),
    )


def every_day(rows: Sequence[Row], start: str | None, end: str | None) -> list[tuple[str, Row | None]]:
    """Each local day from ``start`` (else the first row's) to ``end`` (else the last row's), with its
    row or None: a day without contacts is a point of the trend, not a gap that hides itself."""
    from datetime import date, timedelta

    by_day = {r.rollup.period: r for r in rows}
    if not by_day and not (start and end):
        return []
    first = date.fromisoformat(start[:10]) if start else date.fromisoformat(min(by_day))
    last = date.fromisoformat(end[:10]) if end else date.fromisoformat(max(by_day))
    out: list[tuple[str, Row | None]] = []
    day = first
    while day <= last:
        out.append((day.isoformat(), by_day.get(day.isoformat())))
        day += timedelta(days=1)
    return out
