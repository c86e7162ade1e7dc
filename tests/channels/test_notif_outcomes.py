"""Status notifications end to end on moto, with their Contract N outcome events: quiet hours defer
(stored, sent when they end, exactly once, latest status, STOP still obeyed), failed sends retried
and never counted as sent, every outcome emitted after it is stored or accepted."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from functions.adapters.dynamo import ddb, table
from functions.domain.notifications import EVENT_DETAIL_TYPE, EVENT_SOURCE
from functions.handlers.notifier import handler as notifier
from functions.handlers.notify_deferred import handler as sweep
from schemas.records import CaseStatus
from tests.channels.conftest import Clock
from tests.channels.test_notifications import ADDRESS, change_record, consent
from tests.functional.conftest import CALLER

Outcomes = Callable[[], list[dict[str, Any]]]
SCHEDULED = {"source": "aws.events", "detail-type": "Scheduled Event", "detail": {}}
#: 22:00 in New York on the demo day (quiet hours); they end at 08:00 the next morning (13:00 UTC)
NIGHT = datetime.fromisoformat("2026-11-24T03:00:00+00:00")
MORNING = datetime.fromisoformat("2026-11-24T13:00:00+00:00")


def at(clock: Clock, moment: datetime) -> None:
    clock.moment = moment


def outcome_names(outcomes: Outcomes) -> list[tuple[str, str, str | None]]:
    return [(o["kind"], o["outcome"], o["reason"]) for o in outcomes()]


def test_a_sent_notification_emits_sent_in_the_contract_shape(
    ses: list[Any], cases: Any, clock: Clock, outcomes: Outcomes
) -> None:
    # Given an e-mail consent and a status change in the day
    case = cases[0]
    consent(caseNumber=case.case_number, channel="EMAIL", destination=ADDRESS)
    record = change_record(case.case_number, CaseStatus.DECIDED, clock.moment)
    notifier({"Records": [record]}, None)
    # Then SES took it and one SENT event went out, with no case number, address or text in it
    [event] = outcomes()
    assert event == {
        "notificationId": event["notificationId"],
        "kind": "STATUS_CHANGE",
        "channel": "EMAIL",
        "outcome": "SENT",
        "reason": None,
        "occurredAt": "2026-11-23T15:00:00Z",
        "officeId": case.office_id,
    }
    assert len(ses) == 1
    assert case.case_number not in json.dumps(event) and ADDRESS not in json.dumps(event)


def test_the_event_envelope_names_the_notifications_source(
    ses: list[Any], cases: Any, clock: Clock, aws_faults: Any
) -> None:
    recorder = aws_faults("events")
    consent(caseNumber=cases[1].case_number, channel="EMAIL", destination=ADDRESS)
    notifier({"Records": [change_record(cases[1].case_number, CaseStatus.DECIDED, clock.moment)]}, None)
    [(_, params, _)] = [c for c in recorder.calls if c[0] == "PutEvents"]
    [entry] = params["Entries"]
    assert (entry["Source"], entry["DetailType"]) == (EVENT_SOURCE, EVENT_DETAIL_TYPE)
    assert "EventBusName" not in entry  # the default bus, where the metrics rule listens


def test_a_change_at_night_is_deferred_and_sent_once_when_quiet_hours_end(
    texts: list[dict[str, Any]], cases: Any, clock: Clock, outcomes: Outcomes
) -> None:
    # Given an SMS consent and a change at 22:00 agency time
    case = cases[2]
    consent(caseNumber=case.case_number, channel="SMS")
    at(clock, NIGHT)
    record = change_record(case.case_number, CaseStatus.DECIDED, clock.moment)
    assert notifier({"Records": [record]}, None) == {"batchItemFailures": []}
    # Then nothing is sent, and the deferral is stored and announced
    assert texts == []
    assert outcome_names(outcomes) == [("STATUS_CHANGE", "DEFERRED", "QUIET_HOURS")]
    # When the sweep runs before 08:00, nothing goes; at 08:00 it is sent, once
    at(clock, MORNING - timedelta(minutes=5))
    assert sweep(SCHEDULED, None)["outcomes"] == {}
    at(clock, MORNING)
    assert sweep(SCHEDULED, None)["outcomes"] == {"SENT": 1}
    at(clock, MORNING + timedelta(minutes=5))
    assert sweep(SCHEDULED, None)["outcomes"] == {}
    notifier({"Records": [record]}, None)  # and a late stream redelivery is deferred, then not resent
    at(clock, MORNING + timedelta(days=1))
    sweep(SCHEDULED, None)
    assert len(texts) == 1
    assert "decided" in texts[0]["MessageBody"].lower()
    assert [o["outcome"] for o in outcomes()][:2] == ["DEFERRED", "SENT"]


def test_a_newer_change_at_night_supersedes_the_older_one(
    texts: list[dict[str, Any]], cases: Any, clock: Clock, outcomes: Outcomes
) -> None:
    case = cases[4]
    consent(caseNumber=case.case_number, channel="SMS")
    at(clock, NIGHT)
    first = change_record(case.case_number, CaseStatus.IN_REVIEW, clock.moment, seq="1")
    at(clock, NIGHT + timedelta(hours=2))
    second = change_record(case.case_number, CaseStatus.DECIDED, clock.moment, seq="2")
    notifier({"Records": [first, second]}, None)
    # a redelivery of the older change does not take the newer one's place
    notifier({"Records": [first]}, None)
    at(clock, MORNING)
    assert sweep(SCHEDULED, None)["outcomes"] == {"SENT": 1}
    assert len(texts) == 1
    assert "decided" in texts[0]["MessageBody"].lower()
    assert ("STATUS_CHANGE", "SKIPPED", "SUPERSEDED") in outcome_names(outcomes)


def test_a_change_sent_in_the_day_makes_the_deferred_older_one_superseded(
    texts: list[dict[str, Any]], cases: Any, clock: Clock, outcomes: Outcomes
) -> None:
    # Given a change deferred at night, and a newer one at 08:02, before the sweep ran
    case = cases[5]
    consent(caseNumber=case.case_number, channel="SMS")
    at(clock, NIGHT)
    notifier(
        {"Records": [change_record(case.case_number, CaseStatus.IN_REVIEW, clock.moment, seq="1")]}, None
    )
    at(clock, MORNING + timedelta(minutes=2))
    notifier({"Records": [change_record(case.case_number, CaseStatus.DECIDED, clock.moment, seq="2")]}, None)
    # When the sweep runs at 08:05, the older status is not sent after the newer one
    at(clock, MORNING + timedelta(minutes=5))
    assert sweep(SCHEDULED, None)["outcomes"] == {"SKIPPED": 1}
    assert len(texts) == 1
    assert "decided" in texts[0]["MessageBody"].lower()


def test_a_stop_given_during_quiet_hours_wins(
    texts: list[dict[str, Any]], cases: Any, clock: Clock, outcomes: Outcomes
) -> None:
    from functions.handlers.notify_consent import handler as consent_handler
    from tests.functional.conftest import make_event

    case = cases[5]
    consent(caseNumber=case.case_number, channel="SMS")
    at(clock, NIGHT)
    notifier({"Records": [change_record(case.case_number, CaseStatus.DECIDED, clock.moment)]}, None)
    consent_handler(make_event({"action": "stop", "channel": "SMS"}), None)
    at(clock, MORNING)
    assert sweep(SCHEDULED, None)["outcomes"] == {"OPTED_OUT": 1}
    assert texts == []
    assert outcome_names(outcomes)[-1] == ("STATUS_CHANGE", "OPTED_OUT", "STOP")
    at(clock, MORNING + timedelta(minutes=5))
    assert sweep(SCHEDULED, None)["outcomes"] == {}


def test_a_deferred_send_the_channel_refuses_is_retried_and_never_counted_as_sent(
    texts: list[dict[str, Any]], cases: Any, clock: Clock, outcomes: Outcomes, aws_faults: Any
) -> None:
    case = cases[6]
    consent(caseNumber=case.case_number, channel="SMS")
    at(clock, NIGHT)
    notifier({"Records": [change_record(case.case_number, CaseStatus.DECIDED, clock.moment)]}, None)
    faults = aws_faults("pinpoint-sms-voice-v2")
    faults.fail("SendTextMessage", "ThrottlingException", times=2)
    at(clock, MORNING)
    assert sweep(SCHEDULED, None)["outcomes"] == {"RETRY": 1}
    at(clock, MORNING + timedelta(minutes=5))
    assert sweep(SCHEDULED, None)["outcomes"] == {"RETRY": 1}
    assert "SENT" not in [o["outcome"] for o in outcomes()]
    at(clock, MORNING + timedelta(minutes=10))
    assert sweep(SCHEDULED, None)["outcomes"] == {"SENT": 1}
    assert len(texts) == 1
    assert [o["outcome"] for o in outcomes()].count("SENT") == 1


def test_a_send_refused_every_time_is_given_up_as_failed(
    texts: list[dict[str, Any]], cases: Any, clock: Clock, outcomes: Outcomes, aws_faults: Any
) -> None:
    from functions.domain.notifications import MAX_ATTEMPTS

    case = cases[9]
    consent(caseNumber=case.case_number, channel="SMS")
    at(clock, NIGHT)
    notifier({"Records": [change_record(case.case_number, CaseStatus.DECIDED, clock.moment)]}, None)
    aws_faults("pinpoint-sms-voice-v2").fail("SendTextMessage", "ThrottlingException", times=None)
    runs = []
    for n in range(MAX_ATTEMPTS + 1):
        at(clock, MORNING + timedelta(minutes=5 * n))
        runs.append(sweep(SCHEDULED, None)["outcomes"])
    assert runs[: MAX_ATTEMPTS - 1] == [{"RETRY": 1}] * (MAX_ATTEMPTS - 1)
    assert runs[MAX_ATTEMPTS - 1 :] == [{"FAILED": 1}, {}]
    assert outcome_names(outcomes)[-1] == ("STATUS_CHANGE", "FAILED", "SEND_FAILED")
    assert texts == []


def test_a_refused_outcome_event_is_emitted_by_the_retry_without_sending_again(
    ses: list[Any], cases: Any, clock: Clock, outcomes: Outcomes
) -> None:
    # Given SES accepts the e-mail but EventBridge refuses the SENT event
    case = cases[10]
    consent(caseNumber=case.case_number, channel="EMAIL", destination=ADDRESS)
    outcomes.faults.fail("PutEvents", "ThrottlingException", times=1)  # type: ignore[attr-defined]
    record = change_record(case.case_number, CaseStatus.DECIDED, clock.moment, seq="9")
    # Then the record is retried, and the retry emits SENT without a second e-mail
    assert notifier({"Records": [record]}, None) == {"batchItemFailures": [{"itemIdentifier": "9"}]}
    assert notifier({"Records": [record]}, None) == {"batchItemFailures": []}
    assert len(ses) == 1
    assert [o["outcome"] for o in outcomes()] == ["SENT"]
    assert notifier({"Records": [record]}, None) == {"batchItemFailures": []}
    assert [o["outcome"] for o in outcomes()] == ["SENT"]


def test_a_stopped_destination_emits_opted_out(
    ses: list[Any], cases: Any, clock: Clock, outcomes: Outcomes
) -> None:
    # (calls: tests/channels/test_notif_call.py)
    from functions.handlers.notify_consent import handler as consent_handler
    from tests.functional.conftest import make_event

    consent(caseNumber=cases[11].case_number, channel="EMAIL", destination=ADDRESS)
    consent_handler(make_event({"action": "stop", "channel": "EMAIL", "destination": ADDRESS}), None)
    notifier(
        {"Records": [change_record(cases[11].case_number, CaseStatus.DECIDED, clock.moment, seq="1")]},
        None,
    )
    assert [(o["channel"], o["outcome"], o["reason"]) for o in outcomes()] == [("EMAIL", "OPTED_OUT", "STOP")]
    assert ses == []


def test_the_deferred_store_holds_one_item_per_case_and_no_text(
    texts: list[dict[str, Any]], cases: Any, clock: Clock
) -> None:
    case = cases[14]
    consent(caseNumber=case.case_number, channel="SMS")
    at(clock, NIGHT)
    notifier(
        {"Records": [change_record(case.case_number, CaseStatus.IN_REVIEW, clock.moment, seq="1")]}, None
    )
    notifier({"Records": [change_record(case.case_number, CaseStatus.DECIDED, clock.moment, seq="2")]}, None)
    items = ddb().query(
        TableName=table("state"),
        KeyConditionExpression="pk = :pk",
        ExpressionAttributeValues={":pk": {"S": "notify-due#2026-11-24"}},
    )["Items"]
    assert len(items) == 1
    assert "destination" not in items[0] and "text" not in items[0]


def test_an_sms_consent_uses_the_contacts_own_number_not_a_flow_parameter(
    texts: list[dict[str, Any]], cases: Any, clock: Clock
) -> None:
    # Given a flow that passes some other number (Contract C: the destination comes from the contact)
    case = cases[15]
    consent(
        caseNumber=case.case_number, channel="SMS", destination="+12025550123", callerNumber="+12025550124"
    )
    notifier({"Records": [change_record(case.case_number, CaseStatus.DECIDED, clock.moment)]}, None)
    # Then the text goes to the caller's own number
    assert [t["DestinationPhoneNumber"] for t in texts] == [CALLER]


def test_an_sms_consent_without_a_caller_number_is_refused(seeded: Any, cases: Any) -> None:
    from functions.handlers.notify_consent import handler as consent_handler
    from tests.functional.conftest import make_event

    event = make_event(
        {"action": "consent", "caseNumber": cases[15].case_number, "channel": "SMS"}, number=None
    )
    assert consent_handler(event, None) == {"result": "INVALID_INPUT"}


def test_a_change_sent_in_the_day_and_redelivered_at_night_is_not_deferred_again(
    ses: list[Any], cases: Any, clock: Clock, outcomes: Outcomes
) -> None:
    # Given a change sent in the day (the deployed stream carries new images only, so any later
    # write of the case item looks like that change again)
    case = cases[17]
    consent(caseNumber=case.case_number, channel="EMAIL", destination=ADDRESS)
    record = change_record(case.case_number, CaseStatus.DECIDED, clock.moment)
    notifier({"Records": [record]}, None)
    # When it is redelivered at night
    at(clock, NIGHT)
    notifier({"Records": [record]}, None)
    # Then nothing is deferred or announced again
    assert [o["outcome"] for o in outcomes()] == ["SENT"]
    assert len(ses) == 1
