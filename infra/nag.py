"""cdk-nag v3 on the app, and every acknowledgement with its reason.

Acknowledgements are listed here, not scattered: each names a construct path pattern (relative to its
stack), one finding id (v3 acknowledges one finding at a time) and why the finding does not apply.
:data:`REQUIRED_WILDCARDS` lists the IAM resources that must contain a wildcard because AWS offers
no narrower ARN; docs/decisions.md explains each one and tests/infra checks that no other IAM
statement has a wildcard resource.
"""

from __future__ import annotations

from dataclasses import dataclass
from fnmatch import fnmatchcase

from aws_cdk import Acknowledgment, App, Stack, Validations
from cdk_nag import AwsSolutionsChecks, ServerlessChecks

from infra.config import EnvConfig

#: the singleton Lambda behind every ``AwsCustomResource`` (CDK's fixed construct id)
CUSTOM_RESOURCE_FN = "AWS679f53fac002430cb0da5b7982bd2287"
CONNECT_FACING = ("Appeals", "Callback", "CaseStatus", "Routing", "Survey", "EmailTriage", "NotifyConsent")
#: the scheduled and rule-invoked notification functions (infra/constructs/channels.py)
NOTIFICATION_ASYNC = ("NotifyDeferred", "DeadlineReminders", "NotificationReceipts")
ALL_FUNCTIONS = (
    *CONNECT_FACING,
    "CallbackDispatcher",
    "CallbackOutcomes",
    "ContactEvents",
    "Notifier",
    *NOTIFICATION_ASYNC,
    "ChatPicker",
    "EmailBacklog",
    "ChatStart",
)
DEAD_LETTER_QUEUES = (
    "AsyncDeadLetters",
    "Events/RuleDeadLetters",
    "Events/ContactEventsDeadLetters",
    "Events/StreamDeadLetters",
    "Events/ScheduleDeadLetters",
    "Events/CallbackOutcomesDeadLetters",
    "Observability/AlarmDeadLetters",
    "Observability/EmailBacklogScheduleDeadLetters",
    "Notifications/*DeadLetters",
)

#: IAM resources that must contain "*" (pattern over the JSON of the resolved resource -> why)
REQUIRED_WILDCARDS: dict[str, str] = {
    "xray:PutTraceSegments": "X-Ray accepts only Resource '*' for PutTraceSegments/PutTelemetryRecords",
    "dynamodb:ListStreams": "DynamoDB ListStreams has no resource-level permission (Resource '*')",
    "/contact/*": "connect:StartOutboundVoiceContact and StartChatContact act on contacts that do not "
    "exist yet: '<instance ARN>/contact/*' is the narrowest ARN",
    "log-group:": "a log group ARN ends in ':*' to cover its log streams, whose names Lambda generates",
}


@dataclass(frozen=True)
class Ack:
    path: str  # fnmatch pattern over the construct path below the stack
    rule: str
    reason: str


_PYTHON = (
    "Runtime pinned to the Python version the public Powertools v3 layer is built for and the test suite "
    "runs; raised deliberately with the layer (infra/environments/*.yaml runtime)"
)
_SYNC = (
    "Invoked synchronously (by Amazon Connect from a flow, or by an event source mapping): a Lambda DLQ "
    "only applies to asynchronous invocations; failures take the flow's error branch or the source's DLQ"
)
_IS_DLQ = "This queue is itself a dead-letter queue (its depth has an alarm); a DLQ of a DLQ adds nothing"
_CR = "CDK's AwsCustomResource provider function, managed by aws-cdk-lib"
_PUBLIC_CHAT = (
    "The public web chat's start: a citizen has no login (as with Connect's hosted widget). What stands "
    "in its place: the regional web ACL on the stage (a rate per client IP, a body-size rule, AWS managed "
    "rule groups), the request validator (the body's JSON schema), stage throttling, CORS and an Origin "
    "check for the agency's pages, and a start only opens a chat in the main inbound flow "
    "(infra/constructs/chat_start.py, docs/decisions.md)"
)

