"""The public web chat's start API: an HTTP API in front of the ``chat_start`` function.

The citizen's page (a custom widget built on ChatJS, or the hosted communications widget's own
start-chat backend) POSTs ``/chat`` with a display name and language; the function starts the chat
with StartChatContact in the main inbound flow, with ``DisconnectOnCustomerExit=["AGENT"]`` so the
post-chat survey survives the citizen's End chat (docs/channels.md, docs/decisions.md).

Why an API Gateway HTTP API and not a Lambda function URL: the endpoint is public and
unauthenticated by nature (a citizen has no login), so what bounds abuse is a request rate, and a
stage's throttling gives one (rate and burst, answered 429 by API Gateway before the function or
Connect is touched); a function URL has only the function's reserved concurrency. The HTTP API also
answers CORS preflights for the agency's own origins. Its access log carries no IP address, user
agent or body (the request id, route, status and latency only).

Least privilege: the function may call ``connect:StartChatContact`` on the one flow it starts chats
in (the Service Authorization Reference's ``contact-flow`` resource; docs/decisions.md says what
could not be confirmed), and nothing else beyond its log group.
"""

from __future__ import annotations

import json

from aws_cdk import Duration, RemovalPolicy, Stack
from aws_cdk import aws_apigatewayv2 as apigw
from aws_cdk import aws_apigatewayv2_integrations as integrations
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import Construct

from infra.config import EnvConfig
from infra.constructs.log_keys import allow_logs

#: the route the page calls
CHAT_ROUTE = "/chat"
#: what one access-log line holds: nothing that identifies the citizen (no IP, agent, body)
ACCESS_LOG_FORMAT = {
    "requestId": "$context.requestId",
    "time": "$context.requestTime",
    "routeKey": "$context.routeKey",
    "status": "$context.status",
    "responseLatency": "$context.responseLatency",
    "integrationStatus": "$context.integrationStatus",
    "integrationError": "$context.integrationErrorMessage",
}


def grant_start_chat(role: iam.IRole, flow_arn: str) -> None:
    """StartChatContact on the chat's own flow (Service Authorization Reference: contact-flow)."""
    role.add_to_principal_policy(
        iam.PolicyStatement(actions=["connect:StartChatContact"], resources=[flow_arn])
    )


class ChatStartApi(Construct):
    """POST /chat -> chat_start, throttled, CORS for the agency's pages, access-logged."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: EnvConfig,
        function: lambda_.Function,
        role: iam.IRole,
        flow_arn: str,
        logs_key: kms.Key,
    ) -> None:
        super().__init__(scope, construct_id)
        web = config.chat_web
        function.add_environment("CHAT_FLOW_ARN", flow_arn)
        function.add_environment("CHAT_DURATION_MINUTES", str(web.duration_minutes))
        grant_start_chat(role, flow_arn)
        self.api = apigw.HttpApi(
            self,
            "Api",
            api_name=f"{config.resource_prefix}-chat-start",
            description="CivicLine: starts a public web chat (StartChatContact)",
            create_default_stage=False,
            cors_preflight=apigw.CorsPreflightOptions(
                allow_origins=list(web.allowed_origins),
                allow_methods=[apigw.CorsHttpMethod.POST],
                allow_headers=["content-type"],
                max_age=Duration.hours(1),
            ),
        )
        self.api.add_routes(
            path=CHAT_ROUTE,
            methods=[apigw.HttpMethod.POST],
            integration=integrations.HttpLambdaIntegration(
                "StartChat", function, payload_format_version=apigw.PayloadFormatVersion.VERSION_2_0
            ),
        )
        log_name = f"/civicline/{config.resource_prefix}/chat-start-api"
        allow_logs(logs_key, "ArnEquals", log_name)
        self.access_logs = logs.LogGroup(
            self,
            "AccessLogs",
            log_group_name=log_name,
            encryption_key=logs_key,
            removal_policy=RemovalPolicy.DESTROY,
        )
        cfn_group = self.access_logs.node.default_child
        assert isinstance(cfn_group, logs.CfnLogGroup)
        cfn_group.retention_in_days = config.log_retention_days
        self.stage = apigw.HttpStage(
            self,
            "Stage",
            http_api=self.api,
            stage_name="$default",
            auto_deploy=True,
            throttle=apigw.ThrottleSettings(rate_limit=web.rate_limit, burst_limit=web.burst_limit),
        )
        cfn_stage = self.stage.node.default_child
        assert isinstance(cfn_stage, apigw.CfnStage)
        cfn_stage.access_log_settings = apigw.CfnStage.AccessLogSettingsProperty(
            destination_arn=self.access_logs.log_group_arn, format=json.dumps(ACCESS_LOG_FORMAT)
        )

    @property
    def url(self) -> str:
        """The page's endpoint: the stage's URL and the route."""
        return f"https://{self.api.api_id}.execute-api.{Stack.of(self).region}.{Stack.of(self).url_suffix}{CHAT_ROUTE}"
