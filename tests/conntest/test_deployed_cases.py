"""tests/connect deployed as AWS::Connect::TestCase: the TestCases stack's template holds the cases
that start in a contact flow, with every placeholder replaced by a deployed ARN and the entry flow's
id, imported from the contact-center stack (resolved here as CloudFormation would)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from civicline.conntest.parser import parse_document
from civicline.local.aws import INSTANCE_ARN
from civicline.local.cfn import CloudAssembly
from civicline.local.deployed import synthesize
from infra.config import load_config
from infra.constructs.test_cases import TestCaseError, entry_flow, read_cases, substitute
from infra.registry import FLOWS
from infra.stacks.test_cases import add_test_cases_stack
from tests.infra.conftest import Synth, synth  # noqa: F401 - the shared synthesis fixture

pytestmark = [pytest.mark.infra, pytest.mark.xdist_group("infra")]
ROOT = Path(__file__).resolve().parents[2]


def _assembly(synth: Synth) -> CloudAssembly:  # noqa: F811
    return CloudAssembly.from_dir(synth.outdir, synth.config.stack_prefix, synth.config.resource_prefix)


def _deployed(synth: Synth) -> dict[str, dict[str, Any]]:  # noqa: F811
    return {k: v for k, v in synth.test_cases["Resources"].items() if v["Type"] == "AWS::Connect::TestCase"}


def test_the_cases_starting_in_contact_flows_are_in_the_test_cases_stack(synth: Synth) -> None:  # noqa: F811
    # Given the dev assembly, resolved as CloudFormation would (imports read the exporting stack)
    assembly = _assembly(synth)
    stack = f"{synth.config.stack_prefix}-TestCases"
    deployed = _deployed(synth)
    expected = {
        f"{synth.config.resource_prefix}-{path.parent.name}-{path.stem}": case
        for path, case in read_cases(("tests/connect",))
        if FLOWS[entry_flow(case)] == "CONTACT_FLOW"
    }
    # Then every case that starts in a contact flow is a TestCase there, and none stays in the center
    assert len(deployed) == len(expected) >= 100
    assert not [v for v in synth.center["Resources"].values() if v["Type"] == "AWS::Connect::TestCase"]
    for logical, resource in deployed.items():
        props = assembly.resolve(resource["Properties"], stack)
        content = props["Content"]
        assert "%" not in content.replace("%20", ""), logical  # no placeholder left
        parse_document(json.loads(content))
        assert props["Status"] == "PUBLISHED"
        # the instance and the entry flow are the contact center's own, through its exports
        assert props["InstanceArn"] == INSTANCE_ARN
        assert props["EntryPoint"]["VoiceCallEntryPointParameters"]["FlowId"] == entry_flow(
            expected[props["Name"]]
        )


def test_a_mocked_function_is_the_deployed_function(synth: Synth) -> None:  # noqa: F811
    # Given the case that mocks the routing function, resolved across the stacks
    assembly = _assembly(synth)
    prefix = synth.config.stack_prefix
    name = next(k for k in _deployed(synth) if "ConsultLookupFails" in k)
    content = assembly.resolve(_deployed(synth)[name]["Properties"]["Content"], f"{prefix}-TestCases")
    # Then the ARN it names is the one the contact-center stack gives its routing function
    routing = assembly.resolve({"Fn::GetAtt": ["RoutingFunction", "Arn"]}, f"{prefix}-ContactCenter")
    assert f'"LambdaFunctionARN":"{routing}"' in content


def test_the_test_cases_stack_imports_only_contact_center_exports(synth: Synth) -> None:  # noqa: F811
    prefix = synth.config.stack_prefix
    # Given every Fn::ImportValue of the TestCases template
    imports = set(re.findall(r'"Fn::ImportValue": "([^"]+)"', json.dumps(synth.test_cases)))
    exports = {o["Export"]["Name"] for o in synth.center.get("Outputs", {}).values() if "Export" in o}
    # Then each names an export of the contact-center stack (the CDK's strong references)
    assert imports and imports <= exports
    assert all(name.startswith(f"{prefix}-ContactCenter:") for name in imports)
    # And the stack is deployed after the contact center (and destroyed before it)
    manifest = json.loads((synth.outdir / "manifest.json").read_text())
    assert f"{prefix}-ContactCenter" in manifest["artifacts"][f"{prefix}-TestCases"]["dependencies"]


def test_the_switch_off_deploys_no_test_cases_stack() -> None:
    # Given prod, whose environment file turns the test cases off
    config = load_config("prod")
    assert config.test_cases.deploy is False
    # When the app is synthesized as `make synth ENV=prod` does
    manifest = json.loads((synthesize("prod") / "manifest.json").read_text())
    stacks = sorted(k for k, v in manifest["artifacts"].items() if v["type"] == "aws:cloudformation:stack")
    # Then there is no TestCases stack at all, and no test case in the others
    assert stacks == [f"{config.stack_prefix}-ContactCenter", f"{config.stack_prefix}-Data"]
    assert add_test_cases_stack(None, config, None) is None  # type: ignore[arg-type]


def test_an_unknown_placeholder_cannot_be_deployed() -> None:
    with pytest.raises(TestCaseError, match="no deployed resource for %QUEUE_NOWHERE%"):
        substitute('{"QueueId": "%QUEUE_NOWHERE%"}', {}, "case.json")
