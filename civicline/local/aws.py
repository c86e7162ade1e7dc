"""Local AWS for the engine, the simulator and the tests: moto in-process, or any endpoint.

:class:`LocalAws` creates, from the same :mod:`infra.registry` the CDK stack reads, every DynamoDB
table and the contact-event pipeline (an event bus, the rule with the deployed pattern, and an SQS
queue as the rule's target standing in for the aggregator's Lambda trigger). It sets the environment
variables the functions read, so handlers run unchanged through their real entry points.

By default it starts moto in-process (no sockets). With ``endpoint_url`` (a moto server on
127.0.0.1, or a real account with ``endpoint_url=None`` and ``use_moto=False``) the same calls go there.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any

from civicline.engine.arns import ACCOUNT, INSTANCE_ARN, INSTANCE_ID, REGION, local_arn
from civicline.local.moto_floor import trim_moto_floor
from functions.core.aws import reset_clients
from functions.core.settings import TABLE_ENV, reset_settings
from infra.registry import TABLES, TableSpec
from schemas.contact_events import RULE_PATTERN

__all__ = ["ACCOUNT", "INSTANCE_ARN", "INSTANCE_ID", "REGION", "LocalAws"]

BUS_NAME = "civicline-contact-events"
RULE_NAME = "civicline-contact-events-to-aggregator"
OUTCOMES_RULE_NAME = "civicline-notification-outcomes-to-aggregator"


def _local_queue_arns() -> dict[str, str]:
    """Every registry queue's local ARN (the same ARNs the engine resolves %QUEUE_X% to)."""
    from infra.registry import QUEUES

    return {queue.name: local_arn("QUEUE", queue.name) for queue in QUEUES}


def table_name(spec: TableSpec, prefix: str) -> str:
    return f"{prefix}-{spec.logical}"


def create_table_kwargs(spec: TableSpec, name: str) -> dict[str, Any]:
    """``CreateTable`` arguments for a registry table (on-demand, like the stack)."""
    keys = [{"AttributeName": spec.partition_key, "KeyType": "HASH"}]
    if spec.sort_key:
        keys.append({"AttributeName": spec.sort_key, "KeyType": "RANGE"})
    kwargs: dict[str, Any] = {
        "TableName": name,
        "KeySchema": keys,
        "AttributeDefinitions": [
            {"AttributeName": attr, "AttributeType": kind} for attr, kind in spec.key_attributes().items()
        ],
        "BillingMode": "PAY_PER_REQUEST",
    }
    if spec.indexes:
        kwargs["GlobalSecondaryIndexes"] = [
            {
                "IndexName": index.name,
                "KeySchema": [
                    {"AttributeName": index.partition_key, "KeyType": "HASH"},
                    *([{"AttributeName": index.sort_key, "KeyType": "RANGE"}] if index.sort_key else []),
                ],
                "Projection": {"ProjectionType": "ALL"},
            }
            for index in spec.indexes
        ]
    if spec.stream:
        kwargs["StreamSpecification"] = {"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"}
    return kwargs


