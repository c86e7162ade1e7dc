"""Every synthesized template keeps 10 % headroom under CloudFormation's template quotas.

The quotas (AWS CloudFormation User Guide, "Understand CloudFormation quotas",
cloudformation-limits.html): a template body in an S3 object (how CDK deploys) is at most 1 MB,
a template declares at most 500 resources, 200 outputs and 200 parameters. cfn-lint uses the same
figures (1,000,000 bytes) but only warns from 90 %; here 90 % already fails, so a growing stack is
split before a deployment is refused. Measured on the real assemblies: dev from the shared
synthesis, prod as ``python -m infra.app --env prod`` writes it (cached per source hash).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from civicline.local.deployed import synthesize
from tests.infra.conftest import Synth

pytestmark = [pytest.mark.infra, pytest.mark.xdist_group("infra")]

TEMPLATE_BODY_BYTES = 1_000_000
QUOTAS = {"Resources": 500, "Outputs": 200, "Parameters": 200}
HEADROOM = 0.9


def near_limits(path: Path) -> list[str]:
    """What of one template is within 10 % of its quota (empty: ample headroom)."""
    size = path.stat().st_size
    found = [f"{size:,} bytes of {TEMPLATE_BODY_BYTES:,}"] if size >= HEADROOM * TEMPLATE_BODY_BYTES else []
    template = json.loads(path.read_text(encoding="utf-8"))
    for section, quota in QUOTAS.items():
        count = len(template.get(section, {}))
        if count >= HEADROOM * quota:
            found.append(f"{count} {section} of {quota}")
    return found


def _templates(env: str, synth: Synth) -> dict[str, Path]:
    outdir = synth.outdir if env == "dev" else synthesize(env)
    templates = {p.name.removesuffix(".template.json"): p for p in sorted(outdir.glob("*.template.json"))}
    assert templates, f"no template under {outdir}"
    return templates


@pytest.mark.parametrize("env", ["dev", "prod"])
def test_every_template_keeps_10_percent_headroom_under_the_quotas(env: str, synth: Synth) -> None:
    # Given the templates of one environment, as CloudFormation receives them
    templates = _templates(env, synth)
    for name, path in templates.items():
        print(f"{env} {name}: {path.stat().st_size:,} bytes")  # the figures docs/deploy.md quotes
    # Then none is within 10 % of the 1 MB body limit or of a section quota
    near = {name: found for name, path in templates.items() if (found := near_limits(path))}
    assert not near, f"within 10 % of a CloudFormation template quota: {near}"


def test_a_template_near_a_quota_is_reported(tmp_path: Path) -> None:
    # Given a template of exactly 90 % of the body limit, and one with 450 resources
    big = tmp_path / "Big.template.json"
    text = json.dumps({"Resources": {}, "Description": ""})
    big.write_text(text[:-2] + "x" * (900_000 - len(text)) + text[-2:], encoding="utf-8")
    many = tmp_path / "Many.template.json"
    many.write_text(json.dumps({"Resources": {f"R{i}": {} for i in range(450)}}), encoding="utf-8")
    small = tmp_path / "Small.template.json"
    small.write_text(json.dumps({"Resources": {f"R{i}": {} for i in range(449)}}), encoding="utf-8")
    # Then both are reported, naming what is near its quota, and a template just under is not
    assert near_limits(big) == ["900,000 bytes of 1,000,000"]
    assert near_limits(many) == ["450 Resources of 500"]
    assert near_limits(small) == []
