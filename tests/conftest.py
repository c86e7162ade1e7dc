"""Shared fixtures: where the conformance samples live, and a local AWS (moto) per test."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
#: ../shared beside the checkout (CI clones main with shared/ beside it); overridable
SHARED = Path(os.environ.get("CIVICLINE_SHARED", ROOT.parent / "shared"))
CONFORMANCE = SHARED / "conformance"

os.environ.setdefault("POWERTOOLS_METRICS_DISABLED", "true")
os.environ.setdefault("POWERTOOLS_DEV", "false")


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
