"""The e-mail channel's AWS permissions beyond its tables: sending acknowledgements with Amazon SES.

Least privilege: ``ses:SendEmail`` on the one sending identity (the domain of the function's
``EMAIL_FROM_ADDRESS``), and only with that address as the sender (``ses:FromAddress``). SES
authorizes a send against the identity resource (and a configuration set, when one is used; none
is). The Connect e-mail address (``AWS::Connect::EmailAddress``) needs a domain verified in the
account and is created when the agency's domain is known (docs/channels.md).
"""

from __future__ import annotations

from aws_cdk import Duration, Stack
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_event_sources as sources
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from infra.registry import FUNCTIONS_BY_NAME

#: the function that sends acknowledgements, and the variable naming its sender address
SENDER_FUNCTION = "email_triage"
#: the notifier and the table streams it (and not the metrics aggregator) consumes
NOTIFIER = "notifier"
NOTIFIER_STREAMS = ("cases",)
FROM_ADDRESS_ENV = "EMAIL_FROM_ADDRESS"
SMS_ORIGINATION_ENV = "SMS_ORIGINATION_IDENTITY"


def sending_identity(address: str) -> str:
    """The SES identity a send from ``address`` is authorized against: its domain."""
    return address.rsplit("@", 1)[-1]


def add_email_channel(scope: Construct, roles: dict[str, iam.Role]) -> None:
    """Let the triage function and the notifier send from the agency's address, and nothing else."""
    for function in (SENDER_FUNCTION, NOTIFIER):
        _grant_send(scope, roles, function)
    _grant_sms(scope, roles, NOTIFIER)


def add_notifier(
    scope: Construct,
    functions: dict[str, lambda_.Function],
    tables: dict[str, dynamodb.ITable],
    dlq: sqs.IQueue,
) -> None:
    """The cases stream drives the notifier; a batch that keeps failing lands in the stream DLQ."""
    notifier = functions.get(NOTIFIER)
    if notifier is None:
        return
    for name in NOTIFIER_STREAMS:
        notifier.add_event_source(
            sources.DynamoEventSource(
                tables[name],
                starting_position=lambda_.StartingPosition.TRIM_HORIZON,
                batch_size=50,
                retry_attempts=5,
                bisect_batch_on_error=True,
                report_batch_item_failures=True,
                max_record_age=Duration.hours(24),
                on_failure=sources.SqsDlq(dlq),
            )
        )


def _grant_send(scope: Construct, roles: dict[str, iam.Role], function: str) -> None:
    role = roles.get(function)
    spec = FUNCTIONS_BY_NAME.get(function)
    if role is None or spec is None:
        return
    address = spec.env[FROM_ADDRESS_ENV]
    stack = Stack.of(scope)
    identity = (
        f"arn:{stack.partition}:ses:{stack.region}:{stack.account}:identity/{sending_identity(address)}"
    )
    role.add_to_principal_policy(
        iam.PolicyStatement(
            actions=["ses:SendEmail"],
            resources=[identity],
            conditions={"StringEquals": {"ses:FromAddress": address}},
        )
    )


def origination_arn(scope: Construct, identity: str) -> str:
    """The ARN of an End User Messaging SMS origination identity given by id (``pool-...``,
    ``phone-...``) or already as an ARN."""
    if identity.startswith("arn:"):
        return identity
    kind = "phone-number" if identity.startswith("phone-") else "pool"
    stack = Stack.of(scope)
    return f"arn:{stack.partition}:sms-voice:{stack.region}:{stack.account}:{kind}/{identity}"


def _grant_sms(scope: Construct, roles: dict[str, iam.Role], function: str) -> None:
    """``sms-voice:SendTextMessage`` on the one origination identity the function names in every
    send (its ``SMS_ORIGINATION_IDENTITY``): not on ``*``, so no other number or pool of the
    account can be used (list_awsendusermessagingsmsandvoicev2.html)."""
    role = roles.get(function)
    spec = FUNCTIONS_BY_NAME.get(function)
    if role is None or spec is None or SMS_ORIGINATION_ENV not in spec.env:
        return
    role.add_to_principal_policy(
        iam.PolicyStatement(
            actions=["sms-voice:SendTextMessage"],
            resources=[origination_arn(scope, spec.env[SMS_ORIGINATION_ENV])],
        )
    )
