"""The public web chat's start as the stack deploys it (dev and prod): the function's template
environment and role, called with the REST API's Lambda proxy event from the environment's own
page, StartChatContact answered at botocore after the role allowed it."""

from __future__ import annotations

import json
from typing import Any

import pytest

from civicline.local.deployed import DeployedStack
from tests.deployed import scenarios

pytestmark = [pytest.mark.infra]


def _page_origin(deployed: DeployedStack) -> str:
    return deployed.function_environment("chat_start")["CHAT_ALLOWED_ORIGINS"].split(",")[0]


def test_a_page_starts_a_chat_in_the_main_flow_with_the_survey_kept_on_end_chat(
    deployed: DeployedStack, deployed_aws: Any
) -> None:
    # Given the deployed chat_start (its environment names the flow and the agency's pages; its
    # role may start chats there)
    # When the agency's page asks for a chat, then sends a request with a case number in the name
    origin = _page_origin(deployed)
    results = scenarios.chat_start(deployed, origin=origin)
    # Then the first started, in the flow the stack renders for main-inbound, with the agent
    # disconnected on the customer's exit and the interactive content types
    started = results["started"]
    assert started["statusCode"] == 200
    assert json.loads(started["body"])["participantToken"] == "token-1"
    assert started["headers"]["Access-Control-Allow-Origin"] == origin
    [request] = results["requests"]
    flow_arn = deployed.function_environment("chat_start")["CHAT_FLOW_ARN"]
    assert request["ContactFlowId"] == flow_arn.rsplit("/", 1)[-1]
    assert request["DisconnectOnCustomerExit"] == ["AGENT"]
    assert (
        "application/vnd.amazonaws.connect.message.interactive" in request["SupportedMessagingContentTypes"]
    )
    assert request["ClientToken"] == scenarios.CHAT_PAGE["requestId"]
    # And the role allowed exactly that call: on that flow and on the instance's contacts
    calls = [c for c in deployed.recorded("chat_start") if c.request.action == "connect:StartChatContact"]
    assert all(c.allowed for c in calls)
    instance = deployed.function_environment("chat_start")["CONNECT_INSTANCE_ARN"]
    assert {c.request.resource for c in calls} == {flow_arn, f"{instance}/contact/*"}
    # And the bad request was refused without asking Connect, readable by the page
    assert results["refused"]["statusCode"] == 400
    assert results["refused"]["headers"]["Access-Control-Allow-Origin"] == origin


def test_a_browser_on_another_site_starts_nothing(deployed: DeployedStack, deployed_aws: Any) -> None:
    # Given the deployed function / When a page of another site asks for a chat
    results = scenarios.chat_start(deployed, origin="https://elsewhere.example")
    # Then 403, and Connect was never asked (no authorization request either)
    assert results["started"]["statusCode"] == 403 and not results["requests"]
    assert not [c for c in deployed.recorded("chat_start") if c.request.action == "connect:StartChatContact"]


def test_the_role_refuses_a_chat_in_any_other_flow(deployed: DeployedStack, deployed_aws: Any) -> None:
    from civicline.local.iam import AuthRequest, Policy

    # Given the role as synthesized / Then StartChatContact is allowed on the chat's flow only
    env = deployed.function_environment("chat_start")
    flow_arn, instance = env["CHAT_FLOW_ARN"], env["CONNECT_INSTANCE_ARN"]
    policy = Policy(tuple(deployed.grants("chat_start")))
    assert policy.allows(AuthRequest("connect:StartChatContact", flow_arn))
    assert policy.allows(AuthRequest("connect:StartChatContact", f"{instance}/contact/*"))
    other = flow_arn.rsplit("/", 1)[0] + "/some-other-flow"
    assert not policy.allows(AuthRequest("connect:StartChatContact", other))
    assert not policy.allows(AuthRequest("connect:StartOutboundVoiceContact", flow_arn))
    # And another instance's contacts are not in it
    assert not policy.allows(
        AuthRequest("connect:StartChatContact", instance.rsplit("/", 1)[0] + "/other-instance/contact/*")
    )
