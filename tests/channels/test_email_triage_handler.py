"""``email_triage`` through its real Lambda entry point on moto (DynamoDB + SES): one acknowledgement
per sender per window, even for parallel deliveries; failed sends never reported as sent."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from civicline.local.aws_faults import interleaved
from functions.adapters.email_acks import ACK_WINDOW_SECONDS
from functions.handlers.email_triage import handler
from tests.channels.conftest import Clock
from tests.functional.conftest import make_event

SENDER = "ana.citizen@example.org"


def deliver(contact_id: str = "aaaaaaaa-1111-4222-8333-444444444444", **params: str) -> dict[str, str]:
    sender = params.pop("sender", SENDER)
    values = {"subject": "Estate tax question", "body": "I am the executor.", **params}
    return handler(make_event(values, contact_id, number=sender or None), None)


def test_a_citizen_email_is_acknowledged_once_and_routed_with_a_24h_deadline(ses: list[Any]) -> None:
    # When a citizen writes about estate tax
    answer = deliver()
    # Then it is routed to the specialists, acknowledged with a reference and a deadline 24 h out
    assert answer["result"] == "ROUTED"
    assert (answer["queueName"], answer["officeId"], answer["reason"]) == ("tier2", "tier2", "RULE")
    assert answer["acknowledgement"] == "SENT"
    assert answer["answerDeadline"] == "2026-11-24T15:00:00+00:00"
    assert len(ses) == 1
    assert answer["reference"] in ses[0].subject
    assert "24 hours" in ses[0].body


def test_the_knowledge_answer_rides_on_the_acknowledgement(ses: list[Any]) -> None:
    answer = deliver(subject="Payment plan", body="I cannot pay everything, is there a payment plan?")
    assert (answer["queueName"], answer["knowledgeAnswer"]) == ("general", "true")
    assert "72 monthly installments" in ses[0].body


def test_a_second_message_within_the_window_is_routed_but_not_acknowledged_again(
    ses: list[Any], clock: Clock
) -> None:
    assert deliver()["acknowledgement"] == "SENT"
    clock.moment += timedelta(seconds=ACK_WINDOW_SECONDS - 1)
    again = deliver(contact_id="bbbbbbbb-1111-4222-8333-444444444444")
    assert (again["result"], again["acknowledgement"]) == ("ROUTED", "RECENT")
    clock.moment += timedelta(seconds=2)
    assert deliver(contact_id="cccccccc-1111-4222-8333-444444444444")["acknowledgement"] == "SENT"
    assert len(ses) == 2


def test_parallel_deliveries_from_one_sender_send_exactly_one_acknowledgement(ses: list[Any]) -> None:
    # Given five messages from one sender delivered at once, every container having read before writing
    work = [lambda n=n: deliver(contact_id=f"dddddddd-1111-4222-8333-44444444444{n}") for n in range(5)]
    outcome = interleaved(work, pause_at="UpdateItem")
    # Then exactly one is acknowledged, every one is routed
    assert outcome.raised() == []
    acks = sorted(r["acknowledgement"] for r in outcome.results)
    assert acks == ["RECENT", "RECENT", "RECENT", "RECENT", "SENT"]
    assert all(r["result"] == "ROUTED" for r in outcome.results)
    assert len(ses) == 1


def test_a_failed_send_is_not_reported_as_sent_and_frees_the_window(
    ses: list[Any], aws_faults: Callable[[str], Any]
) -> None:
    faults = aws_faults("sesv2")
    faults.fail("SendEmail", "MessageRejected")
    failed = deliver()
    assert (failed["result"], failed["acknowledgement"]) == ("ROUTED", "SEND_FAILED")
    assert ses == []
    # the next message (a Connect retry, or the citizen again) is acknowledged
    assert deliver(contact_id="eeeeeeee-1111-4222-8333-444444444444")["acknowledgement"] == "SENT"
    assert len(ses) == 1


def test_auto_replies_and_loops_get_no_acknowledgement(ses: list[Any]) -> None:
    auto = deliver(subject="Out of office", headers=json.dumps({"Auto-Submitted": "auto-replied"}))
    # an auto-responder answering our acknowledgement (its subject keeps our tag)
    loop = deliver(subject="Automatic reply: We received your message [CivicLine ref E-1234-5678]")
    bounce = deliver(sender="MAILER-DAEMON@mx.example.org", subject="Undeliverable")
    assert [(a["result"], a["acknowledgement"]) for a in (auto, loop, bounce)] == [
        ("IGNORED", "AUTO_REPLY"),
        ("IGNORED", "LOOP"),
        ("IGNORED", "AUTO_REPLY"),
    ]
    assert ses == []


def test_malformed_sender_is_routed_to_an_agent_without_acknowledgement(ses: list[Any]) -> None:
    answer = deliver(sender="not-an-address", subject="", body="help")
    assert (answer["result"], answer["acknowledgement"], answer["queueName"]) == (
        "ROUTED",
        "MALFORMED",
        "general",
    )
    assert ses == []


def test_empty_message_is_acknowledged_asking_for_details(ses: list[Any]) -> None:
    answer = deliver(subject="", body="")
    assert (answer["queueName"], answer["reason"], answer["acknowledgement"]) == ("general", "EMPTY", "SENT")
    assert "We found no text in your message" in ses[0].body


def test_unparseable_headers_are_treated_as_none(ses: list[Any]) -> None:
    assert deliver(headers="{not json")["acknowledgement"] == "SENT"


def test_unknown_parameter_is_invalid_input(ses: list[Any]) -> None:
    assert deliver(typo="x") == {"result": "INVALID_INPUT"}
    assert ses == []


def test_no_address_subject_or_body_in_logs(ses: list[Any], captured_logs: Callable[[], str]) -> None:
    deliver(subject="Estate of Maria Lopez", body="My SSN is 123-45-6789")
    logs = captured_logs()
    assert "e-mail routed" in logs
    for secret in (SENDER, "Maria", "123-45-6789", "Estate of"):
        assert secret not in logs