@dataclass
class LocalAws(AbstractContextManager["LocalAws"]):
    """Tables and the contact-event pipeline, on moto (default) or on ``endpoint_url``."""

    prefix: str = "civicline-local"
    endpoint_url: str | None = None
    use_moto: bool = True
    queue_arns: dict[str, str] = field(default_factory=dict)
    extra_env: dict[str, str] = field(default_factory=dict)
    _mock: Any = None
    _saved_env: dict[str, str | None] = field(default_factory=dict)
    events_queue_url: str = ""

    # -- lifecycle ---------------------------------------------------------------------------
    def __enter__(self) -> LocalAws:
        env = {
            "AWS_DEFAULT_REGION": REGION,
            "AWS_REGION": REGION,
            "CONNECT_INSTANCE_ARN": INSTANCE_ARN,
            "POWERTOOLS_METRICS_DISABLED": os.environ.get("POWERTOOLS_METRICS_DISABLED", "true"),
            "POWERTOOLS_LOG_LEVEL": os.environ.get("POWERTOOLS_LOG_LEVEL", "WARNING"),
            **{TABLE_ENV[t.logical]: table_name(t, self.prefix) for t in TABLES},
            **self.extra_env,
        }
        env["QUEUE_ARNS"] = json.dumps(self.queue_arns or _local_queue_arns())
        if self.use_moto or self.endpoint_url:
            env.update(
                AWS_ACCESS_KEY_ID="testing",
                AWS_SECRET_ACCESS_KEY="testing",  # noqa: S106 - moto's fake credentials
                AWS_SESSION_TOKEN="testing",  # noqa: S106
            )
        if self.endpoint_url:
            env["AWS_ENDPOINT_URL"] = self.endpoint_url
        self._saved_env = {key: os.environ.get(key) for key in env}
        os.environ.update(env)
        if self.use_moto and not self.endpoint_url:
            from moto import mock_aws

            trim_moto_floor()
            self._mock = mock_aws()
            self._mock.start()
        reset_settings()
        reset_clients()
        self.create_resources()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._mock is not None:
            self._mock.stop()
            self._mock = None
        for key, value in self._saved_env.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        reset_settings()
        reset_clients()

    # -- resources ---------------------------------------------------------------------------
    def client(self, service: str) -> Any:
        from functions.core.aws import client

        return client(service)

    def table(self, logical: str) -> str:
        return os.environ[TABLE_ENV[logical]]

    def create_resources(self) -> None:
        ddb = self.client("dynamodb")
        existing = set(ddb.list_tables().get("TableNames", []))
        for spec in TABLES:
            name = table_name(spec, self.prefix)
            if name not in existing:
                ddb.create_table(**create_table_kwargs(spec, name))
                if spec.ttl_attribute:
                    ddb.update_time_to_live(
                        TableName=name,
                        TimeToLiveSpecification={
                            "Enabled": True,
                            "AttributeName": spec.ttl_attribute,
                        },
                    )
        sqs = self.client("sqs")
        self.events_queue_url = sqs.create_queue(QueueName=f"{self.prefix}-contact-events")["QueueUrl"]
        queue_arn = sqs.get_queue_attributes(QueueUrl=self.events_queue_url, AttributeNames=["QueueArn"])[
            "Attributes"
        ]["QueueArn"]
        events = self.client("events")
        buses = {b["Name"] for b in events.list_event_buses().get("EventBuses", [])}
        if BUS_NAME not in buses:
            events.create_event_bus(Name=BUS_NAME)
        events.put_rule(
            Name=RULE_NAME,
            EventBusName=BUS_NAME,
            EventPattern=json.dumps(RULE_PATTERN),
            State="ENABLED",
        )
        events.put_targets(
            Rule=RULE_NAME,
            EventBusName=BUS_NAME,
            Targets=[{"Id": "aggregator", "Arn": queue_arn}],
        )
        self._route_notification_outcomes(events, queue_arn)

    def _route_notification_outcomes(self, events: Any, queue_arn: str) -> None:
        """The stack's OutcomesRule (infra/constructs/channels.py): Contract N outcome events on the
        default bus go to the same aggregator queue as contact events."""
        from functions.domain.notifications import EVENT_DETAIL_TYPE, EVENT_SOURCE

        events.put_rule(
            Name=OUTCOMES_RULE_NAME,
            EventPattern=json.dumps({"source": [EVENT_SOURCE], "detail-type": [EVENT_DETAIL_TYPE]}),
            State="ENABLED",
        )
        events.put_targets(Rule=OUTCOMES_RULE_NAME, Targets=[{"Id": "aggregator", "Arn": queue_arn}])

    # -- the contact-event pipeline ----------------------------------------------------------
    def put_contact_events(self, details: list[dict[str, Any]]) -> None:
        """Publish contact events (``detail`` objects) as Amazon Connect does, ten per call."""
        from schemas.contact_events import DETAIL_TYPE, SOURCE

        events = self.client("events")
        for start in range(0, len(details), 10):
            entries = [
                {
                    "Source": SOURCE,
                    "DetailType": DETAIL_TYPE,
                    "Detail": json.dumps(detail),
                    "EventBusName": BUS_NAME,
                    "Resources": [INSTANCE_ARN],
                }
                for detail in details[start : start + 10]
            ]
            response = events.put_events(Entries=entries)
            if response.get("FailedEntryCount"):
                raise RuntimeError(f"{response['FailedEntryCount']} contact events were not put")

    def drain_contact_events(self, max_batches: int = 10_000) -> Iterator[list[dict[str, Any]]]:
        """Yield batches (up to 10) of EventBridge envelopes that the rule routed to the target."""
        sqs = self.client("sqs")
        for _ in range(max_batches):
            messages = sqs.receive_message(
                QueueUrl=self.events_queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=0
            ).get("Messages", [])
            if not messages:
                return
            yield [json.loads(m["Body"]) for m in messages]
            sqs.delete_message_batch(
                QueueUrl=self.events_queue_url,
                Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(messages)],
            )
