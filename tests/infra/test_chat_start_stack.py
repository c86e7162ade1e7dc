"""The public web chat's start API in the synthesized dev template (infra/constructs/chat_start.py):
a regional REST API behind a WAFv2 web ACL, with request validation, throttling and access logs.

The synthesis has cdk-nag on (tests/infra/conftest.py): a finding without an acknowledgement fails
the fixture, so these tests also prove the construct nag-clean; cfn-lint runs in test_stacks.py.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from functions.domain.chat_start import MAX_BODY_BYTES, Refusal, refusal_body
from infra.constructs.chat_start import (
    ACCESS_LOG_FORMAT,
    CHAT_ROUTE,
    GATEWAY_REFUSALS,
    MANAGED_RULE_GROUPS,
    STAGE_NAME,
    request_schema,
)

pytestmark = [pytest.mark.infra, pytest.mark.xdist_group("infra")]

FLOW_ARN = {"Fn::GetAtt": ["FlowMainInbound", "ContactFlowArn"]}


def _of(template: dict[str, Any], kind: str) -> dict[str, dict[str, Any]]:
    return {k: v for k, v in template["Resources"].items() if v["Type"] == kind}


def _one(template: dict[str, Any], kind: str) -> tuple[str, dict[str, Any]]:
    [(name, resource)] = [(k, v) for k, v in _of(template, kind).items() if k.startswith("ChatStart")]
    return name, resource["Properties"]


def _chat_methods(template: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        m["Properties"]["HttpMethod"]: m["Properties"]
        for k, m in _of(template, "AWS::ApiGateway::Method").items()
        if k.startswith("ChatStart")
    }


def test_the_function_may_start_chats_in_the_main_flow_only(synth) -> None:  # type: ignore[no-untyped-def]
    # Given the chat_start role's policy
    [policy] = [
        p["Properties"]["PolicyDocument"]["Statement"]
        for k, p in _of(synth.center, "AWS::IAM::Policy").items()
        if k.startswith("FunctionsChatStartFunctionRole")
    ]
    code = [s for s in policy if not str(s["Action"]).startswith(("['logs:", "['xray:", "logs:", "xray:"))]
    # Then its one code grant is StartChatContact on the main inbound flow's ARN and on the
    # instance's contacts (the action's two resource types), nothing wider
    [grant] = code
    assert grant["Action"] == "connect:StartChatContact" and grant["Effect"] == "Allow"
    flow, contacts = grant["Resource"]
    assert flow == FLOW_ARN
    assert contacts == {"Fn::Join": ["", [{"Fn::GetAtt": ["ConnectInstance", "Arn"]}, "/contact/*"]]}
    # And no other role may start chats
    for name, other in _of(synth.center, "AWS::IAM::Policy").items():
        if not name.startswith("FunctionsChatStartFunctionRole"):
            assert "StartChatContact" not in json.dumps(other), name


def test_the_function_knows_its_flow_duration_and_the_agency_pages(synth) -> None:  # type: ignore[no-untyped-def]
    env = synth.center["Resources"]["ChatStartFunction"]["Properties"]["Environment"]["Variables"]
    assert env["CHAT_FLOW_ARN"] == FLOW_ARN
    assert env["CHAT_DURATION_MINUTES"] == str(synth.config.chat_web.duration_minutes)
    assert env["CHAT_ALLOWED_ORIGINS"] == ",".join(synth.config.chat_web.allowed_origins)
    assert env["CONNECT_INSTANCE_ARN"] == {"Fn::GetAtt": ["ConnectInstance", "Arn"]}
    # reads no table: it is given none
    assert not [k for k in env if k.endswith("_TABLE")]


def test_the_api_is_a_regional_rest_api(synth) -> None:  # type: ignore[no-untyped-def]
    # AWS WAF protects REST APIs, not HTTP APIs: no API Gateway v2 resource is left
    _, api = _one(synth.center, "AWS::ApiGateway::RestApi")
    assert api["EndpointConfiguration"] == {"Types": ["REGIONAL"]}
    assert not [k for k in synth.center["Resources"] if k.startswith("ChatStart") and "V2" in k]
    assert not _of(synth.center, "AWS::ApiGatewayV2::Api")


def test_the_web_acl_guards_the_stage_with_a_per_ip_rate_size_and_managed_rules(synth) -> None:  # type: ignore[no-untyped-def]
    web = synth.config.chat_web
    acl_name, acl = _one(synth.center, "AWS::WAFv2::WebACL")
    assert acl["Scope"] == "REGIONAL" and acl["DefaultAction"] == {"Allow": {}}
    rules = {r["Name"]: r for r in acl["Rules"]}
    assert [r["Name"] for r in sorted(acl["Rules"], key=lambda r: r["Priority"])] == [
        "PerClientRate",
        "BodySize",
        *MANAGED_RULE_GROUPS,
    ]
    # the rate per client IP, answered 429 with the function's THROTTLED body
    rate = rules["PerClientRate"]
    assert rate["Statement"]["RateBasedStatement"] == {
        "AggregateKeyType": "IP",
        "Limit": web.per_ip_limit,
        "EvaluationWindowSec": web.per_ip_window_seconds,
    }
    blocked = rate["Action"]["Block"]["CustomResponse"]
    assert blocked["ResponseCode"] == 429
    body = acl["CustomResponseBodies"][blocked["CustomResponseBodyKey"]]
    assert json.loads(body["Content"]) == refusal_body(Refusal.THROTTLED)
    # a body over the function's own limit (oversize bodies count as a match), answered 413
    size = rules["BodySize"]["Statement"]["SizeConstraintStatement"]
    assert size["ComparisonOperator"] == "GT" and size["Size"] == MAX_BODY_BYTES
    assert size["FieldToMatch"] == {"Body": {"OversizeHandling": "MATCH"}}
    assert rules["BodySize"]["Action"]["Block"]["CustomResponse"]["ResponseCode"] == 413
    # AWS's managed groups, enforced as they come (no rule overridden to count)
    for group in MANAGED_RULE_GROUPS:
        statement = rules[group]["Statement"]["ManagedRuleGroupStatement"]
        assert statement == {"VendorName": "AWS", "Name": group}
        assert rules[group]["OverrideAction"] == {"None": {}}
    # metrics for every rule, no sampled requests (they hold the client's IP and headers)
    for rule in acl["Rules"]:
        assert rule["VisibilityConfig"]["CloudWatchMetricsEnabled"] is True
        assert rule["VisibilityConfig"]["SampledRequestsEnabled"] is False
    # And the web ACL is associated with the API's deployed stage
    _, association = _one(synth.center, "AWS::WAFv2::WebACLAssociation")
    assert association["WebACLArn"] == {"Fn::GetAtt": [acl_name, "Arn"]}
    stage_name, _ = _one(synth.center, "AWS::ApiGateway::Stage")
    arn = json.dumps(association["ResourceArn"])
    assert "/restapis/" in arn and "/stages/" in arn and stage_name in arn


def test_the_body_is_validated_against_the_contract_schema(synth) -> None:  # type: ignore[no-untyped-def]
    methods = _chat_methods(synth.center)
    post = methods["POST"]
    # Given the POST method: a Lambda proxy integration with no authorizer (a citizen has no login)
    assert post["AuthorizationType"] == "NONE" and post["Integration"]["Type"] == "AWS_PROXY"
    # Then a validator checks the body and the required Content-Type header
    validator_name, validator = _one(synth.center, "AWS::ApiGateway::RequestValidator")
    assert validator["ValidateRequestBody"] is True and validator["ValidateRequestParameters"] is True
    assert post["RequestValidatorId"] == {"Ref": validator_name}
    assert post["RequestParameters"] == {"method.request.header.Content-Type": True}
    # against the model generated from the one definition of the request (schemas/chat_start.py)
    model_name, model = _one(synth.center, "AWS::ApiGateway::Model")
    assert post["RequestModels"] == {"application/json": {"Ref": model_name}}
    assert model["ContentType"] == "application/json"
    assert model["Schema"] == request_schema()
    assert model["Schema"]["additionalProperties"] is False
    assert model["Schema"]["properties"]["displayName"]["maxLength"] == 64


def test_the_stage_is_throttled_traced_and_logged_without_personal_data(synth) -> None:  # type: ignore[no-untyped-def]
    web = synth.config.chat_web
    _, stage = _one(synth.center, "AWS::ApiGateway::Stage")
    assert stage["StageName"] == STAGE_NAME and stage["TracingEnabled"] is True
    [settings] = stage["MethodSettings"]
    assert settings["ThrottlingRateLimit"] == web.rate_limit
    assert settings["ThrottlingBurstLimit"] == web.burst_limit
    assert settings.get("DataTraceEnabled") is False  # no request or response bodies in logs
    log_format = json.loads(stage["AccessLogSetting"]["Format"])
    assert log_format == ACCESS_LOG_FORMAT
    text = json.dumps(log_format)
    assert not any(k in text for k in ("sourceIp", "userAgent", "identity", "validationErrorString"))
    # the access log group expires and is encrypted with the functions' log key
    _, group = _one(synth.center, "AWS::Logs::LogGroup")
    assert group["RetentionInDays"] == synth.config.log_retention_days
    assert "KmsKeyId" in group


def test_cors_preflight_names_only_the_agency_pages(synth) -> None:  # type: ignore[no-untyped-def]
    options = _chat_methods(synth.center)["OPTIONS"]
    assert options["Integration"]["Type"] == "MOCK"
    text = json.dumps(options["Integration"]["IntegrationResponses"])
    for origin in synth.config.chat_web.allowed_origins:
        assert origin in text
    assert "'*'" not in text.replace("Access-Control-Allow-Headers", "")


def test_api_gateway_answers_its_own_refusals_with_the_function_contract(synth) -> None:  # type: ignore[no-untyped-def]
    responses = {
        r["Properties"]["ResponseType"]: r["Properties"]
        for k, r in _of(synth.center, "AWS::ApiGateway::GatewayResponse").items()
        if k.startswith("ChatStart")
    }
    assert set(responses) == set(GATEWAY_REFUSALS)
    for response_type, reason in GATEWAY_REFUSALS.items():
        response = responses[response_type]
        body = json.loads(response["ResponseTemplates"]["application/json"])
        assert body == refusal_body(reason), response_type
    assert responses["THROTTLED"]["StatusCode"] == "429"
    assert responses["THROTTLED"]["ResponseParameters"]["gatewayresponse.header.Retry-After"] == "'2'"
    assert responses["BAD_REQUEST_BODY"]["StatusCode"] == "400"
    assert responses["WAF_FILTERED"]["StatusCode"] == "403"


def test_only_this_api_method_may_invoke_the_function(synth) -> None:  # type: ignore[no-untyped-def]
    permissions = [
        p["Properties"]
        for p in _of(synth.center, "AWS::Lambda::Permission").values()
        if p["Properties"]["FunctionName"] == {"Fn::GetAtt": ["ChatStartFunction", "Arn"]}
    ]
    # one permission: the deployed API's POST /chat (no console test-invoke permission)
    [permission] = permissions
    assert permission["Principal"] == "apigateway.amazonaws.com"
    source = json.dumps(permission["SourceArn"])
    assert f"/POST{CHAT_ROUTE}" in source and "test-invoke-stage" not in source


def test_the_page_finds_the_endpoint_in_the_outputs(synth) -> None:  # type: ignore[no-untyped-def]
    url = json.dumps(synth.center["Outputs"]["ChatStartUrl"]["Value"])
    assert "execute-api" in url and CHAT_ROUTE in url and "DeploymentStagelive" in url


def test_the_public_method_is_acknowledged_with_what_replaces_an_authorizer(synth) -> None:  # type: ignore[no-untyped-def]
    from infra.nag import ACKNOWLEDGEMENTS

    applied = {(path, rule) for path, rule in synth.acks}
    for rule in ("AwsSolutions-APIG4", "AwsSolutions-COG4"):
        assert any(r == rule and "ChatStart/Api/Default/chat/POST" in p for p, r in applied), rule
    [reason] = {
        a.reason for a in ACKNOWLEDGEMENTS if a.rule == "AwsSolutions-APIG4" and "ChatStart" in a.path
    }
    assert "web ACL" in reason and "validator" in reason


def test_the_local_event_uses_the_deployed_stage_and_route() -> None:
    from civicline.local import chat_start as local

    event = local.rest_proxy_event("{}")
    assert event["requestContext"]["stage"] == STAGE_NAME and event["resource"] == CHAT_ROUTE
