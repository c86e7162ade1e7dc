"""The Amazon Connect flow-log group, managed by the stack: a retention and a customer-managed key.

Connect writes flow logs to the CloudWatch Logs group ``/aws/connect/<instance alias>`` and creates it
itself when flow logging is enabled; a group that exists already is the one it writes to (Amazon
Connect Administrator Guide, "Flow logs stored in an Amazon CloudWatch log group",
docs.aws.amazon.com/connect/latest/adminguide/contact-flow-logs-stored-in-cloudwatch.html: after a
deletion the group must be recreated by hand, then Connect publishes to it again). Left to Connect,
the group never expires and is not encrypted with a key of ours, while flow logs carry Lambda inputs
and outputs (issue 13, item 7). So the stack creates the group before the instance (the instance
depends on it), with the environment's retention and its own key.

Only for an instance this stack creates: an imported instance's group already exists and
CloudFormation cannot create it again (docs/deploy.md says how to set its retention and key).
"""

from __future__ import annotations

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from constructs import Construct

from infra.config import EnvConfig
from infra.constructs.log_keys import allow_logs


def flow_log_group_name(instance_alias: str) -> str:
    return f"/aws/connect/{instance_alias}"


class FlowLogs(Construct):
    """``/aws/connect/<alias>``: retention from the environment, encrypted with a rotated key."""

    def __init__(self, scope: Construct, construct_id: str, *, config: EnvConfig) -> None:
        super().__init__(scope, construct_id)
        alias = config.connect.instance_alias
        if not alias:
            raise ValueError("flow logs are managed only for an instance the stack creates")
        name = flow_log_group_name(alias)
        self.key = kms.Key(
            self,
            "Key",
            description=f"CivicLine {config.name}: Amazon Connect flow logs",
            enable_key_rotation=True,
            pending_window=Duration.days(30 if config.protect_data else 7),
            removal_policy=RemovalPolicy.RETAIN if config.protect_data else RemovalPolicy.DESTROY,
        )
        allow_logs(self.key, "ArnEquals", name)  # this log group only
        self.log_group = logs.LogGroup(
            self,
            "Group",
            log_group_name=name,
            encryption_key=self.key,
            removal_policy=RemovalPolicy.RETAIN if config.protect_data else RemovalPolicy.DESTROY,
        )
        cfn_group = self.log_group.node.default_child
        assert isinstance(cfn_group, logs.CfnLogGroup)
        cfn_group.retention_in_days = config.log_retention_days
