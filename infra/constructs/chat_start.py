"""The public web chat's start API: a regional REST API behind AWS WAF, in front of ``chat_start``.

The citizen's page (a custom widget built on ChatJS, or the hosted communications widget's own
start-chat backend) POSTs ``/chat`` with a display name and language; the function starts the chat
with StartChatContact in the main inbound flow, with ``DisconnectOnCustomerExit=["AGENT"]`` so the
post-chat survey survives the citizen's End chat (docs/channels.md, docs/decisions.md).

Why a REST API and not an HTTP API: the endpoint is public and unauthenticated by nature (a citizen
has no login) and every start opens a paid Connect chat, so it needs abuse protection per client,
and AWS WAF protects API Gateway REST APIs, not HTTP APIs ("Use AWS WAF to protect your REST APIs in
API Gateway", apigateway-control-access-aws-waf.html). What stands in front of the function:

* a regional web ACL on the stage (:func:`web_acl_rules`): a rate-based rule per client IP (429),
  a body-size rule at the function's own limit (413), and AWS's managed rule groups for IP
  reputation, the common rule set and known bad inputs (403 ``BLOCKED``);
* request validation: the body against the request's JSON schema (schemas/chat_start.py, the one
  definition the function also checks) and a ``Content-Type`` header required;
* stage throttling for every caller together (rate and burst), X-Ray tracing, and an access log
  (KMS-encrypted, the environment's retention) with no IP address, user agent or body;
* CORS for the agency's own origins only: API Gateway answers the preflight, the function puts the
  CORS headers on its own answers (a Lambda proxy integration passes them through) and refuses a
  request from any other origin;
* API Gateway's own refusals (validation, throttling, WAF) answered with the function's typed JSON
  (``functions.domain.chat_start.refusal_body``), so the page reads one contract.

Least privilege: the function may call ``connect:StartChatContact`` on the one flow it starts chats
in and on the instance's contacts (:func:`grant_start_chat`), and nothing else beyond its log group.
"""

from __future__ import annotations

import json
from typing import Any

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_wafv2 as wafv2
from constructs import Construct

from functions.domain.chat_start import (
    MAX_BODY_BYTES,
    RETRY_AFTER_SECONDS,
    Refusal,
    refusal_body,
    refusal_status,
)
from infra.config import ChatWebConfig, EnvConfig
from infra.constructs.log_keys import allow_logs

#: the route the page calls, and the stage it is deployed on
CHAT_ROUTE = "/chat"
STAGE_NAME = "live"
#: what one access-log line holds: nothing that identifies the citizen (no IP, agent, body, and
#: not the validator's message, which may quote the body)
ACCESS_LOG_FORMAT = {
    "requestId": "$context.requestId",
    "time": "$context.requestTime",
    "method": "$context.httpMethod",
    "resourcePath": "$context.resourcePath",
    "status": "$context.status",
    "responseLatency": "$context.responseLatency",
    "integrationStatus": "$context.integrationStatus",
    "integrationError": "$context.integrationErrorMessage",
    "errorType": "$context.error.responseType",
    "waf": "$context.wafResponseCode",
}
#: the web ACL's managed rule groups (AWS Managed Rules, vendor AWS), in evaluation order
MANAGED_RULE_GROUPS = (
    "AWSManagedRulesAmazonIpReputationList",
    "AWSManagedRulesCommonRuleSet",
    "AWSManagedRulesKnownBadInputsRuleSet",
)
#: seconds a client blocked by the rate rule is told to wait
RATE_RETRY_AFTER_SECONDS = 60
#: API Gateway's own answers -> the refusal the page reads (the function's contract)
GATEWAY_REFUSALS: dict[str, Refusal] = {
    "BAD_REQUEST_BODY": Refusal.INVALID_INPUT,
    "BAD_REQUEST_PARAMETERS": Refusal.UNSUPPORTED_MEDIA_TYPE,
    "REQUEST_TOO_LARGE": Refusal.TOO_LARGE,
    "UNSUPPORTED_MEDIA_TYPE": Refusal.UNSUPPORTED_MEDIA_TYPE,
    "THROTTLED": Refusal.THROTTLED,
    "WAF_FILTERED": Refusal.BLOCKED,
    "DEFAULT_4XX": Refusal.MALFORMED,
    "DEFAULT_5XX": Refusal.UNAVAILABLE,
}


def grant_start_chat(role: iam.IRole, flow_arn: str, instance_arn: str) -> None:
    """StartChatContact on the chat's own flow (resource type ``contact-flow``) and on the
    instance's contacts (``contact``, the contact id not known before the call): the Service
    Authorization Reference's resource types for the action (docs/channels.md, "AWS pages
    checked"). The flow binds: a request naming any other flow matches no ``contact-flow`` grant."""
    role.add_to_principal_policy(
        iam.PolicyStatement(
            actions=["connect:StartChatContact"], resources=[flow_arn, f"{instance_arn}/contact/*"]
        )
    )


