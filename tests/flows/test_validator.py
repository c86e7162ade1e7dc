"""`civicline flows validate flows/*.json` passes with no finding at all, and the same validator does
reject our flows once a branch drops a caller silently (so the clean run means something)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from civicline.cli import app
from civicline.engine.validator import has_errors, validate_path, validate_text
from tests.flows.conftest import FLOW_FILES, FLOWS_DIR


@pytest.mark.parametrize("path", FLOW_FILES, ids=[p.stem for p in FLOW_FILES])
def test_flow_has_no_findings(path: Path) -> None:
    # Given one of our flows / When validated / Then no error and no warning (the redirect-transfer
    # import error and the empty EstimatedWaitTime are fixed in the flows)
    findings = validate_path(path)
    assert [f.line() for f in findings] == []


def test_designer_needs_nothing_more() -> None:
    # Given every flow / When validated for the designer / Then no warning
    result = CliRunner().invoke(app, ["flows", "validate", "--designer", *[str(p) for p in FLOW_FILES]])
    assert result.exit_code == 0, result.output
    assert "0 error(s), 0 warning(s)" in result.output


def test_cli_validates_every_flow_with_exit_status_zero() -> None:
    # Given the command line / When validating flows/*.json / Then exit 0 and all valid
    result = CliRunner().invoke(app, ["flows", "validate", *[str(p) for p in FLOW_FILES]])
    assert result.exit_code == 0, result.output
    assert f"{len(FLOW_FILES)} valid, 0 invalid" in result.output


def test_validator_rejects_a_silent_drop_in_our_flow() -> None:
    # Given main-inbound where a full queue hangs up without a word
    doc = json.loads((FLOWS_DIR / "main-inbound.json").read_text(encoding="utf-8"))
    for action in doc["Actions"]:
        if action["Identifier"] == "transfer":
            for error in action["Transitions"]["Errors"]:
                if error["ErrorType"] == "QueueAtCapacity":
                    error["NextAction"] = "hangup"
    # When validated / Then the transfer is reported as an error
    findings = validate_text(json.dumps(doc), name="main-inbound")
    assert has_errors(findings)
    assert any(f.identifier == "transfer" and f.severity == "error" for f in findings), findings


def test_validator_rejects_an_external_read_the_function_does_not_return() -> None:
    # Given the customer-queue flow reading a field the callback function never returns
    text = (FLOWS_DIR / "customer-queue.json").read_text(encoding="utf-8")
    broken = text.replace("$.External.windowSpoken", "$.External.windowName")
    # When validated / Then the contract finding names the action
    findings = validate_text(broken, name="customer-queue")
    assert any(f.identifier == "scheduled-confirm" for f in findings if f.severity == "error"), findings
