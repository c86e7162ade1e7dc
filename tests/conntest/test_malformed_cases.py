"""Malformed Connect test cases (the CreateTestCase / testing-language shapes of
APIReference/testing-language.html and API_CreateTestCase): each one is an ERROR line with a reason
and the JSON path, never a traceback and never a bare Python exception name."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from civicline.cli import app
from tests.conntest.builders import dtmf, message, observation, request, sequence

GOOD = sequence(observation("hears", message("For English, press 1"), [dtmf("1")]))
PYTHON_ERROR = re.compile(r"\b[A-Z][A-Za-z]*(Error|Exception)\b:")


def _with(document: dict[str, Any], **changes: Any) -> dict[str, Any]:
    return {**document, **changes}


#: file name -> (content, the reason's beginning)
MALFORMED: dict[str, tuple[str | bytes, str]] = {
    "not-json": ("{ not json", "not JSON: "),
    "not-utf8": (b"\xff\xfe\x00{", "cannot read the file: "),
    "array-root": ("[]", "expected an object, found an array"),
    "empty-object": ("{}", "missing Observations"),
    "observations-object": (json.dumps(_with(GOOD, Observations={})), "Observations must be an array"),
    "unknown-version": (json.dumps(_with(GOOD, Version="1999-01-01")), "unknown Version"),
    "observation-without-event": (
        json.dumps(_with(GOOD, Observations=[{"Identifier": "x", "Actions": [], "Transitions": {}}])),
        "missing Event",
    ),
    "content-not-json": (json.dumps(_with(request(GOOD), Content="{ nope")), "not JSON: "),
    "entry-point-type": (
        json.dumps(_with(request(GOOD), EntryPoint={"Type": "SMS"})),
        "unknown EntryPoint.Type 'SMS'",
    ),
    "unknown-entry-flow": (
        json.dumps(request(GOOD, flow="no-such-flow")),
        "the entry flow 'no-such-flow' is not in the library",
    ),
    "initialization-not-json": (
        json.dumps(_with(request(GOOD), InitializationData="{ nope")),
        "not JSON: ",
    ),
}


def test_every_malformed_case_is_a_clear_error_line(tmp_path: Path) -> None:
    # Given one file per kind of malformed test case
    for name, (content, _) in MALFORMED.items():
        target = tmp_path / f"{name}.json"
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(content, encoding="utf-8")
    # When `civicline test` runs the folder
    outcome = CliRunner().invoke(app, ["test", str(tmp_path), "--flow", "main-inbound"])
    # Then it exits 1 with one ERROR line per file, naming the reason and where, and nothing else
    assert outcome.exit_code == 1, outcome.output
    assert outcome.exception is None or isinstance(outcome.exception, SystemExit)
    assert "Traceback" not in outcome.output
    lines = {
        Path(re.findall(r"\((\S+\.json)\)", line)[0]).stem: line
        for line in outcome.output.splitlines()
        if line.startswith("ERROR")
    }
    assert sorted(lines) == sorted(MALFORMED)
    for name, (_, reason) in MALFORMED.items():
        line = lines[name]
        assert f": {reason}" in line, line
        assert re.search(r" at \$\S*$", line), line
        assert not PYTHON_ERROR.search(line), line
    assert f"{len(MALFORMED)} case(s): 0 passed, 0 failed, {len(MALFORMED)} error(s)" in outcome.output
