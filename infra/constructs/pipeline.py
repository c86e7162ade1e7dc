"""The contact-event pipeline and the callback dispatcher's schedule.

Amazon Connect contact events of *this* instance (``schemas.contact_events.RULE_PATTERN`` plus
``detail.instanceArn``) go from the default event bus to an SQS buffer, then to the aggregator in
batches with partial-failure reporting. Nothing is silently lost: the rule target has a retry policy
and its own dead-letter queue (events EventBridge could not deliver), the buffer redrives to a
dead-letter queue after :data:`MAX_RECEIVE_COUNT` receives (events the aggregator could not
process; the SQS source's maximum concurrency stays inside the reservation, so a burst waits in
the queue instead of being throttled into the DLQ), and the table
streams (surveys, callbacks) send failed batches to a dead-letter queue too. Every DLQ has an alarm.

The callback dispatcher runs once a minute from an EventBridge rule (retry policy and DLQ as well).
A third rule sends the events that can settle a placed callback call (connected to system or agent,
disconnected) to ``callback_outcomes``, with a retry policy and a DLQ too. It does not filter on
``initiationMethod``: which value Connect gives calls started by ``StartOutboundVoiceContact`` is
UNCONFIRMED offline, and the function ignores contacts that are not callback calls (one read each).
"""

from __future__ import annotations

import copy
from typing import Any

from aws_cdk import Duration
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_event_sources as sources
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from functions.domain.callbacks import ANSWER_EVENTS
from infra.registry import AGGREGATOR_SQS_CONCURRENCY
from schemas.contact_events import RULE_PATTERN

#: the rule's retry policy toward the buffer queue
RULE_RETRY_ATTEMPTS = 8
RULE_MAX_EVENT_AGE_HOURS = 24
#: contact events that can settle a placed callback call
OUTCOME_EVENT_TYPES = sorted(ANSWER_EVENTS)
#: receives before a buffered event goes to the DLQ (the aggregator is idempotent). Only function
#: errors count a receive (the SQS source never exceeds the reservation, see infra/registry.py):
#: ten receives, a visibility timeout of six function timeouts apart, ride out an hour of failures
MAX_RECEIVE_COUNT = 10
DLQ_RETENTION_DAYS = 14


def contact_event_pattern(instance_arn: str) -> dict[str, Any]:
    """The deployed pattern: the shared RULE_PATTERN, narrowed to this instance's events."""
    pattern: dict[str, Any] = copy.deepcopy(RULE_PATTERN)
    pattern["detail"] = {"instanceArn": [instance_arn]}
    return pattern


def secure_queue(scope: Construct, construct_id: str, **kwargs: Any) -> sqs.Queue:
    """An SQS queue with server-side encryption and TLS-only access."""
    return sqs.Queue(
        scope,
        construct_id,
        encryption=sqs.QueueEncryption.SQS_MANAGED,
        enforce_ssl=True,
        **kwargs,
    )


