"""The outputs of ``civicline test``: one line per case, a summary, JSON, JUnit XML, coverage."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

from civicline.conntest.coverage import Coverage
from civicline.conntest.runner import CaseResult
from civicline.conntest.suite import SuiteResult


def line(result: CaseResult) -> str:
    where = f" ({result.file})" if result.file else ""
    if result.status == "PASSED":
        return f"PASSED {result.name}{where}"
    if result.status == "ERROR" and result.path:
        return f"ERROR  {result.name}{where}: {result.reason} at {result.path}"
    padding = " " if result.status == "FAILED" else "  "
    return f"{result.status}{padding}{result.name}{where}: {result.reason}"


def summary(suite: SuiteResult) -> str:
    errors = sum(r.status == "ERROR" for r in suite.results)
    failed = sum(r.status == "FAILED" for r in suite.results)
    return f"{len(suite.results)} case(s): {suite.passed} passed, {failed} failed, {errors} error(s)"


def as_json(suite: SuiteResult, *, with_coverage: bool = False) -> dict[str, Any]:
    data: dict[str, Any] = {
        "results": [r.to_json() for r in suite.results],
        "passed": suite.passed,
        "failed": suite.failed,
        "errors": sum(r.status == "ERROR" for r in suite.results),
    }
    if with_coverage and suite.coverage is not None:
        data["coverage"] = coverage_json(suite.coverage)
    return data


def coverage_json(coverage: Coverage) -> dict[str, Any]:
    actions, branches = coverage.totals()
    return {
        "actions": round(actions, 4),
        "branches": round(branches, 4),
        "flows": {
            name: {"actions": [ran, total], "branches": [taken, all_]}
            for name, ran, total, taken, all_ in coverage.rows()
        },
    }


def coverage_lines(coverage: Coverage) -> list[str]:
    rows = ["flow                        actions         branches"]
    for name, ran, total, taken, all_ in coverage.rows():
        share_a = ran / total if total else 1.0
        share_b = taken / all_ if all_ else 1.0
        rows.append(f"{name:<27} {ran:>3}/{total:<3} {share_a:6.1%}  {taken:>3}/{all_:<3} {share_b:6.1%}")
    actions, branches = coverage.totals()
    rows.append(f"{'total':<27} {'':7} {actions:6.1%}  {'':7} {branches:6.1%}")
    return rows


def write_junit(suite: SuiteResult, path: Path) -> None:
    """JUnit XML (one testsuite, a testcase per case; FAILED -> failure, ERROR -> error)."""
    errors = sum(r.status == "ERROR" for r in suite.results)
    failures = sum(r.status == "FAILED" for r in suite.results)
    root = ET.Element(
        "testsuite",
        name="civicline test",
        tests=str(len(suite.results)),
        failures=str(failures),
        errors=str(errors),
        time=f"{sum(r.seconds for r in suite.results):.3f}",
    )
    for result in suite.results:
        case = ET.SubElement(
            root,
            "testcase",
            name=result.name,
            classname=result.file or "connect",
            time=f"{result.seconds:.3f}",
        )
        if result.status == "FAILED":
            ET.SubElement(case, "failure", message=result.reason).text = "\n".join(result.prompts[-5:])
        elif result.status == "ERROR":
            ET.SubElement(case, "error", message=f"{result.reason} at {result.path}")
    path.parent.mkdir(parents=True, exist_ok=True)
    ET.ElementTree(root).write(path, encoding="utf-8", xml_declaration=True)


def dumps(data: dict[str, Any]) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False)
