"""The e-mail and notification channels' AWS wiring beyond their tables.

* Sending e-mail: ``ses:SendEmail`` on the one sending identity (the domain of the function's
  ``EMAIL_FROM_ADDRESS``), only with that address as the sender (``ses:FromAddress``); the
  notification senders also on their configuration set, whose event destination publishes
  delivery receipts to the default event bus (SES authorizes a send against the identity and the
  configuration set it names: list_amazonsimpleemailservicev2.html).
* Sending SMS: ``sms-voice:SendTextMessage`` on the agency's one origination identity.
* Calling: ``connect:StartOutboundVoiceContact`` on the instance's contacts (``<instance>/contact/*``,
  the contact does not exist before the call; as the callback dispatcher), the call running
  flows/notification-call.json (``NOTIFICATION_CALL_FLOW_ARN``) from the hotline's number.
* Outcome events (Contract N): ``events:PutEvents`` on the default bus, only with source
  ``civicline.notifications`` (``events:source``); a rule takes them to the metrics buffer queue,
  the same path as contact events.
* Schedules: the deferred sweep every 5 minutes, the deadline reminders once a day; the receipts
  rule (SES and End User Messaging SMS delivery events) -> ``notification_receipts``. Every rule
  target has a retry policy and a dead-letter queue.
* The cases stream drives the notifier. The Connect e-mail address (``AWS::Connect::EmailAddress``)
  needs a domain verified in the account and is created when the agency's domain is known.
"""

from __future__ import annotations

from aws_cdk import Duration, Stack
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_event_sources as sources
from aws_cdk import aws_ses as ses
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from functions.adapters.notification_channels import CALL_FLOW_ENV
from functions.domain.notification_receipts import SES_SOURCE, SMS_DETAIL_TYPE, SMS_SOURCE
from functions.domain.notifications import EVENT_DETAIL_TYPE, EVENT_SOURCE
from infra.registry import FUNCTIONS_BY_NAME

#: the function that sends acknowledgements, and the variable naming its sender address
SENDER_FUNCTION = "email_triage"
#: the notifier and the table streams it (and not the metrics aggregator) consumes
NOTIFIER = "notifier"
NOTIFIER_STREAMS = ("cases",)
#: the functions that send notifications (and emit their outcome events)
NOTIFICATION_SENDERS = ("notifier", "notify_deferred", "deadline_reminders")
DEFERRED = "notify_deferred"
REMINDERS = "deadline_reminders"
#: the functions that place notification calls (a status change, a deferred one, a deadline reminder)
CALL_SENDERS = ("notifier", DEFERRED, REMINDERS)
RECEIPTS = "notification_receipts"
OUTCOME_EMITTERS = (*NOTIFICATION_SENDERS, RECEIPTS)
FROM_ADDRESS_ENV = "EMAIL_FROM_ADDRESS"
SMS_ORIGINATION_ENV = "SMS_ORIGINATION_IDENTITY"
EMAIL_CONFIGURATION_SET_ENV = "EMAIL_CONFIGURATION_SET"
#: the contact flow a notification call runs (flows/<stem>.json)
CALL_FLOW = "notification-call"
#: the deferred sweep's period: a deferred notification goes out at most this late
SWEEP_MINUTES = 5
#: the reminder run, 13:00 UTC (08:00 or 09:00 in New York): inside quiet hours elsewhere, the
#: reminders are deferred to their end like any other notification
REMINDER_HOUR_UTC = 13
#: SES event types published as receipts (a Send is not a receipt)
SES_RECEIPT_TYPES = ("DELIVERY", "BOUNCE", "REJECT", "RENDERING_FAILURE")
SES_RECEIPT_DETAIL_TYPES = ("Email Delivered", "Email Bounced", "Email Rejected", "Email Rendering Failed")


def sending_identity(address: str) -> str:
    """The SES identity a send from ``address`` is authorized against: its domain."""
    return address.rsplit("@", 1)[-1]


def email_configuration_set_name(resource_prefix: str) -> str:
    return f"{resource_prefix}-notifications"


def add_email_channel(scope: Construct, roles: dict[str, iam.Role]) -> None:
    """Let the triage function and the notification senders send from the agency's address (and
    SMS from its pool), and nothing else."""
    for function in (SENDER_FUNCTION, *NOTIFICATION_SENDERS):
        _grant_send(scope, roles, function)
    for function in NOTIFICATION_SENDERS:
        _grant_sms(scope, roles, function)


def add_call_channel(
    functions: dict[str, lambda_.Function],
    roles: dict[str, iam.Role],
    *,
    instance_arn: str,
    flow_arn: str,
    source_number: str | None,
) -> None:
    """Let the notification senders (status changes, deferred ones, deadline reminders) place a call
    in this instance, running the notification flow (it says a status or a deadline reminder)."""
    for name in CALL_SENDERS:
        if name not in functions:
            continue
        functions[name].add_environment(CALL_FLOW_ENV, flow_arn)
        if source_number is not None:
            functions[name].add_environment("SOURCE_PHONE_NUMBER", source_number)
        roles[name].add_to_principal_policy(
            iam.PolicyStatement(
                actions=["connect:StartOutboundVoiceContact"], resources=[f"{instance_arn}/contact/*"]
            )
        )


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


