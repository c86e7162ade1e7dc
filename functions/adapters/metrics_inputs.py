"""Turn what the aggregator Lambda receives into facts.

Three delivery shapes reach the same handler (docs/metrics.md, "Deployment contract"):

* an SQS batch (EventBridge rule -> SQS queue with DLQ -> Lambda, ReportBatchItemFailures), each
  body an EventBridge envelope;
* a single EventBridge envelope (the rule targets the Lambda directly);
* a DynamoDB stream batch from the ``surveys`` or ``callbacks`` table (NEW_IMAGE).

A record that can never be aggregated (bad JSON, not a contact event, an unknown event type, an item
that is not a survey or callback request) is *skipped*: counted and logged by the handler, never a
failure that would be retried forever.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal

from pydantic import ValidationError

from functions.domain.metrics import Fact, callback_fact, event_fact, notification_fact, survey_fact
from schemas import codec
from schemas.contact_events import ContactEvent, ContactEventType
from schemas.records import CallbackRequest, SurveyResponse

Shape = Literal["sqs", "eventbridge", "dynamodb", "unknown"]
Triple = tuple[str, str, Fact]


@dataclass
class RecordInput:
    """One delivered record: its id for batchItemFailures, its facts, or why it was skipped."""

    record_id: str
    facts: list[Triple] = field(default_factory=list)
    skipped: str | None = None  # "malformed" | "unknown_event_type" | "not_contact_event" | "ignored"
    detail: str = ""


def shape_of(event: Any) -> Shape:
    if isinstance(event, Mapping):
        records = event.get("Records")
        if isinstance(records, list) and records and isinstance(records[0], Mapping):
            source = records[0].get("eventSource")
            if source == "aws:sqs":
                return "sqs"
            if source == "aws:dynamodb":
                return "dynamodb"
        if "detail" in event and "detail-type" in event:
            return "eventbridge"
    return "unknown"


#: Contract N: what the notifier publishes on the same bus (docs/metrics.md)
NOTIFICATION_SOURCE = "civicline.notifications"
NOTIFICATION_DETAIL_TYPE = "Notification Outcome"


def from_notification(record_id: str, envelope: Mapping[str, Any]) -> RecordInput:
    """Facts of one Notification Outcome envelope; a bad detail is malformed (logged, not retried)."""
    detail = envelope.get("detail")
    if not isinstance(detail, Mapping):
        return RecordInput(record_id, skipped="malformed", detail="detail is not an object")
    try:
        return RecordInput(record_id, facts=[notification_fact(detail)])
    except (ValueError, TypeError) as exc:
        return RecordInput(record_id, skipped="malformed", detail=f"notification {exc}"[:300])


def from_envelope(record_id: str, envelope: Any, queue_names: Mapping[str, str] | None = None) -> RecordInput:
    """Facts of one EventBridge envelope (already JSON-decoded): a contact event or a notification
    outcome (told apart by ``source`` and ``detail-type``; anything else keeps its typed outcome)."""
    if (
        isinstance(envelope, Mapping)
        and envelope.get("source") == NOTIFICATION_SOURCE
        and envelope.get("detail-type") == NOTIFICATION_DETAIL_TYPE
    ):
        return from_notification(record_id, envelope)
    try:
        parsed = ContactEvent.model_validate(envelope)
    except ValidationError as exc:
        errors = ",".join(".".join(str(p) for p in e["loc"]) + ":" + e["type"] for e in exc.errors())
        return RecordInput(record_id, skipped="malformed", detail=errors[:300])
    if not parsed.is_contact_event:
        return RecordInput(record_id, skipped="not_contact_event", detail=parsed.detail_type)
    if parsed.detail.kind is ContactEventType.UNKNOWN:
        return RecordInput(record_id, skipped="unknown_event_type", detail=parsed.detail.eventType[:64])
    return RecordInput(record_id, facts=[event_fact(parsed.detail, parsed.time, queue_names)])


def from_sqs_record(record: Mapping[str, Any], queue_names: Mapping[str, str] | None = None) -> RecordInput:
    record_id = str(record.get("messageId", ""))
    try:
        envelope = json.loads(record.get("body") or "")
    except (TypeError, json.JSONDecodeError):
        return RecordInput(record_id, skipped="malformed", detail="body is not JSON")
    return from_envelope(record_id, envelope, queue_names)


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | set | tuple):
        return [_plain(v) for v in value]
    return value


def _model_fields(model: type[Any], item: Mapping[str, Any]) -> dict[str, Any]:
    """Keep only the record's fields: table items also carry keys, GSI keys, TTL and pipeline fields."""
    return {f.name: item[f.name] for f in dataclasses.fields(model) if f.name in item}


def from_stream_record(record: Mapping[str, Any]) -> RecordInput:
    """Facts of one DynamoDB stream record (surveys or callbacks table)."""
    from boto3.dynamodb.types import TypeDeserializer

    dynamodb = record.get("dynamodb") or {}
    record_id = str(dynamodb.get("SequenceNumber") or record.get("eventID", ""))
    if record.get("eventName") == "REMOVE" or "NewImage" not in dynamodb:
        return RecordInput(record_id, skipped="ignored", detail="no new image")
    try:
        deserializer = TypeDeserializer()
        item = {k: _plain(deserializer.deserialize(v)) for k, v in dynamodb["NewImage"].items()}
    except (TypeError, ValueError, KeyError, AttributeError) as exc:
        return RecordInput(record_id, skipped="malformed", detail=type(exc).__name__)
    drivers = item.get("drivers")
    if isinstance(drivers, str):
        try:
            item["drivers"] = json.loads(drivers)
        except json.JSONDecodeError:
            return RecordInput(record_id, skipped="malformed", detail="drivers is not JSON")
    try:
        if "callback_id" in item and "contact_id" in item:
            return RecordInput(
                record_id,
                facts=[callback_fact(codec.load(CallbackRequest, _model_fields(CallbackRequest, item)))],
            )
        if "submitted_at" in item and "contact_id" in item:
            survey = codec.load(SurveyResponse, _model_fields(SurveyResponse, item))
            return RecordInput(record_id, facts=[survey_fact(survey)])
    except codec.ContractError as exc:
        return RecordInput(record_id, skipped="malformed", detail=",".join(exc.fields())[:300])
    return RecordInput(record_id, skipped="ignored", detail="neither a survey nor a callback request")


def parse(event: Any, queue_names: Mapping[str, str] | None = None) -> tuple[Shape, list[RecordInput]]:
    """The delivery shape and one :class:`RecordInput` per record."""
    shape = shape_of(event)
    if shape == "sqs":
        return shape, [from_sqs_record(r, queue_names) for r in event["Records"]]
    if shape == "dynamodb":
        return shape, [from_stream_record(r) for r in event["Records"]]
    if shape == "eventbridge":
        return shape, [from_envelope(str(event.get("id", "")), event, queue_names)]
    return shape, [RecordInput("", skipped="malformed", detail="not an SQS, stream or EventBridge event")]
