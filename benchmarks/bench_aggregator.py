"""Aggregator throughput in-process against moto, and DynamoDB writes per event.

Figures, all measured in this run:
* events/s and write calls + written items per event of the real aggregation pass
  (functions.handlers.contact_events.process) fed SQS batches of 10 envelopes;
* the same for a redelivery of every batch (idempotency: no rollup writes expected);
* the floor: one moto UpdateItem (ADD) per event on one item, the naive non-idempotent counter.
moto's TransactWriteItems deep-copies the table for every action, so absolute rates here are far
below DynamoDB's; the per-event write counts are what carries over to AWS.
"""

from __future__ import annotations

import json
import random
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

CONTACTS = 100
INSTANCE = "arn:aws:connect:us-east-1:123456789012:instance/00000000-0000-4000-8000-000000000001"


def _ts(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def contact_events(rng: random.Random) -> list[dict[str, Any]]:
    base = datetime(2026, 11, 23, 13, 0, tzinfo=UTC)
    events: list[dict[str, Any]] = []
    for index in range(CONTACTS):
        start = base + timedelta(seconds=rng.randint(0, 8 * 3600))
        queue = rng.choice(["general", "status", "appeals", "tier2"])
        common = {
            "contactId": f"bench-{index}",
            "channel": "VOICE",
            "initiationMethod": "INBOUND",
            "instanceArn": INSTANCE,
            "initiationTimestamp": _ts(start),
        }
        qinfo = {
            "queueArn": f"{INSTANCE}/queue/{queue}",
            "enqueueTimestamp": _ts(start + timedelta(seconds=30)),
        }
        events.append({**common, "eventType": "INITIATED"})
        events.append(
            {**common, "eventType": "CONTACT_DATA_UPDATED", "attributes": {"intent": "CONSULTATION"}}
        )
        events.append({**common, "eventType": "QUEUED", "queueInfo": qinfo})
        end = start + timedelta(seconds=30 + rng.randint(5, 400))
        last = {**common, "eventType": "DISCONNECTED", "queueInfo": qinfo, "disconnectTimestamp": _ts(end)}
        if rng.random() < 0.8:
            agent = {"agentArn": "a", "connectedToAgentTimestamp": _ts(end)}
            events.append(
                {**common, "eventType": "CONNECTED_TO_AGENT", "queueInfo": qinfo, "agentInfo": agent}
            )
            last.update(agentInfo=agent, disconnectReason="AGENT_DISCONNECT")
        else:
            last["disconnectReason"] = "CUSTOMER_DISCONNECT"
        events.append(last)
    rng.shuffle(events)
    return events


def _sqs(details: list[dict[str, Any]]) -> dict[str, Any]:
    records = []
    for i, detail in enumerate(details):
        envelope = {
            "version": "0",
            "id": str(uuid.uuid4()),
            "detail-type": "Amazon Connect Contact Event",
            "source": "aws.connect",
            "time": "2026-11-23T15:00:00Z",
            "detail": detail,
        }
        records.append({"messageId": str(i), "body": json.dumps(envelope), "eventSource": "aws:sqs"})
    return {"Records": records}


def _measure(
    process: Any, store: Any, rules: Any, batches: list[dict[str, Any]], counts: dict[str, int]
) -> float:
    counts.update(calls=0, items=0, rollups=0)
    began = time.perf_counter()
    for batch in batches:
        process(batch, store, rules)
    return time.perf_counter() - began


def run() -> None:
    import os

    os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "ERROR")
    from civicline.local.aws import LocalAws, create_table_kwargs
    from functions.adapters.metrics_dynamo import DynamoMetricsStore
    from functions.core.aws import client
    from functions.handlers.contact_events import process, rules_from_settings
    from infra.registry import TABLES_BY_NAME

    with LocalAws(prefix="bench"):
        ddb = client("dynamodb")
        counts = {"calls": 0, "items": 0, "rollups": 0}
        original_tx, original_put, original_update = ddb.transact_write_items, ddb.put_item, ddb.update_item

        def tx(**kwargs: Any) -> Any:
            counts["calls"] += 1
            counts["items"] += len(kwargs["TransactItems"])
            counts["rollups"] += sum(1 for a in kwargs["TransactItems"] if "Update" in a)
            return original_tx(**kwargs)

        def put(**kwargs: Any) -> Any:
            counts["calls"] += 1
            counts["items"] += 1
            return original_put(**kwargs)

        def update(**kwargs: Any) -> Any:
            counts["calls"] += 1
            counts["items"] += 1
            counts["rollups"] += 1
            return original_update(**kwargs)

        ddb.transact_write_items, ddb.put_item, ddb.update_item = tx, put, update
        rules = rules_from_settings()
        events = contact_events(random.Random(7))
        batches = [_sqs(events[i : i + 10]) for i in range(0, len(events), 10)]
        rows: list[tuple[str, float, dict[str, int]]] = []
        big = [_sqs(events[i : i + 100]) for i in range(0, len(events), 100)]
        for mode, size, chunks in (
            ("transactional", 10, batches),
            ("sequential", 10, batches),
            ("transactional", 100, big),
            ("sequential", 100, big),
        ):
            name = f"bench-{mode}-{size}"
            ddb.create_table(**create_table_kwargs(TABLES_BY_NAME["metrics"], name))
            store = DynamoMetricsStore(name, ddb, rules, transactional=mode == "transactional")
            seconds = _measure(process, store, rules, chunks, counts)
            rows.append((f"aggregator, batches of {size}, {mode}", seconds, dict(counts)))
            seconds = _measure(process, store, rules, chunks, counts)
            rows.append(("  the same batches redelivered", seconds, dict(counts)))

        ddb.update_item = original_update
        ddb.create_table(
            TableName="bench-baseline",
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
        began = time.perf_counter()
        for _ in events:
            ddb.update_item(
                TableName="bench-baseline",
                Key={"pk": {"S": "ROLLUP#ALL#15m"}},
                UpdateExpression="ADD offered :one",
                ExpressionAttributeValues={":one": {"N": "1"}},
            )
        rows.append(("floor: one moto UpdateItem ADD per event", time.perf_counter() - began, {}))

    n = len(events)
    print(f"{n} contact events ({CONTACTS} contacts, shuffled), in-process moto")
    print(
        f"{'measure':<46}{'events/s':>10}{'write calls/event':>19}{'items/event':>13}{'rollup upd/event':>18}"
    )
    for label, seconds, c in rows:
        calls = c.get("calls", n) / n
        items = c.get("items", n) / n
        rollups = c.get("rollups", n) / n
        print(f"{label:<46}{n / seconds:>10.0f}{calls:>19.3f}{items:>13.3f}{rollups:>18.3f}")
    print(
        "each event touches 6 rollup items (its queue and ALL x 15m/day/quarter); one batch writes each "
        "touched item once. moto's TransactWriteItems deep-copies the table per action, hence its rate."
    )
