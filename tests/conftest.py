"""Shared fixtures: where the conformance samples live, and a local AWS (moto) per test."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings

#: property tests are judged by what they find, not by how fast a shared CI core runs one example:
#: no per-example deadline (a deadline flakes under load; the suite's own time is watched instead)
settings.register_profile("civicline", deadline=None)
settings.load_profile("civicline")

ROOT = Path(__file__).resolve().parent.parent
#: ../shared beside the checkout (CI clones main with shared/ beside it); overridable
SHARED = Path(os.environ.get("CIVICLINE_SHARED", ROOT.parent / "shared"))
CONFORMANCE = SHARED / "conformance"

os.environ.setdefault("POWERTOOLS_METRICS_DISABLED", "true")
os.environ.setdefault("POWERTOOLS_DEV", "false")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests marked ``slow`` first, the rest in their order (a stable sort: a module stays together).

    ``make test`` runs ``-n 2 --dist loadgroup``: xdist hands out the ``xdist_group`` groups biggest
    first, then single tests in collection order, each to the first worker with at most two pending.
    Collected late, a long single test (a full-day statistical check) starts when the other worker
    is nearly done and runs alone at the end; first among the singles, it overlaps the other worker.
    """
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)


def conformance_files(kind: str, prefix: str = "") -> list[Path]:
    """Files under shared/conformance/<kind>/ (not copied into the repo: read in place)."""
    folder = CONFORMANCE / kind
    if not folder.is_dir():
        raise FileNotFoundError(f"conformance folder missing: {folder} (set CIVICLINE_SHARED)")
    return sorted(p for p in folder.glob(f"{prefix}*.json"))


def load_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.fixture
def local_aws() -> Iterator[Any]:
    """Every CivicLine table and the contact-event pipeline on in-process moto."""
    from civicline.local.aws import LocalAws

    with LocalAws() as aws:
        yield aws


@pytest.fixture
def aws_faults() -> Iterator[Any]:
    """``aws_faults("dynamodb")``: an active :class:`~civicline.local.aws_faults.AwsFaults` on the
    functions' own client for that service (the one the handlers call), removed after the test."""
    from civicline.local.aws_faults import AwsFaults
    from functions.core.aws import client

    active: list[AwsFaults] = []

    def make(service: str = "dynamodb") -> AwsFaults:
        faults = AwsFaults(client(service)).__enter__()
        active.append(faults)
        return faults

    yield make
    for faults in reversed(active):
        faults.__exit__(None, None, None)
