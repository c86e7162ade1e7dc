"""One synthesis of the real app (dev environment, real flows/*.json, cdk-nag on) per test run.

``make test`` runs pytest-xdist with ``--dist loadgroup`` and these modules carry
``xdist_group("infra")``; in case the workers still split them (observed with pytest-xdist 3.8), the
workers share one synthesis through a lock file in the run's common temporary folder: the first
worker synthesizes, the others wait for it and read the same cloud assembly.
"""

from __future__ import annotations

import fcntl
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")
os.environ.setdefault("JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION", "1")


@dataclass
class Synth:
    outdir: Path
    data: dict[str, Any]
    center: dict[str, Any]
    #: the TestCases stack's template (dev deploys the Connect test cases)
    test_cases: dict[str, Any]
    acks: list[tuple[str, str]]
    config: Any


def _synthesize(outdir: Path) -> None:
    from infra.app import build_app
    from infra.config import load_config
    from infra.nag import acknowledge

    config = load_config("dev")
    built = build_app(config, outdir=str(outdir), nag=True)
    acks = acknowledge(config, *built.stacks())  # what matched (acknowledging twice is harmless)
    built.app.synth()  # raises when cdk-nag reports an unacknowledged finding
    (outdir / "acks.json").write_text(json.dumps(acks))


@pytest.fixture(scope="session")
def synth(tmp_path_factory: pytest.TempPathFactory) -> Synth:
    from infra.config import load_config

    worker = os.environ.get("PYTEST_XDIST_WORKER")
    base = tmp_path_factory.getbasetemp()
    shared = (base.parent if worker else base) / "infra-cdk.out"
    with open(f"{shared}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        if not (shared / "acks.json").is_file():
            shared.mkdir(parents=True, exist_ok=True)
            _synthesize(shared)
    config = load_config("dev")
    templates = {
        name: json.loads((shared / f"{config.stack_prefix}-{name}.template.json").read_text())
        for name in ("Data", "ContactCenter", "TestCases")
    }
    acks = [tuple(a) for a in json.loads((shared / "acks.json").read_text())]
    return Synth(
        shared,
        templates["Data"],
        templates["ContactCenter"],
        templates["TestCases"],
        acks,  # type: ignore[arg-type]
        config,
    )
