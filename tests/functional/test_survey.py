"""survey under moto: one record per contact, partial kept as partial, no direct identifiers."""

from __future__ import annotations

from typing import Any

from functions.handlers.survey import handler
from tests.functional.conftest import CALLER, make_event

FULL = {
    "fcrTimesCalled": "2",
    "fcrAllAnswered": "1",
    "fcrAvoidsCall": "2",
    "trust": "5",
    "effectiveness": "4",
    "ease": "4",
    "efficiency": "3",
    "transparency": "5",
    "humanity": "5",
    "employeeHelpfulness": "4",
    "satisfaction": "5",
}
CONTEXT = {
    "queueName": "general",
    "officeId": "central",
    "intent": "CONSULTATION",
    "routingProfile": "bilingual",
}


def submit(contact_id: str = "s-1", **params: str) -> Any:
    return handler(make_event(params, contact_id, CALLER), None)


def items(aws: Any) -> list[dict[str, Any]]:
    return aws.client("dynamodb").scan(TableName=aws.table("surveys"))["Items"]


def test_complete_survey_is_one_write_with_context_and_no_identifiers(
    seeded: Any, aws_calls: list[str]
) -> None:
    from functions.adapters.surveys import get

    aws_calls.clear()
    # Given every question answered When submitted
    assert submit(**FULL, **CONTEXT) == {"result": "COMPLETE", "answered": "11"}
    # Then exactly one write was made, holding the answers, the queue, office and routing profile
    assert aws_calls == ["PutItem"]
    record = get("s-1")
    assert record is not None and record.complete
    assert (record.queue, record.office_id, record.routing_profile) == ("general", "central", "bilingual")
    assert (
        record.fcr_times_called == 2 and record.fcr_all_answered is True and record.fcr_avoids_call is False
    )
    assert record.drivers["trust"] == 5  # type: ignore[index]
    [item] = items(seeded)
    assert item["period"]["S"] == "2026-11-23T15:00:00+00:00"
    assert CALLER not in str(item) and CALLER[2:] not in str(item)


def test_partial_survey_is_kept_as_partial(seeded: Any) -> None:
    from functions.adapters.surveys import get

    result = submit(trust="4", satisfaction="9", fcrAllAnswered="3", **CONTEXT)
    assert result == {"result": "PARTIAL", "answered": "1"}
    record = get("s-1")
    assert record is not None and not record.complete
    assert record.drivers == {"trust": 4} and record.fcr_all_answered is None


def test_declined_survey_stores_nothing(seeded: Any) -> None:
    assert submit(**CONTEXT) == {"result": "DECLINED", "answered": "0"}
    assert items(seeded) == []


def test_replayed_survey_has_one_effect(seeded: Any) -> None:
    results = [submit("same", **FULL, **CONTEXT) for _ in range(3)]
    assert results == [{"result": "COMPLETE", "answered": "11"}] * 3
    assert len(items(seeded)) == 1


def test_first_submission_wins(seeded: Any) -> None:
    from functions.adapters.surveys import get

    submit("twice", trust="2")
    submit("twice", **FULL)
    record = get("twice")
    assert record is not None and record.drivers == {"trust": 2}


def test_blank_language_from_an_unset_attribute_is_accepted(seeded: Any) -> None:
    assert submit(trust="3", language="")["result"] == "PARTIAL"
