"""Every handler through its real entry point with the environment, tables and IAM of the
synthesized template (dev and prod), on its main paths, on moto with the demo data."""

from __future__ import annotations

from typing import Any

import pytest

from civicline.data.demo import demo_cases
from civicline.local.deployed import DeployedStack
from tests.deployed import scenarios
from tests.functional.conftest import Clock

pytestmark = [pytest.mark.infra]


def test_a_correct_pin_gets_the_case_status_with_its_office(
    deployed: DeployedStack, deployed_aws: Any
) -> None:
    # Given the deployed case_status (issue 13, item 0: it read the office name from a table its
    # stack gave it neither the name nor a grant of, so Connect took the error branch)
    # When a caller gives a correct PIN, then a wrong one, then Connect retries that attempt
    results = scenarios.case_status(deployed)
    # Then the status comes back with the office name, and the failure is counted once
    assert results["found"]["result"] == "FOUND"
    assert results["found"]["officeName"] == "the Citizen Service Center"
    assert results["wrong"] == {"result": "NOT_FOUND", "attemptsLeft": "2"}
    assert results["retried"] == results["wrong"]


def test_routing_routes_answers_and_finds_offices(deployed: DeployedStack, deployed_aws: Any) -> None:
    results = scenarios.routing(deployed)
    assert results["route"]["result"] == "ROUTED"
    assert results["redirect"]["result"] == "TRANSFER"
    assert results["knowledge"]["result"] == "FOUND"
    assert results["office"]["result"] == "FOUND"
    # the same caller about the same office again: a repeat, with the deployed grants (the refused
    # conditional history write hands the record back)
    assert (results["repeat"]["result"], results["repeat"]["reason"]) == ("TRANSFER", "REPEAT")
    assert (results["no_office"]["queueName"], results["no_office"]["reason"]) == ("operator", "RULE")


def test_routing_finds_the_office_of_an_open_case_reading_only_what_it_needs(
    deployed: DeployedStack, deployed_aws: Any
) -> None:
    result = scenarios.routing_open_case(deployed, demo_cases()[0].case_number)
    assert result["result"] in ("ROUTED", "TRANSFER")


def test_appeals_register_once_per_contact(deployed: DeployedStack, deployed_aws: Any) -> None:
    results = scenarios.appeals(deployed)
    assert results["registered"]["result"] == "REGISTERED"
    assert results["retried"]["receipt"] == results["registered"]["receipt"]
    assert results["identity_theft"]["receipt"].startswith("IT-")


def test_callbacks_are_created_once_per_number_and_queue(deployed: DeployedStack, deployed_aws: Any) -> None:
    results = scenarios.callback(deployed)
    assert results["virtual_hold"]["result"] == "CREATED"
    assert results["existing"]["result"] == "EXISTING"
    assert results["scheduled"]["result"] == "CREATED"


def test_a_survey_is_stored_once(deployed: DeployedStack, deployed_aws: Any) -> None:
    results = scenarios.survey(deployed)
    assert results["stored"]["result"] == results["again"]["result"]


def test_due_callbacks_are_dialed_and_settled(
    deployed: DeployedStack, deployed_aws: Any, clock: Clock
) -> None:
    results = scenarios.dispatch_and_settle(deployed, clock)
    assert [b["result"] for b in results["booked"]] == ["CREATED"] * 3
    assert results["dispatched"][0]["outcomes"] == {"CONNECTED": 1}
    assert results["dispatched"][1]["outcomes"] == {"PLACED": 2}
    assert results["settled"] == [{"retry": 1}, {"connected": 1}]
    assert results["unrelated"] == {"not_a_callback": 1}


def test_contact_events_are_aggregated(deployed: DeployedStack, deployed_aws: Any) -> None:
    response = scenarios.contact_events(deployed)["sqs"]
    assert response["batchItemFailures"] == []
    assert response["summary"]["aggregated"] == response["summary"]["records"] > 0


def test_an_email_is_triaged_and_acknowledged_once_per_window(
    deployed: DeployedStack, deployed_aws: Any
) -> None:
    # Given the deployed email_triage (its SES grant: one identity, one From address)
    results = scenarios.email_triage(deployed)
    # Then the first message is acknowledged, the second within the window only routed
    assert (results["first"]["result"], results["first"]["acknowledgement"]) == ("ROUTED", "SENT")
    assert (results["again"]["result"], results["again"]["acknowledgement"]) == ("ROUTED", "RECENT")
    assert results["knowledge"]["knowledgeAnswer"] == "true"
    # And a send SES refused is routed but not reported as acknowledged
    assert (results["refused"]["result"], results["refused"]["acknowledgement"]) == ("ROUTED", "SEND_FAILED")


