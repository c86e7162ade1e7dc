"""`metrics dashboard --from --to` over a deployment's rollups: day and quarter trends, local time.

The rollups are built the way a deployment builds them: contact events published on the event bus,
routed to the aggregator's queue and handed to the real aggregator handler (civicline.metrics.pipeline).
"""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from typer.testing import CliRunner

from civicline.cli import app
from tests.metrics.lifecycles import Lifecycle

NY = ZoneInfo("America/New_York")
runner = CliRunner()


def _publish(local_aws: Any, lives: list[Lifecycle]) -> None:
    from civicline.metrics.pipeline import pump

    local_aws.put_contact_events([e.detail for life in lives for e in life.events])
    assert pump(local_aws).dead_letters == []


def _trend(html: str, name: str) -> dict[str, list[str]]:
    """A trend table as {first cell: the other cells}."""
    table = re.search(rf'<table class="trend" data-trend="{name}">(.*?)</table>', html, re.S)
    assert table is not None, name
    out = {}
    for row in re.findall(r"<tr><td>(.*?)</tr>", table.group(1)):
        cells = re.findall(r"([^<>]*)</td>", "<td>" + row)
        out[cells[0]] = cells[1:]
    return out


def test_a_range_across_a_quarter_shows_every_day_and_both_quarters(local_aws: Any, tmp_path: Path) -> None:
    # Given (New York agency) calls on 29 September, one at 22:30 (already 30 September in UTC),
    # none on 30 September, two on 1 October (one at 00:20, the first minutes of the fiscal year)
    # of which one abandoned, and one on 2 October
    calls = [
        ("a", "answered", datetime(2026, 9, 29, 10, 0, tzinfo=NY)),
        ("b", "answered", datetime(2026, 9, 29, 22, 30, tzinfo=NY)),
        ("c", "answered", datetime(2026, 10, 1, 0, 20, tzinfo=NY)),
        ("d", "abandoned", datetime(2026, 10, 1, 11, 0, tzinfo=NY)),
        ("e", "answered", datetime(2026, 10, 2, 9, 0, tzinfo=NY)),
    ]
    _publish(local_aws, [Lifecycle(cid, kind, "general", at).build() for cid, kind, at in calls])
    # When the dashboard covers 29 September to 2 October
    out = tmp_path / "range.html"
    args = ["metrics", "dashboard", "--from", "2026-09-29", "--to", "2026-10-02", "--out", str(out)]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    html = out.read_text(encoding="utf-8")
    # Then the day trend has every local day, the empty 30 September included (0 offered, no LOS)
    days = _trend(html, "Day")
    assert list(days) == ["2026-09-29", "2026-09-30", "2026-10-01", "2026-10-02"]
    offered = {day: cells[0] for day, cells in days.items()}
    assert offered == {"2026-09-29": "2", "2026-09-30": "0", "2026-10-01": "2", "2026-10-02": "1"}
    assert days["2026-09-30"][3] == "-" and days["2026-10-01"][3] == "50.0%"
    # And the quarter trend shows both quarters, with their federal fiscal names
    quarters = _trend(html, "Quarter")
    assert {q: cells[0] for q, cells in quarters.items()} == {
        "2026Q3 (FY2026 Q4)": "2",
        "2026Q4 (FY2027 Q1)": "3",
    }
    # And the day charts are drawn, the interval axis naming the local day as well as the time
    for chart in ("day-los", "day-volume"):
        drawn = re.search(rf'data-chart="{chart}".*?</svg>', html, re.S)
        assert drawn is not None and re.search(r'class="(series|bar)" d="M', drawn.group(0)), chart
    assert ">09-29 10:00<" in html


def test_a_range_with_no_contacts_at_all_is_a_page_of_empty_days(local_aws: Any, tmp_path: Path) -> None:
    out = tmp_path / "empty.html"
    args = ["metrics", "dashboard", "--from", "2026-12-24", "--to", "2026-12-26", "--out", str(out)]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    html = out.read_text(encoding="utf-8")
    assert list(_trend(html, "Day")) == ["2026-12-24", "2026-12-25", "2026-12-26"]
    assert _trend(html, "Quarter") == {}
    assert "no data yet" in html