def _secure_queue(scope: Construct, construct_id: str) -> sqs.Queue:
    return sqs.Queue(
        scope,
        construct_id,
        encryption=sqs.QueueEncryption.SQS_MANAGED,
        enforce_ssl=True,
        retention_period=Duration.days(14),
    )


class NotificationWiring(Construct):
    """Receipts, outcome events, schedules and their dead-letter queues (see the module doc)."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        resource_prefix: str,
        functions: dict[str, lambda_.Function],
        roles: dict[str, iam.Role],
        metrics_buffer: sqs.IQueue,
    ) -> None:
        super().__init__(scope, construct_id)
        stack = Stack.of(self)
        self.bus_arn = f"arn:{stack.partition}:events:{stack.region}:{stack.account}:event-bus/default"
        self.dead_letter_queues: dict[str, sqs.Queue] = {}
        self.configuration_set = self._email_receipts(resource_prefix)
        for name in NOTIFICATION_SENDERS:
            if name in functions:
                functions[name].add_environment(EMAIL_CONFIGURATION_SET_ENV, self.configuration_set)
                _grant_configuration_set(self, roles[name], self.configuration_set)
        for name in OUTCOME_EMITTERS:
            if name in roles:
                roles[name].add_to_principal_policy(
                    iam.PolicyStatement(
                        actions=["events:PutEvents"],
                        resources=[self.bus_arn],
                        conditions={"StringEquals": {"events:source": EVENT_SOURCE}},
                    )
                )
        outcomes = events.Rule(
            self,
            "OutcomesRule",
            description="Notification outcome events (Contract N) -> the metrics buffer queue",
            event_pattern=events.EventPattern(source=[EVENT_SOURCE], detail_type=[EVENT_DETAIL_TYPE]),
        )
        outcomes.add_target(
            targets.SqsQueue(
                metrics_buffer,
                dead_letter_queue=self._dlq("NotificationOutcomesDeadLetters"),
                retry_attempts=8,
                max_event_age=Duration.hours(24),
            )
        )
        self._invoke(
            functions.get(DEFERRED),
            "DeferredSchedule",
            "Send notifications deferred past quiet hours",
            events.Schedule.rate(Duration.minutes(SWEEP_MINUTES)),
        )
        self._invoke(
            functions.get(REMINDERS),
            "RemindersSchedule",
            "Deadline reminders, once a day",
            events.Schedule.cron(minute="0", hour=str(REMINDER_HOUR_UTC)),
        )
        receipts = functions.get(RECEIPTS)
        if receipts is not None:
            for rule_id, source, detail_types in (
                ("EmailReceiptsRule", SES_SOURCE, list(SES_RECEIPT_DETAIL_TYPES)),
                ("SmsReceiptsRule", SMS_SOURCE, [SMS_DETAIL_TYPE]),
            ):
                rule = events.Rule(
                    self,
                    rule_id,
                    description=f"{source} delivery receipts -> notification_receipts",
                    event_pattern=events.EventPattern(source=[source], detail_type=detail_types),
                )
                rule.add_target(
                    targets.LambdaFunction(
                        receipts,
                        dead_letter_queue=self._dlq(f"{rule_id}DeadLetters"),
                        retry_attempts=8,
                        max_event_age=Duration.hours(24),
                    )
                )

    def _dlq(self, construct_id: str) -> sqs.Queue:
        queue = _secure_queue(self, construct_id)
        self.dead_letter_queues[construct_id] = queue
        return queue

    def _invoke(
        self, function: lambda_.IFunction | None, rule_id: str, description: str, schedule: events.Schedule
    ) -> None:
        if function is None:
            return
        rule = events.Rule(self, rule_id, description=description, schedule=schedule)
        rule.add_target(
            targets.LambdaFunction(
                function,
                dead_letter_queue=self._dlq(f"{rule_id}DeadLetters"),
                retry_attempts=2,
                max_event_age=Duration.minutes(SWEEP_MINUTES),
            )
        )

    def _email_receipts(self, resource_prefix: str) -> str:
        """A configuration set whose event destination publishes delivery events to the default
        bus (SES "Event publishing" with an EventBridge destination: the default bus only)."""
        name = email_configuration_set_name(resource_prefix)
        configuration_set = ses.CfnConfigurationSet(self, "EmailConfigurationSet", name=name)
        destination = ses.CfnConfigurationSetEventDestination(
            self,
            "EmailReceipts",
            configuration_set_name=name,
            event_destination=ses.CfnConfigurationSetEventDestination.EventDestinationProperty(
                matching_event_types=list(SES_RECEIPT_TYPES),
                enabled=True,
                event_bridge_destination=ses.CfnConfigurationSetEventDestination.EventBridgeDestinationProperty(
                    event_bus_arn=self.bus_arn
                ),
            ),
        )
        destination.node.add_dependency(configuration_set)
        return name


def _grant_configuration_set(scope: Construct, role: iam.Role, name: str) -> None:
    stack = Stack.of(scope)
    role.add_to_principal_policy(
        iam.PolicyStatement(
            actions=["ses:SendEmail"],
            resources=[f"arn:{stack.partition}:ses:{stack.region}:{stack.account}:configuration-set/{name}"],
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
