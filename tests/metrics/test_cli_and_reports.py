"""`civicline metrics show / export-a11 / dashboard` against rollups built by the real pipeline."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from civicline.cli import app

runner = CliRunner()


def test_show_table_lists_every_queue_with_derived_measures(filled: Any) -> None:
    # When the daily table is shown
    result = runner.invoke(app, ["metrics", "show", "--interval", "day"])
    # Then it lists ALL first and each queue, with LOS for ALL = 2 / (2 + 1 + 1) = 50.0%
    assert result.exit_code == 0, result.output
    lines = [line for line in result.output.splitlines() if "2026-11-23" in line]
    assert [line.split("│")[1].strip() for line in lines][:1] == ["ALL"]
    assert {"general", "status", "appeals", "IVR"} <= {line.split("│")[1].strip() for line in lines}
    assert "50.0%" in lines[0]


def test_show_csv_and_json_carry_the_counters_and_ratios(filled: Any) -> None:
    # When shown as CSV for the general queue by 15-minute interval
    result = runner.invoke(
        app, ["metrics", "show", "--queue", "general", "--interval", "15m", "--format", "csv"]
    )
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.output)))
    by_period = {r["period"]: r for r in rows if r["channel"] == "ALL"}
    # And every line is there again for its channel (all these calls are VOICE), same figures
    voice = {r["period"]: r for r in rows if r["channel"] == "VOICE"}
    assert {p: r["offered_contacts"] for p, r in voice.items()} == {
        p: r["offered_contacts"] for p, r in by_period.items()
    }
    # Then 14:00 holds a1 (30 s) and the 14:15 interval a2 (90 s, over the 60 s threshold) and a3
    first = by_period["2026-11-23T14:00:00Z"]
    counts = ("offered_contacts", "answered_contacts", "answered_within_threshold_contacts")
    assert tuple(first[c] for c in counts) == ("1", "1", "1")
    assert float(first["asa_seconds"]) == 30.0
    second = by_period["2026-11-23T14:15:00Z"]
    assert tuple(second[c] for c in counts) == ("1", "1", "0")
    # When shown as JSON for the day, ALL
    result = runner.invoke(app, ["metrics", "show", "--queue", "ALL", "--format", "json"])
    data = json.loads(result.output)
    (day,) = [line for line in data if line["channel"] == "ALL"]
    assert [line["channel"] for line in data] == ["ALL", "VOICE"]
    # Then counters and ratios are there, as computed by hand
    assert day["offered_contacts"] == 5  # a1, a2, a3, a4 (callback request), a6 (courtesy)
    assert day["abandoned_contacts"] == 1
    assert day["busy_or_courtesy_disconnected_contacts"] == 1
    assert day["callbacks_offered_contacts"] == 6  # every INBOUND contact carried callbackOffered=true
    assert (day["callbacks_accepted_callbacks"], day["callbacks_connected_callbacks"]) == (1, 1)
    assert day["self_service_contained_contacts"] == 1
    assert day["level_of_service_ratio"] == pytest.approx(2 / 4)
    assert day["asa_seconds"] == pytest.approx(60.0)
    assert day["fcr_survey_rate_ratio"] == pytest.approx(0.5)
    assert day["a11_trust_mean_score"] == pytest.approx(3.0)


def test_show_time_bounds_and_bad_options(filled: Any) -> None:
    # When bounded to 14:15-14:29 UTC, Then only that interval is listed
    result = runner.invoke(
        app,
        [
            "metrics",
            "show",
            "--queue",
            "ALL",
            "--interval",
            "15m",
            "--format",
            "csv",
            "--from",
            "2026-11-23T14:15:00+00:00",
            "--to",
            "2026-11-23T14:29:59+00:00",
        ],
    )
    assert {r["period"] for r in csv.DictReader(io.StringIO(result.output))} == {"2026-11-23T14:15:00Z"}
    # And a bad format or bound is a usage error, not a traceback
    assert runner.invoke(app, ["metrics", "show", "--format", "xml"]).exit_code == 2
    assert runner.invoke(app, ["metrics", "show", "--from", "yesterday"]).exit_code == 2
    assert runner.invoke(app, ["metrics", "export-a11", "--quarter", "2026Q7"]).exit_code == 2


def test_export_a11_writes_the_omb_quarterly_records(filled: Any, tmp_path: Path) -> None:
    from civicline.metrics.a11 import FIELDS

    # When the quarter is exported, named as the federal fiscal quarter, with the survey's control number
    out = tmp_path / "a11.csv"
    command = ["metrics", "export-a11", "--quarter", "FY2027Q1", "--omb-control-number", "1234-0001"]
    result = runner.invoke(app, [*command, "--out", str(out)])
    assert result.exit_code == 0, result.output
    rows = {r["service_name"]: r for r in csv.DictReader(io.StringIO(out.read_text()))}
    # Then the columns are the documented fields; trust (q2) got a 4 and a 2 from tax-help callers
    assert list(next(iter(rows.values()))) == list(FIELDS)
    tax = rows["tax-help"]
    assert [tax[f"q2_{p}"] for p in range(1, 6)] == ["0", "1", "0", "1", "0"]
    assert (tax["collection_year"], tax["collection_quarter"], tax["channel"]) == ("2027", "1", "phone")
    assert (tax["volume_of_customers_provided_survey_opportunity"], tax["volume_of_respondents"]) == (
        "2",
        "2",
    )
    assert tax["omb_control_number"] == "1234-0001"
    # And the calls themselves (no intent) are the GENERAL service's customers
    assert rows["GENERAL"]["volume_of_customers"] == "6"
    # And JSON carries the same records
    as_json = runner.invoke(app, [*command, "--format", "json"])
    assert as_json.exit_code == 0, as_json.output
    assert {r["service_name"] for r in json.loads(as_json.output)} == {"GENERAL", "tax-help"}
    assert runner.invoke(app, [*command, "--format", "xml"]).exit_code == 2


def test_dashboard_is_self_contained_with_every_chart(filled: Any, tmp_path: Path) -> None:
    # When the dashboard is written
    out = tmp_path / "report.html"
    result = runner.invoke(app, ["metrics", "dashboard", "--out", str(out)])
    assert result.exit_code == 0, result.output
    html = out.read_text()
    # Then every chart is an inline SVG with drawn paths, and nothing is fetched from the network
    for name in ("los", "asa", "abandonment", "callbacks", "containment", "fcr", "a11"):
        chart = re.search(rf'<svg class="chart" data-chart="{name}".*?</svg>', html, re.S)
        assert chart is not None, name
        assert re.search(r'<path class="(series|bar)" d="M[^"]+', chart.group(0)), name
    assert "<script" not in html
    assert not re.search(r'(src|href)="https?:', html)
    # And each A-11 driver shows its share agreeing (4 or 5) beside its mean: trust got a 4 and a 2
    a11_chart = re.search(r'data-chart="a11".*?</svg>', html, re.S)
    assert a11_chart is not None and "3.00, 50.0% agree (n=2)" in a11_chart.group(0)
    assert 'id="def-level_of_service"' in html
    assert "Connect's service level is time-based" in html


def test_store_targets_an_endpoint_or_a_profile(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from civicline.metrics.queries import open_store

    # Given an AWS profile in a private config file
    (tmp_path / "config").write_text("[profile analyst]\nregion = us-west-2\n")
    (tmp_path / "credentials").write_text("[analyst]\naws_access_key_id = x\naws_secret_access_key = y\n")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "credentials"))
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    # When stores are opened on an endpoint and on the profile
    local = open_store(endpoint_url="http://127.0.0.1:5000", table="t1", region="us-east-1")
    remote = open_store(profile="analyst", table="civicline-prod-metrics")
    # Then each client points where it was told, at the named table
    assert local.client.meta.endpoint_url == "http://127.0.0.1:5000"
    assert local.table == "t1"
    assert remote.client.meta.region_name == "us-west-2"
    assert remote.table == "civicline-prod-metrics"


def test_metrics_commands_read_a_simulated_days_out_folder(filled: Any, tmp_path: Path) -> None:
    # Given the rollups of a day written to an --out folder as the simulator writes them
    from civicline.metrics.files import ROLLUPS_FILE, rollups_text
    from civicline.metrics.queries import open_store
    from functions.handlers.contact_events import rules_from_settings

    store = open_store()
    rollups = {
        (row["queue"], grain, row["period"]): row["counters"]
        for queue in store.rollup_queues()
        for grain in ("15m", "day", "quarter")
        for row in store.query_rollups(queue, grain)
    }
    (tmp_path / ROLLUPS_FILE).write_text(rollups_text(rollups, rules_from_settings()), encoding="utf-8")
    # When show, export-a11 and dashboard read the folder instead of the table
    for command in (["show", "--format", "csv"], ["export-a11", "--quarter", "2026Q4"]):
        from_table = runner.invoke(app, ["metrics", *command])
        from_dir = runner.invoke(app, ["metrics", *command, "--from-dir", str(tmp_path)])
        # Then they print exactly what the table gives
        assert from_dir.exit_code == 0, from_dir.output
        assert from_dir.output == from_table.output
    result = runner.invoke(
        app, ["metrics", "dashboard", "--from-dir", str(tmp_path), "--out", str(tmp_path / "d.html")]
    )
    assert result.exit_code == 0, result.output
    assert "<svg" in (tmp_path / "d.html").read_text(encoding="utf-8")
    # And a folder without rollups is a clear error, not a traceback
    empty = runner.invoke(app, ["metrics", "show", "--from-dir", str(tmp_path / "nothing")])
    assert empty.exit_code == 2
    assert "--from-dir" in empty.output


def test_intervals_read_in_the_agencys_local_time() -> None:
    from datetime import UTC, datetime

    from civicline.metrics.dashboard import local_label, render
    from civicline.metrics.queries import Row
    from civicline.metrics.render import local_period
    from functions.domain.metrics import derived, zone
    from schemas.records import Grain, MetricRollup

    # Given the 14:15 UTC interval of a New York agency (09:15 there)
    rollup = MetricRollup(
        queue="ALL",
        grain=Grain.INTERVAL,
        period="2026-11-23T14:15:00Z",
        period_start=datetime(2026, 11, 23, 14, 15, tzinfo=UTC),
        offered=1,
        answered=1,
    )
    row = Row(rollup, derived({"offered": 1, "answered": 1}))
    ny = zone("America/New_York")
    # Then the dashboard axis, the table and the "generated" stamp read local time
    assert local_label(row, ny) == "09:15"
    assert local_period(row, ny) == "2026-11-23 09:15 EST"
    page = render([row], [row], generated=datetime(2026, 11, 23, 20, 0, tzinfo=UTC), tz=ny)
    assert ">09:15<" in page
    assert "2026-11-23 15:00 EST" in page
