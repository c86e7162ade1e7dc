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


def test_declined_survey_is_stored_without_answers(seeded: Any, aws_calls: list[str]) -> None:
    from functions.adapters.surveys import get

    aws_calls.clear()
    # Given a customer offered the survey who answers nothing (pressed 2, or let it time out)
    assert submit(**CONTEXT) == {"result": "DECLINED", "answered": "0"}
    # Then one conditional put stored the offer: declined, no answers, no identifiers
    assert aws_calls == ["PutItem"]
    record = get("s-1")
    assert record is not None and record.declined and not record.complete
    assert record.drivers == {} and record.fcr_all_answered is None
    assert CALLER not in str(items(seeded))


def test_a_declined_survey_counts_as_offered_in_the_rollups(seeded: Any) -> None:
    from civicline.metrics.pipeline import pump
    from civicline.metrics.queries import open_store, query
    from schemas.records import Grain

    # Given one customer who declined the survey and one who answered it
    submit("declines", **CONTEXT)
    submit("answers", **FULL, **CONTEXT)
    submit("declines", **FULL, **CONTEXT)  # a retry after the decline changes nothing
    # When the surveys table's stream reaches the aggregator
    assert pump(seeded).dead_letters == []
    [row] = query(open_store(), queues=["ALL"], grain=Grain.QUARTER)
    # Then both were offered the survey and one responded, per service and channel too
    assert (row.rollup.surveys_offered, row.rollup.survey_responses) == (2, 1)
    assert row.ratios["survey_response_rate"] == 0.5
    assert row.rollup.a11_volumes == {"offered|CONSULTATION|VOICE": 2, "respondents|CONSULTATION|VOICE": 1}


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
