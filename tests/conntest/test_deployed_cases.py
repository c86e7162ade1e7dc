"""tests/connect deployed as AWS::Connect::TestCase: the synthesized template holds the cases that
start in a contact flow, with every placeholder replaced by a deployed ARN and the entry flow's id."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from civicline.conntest.parser import parse_document
from infra.config import load_config
from infra.constructs.test_cases import TestCaseError, add_test_cases, entry_flow, read_cases, substitute
from infra.registry import FLOWS
from tests.infra.conftest import Synth, synth  # noqa: F401 - the shared synthesis fixture

pytestmark = [pytest.mark.infra, pytest.mark.xdist_group("infra")]
ROOT = Path(__file__).resolve().parents[2]


def _text(value: Any) -> str:
    """A CloudFormation string expression with each intrinsic function shown as <...>."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and "Fn::Join" in value:
        separator, parts = value["Fn::Join"]
        return str(separator).join(_text(p) for p in parts)
    return "<" + json.dumps(value, sort_keys=True).replace('"', "'") + ">"


def test_the_cases_starting_in_contact_flows_are_in_the_template(synth: Synth) -> None:  # noqa: F811
    deployed = {
        k: v["Properties"]
        for k, v in synth.center["Resources"].items()
        if v["Type"] == "AWS::Connect::TestCase"
    }
    expected = [c for _, c in read_cases(("tests/connect",)) if FLOWS[entry_flow(c)] == "CONTACT_FLOW"]
    assert len(deployed) == len(expected) >= 100
    for props in deployed.values():
        content = _text(props["Content"])
        assert "%" not in content.replace("%20", "")  # no placeholder left
        parse_document(json.loads(content))  # ARNs are <intrinsic> markers inside the JSON strings
        assert props["Status"] == "PUBLISHED"
        assert props["InstanceArn"] == {"Fn::GetAtt": ["ConnectInstance", "Arn"]}
        flow_id = props["EntryPoint"]["VoiceCallEntryPointParameters"]["FlowId"]
        assert flow_id["Fn::Select"][0] == 3
        assert flow_id["Fn::Select"][1]["Fn::Split"][1]["Fn::GetAtt"][1] == "ContactFlowArn"
        assert props["Name"].startswith("civicline-dev-")


def test_a_mocked_function_is_the_deployed_function(synth: Synth) -> None:  # noqa: F811
    deployed = {
        k: v["Properties"]
        for k, v in synth.center["Resources"].items()
        if v["Type"] == "AWS::Connect::TestCase"
    }
    name = next(k for k in deployed if "ConsultLookupFails" in k)
    content = _text(deployed[name]["Content"])
    assert "\"LambdaFunctionARN\":\"<{'Fn::GetAtt': ['RoutingFunction', 'Arn']}>\"" in content


def test_the_switch_off_deploys_nothing() -> None:
    config = load_config("prod")
    assert config.test_cases.deploy is False
    assert add_test_cases(None, config, None, {}, {}) is None  # type: ignore[arg-type]


def test_an_unknown_placeholder_cannot_be_deployed() -> None:
    with pytest.raises(TestCaseError, match="no deployed resource for %QUEUE_NOWHERE%"):
        substitute('{"QueueId": "%QUEUE_NOWHERE%"}', {}, "case.json")
