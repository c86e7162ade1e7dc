"""Status notifications by call: the notifier places one Connect ``StartOutboundVoiceContact`` per
change, and the answered call runs flows/notification-call.json through the engine
(:mod:`civicline.local.outbound` answers at botocore as Connect does). Deadline reminders by call
go the same way (7 days and 1 day before, en/es). Faults at botocore: a throttled call is retried
and never counted SENT; a redelivered record or a second run never rings twice."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest

from civicline.local.outbound import LocalOutboundCalls, answer_outbound_calls
from functions.domain.case_status import status_text
from functions.handlers.deadline_reminders import handler as reminders
from functions.handlers.notifier import handler as notifier
from functions.handlers.notify_deferred import handler as sweep
from schemas.records import CaseStatus
from tests.channels.conftest import Clock
from tests.channels.test_notif_outcomes import MORNING, NIGHT, SCHEDULED, at
from tests.channels.test_notifications import change_record, consent
from tests.functional.conftest import CALLER, NOW

Outcomes = Callable[[], list[dict[str, Any]]]


@pytest.fixture
def calls(seeded: Any) -> Iterator[LocalOutboundCalls]:
    with answer_outbound_calls() as placed:
        yield placed


def starts(faults: Any) -> list[dict[str, Any]]:
    return [params for op, params, _ in faults.calls if op == "StartOutboundVoiceContact"]


@pytest.mark.parametrize("language", ["en", "es"])
def test_a_call_consent_gets_one_call_that_says_the_new_status(
    calls: LocalOutboundCalls, cases: Any, clock: Clock, outcomes: Outcomes, language: str
) -> None:
    # Given a CALL consent (the destination is the contact's own number) and a change in the day
    case = cases[0]
    consent(caseNumber=case.case_number, channel="CALL", language=language)
    record = change_record(case.case_number, CaseStatus.DECIDED, clock.moment)
    # When the notifier runs
    assert notifier({"Records": [record]}, None) == {"batchItemFailures": []}
    # Then exactly one call rang the consent's number, running the notification flow, which said the
    # new status in the callee's language; and SENT went out on channel VOICE
    [call] = calls.calls
    assert call.destination == CALLER and call.flow == "notification-call"
    assert call.result.attributes["status"] == "DECIDED"
    assert any(status_text(CaseStatus.DECIDED, language) in p for p in call.result.prompts)
    assert call.result.path[-2:] == ["goodbye", "hangup"]
    assert [(o["channel"], o["outcome"]) for o in outcomes()] == [("VOICE", "SENT")]


def test_the_call_carries_the_status_and_language_only_under_the_notification_id(
    calls: LocalOutboundCalls, cases: Any, clock: Clock, outcomes: Outcomes, aws_faults: Any
) -> None:
    faults = aws_faults("connect")
    case = cases[1]
    consent(caseNumber=case.case_number, channel="CALL")
    notifier({"Records": [change_record(case.case_number, CaseStatus.DECIDED, clock.moment)]}, None)
    [params] = starts(faults)
    [event] = outcomes()
    assert params["Attributes"] == {"status": "DECIDED", "language": "en"}
    assert params["ClientToken"] == event["notificationId"]
    assert params["DestinationPhoneNumber"] == CALLER
    assert params["ContactFlowId"] == "notification-call"
    assert case.case_number not in str(params)


def test_a_throttled_call_is_retried_and_never_counted_sent(
    calls: LocalOutboundCalls, cases: Any, clock: Clock, outcomes: Outcomes, aws_faults: Any
) -> None:
    # Given Connect throttling every attempt botocore makes of the first delivery
    faults = aws_faults("connect")
    faults.fail("StartOutboundVoiceContact", "ThrottlingException", status=429, times=None)
    case = cases[2]
    consent(caseNumber=case.case_number, channel="CALL")
    record = change_record(case.case_number, CaseStatus.DECIDED, clock.moment, seq="7")
    # Then the record is handed back to the stream, nothing rang and nothing was counted
    assert notifier({"Records": [record]}, None) == {"batchItemFailures": [{"itemIdentifier": "7"}]}
    assert calls.calls == [] and outcomes() == []
    # When Connect accepts again, the stream's retry rings once, and only then is SENT emitted
    faults.rules.clear()
    assert notifier({"Records": [record]}, None) == {"batchItemFailures": []}
    assert len(calls.calls) == 1
    assert [o["outcome"] for o in outcomes()] == ["SENT"]
    tokens = {p["ClientToken"] for p in starts(faults)}
    assert len(tokens) == 1  # every attempt named the same call


def test_a_redelivered_record_does_not_ring_twice(
    calls: LocalOutboundCalls, cases: Any, clock: Clock, outcomes: Outcomes, aws_faults: Any
) -> None:
    faults = aws_faults("connect")
    case = cases[3]
    consent(caseNumber=case.case_number, channel="CALL")
    record = change_record(case.case_number, CaseStatus.CLOSED, clock.moment)
    for _ in range(3):
        assert notifier({"Records": [record]}, None) == {"batchItemFailures": []}
    assert len(starts(faults)) == 1 and len(calls.calls) == 1
    assert [o["outcome"] for o in outcomes()] == ["SENT"]


def test_a_call_accepted_whose_event_is_refused_is_not_placed_again(
    calls: LocalOutboundCalls, cases: Any, clock: Clock, outcomes: Outcomes
) -> None:
    # Given Connect placed the call but EventBridge refused the SENT event once
    case = cases[4]
    consent(caseNumber=case.case_number, channel="CALL")
    outcomes.faults.fail("PutEvents", "ThrottlingException", times=1)  # type: ignore[attr-defined]
    record = change_record(case.case_number, CaseStatus.DECIDED, clock.moment, seq="3")
    assert notifier({"Records": [record]}, None) == {"batchItemFailures": [{"itemIdentifier": "3"}]}
    # Then the retry emits the owed SENT without a second call
    assert notifier({"Records": [record]}, None) == {"batchItemFailures": []}
    assert len(calls.calls) == 1
    assert [o["outcome"] for o in outcomes()] == ["SENT"]


def test_a_change_at_night_rings_once_when_quiet_hours_end(
    calls: LocalOutboundCalls, cases: Any, clock: Clock, outcomes: Outcomes
) -> None:
    case = cases[5]
    consent(caseNumber=case.case_number, channel="CALL")
    at(clock, NIGHT)
    notifier({"Records": [change_record(case.case_number, CaseStatus.DECIDED, clock.moment)]}, None)
    assert calls.calls == []
    at(clock, MORNING)
    sweep(SCHEDULED, None)
    at(clock, MORNING + timedelta(minutes=5))
    sweep(SCHEDULED, None)
    assert len(calls.calls) == 1
    assert [o["outcome"] for o in outcomes()] == ["DEFERRED", "SENT"]


def test_a_stopped_number_is_not_called(
    calls: LocalOutboundCalls, cases: Any, clock: Clock, outcomes: Outcomes
) -> None:
    from functions.handlers.notify_consent import handler as consent_handler
    from tests.functional.conftest import make_event

    case = cases[6]
    consent(caseNumber=case.case_number, channel="CALL")
    consent_handler(make_event({"action": "stop", "channel": "CALL"}), None)
    notifier({"Records": [change_record(case.case_number, CaseStatus.DECIDED, clock.moment)]}, None)
    assert calls.calls == []
    assert [(o["channel"], o["outcome"], o["reason"]) for o in outcomes()] == [("VOICE", "OPTED_OUT", "STOP")]


#: case 0 of the demo data is due 10 days after the demo day: 7 days left on day 3, 1 day on day 9
REMINDER_DAY = {7: NOW + timedelta(days=3), 1: NOW + timedelta(days=9)}
REMINDER_WORDS = {
    ("en", 7): "A deadline on your case is in 7 days.",
    ("en", 1): "A deadline on your case is tomorrow.",
    ("es", 7): "Un plazo de su caso vence en 7 días.",
    ("es", 1): "Un plazo de su caso vence mañana.",
}


@pytest.mark.parametrize("days", [7, 1])
@pytest.mark.parametrize("language", ["en", "es"])
def test_a_deadline_reminder_by_call_rings_once_and_says_the_days_left(
    calls: LocalOutboundCalls,
    cases: Any,
    clock: Clock,
    outcomes: Outcomes,
    aws_faults: Any,
    language: str,
    days: int,
) -> None:
    # Given a CALL consent for a case whose deadline is ``days`` away
    faults = aws_faults("connect")
    case = cases[0]
    consent(caseNumber=case.case_number, channel="CALL", language=language)
    clock.moment = REMINDER_DAY[days]
    # When the daily reminder run comes, twice
    assert reminders(SCHEDULED, None)["outcomes"].get("SENT") == 1
    assert reminders(SCHEDULED, None)["outcomes"].get("ALREADY_SENT") == 1
    # Then exactly one call rang, under the notification id, carrying the days left and the language
    [call] = calls.calls
    [params] = starts(faults)
    [event] = outcomes()
    assert params["Attributes"] == {"reminderDays": str(days), "language": language}
    assert params["ClientToken"] == event["notificationId"] == call.client_token
    assert case.case_number not in str(params)
    # And the flow said the reminder in the callee's language, and SENT went out on VOICE
    assert call.flow == "notification-call" and f"voice-{language}" in call.result.path
    assert any(REMINDER_WORDS[(language, days)] in p for p in call.result.prompts)
    assert call.result.path[-2:] == ["goodbye", "hangup"]
    assert (event["kind"], event["channel"], event["outcome"]) == ("DEADLINE_REMINDER", "VOICE", "SENT")


def test_a_throttled_reminder_call_is_deferred_typed_and_rings_once_later(
    calls: LocalOutboundCalls, cases: Any, clock: Clock, outcomes: Outcomes, aws_faults: Any
) -> None:
    # Given Connect throttling every attempt botocore makes on the reminder run
    faults = aws_faults("connect")
    faults.fail("StartOutboundVoiceContact", "ThrottlingException", status=429, times=None)
    consent(caseNumber=cases[0].case_number, channel="CALL")
    clock.moment = REMINDER_DAY[7]
    # When the run comes: nothing rang, the reminder is handed to the sweep with a typed reason
    assert reminders(SCHEDULED, None)["outcomes"].get("DEFERRED") == 1
    assert calls.calls == []
    assert [(o["outcome"], o["reason"]) for o in outcomes()] == [("DEFERRED", "SEND_FAILED")]
    # When Connect accepts again and the sweep runs (twice), then the reminder run again
    faults.rules.clear()
    clock.moment += timedelta(minutes=5)
    assert sweep(SCHEDULED, None)["outcomes"] == {"SENT": 1}
    sweep(SCHEDULED, None)
    assert reminders(SCHEDULED, None)["outcomes"].get("ALREADY_SENT") == 1
    # Then one call in all, every attempt under the same token, SENT once
    assert len(calls.calls) == 1
    assert len({p["ClientToken"] for p in starts(faults)}) == 1
    assert [o["outcome"] for o in outcomes()] == ["DEFERRED", "SENT"]


def test_a_reminder_call_whose_event_is_refused_is_not_placed_again(
    calls: LocalOutboundCalls, cases: Any, clock: Clock, outcomes: Outcomes
) -> None:
    # Given Connect placed the reminder call but EventBridge refused the SENT event once
    consent(caseNumber=cases[0].case_number, channel="CALL")
    clock.moment = REMINDER_DAY[7]
    outcomes.faults.fail("PutEvents", "ThrottlingException", times=1)  # type: ignore[attr-defined]
    assert reminders(SCHEDULED, None)["outcomes"].get("EVENT_OWED") == 1
    # Then the next run emits the owed SENT without ringing again
    assert reminders(SCHEDULED, None)["outcomes"].get("ALREADY_SENT") == 1
    assert len(calls.calls) == 1
    assert [o["outcome"] for o in outcomes()] == ["SENT"]


def test_a_reminder_call_keeps_quiet_hours_and_a_stop(
    calls: LocalOutboundCalls, cases: Any, clock: Clock, outcomes: Outcomes
) -> None:
    from functions.handlers.notify_consent import handler as consent_handler
    from tests.functional.conftest import make_event

    # Given a CALL consent for case 2 (due 14 days after the demo day) and a run at 22:00 local
    consent(caseNumber=cases[2].case_number, channel="CALL")
    clock.moment = (NOW + timedelta(days=8)).replace(hour=3)  # 22:00 the evening before, local
    assert reminders(SCHEDULED, None)["outcomes"].get("DEFERRED") == 1
    assert calls.calls == []
    # When quiet hours end, the sweep rings once
    clock.moment = clock.moment.replace(hour=13)
    assert sweep(SCHEDULED, None)["outcomes"] == {"SENT": 1}
    assert len(calls.calls) == 1
    # And once the citizen says STOP, the 1-day reminder is not called
    consent_handler(make_event({"action": "stop", "channel": "CALL"}), None)
    clock.moment = NOW + timedelta(days=13)
    assert reminders(SCHEDULED, None)["outcomes"].get("OPTED_OUT") == 1
    assert len(calls.calls) == 1
    assert [(o["outcome"], o["reason"]) for o in outcomes()] == [
        ("DEFERRED", "QUIET_HOURS"),
        ("SENT", None),
        ("OPTED_OUT", "STOP"),
    ]


def test_no_personal_data_in_the_logs_of_a_call(
    calls: LocalOutboundCalls, cases: Any, clock: Clock, aws_faults: Any, captured_logs: Callable[[], str]
) -> None:
    case = cases[8]
    consent(caseNumber=case.case_number, channel="CALL")
    faults = aws_faults("connect")
    faults.fail("StartOutboundVoiceContact", "ThrottlingException", status=429, times=1)
    record = change_record(case.case_number, CaseStatus.CLOSED, clock.moment)
    notifier({"Records": [record]}, None)
    notifier({"Records": [record]}, None)
    logs = captured_logs()
    assert "notifications" in logs
    for secret in (case.case_number, CALLER, CALLER[2:]):
        assert secret not in logs
