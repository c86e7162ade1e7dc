"""The one registry of tables and functions, shared by the CDK stacks, the local engine, the flow
renderer and the contract tests. Plain data: importing it never imports aws_cdk or boto3.

A table or function is described once here; ``infra`` turns it into CloudFormation, ``civicline``
turns it into moto tables and in-process Lambdas, and the tests prove both read the same thing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

KeyType = Literal["S", "N"]


@dataclass(frozen=True)
class Index:
    name: str
    partition_key: str
    sort_key: str | None = None


@dataclass(frozen=True)
class TableSpec:
    """A DynamoDB table: keys, indexes, TTL; ``logical`` names the settings env var (see core.settings)."""

    logical: str
    partition_key: str
    sort_key: str | None = None
    ttl_attribute: str | None = None
    indexes: tuple[Index, ...] = ()
    stream: bool = False
    description: str = ""

    @property
    def construct_id(self) -> str:
        """Pinned CloudFormation logical-id stem (stateful: never rename)."""
        return "".join(part.capitalize() for part in self.logical.split("_")) + "Table"

    def key_attributes(self) -> dict[str, KeyType]:
        names = [self.partition_key, *([self.sort_key] if self.sort_key else [])]
        for index in self.indexes:
            names.append(index.partition_key)
            if index.sort_key:
                names.append(index.sort_key)
        return dict.fromkeys(names, "S")


TABLES: tuple[TableSpec, ...] = (
    TableSpec(
        "reference",
        "pk",
        "sk",
        description="routing rules, office directory, knowledge-base answers, holidays",
    ),
    TableSpec("cases", "pk", "sk", description="cases with status history; registered appeals"),
    TableSpec(
        "callbacks",
        "pk",
        "sk",
        ttl_attribute="expires_at",
        indexes=(Index("by_state_due", "gsi1pk", "gsi1sk"),),
        stream=True,
        description="callback requests, the one-open-per-number-and-queue guard, attempts",
    ),
    TableSpec(
        "state",
        "pk",
        "sk",
        ttl_attribute="expires_at",
        description="idempotency records, verification attempts and lockouts, caller history",
    ),
    TableSpec(
        "surveys",
        "pk",
        "sk",
        ttl_attribute=None,
        stream=True,
        description="one post-call survey per contact, no direct identifiers",
    ),
    TableSpec(
        "metrics",
        "pk",
        "sk",
        ttl_attribute="expires_at",
        description="per-queue rollups (15m/day/quarter) and the aggregator's per-contact state",
    ),
)

TABLES_BY_NAME = {t.logical: t for t in TABLES}


@dataclass(frozen=True)
class FunctionSpec:
    """A Lambda function: where its handler lives and what it may touch (least privilege)."""

    name: str
    handler: str  # module:function under the code asset root
    description: str
    reads: tuple[str, ...] = ()
    writes: tuple[str, ...] = ()
    connect_facing: bool = True
    timeout_seconds: int = 8
    memory_mb: int = 256
    reserved_concurrency: int | None = None
    env: dict[str, str] = field(default_factory=dict)


FUNCTIONS: tuple[FunctionSpec, ...] = (
    FunctionSpec(
        "routing",
        "functions.handlers.routing.handler",
        "Routes an intent to a queue or office; knowledge-base answers; office directory",
        reads=("reference", "state"),
        writes=("state",),
    ),
    FunctionSpec(
        "case_status",
        "functions.handlers.case_status.handler",
        "Case status after PIN verification, with attempt limits",
        reads=("cases", "state"),
        writes=("state",),
    ),
    FunctionSpec(
        "appeals",
        "functions.handlers.appeals.handler",
        "Registers an official appeal or identity-theft report; receipt and statutory due date",
        reads=("cases", "reference", "state"),
        writes=("cases", "state"),
    ),
    FunctionSpec(
        "callback",
        "functions.handlers.callback.handler",
        "Virtual hold and scheduled callbacks; one open callback per number and queue",
        reads=("callbacks", "state"),
        writes=("callbacks", "state"),
    ),
    FunctionSpec(
        "survey",
        "functions.handlers.survey.handler",
        "Stores one post-call survey per contact (FCR questions and A-11 drivers)",
        reads=("state",),
        writes=("surveys", "state"),
    ),
    FunctionSpec(
        "callback_dispatcher",
        "functions.handlers.callback_dispatcher.handler",
        "Dials due callbacks, paced under Connect's API rate",
        reads=("callbacks",),
        writes=("callbacks",),
        connect_facing=False,
        timeout_seconds=60,
        reserved_concurrency=1,
    ),
    FunctionSpec(
        "contact_events",
        "functions.handlers.contact_events.handler",
        "Aggregates Amazon Connect contact events into per-queue rollups",
        reads=("metrics", "surveys", "callbacks"),
        writes=("metrics",),
        connect_facing=False,
        timeout_seconds=60,
        memory_mb=512,
        reserved_concurrency=5,
    ),
)

FUNCTIONS_BY_NAME = {f.name: f for f in FUNCTIONS}