def request_schema() -> dict[str, Any]:
    """The request body's JSON schema for API Gateway's model (draft 4, which it validates), from
    the one definition the function loads (schemas/chat_start.py)."""
    from pydantic import TypeAdapter

    from schemas.chat_start import ChatStartRequest

    schema: dict[str, Any] = _without_nulls(TypeAdapter(ChatStartRequest).json_schema())
    return {"$schema": "http://json-schema.org/draft-04/schema#", **schema}


def _without_nulls(value: Any) -> Any:
    """The schema without ``null`` keyword values (``"default": null``): CloudFormation drops them,
    and they validate nothing; ``{"type": "null"}`` (a string) stays."""
    if isinstance(value, dict):
        return {k: _without_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_without_nulls(v) for v in value]
    return value


def _json(reason: Refusal) -> str:
    return json.dumps(refusal_body(reason), sort_keys=True)


def _rule(name: str, priority: int, statement: Any, **action: Any) -> wafv2.CfnWebACL.RuleProperty:
    return wafv2.CfnWebACL.RuleProperty(
        name=name,
        priority=priority,
        statement=statement,
        visibility_config=_visibility(name),
        **action,
    )


def _visibility(name: str) -> wafv2.CfnWebACL.VisibilityConfigProperty:
    # sampled requests hold the client's IP address and headers: metrics only
    return wafv2.CfnWebACL.VisibilityConfigProperty(
        cloud_watch_metrics_enabled=True, metric_name=name, sampled_requests_enabled=False
    )


def _block(reason: Refusal, body_key: str, headers: dict[str, str] | None = None) -> Any:
    return wafv2.CfnWebACL.RuleActionProperty(
        block=wafv2.CfnWebACL.BlockActionProperty(
            custom_response=wafv2.CfnWebACL.CustomResponseProperty(
                response_code=refusal_status(reason),
                custom_response_body_key=body_key,
                response_headers=[
                    wafv2.CfnWebACL.CustomHTTPHeaderProperty(name=k, value=v)
                    for k, v in (headers or {}).items()
                ]
                or None,
            )
        )
    )


def web_acl_rules(web: ChatWebConfig) -> list[wafv2.CfnWebACL.RuleProperty]:
    """The web ACL's rules, first match wins: the per-IP rate, the body size, the managed groups."""
    rate = wafv2.CfnWebACL.StatementProperty(
        rate_based_statement=wafv2.CfnWebACL.RateBasedStatementProperty(
            aggregate_key_type="IP", limit=web.per_ip_limit, evaluation_window_sec=web.per_ip_window_seconds
        )
    )
    size = wafv2.CfnWebACL.StatementProperty(
        size_constraint_statement=wafv2.CfnWebACL.SizeConstraintStatementProperty(
            field_to_match=wafv2.CfnWebACL.FieldToMatchProperty(
                body=wafv2.CfnWebACL.BodyProperty(oversize_handling="MATCH")
            ),
            comparison_operator="GT",
            size=MAX_BODY_BYTES,
            text_transformations=[wafv2.CfnWebACL.TextTransformationProperty(priority=0, type="NONE")],
        )
    )
    rules = [
        _rule(
            "PerClientRate",
            0,
            rate,
            action=_block(Refusal.THROTTLED, "throttled", {"Retry-After": str(RATE_RETRY_AFTER_SECONDS)}),
        ),
        _rule("BodySize", 1, size, action=_block(Refusal.TOO_LARGE, "too-large")),
    ]
    for priority, group in enumerate(MANAGED_RULE_GROUPS, start=2):
        managed = wafv2.CfnWebACL.StatementProperty(
            managed_rule_group_statement=wafv2.CfnWebACL.ManagedRuleGroupStatementProperty(
                vendor_name="AWS", name=group
            )
        )
        rules.append(
            _rule(
                group,
                priority,
                managed,
                override_action=wafv2.CfnWebACL.OverrideActionProperty(none={}),
            )
        )
    return rules


