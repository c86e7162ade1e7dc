"""make audit's verdict: clean only when every locked package was checked (scripts/audit.py)."""

from __future__ import annotations

import json

from scripts.audit import verdict
from tests.conftest import ROOT


def _report(*packages: dict[str, object]) -> str:
    return json.dumps({"dependencies": list(packages), "fixes": []})


def test_a_run_that_could_check_nothing_is_not_audited() -> None:
    # Given pip-audit's report when the vulnerability service is unreachable (every package skipped)
    skipped = {"name": "boto3", "skip_reason": "Dependency not found on PyPI and could not be audited"}
    result = verdict(0, _report(skipped, {**skipped, "name": "moto"}))
    # Then it says so plainly and fails, although pip-audit itself exited 0
    assert result.code == 2
    assert result.text.startswith("NOT AUDITED: 2 of 2")


def test_one_skipped_package_is_enough_to_not_be_audited() -> None:
    result = verdict(
        0, _report({"name": "a", "version": "1", "vulns": []}, {"name": "b", "skip_reason": "x"})
    )
    assert result.code == 2


def test_no_report_is_not_audited() -> None:
    assert verdict(1, "", "ConnectionError: cannot reach the index").text == (
        "NOT AUDITED: ConnectionError: cannot reach the index"
    )
    assert verdict(0, "not json").code == 2
    assert verdict(0, _report()).code == 2


def test_a_known_vulnerability_fails_with_its_id() -> None:
    result = verdict(1, _report({"name": "a", "version": "1.0", "vulns": [{"id": "GHSA-xxxx"}]}))
    assert result.code == 1
    assert "a 1.0: GHSA-xxxx" in result.text


def test_a_complete_clean_audit_passes() -> None:
    result = verdict(0, _report({"name": "a", "version": "1.0", "vulns": []}))
    assert (result.code, result.text) == (0, "audited 1 locked packages: no known vulnerabilities")


def test_make_audit_runs_the_wrapper() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert "audit: setup" in makefile
    assert "python -m scripts.audit" in makefile
