"""The notification wiring in the synthesized stack: outcome events to the metrics buffer, receipts
to their function, the schedules, each target with a retry policy and an alarmed dead-letter queue;
PutEvents only with the notifications source; the due-date index on the cases table."""

from __future__ import annotations

import json
from typing import Any

from functions.domain.notifications import EVENT_DETAIL_TYPE, EVENT_SOURCE
from infra.constructs.channels import OUTCOME_EMITTERS
from infra.constructs.functions import function_logical_id
from infra.registry import FUNCTIONS_BY_NAME
from tests.channels.test_email_stack import _statements
from tests.infra.conftest import synth  # noqa: F401 - the session synth fixture, by name


def _rules(template: dict[str, Any]) -> list[dict[str, Any]]:
    return [r["Properties"] for r in template["Resources"].values() if r["Type"] == "AWS::Events::Rule"]


def test_outcome_events_go_to_the_metrics_buffer_with_retry_and_a_dead_letter_queue(synth: Any) -> None:  # noqa: F811
    (rule,) = [r for r in _rules(synth.center) if r.get("EventPattern", {}).get("source") == [EVENT_SOURCE]]
    assert rule["EventPattern"]["detail-type"] == [EVENT_DETAIL_TYPE]
    (target,) = rule["Targets"]
    assert "EventsContactEvents" in json.dumps(target["Arn"])  # the aggregator's buffer queue
    assert target["RetryPolicy"]["MaximumRetryAttempts"] == 8
    assert "DeadLetterConfig" in target


def test_receipts_and_schedules_invoke_their_functions(synth: Any) -> None:  # noqa: F811
    rules = _rules(synth.center)
    sources = {tuple(r["EventPattern"]["source"]) for r in rules if "EventPattern" in r}
    assert {("aws.ses",), ("aws.sms-voice",)} <= sources
    # (several rules may share a schedule: the e-mail backlog reading also runs every 5 minutes)
    scheduled = [r for r in rules if "ScheduleExpression" in r]
    for expression, function in (
        ("rate(5 minutes)", "notify_deferred"),
        ("cron(0 13 * * ? *)", "deadline_reminders"),
    ):
        logical_id = function_logical_id(FUNCTIONS_BY_NAME[function])
        (target,) = [
            t
            for r in scheduled
            if r["ScheduleExpression"] == expression
            for t in r["Targets"]
            if logical_id in json.dumps(t["Arn"])
        ]
        assert "DeadLetterConfig" in target


def test_only_the_notification_functions_put_events_and_only_as_their_source(synth: Any) -> None:  # noqa: F811
    for name in FUNCTIONS_BY_NAME:
        puts = [s for s in _statements(synth.center, name) if "events:PutEvents" in json.dumps(s["Action"])]
        if name in OUTCOME_EMITTERS:
            (put,) = puts
            assert put["Condition"] == {"StringEquals": {"events:source": EVENT_SOURCE}}
            assert "event-bus/default" in json.dumps(put["Resource"])
        else:
            assert puts == [], name


def test_sms_is_granted_on_the_agency_pool_only(synth: Any) -> None:  # noqa: F811
    for name in FUNCTIONS_BY_NAME:
        sms = [s for s in _statements(synth.center, name) if "sms-voice:" in json.dumps(s["Action"])]
        if name in ("notifier", "notify_deferred", "deadline_reminders"):
            (grant,) = sms
            assert grant["Action"] == "sms-voice:SendTextMessage"
            assert "pool/pool-civicline-notifications" in json.dumps(grant["Resource"])
        else:
            assert sms == [], name


def test_the_cases_table_has_the_sparse_due_date_index(synth: Any) -> None:  # noqa: F811
    (cases,) = [
        r["Properties"]
        for key, r in synth.data["Resources"].items()
        if r["Type"] == "AWS::DynamoDB::Table" and key.startswith("CasesTable")
    ]
    (index,) = cases["GlobalSecondaryIndexes"]
    assert index["IndexName"] == "by_due_date"
    assert index["KeySchema"] == [{"AttributeName": "due_date", "KeyType": "HASH"}]


def test_calls_are_granted_to_the_status_senders_on_the_instance_contacts_only(synth: Any) -> None:  # noqa: F811
    # Given the synthesized contact-center stack
    from infra.constructs.channels import CALL_SENDERS

    resources = synth.center["Resources"]
    functions = {
        name: resources[function_logical_id(spec)]["Properties"] for name, spec in FUNCTIONS_BY_NAME.items()
    }
    for name in FUNCTIONS_BY_NAME:
        calls = [
            s
            for s in _statements(synth.center, name)
            if "connect:StartOutboundVoiceContact" in json.dumps(s["Action"])
        ]
        env = functions[name].get("Environment", {}).get("Variables", {})
        if name in CALL_SENDERS:
            # Then the status senders may start a contact in the instance (nothing wider), and run
            # the notification-call flow
            (grant,) = calls
            assert grant["Action"] == "connect:StartOutboundVoiceContact"
            resource = json.dumps(grant["Resource"])
            assert resource.endswith('/contact/*"]]}') and "ConnectInstance" in resource, resource
            assert "NotificationCall" in json.dumps(env["NOTIFICATION_CALL_FLOW_ARN"])
            assert "SOURCE_PHONE_NUMBER" in env
        elif name != "callback_dispatcher":
            # And no other function (deadline reminders included) can place a call
            assert calls == [], name
