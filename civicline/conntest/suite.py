"""Running many test-case files: collect, parse, run each on a fresh seeded local AWS, summarise.

A case is isolated from the others: each starts from the tables exactly as the demo seed left them
(counters, lockouts and callbacks one case leaves behind cannot decide another's verdict). Nothing a
case does raises out of here: a malformed file is ERROR with its reason and JSON path, an unexpected
failure in the engine or a function is ERROR with its one-line message.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from civicline.conntest.coverage import Coverage
from civicline.conntest.model import CaseError, TestCase
from civicline.conntest.parser import load_case
from civicline.conntest.runner import CaseResult, CaseRun
from civicline.engine import FlowLibrary, LambdaInvoker

FLOWS_DIR = Path(__file__).resolve().parents[2] / "flows"


def collect(paths: Iterable[Path]) -> list[Path]:
    """Files as given; folders searched recursively for ``*.json``, in sorted order."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(sorted(p for p in path.rglob("*.json") if p.is_file()))
        else:
            found.append(path)
    return found


@dataclass
class SuiteResult:
    results: list[CaseResult] = field(default_factory=list)
    coverage: Coverage | None = None

    @property
    def passed(self) -> int:
        return sum(r.status == "PASSED" for r in self.results)

    @property
    def failed(self) -> int:
        return sum(r.status != "PASSED" for r in self.results)

    @property
    def ok(self) -> bool:
        return bool(self.results) and self.failed == 0


@dataclass
class LocalCenter:
    """One local AWS for a whole run; every case starts from the tables as the demo seed left them.

    The first case's tables are emptied and seeded (:func:`civicline.data.seed_demo`), and what the
    seed wrote is kept. Before each later case every table is read back: a table a case left as
    seeded is left alone; one it changed is emptied and the seeded items are written back (and the
    functions' reference cache dropped). Reading back six tables is a few calls where
    emptying and seeding them was some forty (most of ``civicline test``'s time); the demo cases'
    dates stay relative to the seed's moment, a run's start, as they were within a case.
    """

    aws: Any = None
    seeded: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    keys: dict[str, list[str]] = field(default_factory=dict)

    @contextmanager
    def session(self) -> Iterator[LocalCenter]:
        from civicline.local.aws import LocalAws

        with LocalAws() as aws:
            self.aws = aws
            try:
                yield self
            finally:
                self.aws, self.seeded, self.keys = None, {}, {}

    def fresh(self) -> None:
        """Every table back to the demo seed: seeded once, then only what a case changed restored."""
        if not self.seeded:
            self._seed()
            return
        for name, seeded in self.seeded.items():
            items = self._items(name)
            if _canonical(items) != _canonical(seeded):
                self._restore(name, items, seeded)

    def _seed(self) -> None:
        from datetime import UTC, datetime

        from civicline.data import seed_demo as seed

        ddb = self.aws.client("dynamodb")
        for name in ddb.list_tables()["TableNames"]:
            schema = ddb.describe_table(TableName=name)["Table"]["KeySchema"]
            self.keys[name] = [k["AttributeName"] for k in schema]
            self._write(name, self._deletes(name, self._items(name)))
        seed(datetime.now(UTC))
        self.seeded = {name: self._items(name) for name in self.keys}

    def _restore(self, name: str, items: list[dict[str, Any]], seeded: list[dict[str, Any]]) -> None:
        from functions.adapters import reference

        self._write(name, self._deletes(name, items))
        self._write(name, [{"PutRequest": {"Item": item}} for item in seeded])
        reference.clear_cache()

    def _deletes(self, name: str, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [{"DeleteRequest": {"Key": {k: item[k] for k in self.keys[name]}}} for item in items]

    def _items(self, name: str) -> list[dict[str, Any]]:
        pages = self.aws.client("dynamodb").get_paginator("scan").paginate(TableName=name)
        return [item for page in pages for item in page["Items"]]

    def _write(self, name: str, requests: list[dict[str, Any]]) -> None:
        ddb = self.aws.client("dynamodb")
        for start in range(0, len(requests), 25):
            answer = ddb.batch_write_item(RequestItems={name: requests[start : start + 25]})
            if answer.get("UnprocessedItems"):
                raise RuntimeError(f"resetting {name}: DynamoDB left items unprocessed")


def _canonical(items: list[dict[str, Any]]) -> list[str]:
    return sorted(json.dumps(item, sort_keys=True, default=repr) for item in items)


def run_case(
    case: TestCase, library: FlowLibrary, center: LocalCenter, coverage: Coverage | None = None
) -> CaseResult:
    """One parsed case on the run's local AWS, emptied and seeded first (never raises)."""
    started = time.perf_counter()
    file = str(case.file) if case.file else ""
    try:
        center.fresh()
        runner = CaseRun(case, library, invoker=LambdaInvoker())
        status, reason, observer = runner.run()
    except CaseError as exc:  # found only when it runs (the entry flow the library lacks)
        return CaseResult(case.name, file, "ERROR", exc.reason, path=exc.path)
    except Exception as exc:  # a case's failure is its ERROR line, never a traceback for the run
        message = str(exc.args[0]) if isinstance(exc, KeyError) and exc.args else str(exc)
        return CaseResult(case.name, file, "ERROR", f"{type(exc).__name__}: {message}", path="")
    if coverage is not None:
        coverage.record(observer.steps)
    prompts = [p for r in runner.results for p in r.prompts]
    ended = runner.results[-1].how if runner.results else ""
    excerpt = " | ".join(prompts[-3:])
    shown = f"{reason}; the call ended after: {excerpt}" if status == "FAILED" and excerpt else reason
    return CaseResult(
        case.name,
        file,
        status,  # type: ignore[arg-type]
        shown,
        prompts=prompts,
        steps=observer.steps,
        flows=[f for r in runner.results for f in r.flows],
        logged=observer.matcher.logged,
        ended=ended,
        seconds=time.perf_counter() - started,
    )


def folder_flow(path: Path, library: FlowLibrary) -> str | None:
    """A bare document's entry flow, when ``--flow`` is not given: the flow its folder is named for."""
    return path.parent.name if path.parent.name in library else None


def run_paths(
    paths: Iterable[Path],
    *,
    flow: str | None = None,
    library: FlowLibrary | None = None,
    on_result: Callable[[CaseResult], None] | None = None,
) -> SuiteResult:
    """Every case under ``paths``. A bare document enters ``flow``, else the flow its folder is named
    for (``tests/connect/case-status/*.json``), else main-inbound; a CreateTestCase names its own."""
    library = library or FlowLibrary.from_directory(FLOWS_DIR)
    suite = SuiteResult(coverage=Coverage(library))
    with LocalCenter().session() as center:
        for path in collect(paths):
            try:
                case = load_case(path, default_flow=flow or folder_flow(path, library))
            except CaseError as exc:
                result = CaseResult(path.stem, str(path), "ERROR", exc.reason, path=exc.path)
            else:
                result = run_case(case, library, center, suite.coverage)
            suite.results.append(result)
            if on_result is not None:
                on_result(result)
    return suite
