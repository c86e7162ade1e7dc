"""Survey storage: one item per contact, written once.

``surveys`` table: ``SURVEY#<contact_id>`` / ``SURVEY`` holding a :class:`~schemas.records.SurveyResponse`
(drivers as a map driver -> 1..5) plus ``period`` (start of its 15-minute interval, UTC ISO) for the
metrics pipeline, which reads the table's stream. The conditional put keyed by the contact id IS the
idempotency: a retried call (or a second submission) finds the first one and changes nothing.
"""

from __future__ import annotations

from typing import Any

from functions.adapters import dynamo
from functions.domain.survey import period_start
from schemas.records import SurveyResponse


def survey_item(record: SurveyResponse) -> dict[str, Any]:
    return {
        "pk": f"SURVEY#{record.contact_id}",
        "sk": "SURVEY",
        **dynamo.stored(record),
        "period": period_start(record.submitted_at),
    }


def put_once(record: SurveyResponse) -> bool:
    """True when stored now, False when this contact's survey was already stored."""
    client = dynamo.ddb()
    try:
        client.put_item(
            TableName=dynamo.table("surveys"),
            Item=dynamo.to_item(survey_item(record)),
            ConditionExpression="attribute_not_exists(pk)",
        )
    except client.exceptions.ConditionalCheckFailedException:
        return False
    return True


def get(contact_id: str) -> SurveyResponse | None:
    item = dynamo.get("surveys", f"SURVEY#{contact_id}", "SURVEY", consistent=True)
    if not item:
        return None
    return dynamo.record(SurveyResponse, item, (*dynamo.KEYS, "period"))
