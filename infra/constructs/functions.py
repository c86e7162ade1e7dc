"""The Lambda functions of the registry: one code asset, the public Powertools layer, arm64.

* One asset of ``functions/`` + ``schemas/`` + ``infra/registry.py`` (the code imports the
  contracts and the registry); nothing else of the checkout goes in. No Docker: third-party code
  comes from the public Powertools v3 layer (Powertools and pydantic v2); boto3 is in the runtime.
* Each function gets its own role with exactly the table access its registry entry declares
  (:class:`infra.registry.TableAccess`: actions, key prefixes, attributes, index), and the key
  actions DynamoDB needs for a customer-managed key. No managed policies. tests/deployed checks
  every grant against the calls the handlers really make, both ways.
* Log groups are explicit, so retention is set and a destroy removes them.
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
from pathlib import Path
from typing import Any

from aws_cdk import Duration, RemovalPolicy, Stack
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_secretsmanager as secretsmanager
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from functions.core.settings import TABLE_ENV
from infra.config import EnvConfig
from infra.constructs.log_keys import allow_logs
from infra.registry import FUNCTIONS, FunctionSpec, TableAccess

ROOT = Path(__file__).resolve().parents[2]

#: what goes into the one code asset, relative to the repository root
ASSET_CONTENT = ("functions", "schemas", "infra/__init__.py", "infra/registry.py")
_ASSET_IGNORE = shutil.ignore_patterns("__pycache__", "*.pyc", "json")

KEY_READ_ACTIONS = ("kms:Decrypt", "kms:DescribeKey")
KEY_WRITE_ACTIONS = ("kms:Encrypt", "kms:GenerateDataKey")

#: invoked asynchronously by EventBridge rules: failed invocations go to the async DLQ
ASYNC_FUNCTIONS = tuple(spec.name for spec in FUNCTIONS if spec.async_retries is not None)
_RUNTIMES = {"python3.12": lambda_.Runtime.PYTHON_3_12, "python3.13": lambda_.Runtime.PYTHON_3_13}


def stage_code(target: Path | None = None) -> Path:
    """Copy exactly :data:`ASSET_CONTENT` into a fresh folder (the asset's content, nothing else).

    Staging beats an exclude list over the repository root: CDK would walk .venv and node_modules
    to fingerprint the root, and a new top-level folder could slip into the bundle unnoticed.
    """
    if target is None:
        target = Path(tempfile.mkdtemp(prefix="civicline-code-"))
        atexit.register(shutil.rmtree, target, ignore_errors=True)
    folder = target
    for item in ASSET_CONTENT:
        source = ROOT / item
        if source.is_dir():
            shutil.copytree(source, folder / item, ignore=_ASSET_IGNORE, dirs_exist_ok=True)
        else:
            (folder / item).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, folder / item)
    return folder


def code_asset() -> lambda_.Code:
    """The single code asset shared by every function (same hash, uploaded once)."""
    return lambda_.Code.from_asset(str(stage_code()))


def function_logical_id(spec: FunctionSpec) -> str:
    return spec.construct_id


class Functions(Construct):
    """Every registry function, with its role, log group and environment."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: EnvConfig,
        tables: dict[str, dynamodb.ITable],
        key: kms.IKey,
        queue_arns: dict[str, str],
        instance_arn: str,
        async_dlq: sqs.IQueue,
    ) -> None:
        super().__init__(scope, construct_id)
        stack = Stack.of(self)
        self.config = config
        code = code_asset()
        layer = lambda_.LayerVersion.from_layer_version_arn(
            self, "Powertools", config.powertools_layer.arn(config.region, config.runtime)
        )
        common_env = {
            "POWERTOOLS_SERVICE_NAME": "civicline",
            "POWERTOOLS_METRICS_NAMESPACE": "CivicLine",
            "POWERTOOLS_LOG_LEVEL": config.log_level,
            "POWERTOOLS_LOGGER_LOG_EVENT": "false",
            "CONNECT_INSTANCE_ARN": instance_arn,
            "QUEUE_ARNS": stack.to_json_string(queue_arns),
            "APPEAL_DUE_DAYS": str(config.thresholds.appeal_due_days),
            "APPEAL_WORKING_DAYS": str(config.thresholds.appeal_working_days).lower(),
            "HOLIDAYS": ",".join(day.isoformat() for day in config.holidays),
            "MAX_VERIFY_ATTEMPTS": str(config.thresholds.max_verify_attempts),
            "LOCKOUT_SECONDS": str(config.thresholds.lockout_seconds),
            "REPEAT_WINDOW_DAYS": str(config.thresholds.repeat_window_days),
            "SERVICE_LEVEL_SECONDS": str(config.thresholds.service_level_seconds),
            "DIAL_RATE_PER_SECOND": str(config.thresholds.dial_rate_per_second),
            "CALLBACK_WINDOW_CAPACITY": str(config.thresholds.callback_window_capacity),
            "TIME_ZONE": config.weekly_hours("main")[0],
        }
        self.pseudonym_key = secretsmanager.Secret(
            self,
            "PseudonymKey",
            description="CivicLine: the secret key of caller pseudonyms (functions/core/pseudonym_key.py)",
            encryption_key=key,
            generate_secret_string=secretsmanager.SecretStringGenerator(
                password_length=48, exclude_punctuation=True
            ),
            # losing it would orphan every stored pseudonym (attempt counters, caller history)
            removal_policy=RemovalPolicy.RETAIN,
        )
        # function logs hold pseudonyms and case events: encrypted with a key of ours, which CloudWatch
        # Logs may use for these log groups only (security review L9)
        self.logs_key = kms.Key(
            self,
            "LogsKey",
            description=f"CivicLine {config.name}: function log groups",
            enable_key_rotation=True,
        )
        allow_logs(self.logs_key, "ArnLike", f"/aws/lambda/{config.resource_prefix}-*")
        self.functions: dict[str, lambda_.Function] = {}
        self.roles: dict[str, iam.Role] = {}
        self.log_groups: dict[str, logs.LogGroup] = {}
        for spec in FUNCTIONS:
            name = f"{config.resource_prefix}-{spec.name.replace('_', '-')}"
            log_group = logs.LogGroup(
                self,
                f"{function_logical_id(spec)}Logs",
                log_group_name=f"/aws/lambda/{name}",
                encryption_key=self.logs_key,
                removal_policy=RemovalPolicy.DESTROY,
            )
            cfn_log_group = log_group.node.default_child
            assert isinstance(cfn_log_group, logs.CfnLogGroup)
            cfn_log_group.retention_in_days = config.log_retention_days  # any value CloudWatch accepts
            role = iam.Role(
                self,
                f"{function_logical_id(spec)}Role",
                assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
                description=f"CivicLine {spec.name}: its log group and its declared tables only",
            )
            role.add_to_policy(
                iam.PolicyStatement(
                    actions=["logs:CreateLogStream", "logs:PutLogEvents"],
                    resources=[log_group.log_group_arn],
                )
            )
            grant_tables(role, spec, tables, key, config)
            env = dict(common_env)
            for table_name in spec.tables:
                env[TABLE_ENV[table_name]] = tables[table_name].table_name
            if not spec.connect_facing:
                # not on a caller's path: room for slower calls and one more retry
                env["AWS_TIMEOUT_SECONDS"] = "5"
                env["AWS_MAX_ATTEMPTS"] = "3"
            if spec.pseudonyms:
                env["PSEUDONYM_SECRET_ARN"] = self.pseudonym_key.secret_arn
                role.add_to_principal_policy(
                    iam.PolicyStatement(
                        actions=["secretsmanager:GetSecretValue"], resources=[self.pseudonym_key.secret_arn]
                    )
                )
                role.add_to_principal_policy(
                    iam.PolicyStatement(actions=["kms:Decrypt"], resources=[key.key_arn])
                )
            env.update(spec.env)
            is_async = spec.name in ASYNC_FUNCTIONS
            fn = lambda_.Function(
                self,
                function_logical_id(spec),
                function_name=name,
                description=spec.description[:256],
                runtime=_RUNTIMES[config.runtime],
                architecture=lambda_.Architecture.ARM_64,
                handler=spec.handler,
                code=code,
                layers=[layer],
                memory_size=spec.memory_mb,
                timeout=Duration.seconds(spec.timeout_seconds),
                reserved_concurrent_executions=spec.reserved_concurrency,
                environment=env,
                role=role,
                log_group=log_group,
                tracing=lambda_.Tracing.ACTIVE,
                dead_letter_queue=async_dlq if is_async else None,
                retry_attempts=spec.async_retries,
            )
            fn_child = fn.node.default_child
            assert fn_child is not None
            fn_child.override_logical_id(function_logical_id(spec))  # type: ignore[attr-defined]
            self.functions[spec.name] = fn
            self.roles[spec.name] = role
            self.log_groups[spec.name] = log_group