class ChatStartApi(Construct):
    """POST /chat -> chat_start: WAF, validated, throttled, CORS for the agency's pages, logged."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: EnvConfig,
        function: lambda_.Function,
        role: iam.IRole,
        flow_arn: str,
        instance_arn: str,
        logs_key: kms.Key,
    ) -> None:
        super().__init__(scope, construct_id)
        web = config.chat_web
        function.add_environment("CHAT_FLOW_ARN", flow_arn)
        function.add_environment("CHAT_DURATION_MINUTES", str(web.duration_minutes))
        function.add_environment("CHAT_ALLOWED_ORIGINS", ",".join(web.allowed_origins))
        grant_start_chat(role, flow_arn, instance_arn)
        self.access_logs = self._access_logs(config, logs_key)
        self.api = apigw.RestApi(
            self,
            "Api",
            rest_api_name=f"{config.resource_prefix}-chat-start",
            description="CivicLine: starts a public web chat (StartChatContact)",
            endpoint_types=[apigw.EndpointType.REGIONAL],
            cloud_watch_role=False,
            deploy_options=apigw.StageOptions(
                stage_name=STAGE_NAME,
                throttling_rate_limit=web.rate_limit,
                throttling_burst_limit=web.burst_limit,
                access_log_destination=apigw.LogGroupLogDestination(self.access_logs),
                access_log_format=apigw.AccessLogFormat.custom(json.dumps(ACCESS_LOG_FORMAT)),
                tracing_enabled=True,
                metrics_enabled=True,
                data_trace_enabled=False,
            ),
        )
        self._chat_method(function, web)
        self._gateway_responses(web)
        self.web_acl = self._web_acl(config)
        wafv2.CfnWebACLAssociation(
            self,
            "WebAclAssociation",
            resource_arn=self.api.deployment_stage.stage_arn,
            web_acl_arn=self.web_acl.attr_arn,
        )

    def _access_logs(self, config: EnvConfig, logs_key: kms.Key) -> logs.LogGroup:
        log_name = f"/civicline/{config.resource_prefix}/chat-start-api"
        allow_logs(logs_key, "ArnEquals", log_name)
        group = logs.LogGroup(
            self,
            "AccessLogs",
            log_group_name=log_name,
            encryption_key=logs_key,
            removal_policy=RemovalPolicy.DESTROY,
        )
        cfn_group = group.node.default_child
        assert isinstance(cfn_group, logs.CfnLogGroup)
        cfn_group.retention_in_days = config.log_retention_days
        return group

    def _chat_method(self, function: lambda_.Function, web: ChatWebConfig) -> None:
        chat = self.api.root.add_resource(CHAT_ROUTE.strip("/"))
        chat.add_cors_preflight(
            allow_origins=list(web.allowed_origins),
            allow_methods=["POST"],
            allow_headers=["Content-Type"],
            max_age=Duration.hours(1),
        )
        model = self.api.add_model(
            "StartRequest",
            content_type="application/json",
            model_name="ChatStartRequest",
            schema=apigw.JsonSchema(type=apigw.JsonSchemaType.OBJECT),
        )
        cfn_model = model.node.default_child
        assert isinstance(cfn_model, apigw.CfnModel)
        cfn_model.schema = request_schema()  # the contract's own schema, as generated
        validator = self.api.add_request_validator(
            "BodyAndHeaders", validate_request_body=True, validate_request_parameters=True
        )
        chat.add_method(
            "POST",
            apigw.LambdaIntegration(function, proxy=True, allow_test_invoke=False),
            authorization_type=apigw.AuthorizationType.NONE,
            request_validator=validator,
            request_models={"application/json": model},
            request_parameters={"method.request.header.Content-Type": True},
        )

    def _gateway_responses(self, web: ChatWebConfig) -> None:
        headers = {"Cache-Control": "'no-store'", "Vary": "'Origin'"}
        if len(web.allowed_origins) == 1:  # a static header can name one origin only
            headers["Access-Control-Allow-Origin"] = f"'{web.allowed_origins[0]}'"
        for response_type, reason in GATEWAY_REFUSALS.items():
            extra = {"Retry-After": f"'{RETRY_AFTER_SECONDS}'"} if reason is Refusal.THROTTLED else {}
            self.api.add_gateway_response(
                "".join(word.title() for word in response_type.split("_")),
                type=apigw.ResponseType.of(response_type),
                status_code=str(refusal_status(reason)),
                response_headers={**headers, **extra},
                templates={"application/json": _json(reason)},
            )

    def _web_acl(self, config: EnvConfig) -> wafv2.CfnWebACL:
        json_body = wafv2.CfnWebACL.CustomResponseBodyProperty
        return wafv2.CfnWebACL(
            self,
            "WebAcl",
            name=f"{config.resource_prefix}-chat-start",
            description="CivicLine chat start: per-IP rate, body size, AWS managed rule groups",
            scope="REGIONAL",
            default_action=wafv2.CfnWebACL.DefaultActionProperty(allow={}),
            rules=web_acl_rules(config.chat_web),
            custom_response_bodies={
                "throttled": json_body(content_type="APPLICATION_JSON", content=_json(Refusal.THROTTLED)),
                "too-large": json_body(content_type="APPLICATION_JSON", content=_json(Refusal.TOO_LARGE)),
            },
            visibility_config=_visibility(f"{config.resource_prefix}-chat-start"),
        )

    @property
    def url(self) -> str:
        """The page's endpoint: the stage's URL and the route."""
        return self.api.url_for_path(CHAT_ROUTE)