class EventPipeline(Construct):
    """Rule -> SQS buffer (DLQ) -> aggregator; table streams -> aggregator; dispatcher schedule."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        instance_arn: str,
        aggregator: lambda_.IFunction,
        dispatcher: lambda_.IFunction,
        outcomes: lambda_.IFunction,
        stream_tables: dict[str, dynamodb.ITable],
        async_dlq: sqs.Queue,
    ) -> None:
        super().__init__(scope, construct_id)
        retention = Duration.days(DLQ_RETENTION_DAYS)
        self.rule_dlq = secure_queue(self, "RuleDeadLetters", retention_period=retention)
        self.buffer_dlq = secure_queue(self, "ContactEventsDeadLetters", retention_period=retention)
        self.stream_dlq = secure_queue(self, "StreamDeadLetters", retention_period=retention)
        self.schedule_dlq = secure_queue(self, "ScheduleDeadLetters", retention_period=retention)
        self.outcomes_dlq = secure_queue(self, "CallbackOutcomesDeadLetters", retention_period=retention)
        self.async_dlq = async_dlq
        self.buffer = secure_queue(
            self,
            "ContactEvents",
            # six times the function timeout, as Lambda recommends for SQS sources
            visibility_timeout=Duration.seconds(6 * int(aggregator_timeout(aggregator))),
            retention_period=Duration.days(4),
            dead_letter_queue=sqs.DeadLetterQueue(queue=self.buffer_dlq, max_receive_count=MAX_RECEIVE_COUNT),
        )
        self.rule = self._contact_event_rule(
            "ContactEventsRule",
            "Amazon Connect contact events of this instance -> the metrics aggregator",
            {"instanceArn": [instance_arn]},
        )
        self.rule.add_target(
            targets.SqsQueue(
                self.buffer,
                dead_letter_queue=self.rule_dlq,
                retry_attempts=RULE_RETRY_ATTEMPTS,
                max_event_age=Duration.hours(RULE_MAX_EVENT_AGE_HOURS),
            )
        )
        aggregator.add_event_source(
            sources.SqsEventSource(
                self.buffer,
                batch_size=10,
                max_batching_window=Duration.seconds(5),
                report_batch_item_failures=True,
                max_concurrency=AGGREGATOR_SQS_CONCURRENCY,
            )
        )
        for name in sorted(stream_tables):
            aggregator.add_event_source(
                sources.DynamoEventSource(
                    stream_tables[name],
                    starting_position=lambda_.StartingPosition.TRIM_HORIZON,
                    batch_size=100,
                    max_batching_window=Duration.seconds(5),
                    retry_attempts=3,
                    parallelization_factor=1,  # one batch per shard: the reservation's arithmetic
                    bisect_batch_on_error=True,
                    report_batch_item_failures=True,
                    max_record_age=Duration.hours(24),
                    on_failure=sources.SqsDlq(self.stream_dlq),
                )
            )
        self.schedule = events.Rule(
            self,
            "DispatcherSchedule",
            description="Dial due callbacks every minute",
            schedule=events.Schedule.rate(Duration.minutes(1)),
        )
        self.schedule.add_target(
            targets.LambdaFunction(
                dispatcher,
                dead_letter_queue=self.schedule_dlq,
                retry_attempts=2,
                max_event_age=Duration.minutes(5),
            )
        )

        self.outcomes_rule = self._contact_event_rule(
            "CallbackOutcomesRule",
            "Contact events that settle placed callback calls -> callback_outcomes",
            {"instanceArn": [instance_arn], "eventType": OUTCOME_EVENT_TYPES},
        )
        self.outcomes_rule.add_target(
            targets.LambdaFunction(
                outcomes,
                dead_letter_queue=self.outcomes_dlq,
                retry_attempts=RULE_RETRY_ATTEMPTS,
                max_event_age=Duration.hours(RULE_MAX_EVENT_AGE_HOURS),
            )
        )

    def _contact_event_rule(self, construct_id: str, description: str, detail: dict[str, Any]) -> events.Rule:
        """A rule on the default bus for Amazon Connect contact events matching ``detail``."""
        return events.Rule(
            self,
            construct_id,
            description=description,
            event_pattern=events.EventPattern(
                source=RULE_PATTERN["source"], detail_type=RULE_PATTERN["detail-type"], detail=detail
            ),
        )

    @property
    def dead_letter_queues(self) -> dict[str, sqs.Queue]:
        return {
            "RuleDeadLetters": self.rule_dlq,
            "ContactEventsDeadLetters": self.buffer_dlq,
            "StreamDeadLetters": self.stream_dlq,
            "ScheduleDeadLetters": self.schedule_dlq,
            "CallbackOutcomesDeadLetters": self.outcomes_dlq,
            "AsyncDeadLetters": self.async_dlq,
        }


def aggregator_timeout(fn: lambda_.IFunction) -> int:
    timeout = getattr(fn, "timeout", None)
    return int(timeout.to_seconds()) if timeout is not None else 60