def test_consent_and_stop_are_recorded(deployed: DeployedStack, deployed_aws: Any) -> None:
    results = scenarios.notify_consent(deployed, demo_cases()[5].case_number)
    assert results["email"] == {"result": "RECORDED", "channel": "EMAIL"}
    assert results["stop"] == {"result": "STOPPED", "channel": "SMS"}
    assert results["sms"] == {"result": "RECORDED", "channel": "SMS"}


def test_a_status_change_is_notified_by_email_and_by_sms_once(
    deployed: DeployedStack, deployed_aws: Any, clock: Clock
) -> None:
    # Given consents by e-mail and by SMS, as deployed (issue 15: the stack had no SMS grant, so
    # every SMS notification was refused and retried until the stream gave up)
    results = scenarios.notifier(deployed, clock)
    assert [c["result"] for c in results["consented"]] == ["RECORDED"] * 3
    # Then a refused SMS is returned for retry (the e-mail went), the retry sends it, and a
    # redelivered change is not sent again
    assert results["refused"] == {"batchItemFailures": [{"itemIdentifier": "12"}]}
    assert results["first"] == {"batchItemFailures": []}
    assert results["retried"] == {"batchItemFailures": []}
    assert len(results["texts"]) == 1
    assert results["texts"][0]["DestinationPhoneNumber"] == scenarios.CALLER
    # And a change at night is stored for the morning, not sent
    assert results["deferred"] == {"batchItemFailures": []}


def test_deferred_notifications_go_out_once_when_quiet_hours_end(
    deployed: DeployedStack, deployed_aws: Any, clock: Clock
) -> None:
    results = scenarios.notify_deferred(deployed, clock)
    assert results["deferred"] == {"batchItemFailures": []}
    # Then the e-mail goes at 08:00, the refused SMS is kept and sent by the next run, whose
    # refused outcome event the run after emits (without sending again)
    assert results["runs"] == [{"SENT": 1, "RETRY": 1}, {"EVENT_OWED": 1}, {"ALREADY_SENT": 1}]
    assert len(results["texts"]) == 1


def test_a_status_change_is_notified_by_call_once(
    deployed: DeployedStack, deployed_aws: Any, clock: Clock
) -> None:
    # Given CALL consents, as deployed (the role's StartOutboundVoiceContact grant enforced)
    results = scenarios.notify_by_call(deployed, clock)
    assert [c["result"] for c in results["consented"]] == ["RECORDED"] * 2
    refused, first, again, deferred = results["runs"]
    # Then a throttled call is retried by the stream, placed once, not placed again on redelivery
    assert refused == {"batchItemFailures": [{"itemIdentifier": "31"}]}
    assert first == again == deferred == {"batchItemFailures": []}
    # And the change at night is called by the morning sweep
    assert results["swept"] == {"SENT": 1}
    day, night = results["calls"]
    assert day.destination == night.destination == scenarios.CALLER
    assert day.flow == night.flow == "notification-call"
    assert day.result.path[-2:] == ["goodbye", "hangup"]


def test_a_deadline_reminder_is_sent_once(deployed: DeployedStack, deployed_aws: Any, clock: Clock) -> None:
    results = scenarios.deadline_reminders(deployed, clock)
    first, second, third = results["runs"]
    assert first.get("DEFERRED") == 1  # the refused send handed to the sweep
    assert second.get("SENT") == 1
    assert "SENT" not in third and third.get("ALREADY_SENT") == 1
    assert len(results["texts"]) == 1
    assert "in 7 days" in results["texts"][0]["MessageBody"]
    assert results["emailed"].get("SENT") == 1


def test_a_deadline_reminder_is_called_once(deployed: DeployedStack, deployed_aws: Any, clock: Clock) -> None:
    # Given a CALL consent and a deadline 7 days away, the deadline_reminders role as deployed
    results = scenarios.reminders_by_call(deployed, clock)
    assert results["consented"]["result"] == "RECORDED"
    throttled, later = results["runs"]
    # Then the throttled run rang nothing and deferred the reminder, the sweep rang once, the next
    # run nothing again
    assert throttled.get("DEFERRED") == 1 and "SENT" not in throttled
    assert results["swept"] == {"SENT": 1}
    assert later.get("ALREADY_SENT") == 1 and "SENT" not in later
    [call] = results["calls"]
    assert call.destination == scenarios.CALLER and call.flow == "notification-call"
    assert any("A deadline on your case is in 7 days." in p for p in call.result.prompts)


def test_delivery_receipts_become_outcome_events(deployed: DeployedStack, deployed_aws: Any) -> None:
    results = scenarios.notification_receipts(deployed)
    assert results == {
        "email_delivered": {"outcome": "DELIVERED"},
        "sms_failed": {"outcome": "FAILED"},
        "not_ours": {"outcome": None},
    }
