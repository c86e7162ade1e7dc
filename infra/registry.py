"""The one registry of tables and functions, shared by the CDK stacks, the local engine, the flow
renderer and the contract tests. Plain data: importing it never imports aws_cdk or boto3.

A table or function is described once here; ``infra`` turns it into CloudFormation, ``civicline``
turns it into moto tables and in-process Lambdas, and the tests prove both read the same thing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
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
        # sparse: only cases and appeals with a deadline; the deadline reminders query it by date
        indexes=(Index("by_due_date", "due_date"),),
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


#: DynamoDB actions that change items (the key actions they need differ: see infra/constructs/functions.py)
WRITE_ACTIONS = frozenset({"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem"})


@dataclass(frozen=True)
class TableAccess:
    """What a function's code does to one table: the one place its IAM grant is derived from.

    ``actions`` are the IAM actions its calls are authorized as (a ``TransactWriteItems`` is
    authorized item by item as PutItem/UpdateItem/DeleteItem/ConditionCheckItem);
    ``leading_keys`` the partition-key patterns it touches (``dynamodb:LeadingKeys``, StringLike);
    ``attributes`` the only attributes it may read (``dynamodb:Attributes``: its reads must name a
    ProjectionExpression); ``index`` an index queried instead of the table. tests/deployed records
    every call the handlers make and checks each grant against use, both ways.
    """

    table: str
    actions: tuple[str, ...]
    leading_keys: tuple[str, ...] = ()
    attributes: tuple[str, ...] = ()
    index: str | None = None
    #: granted only when this threshold of the environment (infra.config.Thresholds) is non-zero
    only_with: str | None = None

    @property
    def writes(self) -> bool:
        return bool(WRITE_ACTIONS & set(self.actions))


@dataclass(frozen=True)
class StreamAccess:
    """A table stream the function consumes through a Lambda event source mapping."""

    table: str


@dataclass(frozen=True)
class FunctionSpec:
    """A Lambda function: where its handler lives and what it may touch (least privilege)."""

    name: str
    handler: str  # module:function under the code asset root
    description: str
    access: tuple[TableAccess, ...] = ()
    streams: tuple[StreamAccess, ...] = ()
    connect_facing: bool = True
    timeout_seconds: int = 8
    memory_mb: int = 256
    reserved_concurrency: int | None = None
    env: dict[str, str] = field(default_factory=dict)
    #: keys callers by pseudonym, so reads the secret pseudonym key (functions/core/pseudonym_key.py)
    pseudonyms: bool = False
    #: invoked asynchronously (EventBridge rule): Lambda's own retries of a failed invocation before
    #: the async dead-letter queue; None for functions invoked synchronously or by an event source
    async_retries: int | None = None

    @property
    def construct_id(self) -> str:
        """Pinned CloudFormation logical id of the function (``case_status`` -> ``CaseStatusFunction``)."""
        return "".join(part.capitalize() for part in self.name.split("_")) + "Function"

    @property
    def tables(self) -> tuple[str, ...]:
        """The tables its code reads or writes (each gets its table variable, nothing else does)."""
        return tuple(sorted({a.table for a in self.access}))

    def writes(self, table: str) -> bool:
        return any(a.writes for a in self.access if a.table == table)


#: the aggregator's concurrency (issue 13, item 10; docs/decisions.md): the SQS event source may
#: run at most AGGREGATOR_SQS_CONCURRENCY batches at once, each stream source one batch per shard
#: (parallelization factor 1) for up to STREAM_SHARD_BUDGET shards; the reservation covers all of
#: them, so Lambda never throttles a batch the SQS poller took (a throttled batch goes back to the
#: queue and counts a receive toward the dead-letter queue)
AGGREGATOR_SQS_CONCURRENCY = 4
STREAM_SHARD_BUDGET = 4
STREAM_SOURCES = 2
AGGREGATOR_RESERVED_CONCURRENCY = AGGREGATOR_SQS_CONCURRENCY + STREAM_SOURCES * STREAM_SHARD_BUDGET

#: what the deadline reminders read of a case or appeal in the due-date index (no PIN hash, history)
CASE_DUE_ATTRIBUTES = ("pk", "sk", "case_number", "status", "office_id", "due_date")
#: a consent and the STOP list, as every notification sender reads them
_CONSENTS = (
    TableAccess("cases", ("GetItem",), leading_keys=("CASE#*",)),
    TableAccess("state", ("GetItem",), leading_keys=("optout#*",)),
)
#: the per-notification claim: put once, read on redelivery, marked emitted, given back on failure
_CLAIMS = TableAccess(
    "state", ("PutItem", "GetItem", "UpdateItem", "DeleteItem"), leading_keys=("notified#*",)
)
#: the agency's sending identities (infra/constructs/channels.py grants the sends on them)
_SENDER_ENV = {
    "EMAIL_FROM_ADDRESS": "help@civicline.example",
    # the agency's End User Messaging SMS phone pool (sends are granted on it alone)
    "SMS_ORIGINATION_IDENTITY": "pool-civicline-notifications",
}

#: what the e-mail backlog reads of a 15-minute rollup (functions/adapters/email_backlog.py)
EMAIL_BACKLOG_ATTRIBUTES = (
    "pk",
    "sk",
    "period_start",
    "emails_received",
    "emails_answered",
    "emails_closed_unanswered",
)

#: the office directory, as case_status, appeals and routing read it
_OFFICES = TableAccess("reference", ("GetItem",), leading_keys=("OFFICE#*",))
#: the attributes routing needs of a case (which office owns it, whether it is still open)
CASE_ROUTING_ATTRIBUTES = ("pk", "sk", "office_id", "status")

FUNCTIONS: tuple[FunctionSpec, ...] = (
    FunctionSpec(
        "routing",
        "functions.handlers.routing.handler",
        "Routes an intent to a queue or office; knowledge-base answers; office directory",
        access=(
            TableAccess("reference", ("Query",), leading_keys=("RULE#*", "HOLIDAY")),
            TableAccess("reference", ("GetItem",), leading_keys=("OFFICE#*", "KB#*")),
            TableAccess("state", ("GetItem", "PutItem"), leading_keys=("HIST#*",)),
            TableAccess("cases", ("GetItem",), leading_keys=("CASE#*",), attributes=CASE_ROUTING_ATTRIBUTES),
        ),
        pseudonyms=True,
    ),
    FunctionSpec(
        "case_status",
        "functions.handlers.case_status.handler",
        "Case status after PIN verification, with attempt limits",
        access=(
            TableAccess("cases", ("GetItem",), leading_keys=("CASE#*",)),
            TableAccess("state", ("UpdateItem", "BatchGetItem"), leading_keys=("ATTEMPTS#*",)),
            _OFFICES,
        ),
        pseudonyms=True,
    ),
    FunctionSpec(
        "appeals",
        "functions.handlers.appeals.handler",
        "Registers an official appeal or identity-theft report; receipt and statutory due date",
        access=(
            TableAccess("cases", ("PutItem", "GetItem"), leading_keys=("APPEAL#*",)),
            TableAccess("reference", ("Query",), leading_keys=("HOLIDAY",)),
            _OFFICES,
        ),
        pseudonyms=True,
    ),
    FunctionSpec(
        "callback",
        "functions.handlers.callback.handler",
        "Virtual hold and scheduled callbacks; one open callback per number and queue",
        access=(
            TableAccess("callbacks", ("PutItem", "GetItem"), leading_keys=("CALLBACK#*", "OPEN#*")),
            # the per-window capacity counter, part of the booking transaction when a capacity is set
            TableAccess(
                "callbacks",
                ("UpdateItem",),
                leading_keys=("CAPACITY#*",),
                only_with="callback_window_capacity",
            ),
        ),
        pseudonyms=True,
    ),
    FunctionSpec(
        "survey",
        "functions.handlers.survey.handler",
        "Stores one post-call survey per contact (FCR questions and A-11 drivers)",
        access=(TableAccess("surveys", ("PutItem",), leading_keys=("SURVEY#*",)),),
    ),
    FunctionSpec(
        "callback_dispatcher",
        "functions.handlers.callback_dispatcher.handler",
        "Dials due callbacks, paced under Connect's API rate",
        access=(
            TableAccess("callbacks", ("Query",), index="by_state_due"),
            TableAccess(
                "callbacks",
                ("UpdateItem", "PutItem", "DeleteItem"),
                leading_keys=("CALLBACK#*", "OPEN#*", "OUTBOUND#*"),
            ),
        ),
        connect_facing=False,
        timeout_seconds=60,
        reserved_concurrency=1,
        async_retries=0,  # the next minute's run retries every due callback anyway
    ),
    FunctionSpec(
        "callback_outcomes",
        "functions.handlers.callback_outcomes.handler",
        "Settles placed callback calls (answered or not) from their contact events",
        access=(
            TableAccess(
                "callbacks",
                ("GetItem", "PutItem", "DeleteItem"),
                leading_keys=("CALLBACK#*", "OPEN#*", "OUTBOUND#*"),
            ),
        ),
        connect_facing=False,
        timeout_seconds=30,
        # a transient error must not lose a "no answer" (issue 13, item 11): settling is idempotent
        async_retries=2,
    ),
    FunctionSpec(
        "contact_events",
        "functions.handlers.contact_events.handler",
        "Aggregates Amazon Connect contact events into per-queue rollups",
        access=(TableAccess("metrics", ("BatchGetItem", "PutItem", "UpdateItem")),),
        streams=(StreamAccess("surveys"), StreamAccess("callbacks")),
        connect_facing=False,
        timeout_seconds=60,
        memory_mb=512,
        reserved_concurrency=AGGREGATOR_RESERVED_CONCURRENCY,
    ),
    FunctionSpec(
        "email_triage",
        "functions.handlers.email_triage.handler",
        "Screens, classifies and acknowledges inbound e-mail (one acknowledgement per sender per window)",
        access=(
            TableAccess("reference", ("GetItem",), leading_keys=("KB#*",)),
            TableAccess("state", ("UpdateItem", "DeleteItem"), leading_keys=("email-ack#*",)),
        ),
        timeout_seconds=5,
        env={"EMAIL_FROM_ADDRESS": "help@civicline.example"},
        pseudonyms=True,
    ),
    FunctionSpec(
        "notify_consent",
        "functions.handlers.notify_consent.handler",
        "Records consent to case-status notifications (channel, destination) or a STOP",
        access=(
            TableAccess("cases", ("PutItem",), leading_keys=("CASE#*",)),
            TableAccess("state", ("PutItem", "DeleteItem"), leading_keys=("optout#*",)),
        ),
        pseudonyms=True,
    ),
    FunctionSpec(
        "notifier",
        "functions.handlers.notifier.handler",
        "Notifies consenting citizens of case status changes (cases stream): once per change",
        access=(
            *_CONSENTS,
            _CLAIMS,
            # a change in quiet hours waits for their end (replacing an older one of the same case)
            TableAccess("state", ("PutItem",), leading_keys=("notify-due#*",)),
        ),
        connect_facing=False,
        timeout_seconds=30,
        env=dict(_SENDER_ENV),
        pseudonyms=True,
    ),
    FunctionSpec(
        "notify_deferred",
        "functions.handlers.notify_deferred.handler",
        "Sends notifications deferred past quiet hours or refused by a channel: once, latest status",
        access=(
            TableAccess("state", ("Query", "UpdateItem", "DeleteItem"), leading_keys=("notify-due#*",)),
            *_CONSENTS,
            _CLAIMS,
        ),
        connect_facing=False,
        timeout_seconds=60,
        reserved_concurrency=1,
        env=dict(_SENDER_ENV),
        pseudonyms=True,
        async_retries=0,  # the next run (5 minutes later) takes every due notification again
    ),
    FunctionSpec(
        "deadline_reminders",
        "functions.handlers.deadline_reminders.handler",
        "Reminds consenting citizens 7 days and 1 day before a deadline on their case",
        access=(
            TableAccess("cases", ("Query",), attributes=CASE_DUE_ATTRIBUTES, index="by_due_date"),
            *_CONSENTS,
            _CLAIMS,
            TableAccess("state", ("PutItem",), leading_keys=("notify-due#*",)),
        ),
        connect_facing=False,
        timeout_seconds=120,
        reserved_concurrency=1,
        env=dict(_SENDER_ENV),
        pseudonyms=True,
        async_retries=2,  # every reminder is claimed: a rerun sends nothing twice
    ),
    FunctionSpec(
        "chat_picker",
        "functions.handlers.chat_picker.handler",
        "Code hook of the chat-menu Lex bot: sends a chat menu's list picker (CustomPayload) first",
        # invoked by Amazon Lex (the bot alias's code hook), not by a flow; it calls no AWS API
        connect_facing=False,
        timeout_seconds=3,
        memory_mb=128,
    ),
    FunctionSpec(
        "email_backlog",
        "functions.handlers.email_backlog.handler",
        "Publishes the e-mail backlog per queue (waiting, oldest age) to CloudWatch, every 5 minutes",
        # reads only: the 15-minute rollup partitions, only the e-mail counters
        access=(
            TableAccess(
                "metrics",
                ("Query",),
                leading_keys=("ROLLUP#*#15m",),
                attributes=EMAIL_BACKLOG_ATTRIBUTES,
            ),
        ),
        connect_facing=False,
        timeout_seconds=60,
        reserved_concurrency=1,
        async_retries=0,  # the next run (5 minutes later) reads the backlog afresh
    ),
    FunctionSpec(
        "chat_start",
        "functions.handlers.chat_start.handler",
        "The public web chat's backend: starts a chat (StartChatContact) whose survey survives End chat",
        # called by the citizen's page through the stack's REST API behind AWS WAF
        # (infra/constructs/chat_start.py); it reads no table; its one AWS call is
        # connect:StartChatContact (on the chat's flow and the instance's contacts)
        connect_facing=False,
        timeout_seconds=10,
        memory_mb=256,
        # bounds what an unauthenticated page can make Connect do at once (the API throttles too)
        reserved_concurrency=10,
    ),
    FunctionSpec(
        "notification_receipts",
        "functions.handlers.notification_receipts.handler",
        "Turns SES and SMS delivery receipts into notification outcome events (DELIVERED, FAILED)",
        connect_facing=False,
        timeout_seconds=10,
        async_retries=2,
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

#: public holidays: the service is closed all day (functions/domain/calendar.py). The same list is
#: seeded into the reference table, becomes the CDK hours-of-operation overrides, and closes the
#: local engine's hours; an environment may add closures (``holidays`` in its yaml).
HOLIDAYS: tuple[tuple[date, str], ...] = tuple(
    (date.fromisoformat(day), name)
    for day, name in (
        ("2026-01-01", "New Year's Day"),
        ("2026-01-19", "Martin Luther King Jr. Day"),
        ("2026-02-16", "Washington's Birthday"),
        ("2026-05-25", "Memorial Day"),
        ("2026-06-19", "Juneteenth"),
        ("2026-07-03", "Independence Day (observed)"),
        ("2026-09-07", "Labor Day"),
        ("2026-10-12", "Columbus Day"),
        ("2026-11-11", "Veterans Day"),
        ("2026-11-26", "Thanksgiving Day"),
        ("2026-12-25", "Christmas Day"),
        ("2027-01-01", "New Year's Day"),
        ("2027-01-18", "Martin Luther King Jr. Day"),
        ("2027-02-15", "Washington's Birthday"),
        ("2027-05-31", "Memorial Day"),
        ("2027-06-18", "Juneteenth (observed)"),
        ("2027-07-05", "Independence Day (observed)"),
        ("2027-09-06", "Labor Day"),
        ("2027-10-11", "Columbus Day"),
        ("2027-11-11", "Veterans Day"),
        ("2027-11-25", "Thanksgiving Day"),
        ("2027-12-24", "Christmas Day (observed)"),
    )
)

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
    # case-status -> main-inbound goes through this one-action hop: the cycle's back-edge is patched
    # here (a few hundred bytes) instead of in case-status (infra.flows.plan; template size)
    "back-to-main": "CONTACT_FLOW",
    "notification-call": "CONTACT_FLOW",
}


#: Amazon Lex V2 bots the flows use (flows/bots/<name>.json is each one's single definition: the
#: local engine reads it and infra/constructs/chat_bot.py deploys it); placeholder %BOT_<NAME>% is
#: the bot alias ARN
BOTS: tuple[str, ...] = ("chat-menu",)


def placeholder(kind: Literal["LAMBDA", "QUEUE", "FLOW", "HOURS", "BOT"], name: str) -> str:
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
    for bot in BOTS:
        found[placeholder("BOT", bot)] = ("BOT", bot)
    return found
