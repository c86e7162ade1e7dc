"""The synthesized templates (dev and prod) against issue 13 items 7, 10, 11 and 13: the flow-log
group, the aggregator's concurrency, callback_outcomes' async retries, the alarm topic's policy."""

from __future__ import annotations

from typing import Any

import pytest

from civicline.local.aws import ACCOUNT, REGION
from civicline.local.deployed import DeployedStack
from civicline.local.iam import AuthRequest, Policy
from infra.config import load_config
from infra.constructs.flow_logs import flow_log_group_name
from infra.constructs.pipeline import MAX_RECEIVE_COUNT
from infra.registry import (
    AGGREGATOR_SQS_CONCURRENCY,
    FUNCTIONS_BY_NAME,
    STREAM_SHARD_BUDGET,
)
from tests.conftest import ROOT

pytestmark = [pytest.mark.infra]


def resolved(stack: DeployedStack, kind: str) -> list[tuple[str, dict[str, Any], dict[str, Any]]]:
    """(logical id, resolved properties, raw resource) of every resource of ``kind``."""
    out = []
    for resource in stack.assembly.resources(kind):
        raw = stack.assembly.templates[resource.stack]["Resources"][resource.logical_id]
        out.append((resource.logical_id, stack.assembly.resolve(resource.properties, resource.stack), raw))
    return out


def aggregator_mappings(stack: DeployedStack) -> list[dict[str, Any]]:
    fn = FUNCTIONS_BY_NAME["contact_events"].construct_id
    return [
        props
        for _, props, raw in resolved(stack, "AWS::Lambda::EventSourceMapping")
        if raw["Properties"]["FunctionName"] == {"Ref": fn}
    ]


# -- item 10: a burst is delayed, never dead-lettered ------------------------------------------------


def test_the_aggregator_never_throttles_what_its_sqs_source_took(deployed: DeployedStack) -> None:
    # Given the aggregator's event sources and its reserved concurrency
    mappings = aggregator_mappings(deployed)
    sqs = [m for m in mappings if ":sqs:" in m["EventSourceArn"]]
    streams = [m for m in mappings if "/stream/" in m["EventSourceArn"]]
    fn = next(p for i, p, _ in resolved(deployed, "AWS::Lambda::Function") if i == "ContactEventsFunction")
    # Then the SQS source has a maximum concurrency, the streams one batch per shard, and the
    # reservation covers the SQS maximum plus every stream's shard budget (Lambda docs: reserved
    # concurrency must be >= the total maximum concurrency of the function's SQS sources)
    assert [m["ScalingConfig"]["MaximumConcurrency"] for m in sqs] == [AGGREGATOR_SQS_CONCURRENCY]
    assert all(m.get("ParallelizationFactor", 1) == 1 for m in streams)
    need = AGGREGATOR_SQS_CONCURRENCY + len(streams) * STREAM_SHARD_BUDGET
    assert fn["ReservedConcurrentExecutions"] >= need
    # And a buffered event survives ten receives (function errors only) before the dead-letter queue
    buffer = next(
        p
        for i, p, _ in resolved(deployed, "AWS::SQS::Queue")
        if i.startswith("EventsContactEvents") and "Dead" not in i
    )
    assert buffer["RedrivePolicy"]["maxReceiveCount"] == MAX_RECEIVE_COUNT >= 10


def test_the_concurrency_arithmetic_is_documented() -> None:
    decisions = (ROOT / "docs" / "decisions.md").read_text(encoding="utf-8")
    deploy = (ROOT / "docs" / "deploy.md").read_text(encoding="utf-8")
    for text in (decisions, deploy):
        assert f"MaximumConcurrency {AGGREGATOR_SQS_CONCURRENCY}" in text
        assert f"maxReceiveCount {MAX_RECEIVE_COUNT}" in text


# -- item 11: a "no answer" is retried, then dead-lettered ------------------------------------------


def test_callback_outcomes_retries_failed_invocations_before_its_dead_letter_queue(
    deployed: DeployedStack,
) -> None:
    configs = {
        raw["Properties"]["FunctionName"]["Ref"]: p
        for _, p, raw in resolved(deployed, "AWS::Lambda::EventInvokeConfig")
    }
    assert configs["CallbackOutcomesFunction"]["MaximumRetryAttempts"] >= 1
    fn = next(p for i, p, _ in resolved(deployed, "AWS::Lambda::Function") if i == "CallbackOutcomesFunction")
    assert "AsyncDeadLetters" in fn["DeadLetterConfig"]["TargetArn"]


