"""Status notifications on moto: consent through the real ``notify_consent`` entry point, changes
through the real ``notifier`` with cases-stream records; one notification per change, STOP obeyed,
quiet hours kept, failed sends retried and never counted as sent, no personal data in logs."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from functions.adapters import cases as case_store
from functions.adapters.dynamo import ddb, table
from functions.domain.notifications import in_quiet_hours, is_stop, quiet_hours_end
from functions.handlers.notifier import handler as notifier
from functions.handlers.notify_consent import handler as consent_handler
from schemas.records import CaseStatus, StatusChange
from tests.channels.conftest import Clock
from tests.functional.conftest import CALLER, make_event

ADDRESS = "ana.citizen@example.org"


def consent(**params: str) -> dict[str, str]:
    return consent_handler(make_event({"action": "consent", **params}), None)


def change_record(case_number: str, status: CaseStatus, at: datetime, seq: str = "1") -> dict[str, Any]:
    """A cases-stream MODIFY record as DynamoDB Streams delivers it (typed attribute values)."""
    old = case_store.get_case(case_number)
    assert old is not None
    new = dataclasses.replace(old, status=status, history=[*old.history, StatusChange(status=status, at=at)])
    ddb().put_item(TableName=table("cases"), Item=_typed(case_store.case_item(new)))
    return {
        "eventName": "MODIFY",
        "dynamodb": {
            "SequenceNumber": seq,
            "OldImage": _typed(case_store.case_item(old)),
            "NewImage": _typed(case_store.case_item(new)),
        },
    }


def _typed(item: dict[str, Any]) -> dict[str, Any]:
    from functions.adapters.dynamo import to_item

    return to_item(item)


def new_status(case: Any) -> CaseStatus:
    return next(s for s in CaseStatus if s.value != case.status)


def test_email_consent_then_a_status_change_sends_one_email(ses: list[Any], cases: Any, clock: Clock) -> None:
    case = cases[0]
    assert consent(caseNumber=case.case_number, channel="EMAIL", destination=ADDRESS)["result"] == "RECORDED"
    record = change_record(case.case_number, new_status(case), clock.moment)
    assert notifier({"Records": [record]}, None) == {"batchItemFailures": []}
    assert len(ses) == 1
    assert "Reply STOP" in ses[0].body
    assert case.case_number not in ses[0].body
    # the same change delivered again (a stream retry) is not sent twice
    assert notifier({"Records": [record]}, None) == {"batchItemFailures": []}
    assert len(ses) == 1


def test_no_consent_means_no_message(ses: list[Any], cases: Any, clock: Clock) -> None:
    notifier({"Records": [change_record(cases[1].case_number, new_status(cases[1]), clock.moment)]}, None)
    assert ses == []


def test_stop_withdraws_consent_until_it_is_given_again(ses: list[Any], cases: Any, clock: Clock) -> None:
    case = cases[2]
    consent(caseNumber=case.case_number, channel="EMAIL", destination=ADDRESS)
    stopped = consent_handler(
        make_event({"action": "stop", "channel": "EMAIL", "destination": ADDRESS}), None
    )
    assert stopped["result"] == "STOPPED"
    notifier({"Records": [change_record(case.case_number, new_status(case), clock.moment)]}, None)
    assert ses == []


def test_quiet_hours_defer_the_message(ses: list[Any], cases: Any, clock: Clock) -> None:
    case = cases[3]
    consent(caseNumber=case.case_number, channel="EMAIL", destination=ADDRESS)
    clock.moment = clock.moment.replace(hour=3)  # 22:00 in New York
    notifier({"Records": [change_record(case.case_number, new_status(case), clock.moment)]}, None)
    assert ses == []


def test_a_failed_sms_is_retried_and_not_counted_as_sent(
    seeded: Any, cases: Any, clock: Clock, aws_faults: Callable[[str], Any]
) -> None:
    case = cases[4]
    assert consent(caseNumber=case.case_number, channel="SMS")["result"] == "RECORDED"  # the caller's number
    faults = aws_faults("pinpoint-sms-voice-v2")
    faults.fail("SendTextMessage", "ThrottlingException", times=None)
    record = change_record(case.case_number, new_status(case), clock.moment, seq="42")
    assert notifier({"Records": [record]}, None) == {"batchItemFailures": [{"itemIdentifier": "42"}]}
    # the claim was given back: the retry tries again (and fails again here), still not "already sent"
    assert notifier({"Records": [record]}, None) == {"batchItemFailures": [{"itemIdentifier": "42"}]}


def test_a_failed_email_is_retried_then_sent_once(
    ses: list[Any], cases: Any, clock: Clock, aws_faults: Callable[[str], Any]
) -> None:
    case = cases[5]
    consent(caseNumber=case.case_number, channel="EMAIL", destination=ADDRESS)
    aws_faults("sesv2").fail("SendEmail", "ThrottlingException", times=1)
    record = change_record(case.case_number, new_status(case), clock.moment, seq="7")
    assert notifier({"Records": [record]}, None)["batchItemFailures"] == [{"itemIdentifier": "7"}]
    assert ses == []
    assert notifier({"Records": [record]}, None)["batchItemFailures"] == []
    assert len(ses) == 1


@pytest.mark.parametrize(
    "params",
    [
        {"caseNumber": "123", "channel": "EMAIL", "destination": ADDRESS},
        {"caseNumber": "", "channel": "SMS"},
        {"channel": "EMAIL", "destination": "not-an-address"},
        {"channel": "FAX"},
    ],
)
def test_bad_consent_input_is_refused(seeded: Any, cases: Any, params: dict[str, str]) -> None:
    params.setdefault("caseNumber", cases[0].case_number)
    assert consent(**params) == {"result": "INVALID_INPUT"}


def test_unchanged_status_and_other_items_are_not_changes(seeded: Any, cases: Any) -> None:
    item = _typed(case_store.case_item(case_store.get_case(cases[0].case_number)))  # type: ignore[arg-type]
    same = {"eventName": "MODIFY", "dynamodb": {"SequenceNumber": "1", "OldImage": item, "NewImage": item}}
    removed = {"eventName": "REMOVE", "dynamodb": {"SequenceNumber": "2", "OldImage": item}}
    assert notifier({"Records": [same, removed]}, None) == {"batchItemFailures": []}
    assert notifier("garbage", None) == {"batchItemFailures": []}


def test_no_case_number_phone_or_address_in_logs(
    ses: list[Any], cases: Any, clock: Clock, captured_logs: Callable[[], str]
) -> None:
    case = cases[6]
    consent(caseNumber=case.case_number, channel="EMAIL", destination=ADDRESS)
    consent(caseNumber=case.case_number, channel="SMS")
    notifier({"Records": [change_record(case.case_number, new_status(case), clock.moment)]}, None)
    logs = captured_logs()
    assert "notification consent recorded" in logs
    for secret in (case.case_number, ADDRESS, CALLER, CALLER[2:]):
        assert secret not in logs


@given(st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2030, 1, 1)))
def test_quiet_hours_end_is_never_inside_quiet_hours_and_never_earlier(naive: datetime) -> None:
    from datetime import UTC

    moment = naive.replace(tzinfo=UTC)
    end = quiet_hours_end(moment, "America/New_York")
    assert not in_quiet_hours(end, "America/New_York")
    assert end > moment - timedelta(seconds=1) or not in_quiet_hours(moment, "America/New_York")


@pytest.mark.parametrize(
    ("text", "stop"),
    [("STOP", True), ("stop please", True), ("Baja", True), ("stopped?", False), ("", False)],
)
def test_stop_words(text: str, stop: bool) -> None:
    assert is_stop(text) is stop