def table_statement(access: TableAccess, table: dynamodb.ITable) -> iam.PolicyStatement:
    """The one statement a registry :class:`~infra.registry.TableAccess` becomes.

    Key prefixes become ``ForAllValues:StringLike`` on ``dynamodb:LeadingKeys`` (the partition-key
    values a request touches); attribute lists become ``ForAllValues:StringEquals`` on
    ``dynamodb:Attributes`` with ``StringEqualsIfExists`` ``dynamodb:Select`` =
    ``SPECIFIC_ATTRIBUTES``, the pairing the IAM User Guide's attribute example uses, so a read must
    name its projection (docs/decisions.md).
    """
    resource = f"{table.table_arn}/index/{access.index}" if access.index else table.table_arn
    conditions: dict[str, dict[str, Any]] = {}
    if access.leading_keys:
        conditions["ForAllValues:StringLike"] = {"dynamodb:LeadingKeys": list(access.leading_keys)}
    if access.attributes:
        conditions["ForAllValues:StringEquals"] = {"dynamodb:Attributes": list(access.attributes)}
        conditions["StringEqualsIfExists"] = {"dynamodb:Select": "SPECIFIC_ATTRIBUTES"}
    return iam.PolicyStatement(
        actions=[f"dynamodb:{action}" for action in access.actions],
        resources=[resource],
        conditions=conditions or None,
    )


def granted_access(spec: FunctionSpec, config: EnvConfig) -> list[TableAccess]:
    """The registry's access of ``spec`` that this environment enables (see ``TableAccess.only_with``)."""
    return [a for a in spec.access if a.only_with is None or getattr(config.thresholds, a.only_with)]


def grant_tables(
    role: iam.IRole, spec: FunctionSpec, tables: dict[str, dynamodb.ITable], key: kms.IKey, config: EnvConfig
) -> None:
    """Item access exactly as the registry declares it, plus the key actions DynamoDB needs for
    the customer-managed key (decrypt to read, encrypt and data keys to write)."""
    granted = granted_access(spec, config)
    for access in granted:
        role.add_to_principal_policy(table_statement(access, tables[access.table]))
    if granted:
        writes = any(access.writes for access in granted)
        key_actions = list(KEY_READ_ACTIONS) + (list(KEY_WRITE_ACTIONS) if writes else [])
        role.add_to_principal_policy(iam.PolicyStatement(actions=key_actions, resources=[key.key_arn]))
