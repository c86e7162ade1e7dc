"""Post-call survey: keypad answers to a stored response with no direct identifiers.

Questions (OMB Circular A-11 section 280 drivers on a 1-5 scale, plus first-contact resolution):
``fcrTimesCalled`` 1-9 (9 = nine or more), ``fcrAllAnswered`` and ``fcrAvoidsCall`` 1 = yes 2 = no.
A blank or out-of-range key press counts as not answered. All answered: COMPLETE; some: PARTIAL
(kept as partial); none: DECLINED (stored too, marked declined: it is how a deployment knows how
many customers were offered the survey, A-11's "volume provided a survey opportunity").
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Literal

from functions.domain.metrics_registry import service_of
from schemas.functions import SurveyParameters
from schemas.records import A11Driver, SurveyResponse

QUESTIONS = 3 + len(A11Driver)
#: the metrics pipeline aggregates surveys into 15-minute periods
PERIOD_MINUTES = 15
SurveyResult = Literal["COMPLETE", "PARTIAL", "DECLINED"]


def _digit(value: str, low: int, high: int) -> int | None:
    if len(value) == 1 and value.isascii() and value.isdigit() and low <= int(value) <= high:
        return int(value)
    return None


def _yes_no(value: str) -> bool | None:
    return {"1": True, "2": False}.get(value)


def build_response(
    contact_id: str, params: SurveyParameters, now: datetime, channel: str = "VOICE"
) -> tuple[SurveyResult, int, SurveyResponse]:
    """(result, number answered, the record to store)."""
    drivers = {}
    for driver in A11Driver:
        score = _digit(getattr(params, driver.value), 1, 5)
        if score is not None:
            drivers[driver] = score
    times = _digit(params.fcrTimesCalled, 1, 9)
    all_answered = _yes_no(params.fcrAllAnswered)
    avoids = _yes_no(params.fcrAvoidsCall)
    answered = len(drivers) + sum(v is not None for v in (times, all_answered, avoids))
    result: SurveyResult = "COMPLETE" if answered == QUESTIONS else "PARTIAL" if answered else "DECLINED"
    record = SurveyResponse(
        contact_id=contact_id,
        submitted_at=now,
        channel=(channel or "VOICE").upper(),
        service=service_of(params.intent),
        queue=params.queueName or None,
        office_id=params.officeId or None,
        intent=params.intent or None,
        routing_profile=params.routingProfile or None,
        language=params.language,
        fcr_times_called=times,
        fcr_all_answered=all_answered,
        fcr_avoids_call=avoids,
        drivers=drivers,
        complete=result == "COMPLETE",
        declined=result == "DECLINED",
    )
    return result, answered, record


def period_start(moment: datetime) -> str:
    """Start of the 15-minute interval containing ``moment``, as a UTC ISO timestamp."""
    utc = moment.astimezone(UTC)
    floored = utc.replace(minute=utc.minute - utc.minute % PERIOD_MINUTES, second=0, microsecond=0)
    return floored.isoformat()
