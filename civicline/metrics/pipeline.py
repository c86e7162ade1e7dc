"""The local contact-event pipeline: drain the rule's queue into the real aggregator handler.

:func:`pump` is what Lambda's SQS event source mapping and the tables' DynamoDB streams do in AWS:
it takes the envelopes the EventBridge rule routed to the local queue, wraps them in SQS-shaped
batches, and invokes ``functions.handlers.contact_events.handler`` with them; then it feeds the
``surveys`` and ``callbacks`` items as DynamoDB-stream-shaped batches. Feeding a table item again is
harmless (the aggregator merges facts), so the pump simply replays the tables' current items.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Protocol

Handler = Callable[[dict[str, Any], Any], dict[str, Any]]


class ContactEventSource(Protocol):
    """What the pump needs from :class:`civicline.local.aws.LocalAws`."""

    def drain_contact_events(self, max_batches: int = ...) -> Iterable[list[dict[str, Any]]]: ...

    def table(self, logical: str) -> str: ...

    def client(self, service: str) -> Any: ...


@dataclass
class PumpReport:
    batches: int = 0
    events: int = 0
    table_items: int = 0
    rollup_updates: int = 0
    skipped: dict[str, int] = field(default_factory=dict)
    #: envelopes or items still failing after ``retries`` re-deliveries (a DLQ in AWS)
    dead_letters: list[dict[str, Any]] = field(default_factory=list)

    def absorb(self, response: dict[str, Any]) -> None:
        summary = response.get("summary", {})
        self.rollup_updates += int(summary.get("rollup_updates", 0))
        for reason, count in summary.get("skipped", {}).items():
            self.skipped[reason] = self.skipped.get(reason, 0) + int(count)


def sqs_batch(envelopes: list[dict[str, Any]]) -> dict[str, Any]:
    """An SQS event source batch, as Lambda receives it, carrying EventBridge envelopes."""
    return {
        "Records": [
            {
                "messageId": f"m{index}-{envelope.get('id', '')}",
                "receiptHandle": f"local-{index}",
                "body": json.dumps(envelope),
                "attributes": {"ApproximateReceiveCount": "1"},
                "messageAttributes": {},
                "eventSource": "aws:sqs",
                "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:civicline-local-contact-events",
                "awsRegion": "us-east-1",
            }
            for index, envelope in enumerate(envelopes)
        ]
    }


def stream_batch(table: str, items: list[dict[str, Any]], start: int = 0) -> dict[str, Any]:
    """A DynamoDB stream batch (NEW_IMAGE) for typed items as returned by the low-level client."""
    return {
        "Records": [
            {
                "eventID": f"e{start + index}",
                "eventName": "INSERT",
                "eventSource": "aws:dynamodb",
                "eventSourceARN": f"arn:aws:dynamodb:us-east-1:123456789012:table/{table}/stream/local",
                "dynamodb": {
                    "Keys": {k: item[k] for k in ("pk", "sk") if k in item},
                    "NewImage": item,
                    "SequenceNumber": str(start + index),
                    "StreamViewType": "NEW_IMAGE",
                },
            }
            for index, item in enumerate(items)
        ]
    }


def _default_handler() -> Handler:
    from functions.handlers.contact_events import handler

    entry: Handler = handler
    return entry


def deliver(handler: Handler, event: dict[str, Any], report: PumpReport, retries: int) -> list[int]:
    """Invoke; re-deliver failed records up to ``retries`` times; return indexes still failing."""
    records = event["Records"]
    pending = list(range(len(records)))
    for _ in range(retries + 1):
        response = handler({"Records": [records[i] for i in pending]}, None)
        report.absorb(response)
        ids = {f["itemIdentifier"] for f in response.get("batchItemFailures", [])}
        pending = [i for i in pending if _record_id(records[i]) in ids]
        if not pending:
            break
    return pending


def _record_id(record: dict[str, Any]) -> str:
    if record.get("eventSource") == "aws:dynamodb":
        return str(record["dynamodb"]["SequenceNumber"])
    return str(record["messageId"])


def pump(
    local_aws: ContactEventSource,
    *,
    handler: Handler | None = None,
    tables: bool = True,
    retries: int = 2,
    batch_size: int = 100,
    transactional: bool = False,
) -> PumpReport:
    """Drain the local contact-event queue (and replay survey/callback items) through the aggregator.

    The pump is the only writer of the local metrics table, so by default it asks the handler for
    sequential commits (``transactional=False``): moto's TransactWriteItems copies the whole table for
    every action. ``transactional=True`` exercises the exact AWS write path instead.
    """
    with single_writer(enabled=not transactional):
        return _pump(local_aws, handler or _default_handler(), tables, retries, batch_size)


@contextmanager
def single_writer(enabled: bool = True) -> Iterator[None]:
    """While active, the aggregator handler commits with sequential conditional writes instead of
    TransactWriteItems (see docs/metrics.md). For local runs with one writer only, e.g. a simulator
    calling ``functions.handlers.contact_events.handler`` itself; the deployed function never does."""
    import os

    from functions.handlers.contact_events import COMMIT_MODE_ENV

    saved = os.environ.get(COMMIT_MODE_ENV)
    os.environ[COMMIT_MODE_ENV] = "sequential" if enabled else "transactional"
    try:
        yield
    finally:
        if saved is None:
            os.environ.pop(COMMIT_MODE_ENV, None)
        else:
            os.environ[COMMIT_MODE_ENV] = saved


def _pump(
    local_aws: ContactEventSource, invoke: Handler, tables: bool, retries: int, batch_size: int
) -> PumpReport:
    report = PumpReport()

    def send(chunk: list[dict[str, Any]]) -> None:
        report.batches += 1
        report.events += len(chunk)
        for index in deliver(invoke, sqs_batch(chunk), report, retries):
            report.dead_letters.append(chunk[index])

    pending: list[dict[str, Any]] = []
    for envelopes in local_aws.drain_contact_events():
        pending.extend(envelopes)  # like an event source mapping with a batching window
        while len(pending) >= batch_size:
            send(pending[:batch_size])
            pending = pending[batch_size:]
    if pending:
        send(pending)
    if tables:
        replay_tables(local_aws, invoke, report, retries)
    return report


def replay_tables(local_aws: ContactEventSource, invoke: Handler, report: PumpReport, retries: int) -> None:
    """The survey and callback items as their tables' DynamoDB streams deliver them (NEW_IMAGE)."""
    ddb = local_aws.client("dynamodb")
    for logical in ("callbacks", "surveys"):
        name = local_aws.table(logical)
        items: list[dict[str, Any]] = []
        kwargs: dict[str, Any] = {"TableName": name}
        while True:
            page = ddb.scan(**kwargs)
            items.extend(page.get("Items", []))
            if "LastEvaluatedKey" not in page:
                break
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
        for start in range(0, len(items), 100):
            chunk = items[start : start + 100]
            event = stream_batch(name, chunk, start)
            report.batches += 1
            report.table_items += len(chunk)
            for index in deliver(invoke, event, report, retries):
                report.dead_letters.append(chunk[index])
