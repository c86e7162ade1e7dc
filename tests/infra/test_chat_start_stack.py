"""The public web chat's start API in the synthesized dev template (infra/constructs/chat_start.py).

The synthesis has cdk-nag on (tests/infra/conftest.py): a finding without an acknowledgement fails
the fixture, so these tests also prove the construct nag-clean; cfn-lint runs in test_stacks.py.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from infra.constructs.chat_start import ACCESS_LOG_FORMAT, CHAT_ROUTE

pytestmark = [pytest.mark.infra, pytest.mark.xdist_group("infra")]

FLOW_ARN = {"Fn::GetAtt": ["FlowMainInbound", "ContactFlowArn"]}


def _of(template: dict[str, Any], kind: str) -> dict[str, dict[str, Any]]:
    return {k: v for k, v in template["Resources"].items() if v["Type"] == kind}


def _one(template: dict[str, Any], kind: str) -> tuple[str, dict[str, Any]]:
    [(name, resource)] = [(k, v) for k, v in _of(template, kind).items() if k.startswith("ChatStart")]
    return name, resource["Properties"]


def test_the_function_may_start_chats_in_the_main_flow_only(synth) -> None:  # type: ignore[no-untyped-def]
    # Given the chat_start role's policy
    [policy] = [
        p["Properties"]["PolicyDocument"]["Statement"]
        for k, p in _of(synth.center, "AWS::IAM::Policy").items()
        if k.startswith("FunctionsChatStartFunctionRole")
    ]
    code = [s for s in policy if not str(s["Action"]).startswith(("['logs:", "['xray:", "logs:", "xray:"))]
    # Then its one code grant is StartChatContact on the main inbound flow's ARN (no wildcard)
    assert code == [{"Action": "connect:StartChatContact", "Effect": "Allow", "Resource": FLOW_ARN}]
    # And no other role may start chats
    for name, other in _of(synth.center, "AWS::IAM::Policy").items():
        if not name.startswith("FunctionsChatStartFunctionRole"):
            assert "StartChatContact" not in json.dumps(other), name


def test_the_function_knows_its_flow_and_the_chat_duration(synth) -> None:  # type: ignore[no-untyped-def]
    env = synth.center["Resources"]["ChatStartFunction"]["Properties"]["Environment"]["Variables"]
    assert env["CHAT_FLOW_ARN"] == FLOW_ARN
    assert env["CHAT_DURATION_MINUTES"] == str(synth.config.chat_web.duration_minutes)
    assert env["CONNECT_INSTANCE_ARN"] == {"Fn::GetAtt": ["ConnectInstance", "Arn"]}
    # reads no table: it is given none
    assert not [k for k in env if k.endswith("_TABLE")]


def test_the_api_is_throttled_logged_without_personal_data_and_open_to_the_agency_pages(synth) -> None:  # type: ignore[no-untyped-def]
    web = synth.config.chat_web
    _, stage = _one(synth.center, "AWS::ApiGatewayV2::Stage")
    assert stage["DefaultRouteSettings"] == {
        "ThrottlingBurstLimit": web.burst_limit,
        "ThrottlingRateLimit": web.rate_limit,
    }
    log_format = json.loads(stage["AccessLogSettings"]["Format"])
    assert log_format == ACCESS_LOG_FORMAT
    assert not any(k in json.dumps(log_format) for k in ("sourceIp", "userAgent", "identity"))
    _, api = _one(synth.center, "AWS::ApiGatewayV2::Api")
    assert api["ProtocolType"] == "HTTP"
    assert api["CorsConfiguration"]["AllowOrigins"] == list(web.allowed_origins)
    assert api["CorsConfiguration"]["AllowMethods"] == ["POST"]
    _, route = _one(synth.center, "AWS::ApiGatewayV2::Route")
    assert route["RouteKey"] == f"POST {CHAT_ROUTE}"
    # the access log group expires and is encrypted with the functions' log key
    _, group = _one(synth.center, "AWS::Logs::LogGroup")
    assert group["RetentionInDays"] == synth.config.log_retention_days
    assert "KmsKeyId" in group


def test_only_this_api_route_may_invoke_the_function(synth) -> None:  # type: ignore[no-untyped-def]
    permissions = [
        p["Properties"]
        for p in _of(synth.center, "AWS::Lambda::Permission").values()
        if p["Properties"]["FunctionName"] == {"Fn::GetAtt": ["ChatStartFunction", "Arn"]}
    ]
    [permission] = permissions
    assert permission["Principal"] == "apigateway.amazonaws.com"
    source = json.dumps(permission["SourceArn"])
    assert CHAT_ROUTE in source and "ChatStartApi" in source


def test_the_page_finds_the_endpoint_in_the_outputs(synth) -> None:  # type: ignore[no-untyped-def]
    url = json.dumps(synth.center["Outputs"]["ChatStartUrl"]["Value"])
    assert "execute-api" in url and CHAT_ROUTE in url


def test_the_public_route_is_acknowledged_with_its_reason(synth) -> None:  # type: ignore[no-untyped-def]
    applied = {(path, rule) for path, rule in synth.acks}
    assert any(rule == "AwsSolutions-APIG4" and "ChatStart/Api/POST--chat" in path for path, rule in applied)
