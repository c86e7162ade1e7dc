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
    TableSpec(
        "cases",
        "pk",
        "sk",
        stream=True,
        description="cases with status history; registered appeals; notification consent",
    ),
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
    #: keys callers by pseudonym, so reads the secret pseudonym key (functions/core/pseudonym_key.py)
    pseudonyms: bool = False


FUNCTIONS: tuple[FunctionSpec, ...] = (
    FunctionSpec(
        "routing",
        "functions.handlers.routing.handler",
        "Routes an intent to a queue or office; knowledge-base answers; office directory",
        reads=("reference", "state", "cases"),
        writes=("state",),
        pseudonyms=True,
    ),
    FunctionSpec(
        "case_status",
        "functions.handlers.case_status.handler",
        "Case status after PIN verification, with attempt limits",
        reads=("cases", "state"),
        writes=("state",),
        pseudonyms=True,
    ),
    FunctionSpec(
        "appeals",
        "functions.handlers.appeals.handler",
        "Registers an official appeal or identity-theft report; receipt and statutory due date",
        reads=("cases", "reference", "state"),
        writes=("cases", "state"),
        pseudonyms=True,
    ),
    FunctionSpec(
        "callback",
        "functions.handlers.callback.handler",
        "Virtual hold and scheduled callbacks; one open callback per number and queue",
        reads=("callbacks", "state"),
        writes=("callbacks", "state"),
        pseudonyms=True,
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
        "callback_outcomes",
        "functions.handlers.callback_outcomes.handler",
        "Settles placed callback calls (answered or not) from their contact events",
        reads=("callbacks",),
        writes=("callbacks",),
        connect_facing=False,
        timeout_seconds=30,
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
    FunctionSpec(
        "email_triage",
        "functions.handlers.email_triage.handler",
        "Screens, classifies and acknowledges inbound e-mail (one acknowledgement per sender per window)",
        reads=("reference", "state"),
        writes=("state",),
        timeout_seconds=5,
        env={"EMAIL_FROM_ADDRESS": "help@civicline.example"},
        pseudonyms=True,
    ),
    FunctionSpec(
        "notify_consent",
        "functions.handlers.notify_consent.handler",
        "Records consent to case-status notifications (channel, destination) or a STOP",
        reads=("cases", "state"),
        writes=("cases", "state"),
        pseudonyms=True,
    ),
    FunctionSpec(
        "notifier",
        "functions.handlers.notifier.handler",
        "Notifies consenting citizens of case status changes (cases stream): once per change",
        reads=("cases", "state"),
        writes=("state",),
        connect_facing=False,
        timeout_seconds=30,
        env={"EMAIL_FROM_ADDRESS": "help@civicline.example"},
        pseudonyms=True,
    ),
)

FUNCTIONS_BY_NAME = {f.name: f for f in FUNCTIONS}


# --- the contact center: queues, hours, flows, and the placeholders flows use --------------------


@dataclass(frozen=True)
class QueueSpec:
    name: str
    description: str
    hours: str = "main"
    max_contacts: int | None = None


QUEUES: tuple[QueueSpec, ...] = (
    QueueSpec("general", "Consultations and general questions (English and Spanish agents)"),
    QueueSpec("status", "Case status questions that self-service could not answer"),
    QueueSpec("appeals", "Official appeals and deadlines"),
    QueueSpec("identity_theft", "Identity-theft case line"),
    QueueSpec("tier2", "Tier-2 specialists for complex questions"),
    QueueSpec("operator", "Live operator (0 from any menu)"),
)
QUEUES_BY_NAME = {q.name: q for q in QUEUES}


@dataclass(frozen=True)
class HoursSpec:
    """Hours of operation: weekday -> (start, end) local times, in ``time_zone``."""

    name: str
    time_zone: str
    weekly: dict[str, tuple[str, str]]


HOURS: tuple[HoursSpec, ...] = (
    HoursSpec(
        "main",
        "America/New_York",
        dict.fromkeys(("MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY"), ("08:00", "18:00")),
    ),
)
HOURS_BY_NAME = {h.name: h for h in HOURS}

#: flows/<stem>.json and its Connect flow type
FLOWS: dict[str, str] = {
    "main-inbound": "CONTACT_FLOW",
    "case-status": "CONTACT_FLOW",
    "customer-queue": "CUSTOMER_QUEUE",
    "callback-outbound-whisper": "OUTBOUND_WHISPER",
    "callback-dial": "CONTACT_FLOW",
    "agent-whisper": "AGENT_WHISPER",
    "post-call-survey": "CONTACT_FLOW",
    "inbound-email": "CONTACT_FLOW",
}


def placeholder(kind: Literal["LAMBDA", "QUEUE", "FLOW", "HOURS"], name: str) -> str:
    """The ``%KIND_NAME%`` placeholder a flow uses for an account-specific ARN.

    ``placeholder("LAMBDA", "case_status") == "%LAMBDA_CASE_STATUS%"``;
    ``placeholder("FLOW", "customer-queue") == "%FLOW_CUSTOMER_QUEUE%"``.
    """
    return f"%{kind}_{name.upper().replace('-', '_')}%"


def placeholders() -> dict[str, tuple[str, str]]:
    """Every placeholder the flows may use -> (kind, registry name)."""
    found: dict[str, tuple[str, str]] = {}
    for fn in FUNCTIONS:
        if fn.connect_facing:
            found[placeholder("LAMBDA", fn.name)] = ("LAMBDA", fn.name)
    for q in QUEUES:
        found[placeholder("QUEUE", q.name)] = ("QUEUE", q.name)
    for stem in FLOWS:
        found[placeholder("FLOW", stem)] = ("FLOW", stem)
    for h in HOURS:
        found[placeholder("HOURS", h.name)] = ("HOURS", h.name)
    return found
