"""Lambda ``survey``: store one post-call survey per contact, with no direct identifiers.

Hot path: ONE conditional put keyed by the contact id (that put IS the idempotency). Partial
surveys are stored as partial; a survey with no answer is stored as declined (no answers, no
identifiers), so the metrics count every customer offered the survey, not only those who answered.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from functions.adapters import surveys
from functions.core.clock import now
from functions.core.connect import handle_connect
from functions.core.observability import logger
from functions.core.settings import get_settings
from functions.domain.survey import build_response
from schemas.connect_lambda import ContactData
from schemas.functions import SurveyParameters, SurveyResponseResult


def handler(event: Any, context: Any) -> dict[str, str]:
    return handle_connect(event, SurveyParameters, _store, function="survey")


def _store(contact: ContactData, params: SurveyParameters) -> SurveyResponseResult:
    queue = get_settings().queue_key(params.queueArn or params.queueName) or ""  # ARN -> registry key
    result, answered, record = build_response(
        contact.ContactId, replace(params, queueName=queue), now(), contact.Channel or "VOICE"
    )
    logger.info("survey", result=result, answered=answered)
    surveys.put_once(record)
    return SurveyResponseResult(result=result, answered=str(answered))