ACKNOWLEDGEMENTS: tuple[Ack, ...] = (
    *(Ack(f"Functions/{fn}Function", "AwsSolutions-L1", _PYTHON) for fn in ALL_FUNCTIONS),
    *(Ack(f"Functions/{fn}Function", "Serverless-LambdaLatestVersion", _PYTHON) for fn in ALL_FUNCTIONS),
    *(
        Ack(f"Functions/{fn}Function", "Serverless-LambdaDLQ", _SYNC)
        for fn in (*CONNECT_FACING, "ContactEvents", "Notifier")
    ),
    Ack(
        "Functions/ChatPickerFunction",
        "Serverless-LambdaDLQ",
        "Invoked synchronously by Amazon Lex (the chat-menu bot alias's code hook): a Lambda DLQ only "
        "applies to asynchronous invocations; a failure is Lex's error to the flow (its Error branch)",
    ),
    *(
        Ack(
            f"Functions/{fn}FunctionRole",
            "AwsSolutions-IAM5[Resource::*]",
            "Only X-Ray PutTraceSegments/PutTelemetryRecords (active tracing) and, for the aggregator, "
            "dynamodb:ListStreams, which AWS authorizes on Resource '*' only (docs/decisions.md)",
        )
        for fn in ALL_FUNCTIONS
    ),
    Ack(
        "Functions/ChatStartFunction",
        "Serverless-LambdaDLQ",
        "Invoked synchronously by the chat-start REST API: a Lambda DLQ only applies to asynchronous "
        "invocations; a failure is the page's typed answer (5xx, retryable or not)",
    ),
    Ack(
        "ChatStart/Api/Default/chat/POST/Resource",
        "AwsSolutions-APIG4",
        _PUBLIC_CHAT,
    ),
    Ack(
        "ChatStart/Api/Default/chat/POST/Resource",
        "AwsSolutions-COG4",
        _PUBLIC_CHAT + "; a Cognito user pool would need an account the citizen does not have",
    ),
    Ack(
        "ChatStart/Api/DeploymentStage.live/Resource",
        "AwsSolutions-APIG6",
        "Execution logging needs the region-wide API Gateway CloudWatch role (AWS::ApiGateway::Account), "
        "an account setting this stack must not own; the stage's JSON access log records every request's "
        "status, error type, WAF outcome and integration error, and X-Ray traces each request "
        "(docs/decisions.md)",
    ),
    Ack(
        "Functions/CallbackDispatcherFunction",
        "Serverless-LambdaAsyncFailureDestination",
        "Failed asynchronous invocations go to its dead-letter queue (AsyncDeadLetters, alarmed); the next "
        "minute's run retries due callbacks anyway",
    ),
    Ack(
        "Functions/PseudonymKey",
        "AwsSolutions-SMG4",
        "Not rotated automatically: a new key changes every caller pseudonym, which would reset attempt "
        "counters and repeat-caller history mid-window; rotate by hand after a quiet period (docs/deploy.md)",
    ),
    Ack(
        "Functions/CallbackOutcomesFunction",
        "Serverless-LambdaAsyncFailureDestination",
        "Failed asynchronous invocations go to its dead-letter queue (AsyncDeadLetters, alarmed); the "
        "rule target retries first, with a dead-letter queue of its own",
    ),
    Ack(
        "Functions/ContactEventsFunction/SqsEventSource*",
        "Serverless-LambdaEventSourceMappingDestination",
        "SQS event sources cannot have an on-failure destination: the queue's redrive policy sends a "
        "message to ContactEventsDeadLetters after MAX_RECEIVE_COUNT (10) receives",
    ),
    *(
        Ack(
            f"Functions/{fn}Function",
            "Serverless-LambdaAsyncFailureDestination",
            "Failed asynchronous invocations go to its dead-letter queue (AsyncDeadLetters, alarmed); the "
            "rule target retries first, with a dead-letter queue of its own, and every notification is "
            "claimed, so a rerun sends nothing twice",
        )
        for fn in NOTIFICATION_ASYNC
    ),
    Ack(
        "Functions/EmailBacklogFunction",
        "Serverless-LambdaAsyncFailureDestination",
        "Failed asynchronous invocations go to its dead-letter queue (AsyncDeadLetters, alarmed); a "
        "failed reading is worthless later: the next 5-minute run reads the backlog afresh",
    ),
    *(Ack(q, "AwsSolutions-SQS3", _IS_DLQ) for q in DEAD_LETTER_QUEUES),
    *(Ack(q, "Serverless-SQSRedrivePolicy", _IS_DLQ) for q in DEAD_LETTER_QUEUES),
    Ack(
        f"{CUSTOM_RESOURCE_FN}/ServiceRole",
        "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]",
        _CR + ": its role needs only log writing, which this AWS managed policy grants",
    ),
    Ack(CUSTOM_RESOURCE_FN, "AwsSolutions-L1", _CR + "; its Node.js runtime is chosen by aws-cdk-lib"),
    Ack(CUSTOM_RESOURCE_FN, "Serverless-LambdaLatestVersion", _CR + "; its runtime is chosen by aws-cdk-lib"),
    Ack(
        CUSTOM_RESOURCE_FN,
        "Serverless-LambdaDLQ",
        _CR + ", invoked by CloudFormation, which reports failures",
    ),
    Ack(CUSTOM_RESOURCE_FN, "Serverless-LambdaTracing", _CR + ": deployment-time only, nothing to trace"),
    Ack(CUSTOM_RESOURCE_FN, "Serverless-LambdaDefaultMemorySize", _CR + ": its memory is set by aws-cdk-lib"),
)


def add_nag_packs(app: App) -> None:
    Validations.of(app).add_plugins(AwsSolutionsChecks(app), ServerlessChecks(app))


def environment_acks(config: EnvConfig) -> tuple[Ack, ...]:
    """Acknowledgements whose finding id names the instance (created here, or imported by ARN)."""
    instance = config.connect.existing_instance_arn or "<ConnectInstance.Arn>"
    return tuple(
        Ack(
            f"Functions/{function}FunctionRole",
            f"AwsSolutions-IAM5[Resource::{instance}/contact/*]",
            REQUIRED_WILDCARDS["/contact/*"],
        )
        # the callback dispatcher, the notification senders that place calls (CALL_SENDERS), and the
        # web chat's start (StartChatContact's contact resource type, beside its one flow)
        for function in ("CallbackDispatcher", "Notifier", "NotifyDeferred", "DeadlineReminders", "ChatStart")
    )


def acknowledge(config: EnvConfig, *stacks: Stack) -> list[tuple[str, str]]:
    """Attach the acknowledgements to the constructs they match; returns (path, rule) applied."""
    applied: list[tuple[str, str]] = []
    acks = (*ACKNOWLEDGEMENTS, *environment_acks(config))
    for stack in stacks:
        prefix = stack.node.path + "/"
        constructs = [c for c in stack.node.find_all() if c.node.path.startswith(prefix)]
        for ack in acks:
            for construct in constructs:
                relative = construct.node.path[len(prefix) :]
                if fnmatchcase(relative, ack.path):
                    Validations.of(construct).acknowledge(Acknowledgment(id=ack.rule, reason=ack.reason))
                    applied.append((construct.node.path, ack.rule))
    return applied
