"""Aggregator Lambda: Amazon Connect contact events, surveys and callbacks -> per-queue rollups.

Thin: parse the delivery (SQS batch, EventBridge envelope or DynamoDB stream batch), aggregate every
record's facts in one pass (one rollup update per touched rollup item per invocation), report.
Records that can never be aggregated are counted (EMF metrics) and logged, not retried. The
registry's CloudWatch measures are published from what the stored update counted, stack-wide and per
channel (functions.domain.metrics_cloudwatch), so a duplicate publishes nothing twice. When the
pass fails, the batch is bisected so that only the records that fail on their own are reported in
``batchItemFailures`` (SQS and stream); an error that would fail any record alike (throttling, a
missing table) reports the whole batch at once. A direct EventBridge target raises instead, so the
platform retries and finally dead-letters it: nothing is silently lost, and one poison record never
takes its batch-mates to the dead-letter queue. Re-processing is harmless (functions.domain.metrics).
"""

from __future__ import annotations

import time
from collections import Counter
from typing import Any

from functions.core.observability import logger, metrics, publish_metric_sets
from functions.core.settings import get_settings
from functions.domain.metrics import Rules
from functions.domain.metrics_aggregation import (
    ConflictError,
    MetricsStore,
    aggregate,
    isolate_failures,
    merge_reports,
)
from functions.domain.metrics_cloudwatch import channel_sets, published_values


def rules_from_settings() -> Rules:
    settings = get_settings()
    return Rules(
        service_level_seconds=settings.service_level_seconds,
        repeat_window_days=settings.repeat_window_days,
        time_zone=settings.time_zone,
    )


#: DynamoDB error codes that say nothing about any one record: the whole group is retried as it is
BATCH_WIDE_CODES = frozenset(
    {
        "ThrottlingException",
        "ProvisionedThroughputExceededException",
        "RequestLimitExceeded",
        "ResourceNotFoundException",
        "AccessDeniedException",
        "UnrecognizedClientException",
        "InternalServerError",
        "ServiceUnavailable",
        "TransactionInProgressException",
    }
)
#: transaction cancellation reasons that are contention or capacity, not a record's content
BATCH_WIDE_REASONS = frozenset({"ThrottlingError", "ProvisionedThroughputExceeded", "TransactionConflict"})


def _error_code(error: Exception) -> str:
    response = getattr(error, "response", None)
    return str(response.get("Error", {}).get("Code", "")) if isinstance(response, dict) else ""


def batch_wide(error: Exception) -> bool:
    """Whether ``error`` would fail any record alike (throttling, a missing table, lost races, the
    network), so bisecting the batch cannot isolate a culprit. Anything else may be one record's
    doing (a ValidationException for a key or item over DynamoDB's limits) and is bisected."""
    from botocore.exceptions import ConnectionError as BotoConnectionError
    from botocore.exceptions import HTTPClientError

    if isinstance(error, ConflictError | BotoConnectionError | HTTPClientError):
        return True
    code = _error_code(error)
    if code == "TransactionCanceledException":
        reasons = {r.get("Code") for r in getattr(error, "response", {}).get("CancellationReasons", [])}
        reasons.discard("None")
        return bool(reasons) and reasons <= BATCH_WIDE_REASONS
    return code in BATCH_WIDE_CODES


#: set to "sequential" only by the local single-writer pump (civicline.metrics.pipeline); never in AWS
COMMIT_MODE_ENV = "METRICS_COMMIT_MODE"


def default_store() -> MetricsStore:
    import os

    from functions.adapters.metrics_dynamo import DynamoMetricsStore
    from functions.core.aws import client

    return DynamoMetricsStore(
        get_settings().table("metrics"),
        client("dynamodb"),
        rules_from_settings(),
        transactional=os.environ.get(COMMIT_MODE_ENV, "transactional") != "sequential",
    )


def process(event: Any, store: MetricsStore, rules: Rules, now_ms: int | None = None) -> dict[str, Any]:
    """Handle one delivery; returns the Lambda response (``batchItemFailures`` for batches)."""
    from functions.adapters.metrics_inputs import parse

    queue_names = {arn: name for name, arn in get_settings().queue_arns.items()}
    shape, records = parse(event, queue_names)
    skipped = Counter(r.skipped for r in records if r.skipped)
    for record in records:
        if record.skipped:
            logger.warning("contact event skipped", reason=record.skipped, detail=record.detail, shape=shape)
    usable = [r for r in records if not r.skipped and r.facts]
    at = now_ms if now_ms is not None else int(time.time() * 1000)
    failed: list[str] = []
    report = None
    if usable:
        if shape == "eventbridge":
            report = aggregate(usable[0].facts, store, rules, at)  # raises: EventBridge retries it
        else:
            bad, reports, error = isolate_failures(
                usable,
                lambda group: aggregate([f for r in group for f in r.facts], store, rules, at),
                batch_wide,
            )
            report = merge_reports(reports)
            failed = [r.record_id for r in bad]
            if error is not None:
                logger.error(
                    "aggregation failed; these records will be retried",
                    records=len(usable),
                    failed=len(failed),
                    error=type(error).__name__,
                    code=_error_code(error),
                )
    if report is not None:
        logger.info(
            "aggregated",
            shape=shape,
            records=len(records),
            facts=report.facts,
            entities_changed=report.entities_changed,
            rollup_updates=report.rollup_updates,
            transactions=report.transactions,
            attempts=report.attempts,
        )
    summary: dict[str, Any] = {
        "records": len(records),
        "aggregated": len(usable) - len(failed),
        "skipped": dict(skipped),
        "rollup_updates": report.rollup_updates if report else 0,
        "failed": len(failed),
        "totals": dict(report.totals) if report else {},
    }
    if shape in ("sqs", "dynamodb"):
        return {"batchItemFailures": [{"itemIdentifier": rid} for rid in failed], "summary": summary}
    return {"summary": summary}


@metrics.log_metrics(raise_on_empty_metrics=False)
def handler(event: Any, context: Any) -> dict[str, Any]:
    """Lambda entry point (registry: functions.handlers.contact_events.handler)."""
    from aws_lambda_powertools.metrics import MetricUnit

    response = process(event, default_store(), rules_from_settings())
    summary = response["summary"]
    for reason, count in summary["skipped"].items():
        metrics.add_metric(name=f"Skipped_{reason}", unit=MetricUnit.Count, value=count)
    metrics.add_metric(name="RollupUpdates", unit=MetricUnit.Count, value=summary["rollup_updates"])
    metrics.add_metric(name="RecordsFailed", unit=MetricUnit.Count, value=summary["failed"])
    totals = summary["totals"]
    for value in published_values(totals):
        metrics.add_metric(name=value.name, unit=MetricUnit(value.unit), value=value.value)
    publish_metric_sets(channel_sets(totals))
    return response
