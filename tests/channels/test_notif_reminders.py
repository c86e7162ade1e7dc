"""Deadline reminders on moto through the real ``deadline_reminders`` entry point: 7 days and 1 day
before a case's deadline, once per reminder, only to consenting citizens, quiet hours kept, found
through the due-date index (two queries a run, no scan), no personal data in logs."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from functions.handlers.deadline_reminders import handler as reminders
from functions.handlers.notify_consent import handler as consent_handler
from functions.handlers.notify_deferred import handler as sweep
from tests.channels.conftest import Clock
from tests.channels.test_notif_outcomes import SCHEDULED
from tests.channels.test_notifications import ADDRESS, consent
from tests.functional.conftest import CALLER, NOW, make_event

Outcomes = Callable[[], list[dict[str, Any]]]


def test_a_reminder_goes_seven_days_and_one_day_before_the_deadline_once_each(
    texts: list[dict[str, Any]], cases: Any, clock: Clock, outcomes: Outcomes
) -> None:
    # Given case 0 (due 10 days after the demo day) and its citizen's SMS consent
    consent(caseNumber=cases[0].case_number, channel="SMS")
    # When the daily run comes 7 days before the deadline, twice
    clock.moment = NOW + timedelta(days=3)
    assert reminders(SCHEDULED, None)["outcomes"].get("SENT") == 1
    assert "SENT" not in reminders(SCHEDULED, None)["outcomes"]
    # And 1 day before it
    clock.moment = NOW + timedelta(days=9)
    assert reminders(SCHEDULED, None)["outcomes"].get("SENT") == 1
    # Then two texts, each naming the deadline and how to stop, never the case number
    assert [t["DestinationPhoneNumber"] for t in texts] == [CALLER, CALLER]
    assert "in 7 days (2026-12-03)" in texts[0]["MessageBody"]
    assert "tomorrow (2026-12-03)" in texts[1]["MessageBody"]
    assert all(cases[0].case_number not in t["MessageBody"] for t in texts)
    assert [(o["kind"], o["outcome"]) for o in outcomes()] == [("DEADLINE_REMINDER", "SENT")] * 2


def test_no_consent_no_reminder_and_a_stop_is_obeyed(
    ses: list[Any], cases: Any, clock: Clock, outcomes: Outcomes
) -> None:
    clock.moment = NOW + timedelta(days=5)  # case 1 is due in 7 days
    assert "SENT" not in reminders(SCHEDULED, None)["outcomes"]
    consent(caseNumber=cases[1].case_number, channel="EMAIL", destination=ADDRESS)
    consent_handler(make_event({"action": "stop", "channel": "EMAIL", "destination": ADDRESS}), None)
    assert reminders(SCHEDULED, None)["outcomes"].get("OPTED_OUT") == 1
    assert ses == []


def test_a_reminder_in_quiet_hours_is_deferred_to_the_morning(
    texts: list[dict[str, Any]], cases: Any, clock: Clock, outcomes: Outcomes
) -> None:
    consent(caseNumber=cases[2].case_number, channel="SMS")  # due 14 days after the demo day
    clock.moment = (NOW + timedelta(days=8)).replace(hour=3)  # 22:00 the evening before, in New York
    assert reminders(SCHEDULED, None)["outcomes"].get("DEFERRED") == 1
    assert texts == []
    clock.moment = clock.moment.replace(hour=13)
    assert sweep(SCHEDULED, None)["outcomes"] == {"SENT": 1}
    assert len(texts) == 1


def test_a_refused_reminder_is_handed_to_the_sweep_and_sent_once(
    texts: list[dict[str, Any]], cases: Any, clock: Clock, outcomes: Outcomes, aws_faults: Any
) -> None:
    consent(caseNumber=cases[0].case_number, channel="SMS")
    clock.moment = NOW + timedelta(days=3)
    aws_faults("pinpoint-sms-voice-v2").fail("SendTextMessage", "ThrottlingException", times=1)
    assert reminders(SCHEDULED, None)["outcomes"].get("DEFERRED") == 1
    assert texts == []
    assert [(o["outcome"], o["reason"]) for o in outcomes()] == [("DEFERRED", "SEND_FAILED")]
    clock.moment += timedelta(minutes=5)
    assert sweep(SCHEDULED, None)["outcomes"] == {"SENT": 1}
    assert reminders(SCHEDULED, None)["outcomes"].get("ALREADY_SENT") == 1
    assert len(texts) == 1


def test_the_run_queries_the_due_date_index_twice_and_never_scans(
    seeded: Any, cases: Any, clock: Clock, aws_faults: Any
) -> None:
    calls = aws_faults("dynamodb")
    clock.moment = NOW + timedelta(days=3)
    reminders(SCHEDULED, None)
    queries = [p for op, p, _ in calls.calls if op == "Query"]
    assert [q.get("IndexName") for q in queries] == ["by_due_date", "by_due_date"]
    assert "Scan" not in calls.operations()
    # and reads only what its grant allows: never the PIN hash
    assert all("pin_hash" not in str(q.get("ProjectionExpression")) for q in queries)
    assert all("pin_hash" not in str(q.get("ExpressionAttributeNames")) for q in queries)


def test_closed_cases_get_no_reminder(seeded: Any, cases: Any, clock: Clock) -> None:
    from functions.handlers.deadline_reminders import _remind

    item = {"case_number": cases[4].case_number, "status": "CLOSED", "due_date": "2026-12-01"}
    assert _remind(item, NOW.date(), 7, NOW) == "NOT_APPLICABLE"
    assert _remind({"pk": "APPEAL#IT-1", "due_date": "2026-12-01"}, NOW.date(), 7, NOW) == "NOT_APPLICABLE"


def test_no_case_number_phone_or_address_in_the_logs_of_reminders_and_the_sweep(
    texts: list[dict[str, Any]], ses: list[Any], cases: Any, clock: Clock, captured_logs: Callable[[], str]
) -> None:
    consent(caseNumber=cases[0].case_number, channel="SMS")
    consent(caseNumber=cases[2].case_number, channel="EMAIL", destination=ADDRESS)
    clock.moment = NOW + timedelta(days=3)
    reminders(SCHEDULED, None)
    clock.moment = (NOW + timedelta(days=8)).replace(hour=3)
    reminders(SCHEDULED, None)
    clock.moment = clock.moment.replace(hour=13)
    sweep(SCHEDULED, None)
    logs = captured_logs()
    assert "deadline reminders" in logs and "deferred notifications" in logs
    for secret in (cases[0].case_number, cases[2].case_number, ADDRESS, CALLER, CALLER[2:]):
        assert secret not in logs
