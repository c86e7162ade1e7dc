"""One synthesis of the real app (dev environment, real flows/*.json, cdk-nag on) per test session."""

from __future__ import annotations

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
    acks: list[tuple[str, str]]
    config: Any

    def resources(self, template: dict[str, Any], kind: str) -> dict[str, dict[str, Any]]:
        return {k: v for k, v in template["Resources"].items() if v["Type"] == kind}


@pytest.fixture(scope="session")
def synth(tmp_path_factory: pytest.TempPathFactory) -> Synth:
    from infra.app import build_app
    from infra.config import load_config
    from infra.nag import acknowledge

    config = load_config("dev")
    outdir = tmp_path_factory.mktemp("cdk.out")
    app, data, center = build_app(config, outdir=str(outdir), nag=True)
    acks = acknowledge(config, data, center)  # idempotent: returns what was matched
    app.synth()  # raises when cdk-nag reports an unacknowledged finding
    templates = {
        name: json.loads((outdir / f"{config.stack_prefix}-{name}.template.json").read_text())
        for name in ("Data", "ContactCenter")
    }
    return Synth(outdir, templates["Data"], templates["ContactCenter"], acks, config)
