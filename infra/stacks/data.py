"""The stateful stack: the customer-managed key and every DynamoDB table of the registry.

Kept apart from the contact center so that code and flow changes never touch the data, and so
that a destroy of the contact center leaves the tables (outside development they are retained and
deletion-protected anyway). Logical IDs are pinned from :attr:`TableSpec.construct_id`: renaming a
construct must never replace a table.
"""

from __future__ import annotations

from typing import Any

from aws_cdk import CfnOutput, Duration, RemovalPolicy, Stack
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_kms as kms
from constructs import Construct

from infra.config import EnvConfig
from infra.registry import TABLES, TableSpec

KEY_LOGICAL_ID = "DataKey"
_TYPES = {"S": dynamodb.AttributeType.STRING, "N": dynamodb.AttributeType.NUMBER}


class DataStack(Stack):
    """KMS key (rotation on) and the tables: encrypted with it, PITR on, TTL, streams, protection."""

    def __init__(self, scope: Construct, construct_id: str, *, config: EnvConfig, **kwargs: Any) -> None:
        super().__init__(scope, construct_id, **kwargs)
        removal = RemovalPolicy.RETAIN if config.protect_data else RemovalPolicy.DESTROY
        self.key = kms.Key(
            self,
            "Key",
            alias=f"alias/{config.resource_prefix}-data",
            description=f"CivicLine {config.name}: DynamoDB tables and streams",
            enable_key_rotation=True,
            pending_window=Duration.days(30 if config.protect_data else 7),
            removal_policy=removal,
        )
        _pin(self.key, KEY_LOGICAL_ID)
        self.tables: dict[str, dynamodb.Table] = {}
        for spec in TABLES:
            self.tables[spec.logical] = self._table(spec, config, removal)

    def _table(self, spec: TableSpec, config: EnvConfig, removal: RemovalPolicy) -> dynamodb.Table:
        attrs = spec.key_attributes()

        def attribute(name: str) -> dynamodb.Attribute:
            return dynamodb.Attribute(name=name, type=_TYPES[attrs[name]])

        table = dynamodb.Table(
            self,
            spec.construct_id,
            partition_key=attribute(spec.partition_key),
            sort_key=attribute(spec.sort_key) if spec.sort_key else None,
            billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
            encryption=dynamodb.TableEncryption.CUSTOMER_MANAGED,
            encryption_key=self.key,
            point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
                point_in_time_recovery_enabled=True
            ),
            time_to_live_attribute=spec.ttl_attribute,
            stream=dynamodb.StreamViewType.NEW_IMAGE if spec.stream else None,
            deletion_protection=config.protect_data,
            removal_policy=removal,
        )
        for index in spec.indexes:
            table.add_global_secondary_index(
                index_name=index.name,
                partition_key=attribute(index.partition_key),
                sort_key=attribute(index.sort_key) if index.sort_key else None,
                projection_type=dynamodb.ProjectionType.ALL,
            )
        _pin(table, spec.construct_id)
        CfnOutput(self, f"{spec.construct_id}Name", value=table.table_name)
        return table


def _pin(construct: Construct, logical_id: str) -> None:
    """Pin the CloudFormation logical ID of a stateful resource (a rename must not replace it)."""
    child = construct.node.default_child
    assert child is not None
    child.override_logical_id(logical_id)  # type: ignore[attr-defined]
