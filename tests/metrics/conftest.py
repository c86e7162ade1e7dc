"""Helpers for the metrics tests: a fresh metrics table per example, delivery in SQS / stream shapes."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable
from datetime import timedelta
from typing import Any

import pytest
from boto3.dynamodb.types import TypeSerializer

from functions.adapters.metrics_dynamo import DynamoMetricsStore
from functions.domain.metrics import Rules
from functions.handlers.contact_events import process
from schemas.contact_events import DETAIL_TYPE, SOURCE
from tests.metrics.lifecycles import BASE, Lifecycle

RULES = Rules(service_level_seconds=60, repeat_window_days=7, time_zone="America/New_York")


def fresh_store(local_aws: Any) -> DynamoMetricsStore:
    """A new, empty metrics table (registry layout) so each hypothesis example starts clean."""
    from civicline.local.aws import create_table_kwargs
    from infra.registry import TABLES_BY_NAME

    name = f"metrics-{uuid.uuid4().hex[:10]}"
    ddb = local_aws.client("dynamodb")
    ddb.create_table(**create_table_kwargs(TABLES_BY_NAME["metrics"], name))
    return DynamoMetricsStore(name, ddb, RULES)


def envelope(detail: dict[str, Any], event_id: str | None = None) -> dict[str, Any]:
    return {
        "version": "0",
        "id": event_id or str(uuid.uuid4()),
        "detail-type": DETAIL_TYPE,
        "source": SOURCE,
        "account": "123456789012",
        "time": "2026-11-23T15:00:00Z",
        "region": "us-east-1",
        "resources": [],
        "detail": detail,
    }


def sqs_event(envelopes: Iterable[dict[str, Any]]) -> dict[str, Any]:
    return {
        "Records": [
            {"messageId": f"m{i}", "body": json.dumps(e), "eventSource": "aws:sqs"}
            for i, e in enumerate(envelopes)
        ]
    }


def stream_event(items: Iterable[dict[str, Any]]) -> dict[str, Any]:
    serializer = TypeSerializer()
    records = []
    for index, item in enumerate(items):
        image = {k: serializer.serialize(v) for k, v in item.items()}
        records.append(
            {
                "eventID": str(index),
                "eventName": "INSERT",
                "eventSource": "aws:dynamodb",
                "dynamodb": {"NewImage": image, "SequenceNumber": str(index)},
            }
        )
    return {"Records": records}


def table_items(lives: Iterable[Lifecycle]) -> list[dict[str, Any]]:
    out = []
    for life in lives:
        if life.callback_item is not None:
            out.append(life.callback_item)
        survey = life.survey_item()
        if survey is not None:
            out.append(survey)
    return out


def deliver(
    store: DynamoMetricsStore, envelopes: list[dict[str, Any]], items: list[dict[str, Any]], batch: int = 10
) -> None:
    for start in range(0, len(envelopes), batch):
        response = process(sqs_event(envelopes[start : start + batch]), store, RULES, now_ms=0)
        assert response["batchItemFailures"] == []
    for start in range(0, len(items), batch):
        response = process(stream_event(items[start : start + batch]), store, RULES, now_ms=0)
        assert response["batchItemFailures"] == []


def rollups(store: DynamoMetricsStore, grain: str = "15m") -> dict[tuple[str, str], dict[str, int]]:
    """Every rollup of a grain as {(queue, period): {counter: value}} without zero counters."""
    out: dict[tuple[str, str], dict[str, int]] = {}
    for queue in store.rollup_queues():
        for row in store.query_rollups(queue, grain):
            counters = {k: int(v) for k, v in row["counters"].items() if v}
            if counters:
                out[(queue, row["period"])] = counters
    return out


def day_of_calls() -> list[Lifecycle]:
    survey = {"fcr_all_answered": True, "fcr_times_called": 1, "drivers": {"trust": 4, "ease": 5}}
    specs = [
        ("a1", "answered", "general", 0, 30.0, "none", survey),
        ("a2", "answered", "general", 20, 90.0, "none", {"fcr_all_answered": False, "drivers": {"trust": 2}}),
        ("a3", "abandoned", "general", 35, 45.0, "none", None),
        ("a4", "callback_native", "status", 40, 200.0, "connected", None),
        ("a5", "self_service", "general", 50, 0.0, "none", None),
        ("a6", "courtesy", "appeals", 70, 10.0, "none", None),
    ]
    return [
        Lifecycle(
            cid, kind, queue, BASE + timedelta(minutes=m), wait, outcome, srv, offered_callback=True
        ).build()
        for cid, kind, queue, m, wait, outcome, srv in specs
    ]


@pytest.fixture
def filled(local_aws: Any) -> Any:
    """A LocalAws whose metrics table holds the rollups of :func:`day_of_calls` (through the pump)."""
    from civicline.metrics.pipeline import pump
    from functions.adapters.dynamo import to_item
    from functions.core.aws import client

    lives = day_of_calls()
    local_aws.put_contact_events([e.detail for life in lives for e in life.events])
    for life in lives:
        item = life.survey_item()
        if item:
            client("dynamodb").put_item(TableName=local_aws.table("surveys"), Item=to_item(item))
    report = pump(local_aws)
    assert report.dead_letters == []
    return local_aws