# -- item 13: CloudWatch may publish alarms, over TLS, for this account only ------------------------


def _service_statements(statements: list[dict[str, Any]], service: str) -> tuple[dict[str, Any], ...]:
    """Statements that apply to ``service``'s principal (or to everyone)."""
    return tuple(
        s
        for s in statements
        if s.get("Principal") == "*" or service in str(s.get("Principal", {}).get("Service", ""))
    )


def test_cloudwatch_may_publish_alarms_to_the_topic_over_tls_only(deployed: DeployedStack) -> None:
    [(_, topic_policy, _)] = resolved(deployed, "AWS::SNS::TopicPolicy")
    [topic] = topic_policy["Topics"]
    policy = Policy(
        _service_statements(topic_policy["PolicyDocument"]["Statement"], "cloudwatch.amazonaws.com")
    )
    alarm = f"arn:aws:cloudwatch:{REGION}:{ACCOUNT}:alarm:civicline-x"

    def publish(secure: str, account: str = ACCOUNT, source: str = alarm) -> bool:
        context = {"aws:SecureTransport": [secure], "aws:SourceAccount": [account], "aws:SourceArn": [source]}
        return policy.allows(AuthRequest("sns:Publish", topic, context))

    # Then an alarm of this account publishes over TLS; not without TLS, not for another account
    assert publish("true")
    assert not publish("false")
    assert not publish(
        "true", account="999999999999", source="arn:aws:cloudwatch:us-east-1:999999999999:alarm:x"
    )


def test_the_alarm_key_serves_cloudwatch_for_this_accounts_alarms_only(deployed: DeployedStack) -> None:
    keys = [
        p for i, p, _ in resolved(deployed, "AWS::KMS::Key") if i.startswith("ObservabilityAlarmTopicKey")
    ]
    [key] = keys
    statements = _service_statements(key["KeyPolicy"]["Statement"], "cloudwatch.amazonaws.com")
    [cloudwatch] = [s for s in statements if "cloudwatch" in str(s.get("Principal"))]
    assert cloudwatch["Condition"]["StringEquals"]["aws:SourceAccount"] == ACCOUNT
    assert cloudwatch["Condition"]["ArnLike"]["aws:SourceArn"].startswith(
        f"arn:aws:cloudwatch:{REGION}:{ACCOUNT}:alarm:"
    )


# -- item 7: the flow-log group expires and is encrypted with our key -------------------------------


def test_the_connect_flow_log_group_has_a_retention_and_our_key(deployed: DeployedStack) -> None:
    config = load_config(deployed.env)
    groups = {p["LogGroupName"]: (i, p, raw) for i, p, raw in resolved(deployed, "AWS::Logs::LogGroup")}
    if not config.connect.create_instance:
        # an imported instance's group exists already: docs/deploy.md says how to set both by hand
        assert not [g for g in groups if g.startswith("/aws/connect/")]
        return
    logical, group, _ = groups[flow_log_group_name(str(config.connect.instance_alias))]
    assert group["RetentionInDays"] == config.log_retention_days
    assert group["KmsKeyId"].startswith("arn:aws:kms:")
    # And Connect finds it in place: the instance is created after the group
    instance = deployed.assembly.templates[f"CivicLine-{deployed.env}-ContactCenter"]["Resources"][
        "ConnectInstance"
    ]
    assert logical in instance.get("DependsOn", [])


def test_function_log_groups_expire_and_are_encrypted_with_our_key(deployed: DeployedStack) -> None:
    # security review L9: function logs hold pseudonyms and case events
    config = load_config(deployed.env)
    groups = [
        p
        for _, p, _ in resolved(deployed, "AWS::Logs::LogGroup")
        if p["LogGroupName"].startswith("/aws/lambda/")
    ]
    assert len(groups) == len(FUNCTIONS_BY_NAME)
    for group in groups:
        assert group["RetentionInDays"] == config.log_retention_days, group["LogGroupName"]
        assert group["KmsKeyId"].startswith("arn:aws:kms:"), group["LogGroupName"]
