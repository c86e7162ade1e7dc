"""The public web chat's start as the stack deploys it (dev and prod): the function's template
environment and role, StartChatContact answered at botocore after the role allowed it."""

from __future__ import annotations

import json
from typing import Any

import pytest

from civicline.local.deployed import DeployedStack
from tests.deployed import scenarios

pytestmark = [pytest.mark.infra]


def test_a_page_starts_a_chat_in_the_main_flow_with_the_survey_kept_on_end_chat(
    deployed: DeployedStack, deployed_aws: Any
) -> None:
    # Given the deployed chat_start (its environment names the flow; its role may start chats there)
    # When a page asks for a chat, then sends a request with a case number in the name
    results = scenarios.chat_start(deployed)
    # Then the first started, in the flow the stack renders for main-inbound, with the agent
    # disconnected on the customer's exit and the interactive content types
    assert results["started"]["statusCode"] == 200
    assert json.loads(results["started"]["body"])["participantToken"] == "token-1"
    [request] = results["requests"]
    flow_arn = deployed.function_environment("chat_start")["CHAT_FLOW_ARN"]
    assert request["ContactFlowId"] == flow_arn.rsplit("/", 1)[-1]
    assert request["DisconnectOnCustomerExit"] == ["AGENT"]
    assert (
        "application/vnd.amazonaws.connect.message.interactive" in request["SupportedMessagingContentTypes"]
    )
    assert request["ClientToken"] == scenarios.CHAT_PAGE["requestId"]
    # And the role allowed exactly that call, on that flow
    [call] = [c for c in deployed.recorded("chat_start") if c.request.action == "connect:StartChatContact"]
    assert call.allowed and call.request.resource == flow_arn
    # And the bad request was refused without asking Connect
    assert results["refused"]["statusCode"] == 400


def test_the_role_refuses_a_chat_in_any_other_flow(deployed: DeployedStack, deployed_aws: Any) -> None:
    from civicline.local.iam import AuthRequest, Policy

    # Given the role as synthesized / Then StartChatContact is allowed on the chat's flow only
    flow_arn = deployed.function_environment("chat_start")["CHAT_FLOW_ARN"]
    policy = Policy(tuple(deployed.grants("chat_start")))
    assert policy.allows(AuthRequest("connect:StartChatContact", flow_arn))
    other = flow_arn.rsplit("/", 1)[0] + "/some-other-flow"
    assert not policy.allows(AuthRequest("connect:StartChatContact", other))
    assert not policy.allows(AuthRequest("connect:StartOutboundVoiceContact", flow_arn))
