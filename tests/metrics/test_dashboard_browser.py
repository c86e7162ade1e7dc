"""The dashboard opened in headless Chromium: the charts render, and a screenshot is kept."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from civicline.metrics.dashboard import build
from functions.adapters.metrics_dynamo import DynamoMetricsStore
from functions.core.aws import client
from functions.handlers.contact_events import rules_from_settings

CHARTS = ("los", "asa", "abandonment", "callbacks", "containment", "fcr", "a11")


def chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def flags(profile: Path) -> list[str]:
    return [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        f"--user-data-dir={profile}",
        "--window-size=1280,2000",
    ]


@pytest.mark.browser
def test_dashboard_renders_its_charts_in_headless_chromium(filled: Any, tmp_path: Path) -> None:
    browser = chromium()
    if browser is None:
        if os.geteuid() == 0:
            pytest.fail("chromium missing although running as root: run `make browser`")
        pytest.skip(
            "chromium is not installed and this user cannot install it (sudo apt-get install chromium)"
        )
    # Given the dashboard of a day of calls, written as a file
    store = DynamoMetricsStore(filled.table("metrics"), client("dynamodb"), rules_from_settings())
    page = tmp_path / "report.html"
    page.write_text(build(store), encoding="utf-8")
    # When Chromium loads it (no network) and dumps the DOM it rendered
    dom = subprocess.run(
        [browser, *flags(tmp_path / "profile-dom"), "--dump-dom", page.as_uri()],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout
    # Then every chart is an SVG in the DOM with at least one non-empty drawn path
    for name in CHARTS:
        match = re.search(rf'<svg[^>]*data-chart="{name}".*?</svg>', dom, re.S)
        assert match is not None, f"chart {name} missing from the rendered DOM"
        paths = re.findall(r'<path class="(?:series|bar)" d="([^"]*)"', match.group(0))
        assert paths and all(p.strip() for p in paths), f"chart {name} has no drawn path"
    # And a screenshot is written under the test's temporary folder
    shot = tmp_path / "dashboard.png"
    subprocess.run(
        [browser, *flags(tmp_path / "profile-shot"), f"--screenshot={shot}", page.as_uri()],
        capture_output=True,
        timeout=120,
        check=True,
    )
    assert shot.exists()
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert shot.stat().st_size > 10_000
