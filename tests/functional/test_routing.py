"""routing under moto: rules, warm transfer, repeat callers, known open cases, knowledge answers."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from functions.handlers.routing import handler
from tests.functional.conftest import CALLER, Clock, make_event


def route(contact_id: str = "r-1", number: str | None = CALLER, **params: str) -> Any:
    return handler(make_event(params, contact_id, number), None)


@pytest.mark.parametrize(
    ("topic", "office", "phone"),
    [
        ("1", "dmv", "+12025550151"),
        ("2", "property_tax", "+12025550152"),
        ("3", "social_services", None),
        ("4", "passports", None),
    ],
)
def test_redirect_topics_warm_transfer_to_the_office(
    seeded: Any, topic: str, office: str, phone: str | None
) -> None:
    # Given the 311-style menu digit When routed Then the caller is transferred to that office's number
    result = route(action="route", intent="REDIRECT", topic=topic)
    assert result["result"] == "TRANSFER"
    assert result["officeId"] == office
    assert result["officePhone"].startswith("+1202555015")
    if phone:
        assert result["officePhone"] == phone
    assert result["officeOpen"] == "true"
    assert result["reason"] == "RULE"


def test_rule_routes_to_queue_with_arn_and_spanish_prompt(local_aws: Any, clock: Clock) -> None:
    from civicline.data import seed_demo
    from civicline.local.aws import LocalAws
    from functions.core.privacy import pseudonymize
    from tests.functional.conftest import NOW

    with LocalAws(prefix="arns", queue_arns={"appeals": "arn:aws:connect:::queue/appeals"}):
        seed_demo(NOW)
        result = route(action="route", intent="APPEAL", language="es")
    assert result == {
        "result": "ROUTED",
        "queueName": "appeals",
        "queueArn": "arn:aws:connect:::queue/appeals",
        "officeId": "appeals",
        "officeName": "la Oficina de Recursos",
        "officeOpen": "true",
        "reason": "RULE",
        "prompt": "Le comunicamos con la Oficina de Recursos.",
        "callerKey": pseudonymize(CALLER),
    }


def test_unknown_intent_is_invalid_and_unruled_intent_goes_to_default(seeded: Any) -> None:
    assert route(action="route", intent="LOTTERY") == {"result": "INVALID_INPUT"}
    assert route(action="route", intent="") == {"result": "INVALID_INPUT"}
    result = route(action="route", intent="OPERATOR")
    assert (result["result"], result["queueName"], result["reason"]) == ("ROUTED", "operator", "RULE")


def test_no_rule_routes_to_default_queue(seeded: Any) -> None:
    # Given the operator's rule is deleted from the reference table (edited without a redeploy)
    from functions.adapters import reference

    seeded.client("dynamodb").delete_item(
        TableName=seeded.table("reference"), Key={"pk": {"S": "RULE#OPERATOR"}, "sk": {"S": "*#*"}}
    )
    reference.clear_cache()
    # When an operator call is routed Then the default queue takes it
    result = route(action="route", intent="OPERATOR")
    assert (result["queueName"], result["reason"]) == ("general", "DEFAULT")


def test_repeat_caller_goes_back_to_the_office_that_handled_it(seeded: Any, clock: Clock) -> None:
    # Given a caller routed about consultations to the north office three days ago
    from functions.adapters import reference
    from functions.core.privacy import pseudonymize

    reference.remember_office(
        pseudonymize(CALLER),
        "CONSULTATION#*",
        "north",
        clock.moment - timedelta(days=3),
        window_days=7,
        contact_id="an-earlier-call",
        reason="RULE",
    )
    # When the caller calls again about the same thing
    result = route(action="route", intent="CONSULTATION")
    # Then they are routed to the north office, as a repeat contact
    assert (result["officeId"], result["reason"], result["queueName"]) == ("north", "REPEAT", "general")
    # And a different caller gets the rule's office
    other = route("r-2", "+12025550188", action="route", intent="CONSULTATION")
    assert (other["officeId"], other["reason"]) == ("central", "RULE")


def test_repeat_window_expires(seeded: Any, clock: Clock) -> None:
    # Given a caller routed to the DMV (warm transfer)
    assert route(action="route", intent="REDIRECT", topic="1")["officeId"] == "dmv"
    # When they call about vehicles again within the window, Then the DMV again as a repeat
    clock.moment += timedelta(days=6)
    assert route("r-2", action="route", intent="REDIRECT", topic="1")["reason"] == "REPEAT"
    # When they call after the window (7 days after the last call), Then by rule again
    clock.moment += timedelta(days=8)
    assert route("r-3", action="route", intent="REDIRECT", topic="1")["reason"] == "RULE"


def test_known_open_case_routes_to_its_office(seeded: Any, cases: Any) -> None:
    # Given an open benefit claim handled by the north office
    case = cases[1]
    assert case.office_id == "north"
    # When the caller is routed with the case number Then the north office takes it
    result = route(action="route", intent="CASE_STATUS", caseNumber=case.case_number)
    assert (result["officeId"], result["reason"]) == ("north", "REPEAT")
    # And a closed case does not steer routing
    closed = next(c for c in cases if c.status.value == "CLOSED")
    result = route("r-9", "+12025550166", action="route", intent="CASE_STATUS", caseNumber=closed.case_number)
    assert result["reason"] == "RULE"
    assert route(action="route", intent="CASE_STATUS", caseNumber="12345678") == {"result": "INVALID_INPUT"}


def test_office_closed_outside_hours_and_on_holidays(seeded: Any, clock: Clock) -> None:
    # Given Thanksgiving 2026 at noon in New York
    from datetime import UTC, datetime

    clock.moment = datetime(2026, 11, 26, 17, 0, tzinfo=UTC)
    assert route(action="office", topic="2")["officeOpen"] == "false"
    # And a Saturday: the DMV is open, the assessor is not
    clock.moment = datetime(2026, 11, 28, 15, 0, tzinfo=UTC)
    assert route(action="office", topic="1")["officeOpen"] == "true"
    assert route(action="office", topic="2")["officeOpen"] == "false"


def test_office_directory_and_unknown_topic(seeded: Any) -> None:
    result = route(action="office", topic="3", language="es")
    assert result["result"] == "FOUND"
    assert result["officeName"] == "el Departamento de Servicios Sociales"
    assert result["officePhone"] == "+12025550153"
    # a REDIRECT topic without its own rule falls back to the central office (wildcard rule)
    assert route(action="office", topic="7")["officeId"] == "central"
    assert route(action="office", intent="OPERATOR") == {"result": "NOT_FOUND"}


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize("topic", ["1", "2", "3"])
def test_knowledge_answers_in_both_languages(seeded: Any, topic: str, language: str) -> None:
    result = route(action="knowledge", topic=topic, language=language)
    assert result["result"] == "FOUND"
    assert result["answerId"] == f"{topic}#{language}"
    assert len(result["answer"]) > 40


def test_knowledge_unknown_topic_and_blank_topic(seeded: Any) -> None:
    assert route(action="knowledge", topic="9") == {"result": "NOT_FOUND"}
    assert route(action="knowledge", topic="") == {"result": "INVALID_INPUT"}


def test_reference_edit_is_live_after_the_cache_expires(seeded: Any, monkeypatch: Any) -> None:
    # Given a knowledge answer read once (cached)
    from functions.adapters import reference

    assert "April 15" in route(action="knowledge", topic="1")["answer"]
    seeded.client("dynamodb").update_item(
        TableName=seeded.table("reference"),
        Key={"pk": {"S": "KB#1"}, "sk": {"S": "en"}},
        UpdateExpression="SET answer = :a",
        ExpressionAttributeValues={":a": {"S": "Returns are due on May 1 this year."}},
    )
    # When the cache expires (no redeploy) Then the new answer is served
    monkeypatch.setattr(reference, "CACHE_SECONDS", 0.0)
    reference.clear_cache()
    assert route(action="knowledge", topic="1")["answer"] == "Returns are due on May 1 this year."


def test_a_warm_first_call_is_one_conditional_history_write(seeded: Any, aws_calls: list[str]) -> None:
    # Given a warm container
    route("warm", action="route", intent="CONSULTATION")
    aws_calls.clear()
    # When a caller with no history is routed to an office
    result = route("r-2", "+12025550155", action="route", intent="CONSULTATION")
    # Then one AWS call is made: the history write the caller's lack of history lets through
    assert (result["officeId"], result["reason"]) == ("central", "RULE")
    assert aws_calls == ["PutItem"]
    # And the same caller's next call is refused that write, sees the record and is a repeat
    aws_calls.clear()
    again = route("r-3", "+12025550155", action="route", intent="CONSULTATION")
    assert (again["officeId"], again["reason"]) == ("central", "REPEAT")
    assert aws_calls == ["PutItem", "PutItem"]


def test_a_call_no_office_handles_reads_the_history_and_writes_nothing(
    seeded: Any, aws_calls: list[str]
) -> None:
    # Given a warm container and an intent whose rule names a queue but no office
    route("warm", action="route", intent="OPERATOR")
    aws_calls.clear()
    # When a caller with no history is routed
    result = route("r-2", "+12025550155", action="route", intent="OPERATOR")
    # Then the history is read (a repeat could name an office) and nothing is written
    assert (result["queueName"], result["reason"]) == ("operator", "RULE")
    assert aws_calls == ["GetItem"]


def test_a_retried_call_gets_the_answer_the_first_attempt_got(seeded: Any) -> None:
    # Given a first call routed by rule, and a repeat call routed back to the office
    first = route("retry-1", action="route", intent="CONSULTATION")
    repeat = route("retry-2", action="route", intent="CONSULTATION")
    assert (first["reason"], repeat["reason"]) == ("RULE", "REPEAT")
    # When Connect retries each of them (same contact, same parameters)
    # Then each gets its first answer: a retry of a first call is not its own repeat
    assert route("retry-2", action="route", intent="CONSULTATION") == repeat
    other_subject = route("retry-3", "+12025550177", action="route", intent="CONSULTATION")
    assert route("retry-3", "+12025550177", action="route", intent="CONSULTATION") == other_subject
    assert other_subject["reason"] == "RULE"


def test_two_concurrent_first_calls_of_one_caller_go_to_the_same_office(seeded: Any) -> None:
    from civicline.local.aws_faults import interleaved

    # Given one caller on two lines at once, neither with history (both pause before writing)
    calls = [lambda: route("c-1", action="route", intent="CONSULTATION")]
    calls.append(lambda: route("c-2", action="route", intent="CONSULTATION"))
    run = interleaved(calls, pause_at="PutItem")
    # Then both are routed to the rule's office; one wrote the history, the other found it
    assert not run.raised()
    assert {r["officeId"] for r in run.results} == {"central"}
    assert sorted(r["reason"] for r in run.results) == ["REPEAT", "RULE"]


def test_a_history_write_that_fails_fails_the_call_and_stores_nothing(seeded: Any, aws_faults: Any) -> None:
    from botocore.exceptions import ClientError

    # Given the state table throttles every PutItem (botocore's own retries included)
    faults = aws_faults("dynamodb")
    faults.throttle("PutItem", times=None)
    # When a first call is routed Then the call fails (the flow's error branch serves the caller)
    with pytest.raises(ClientError):
        route("f-1", action="route", intent="CONSULTATION")
    assert faults.stored_calls("PutItem") == 0
    # And once the table recovers, the caller's next call is a first call, not a repeat
    faults.rules.clear()
    assert route("f-2", action="route", intent="CONSULTATION")["reason"] == "RULE"


def test_route_returns_a_stable_pseudonymous_caller_key(seeded: Any) -> None:
    # Given the same caller on two contacts, and another caller
    first = route("k-1", action="route", intent="TIER2")
    second = route("k-2", action="route", intent="CONSULTATION")
    other = route("k-3", "+12025550188", action="route", intent="TIER2")
    # Then the key (stored by the flow as a contact attribute for repeat-contact FCR) is the same for the
    # same caller, differs between callers, and carries no digits of the number
    assert first["callerKey"] == second["callerKey"] != other["callerKey"]
    assert CALLER.lstrip("+")[-7:] not in first["callerKey"]


def test_the_reference_cache_follows_the_functions_clock(
    seeded: Any, clock: Clock, aws_calls: list[str]
) -> None:
    # Given a warm routing container (its reference cache filled at the functions' clock)
    from functions.adapters import reference

    reference.clear_cache()
    route(action="route", intent="OPERATOR")
    reads = aws_calls.count("Query")
    # When the clock (the simulated one in a simulated day) moves 299 s, the cache still answers
    assert reference.CACHE_SECONDS == 300.0
    clock.moment += timedelta(seconds=299)
    route(action="route", intent="OPERATOR")
    assert aws_calls.count("Query") == reads
    # Then 2 s later (301 s after the read) the rules are read again, however fast the machine ran
    clock.moment += timedelta(seconds=2)
    route(action="route", intent="OPERATOR")
    assert aws_calls.count("Query") > reads
    # And a clock set back (the next simulated day starting its morning) does not trust the entry
    after = aws_calls.count("Query")
    clock.moment -= timedelta(hours=10)
    route(action="route", intent="OPERATOR")
    assert aws_calls.count("Query") > after


def test_the_routed_log_line_names_no_part_of_the_callers_number(seeded: Any, caplog: Any) -> None:
    # Given a caller routed to an office, the number passed as the flows pass it
    import logging

    from functions.core.observability import logger

    formatter = logger.registered_handler.formatter
    assert formatter is not None
    with caplog.at_level(logging.INFO, logger="civicline"):
        route("log-1", "+12025550177", action="route", intent="TIER2", callerNumber="+12025550177")
    # When the function logs its decision (as Powertools writes it to the log group)
    lines = [formatter.format(r) for r in caplog.records if r.getMessage() == "routed"]
    # Then the line says the queue and the reason, and nothing of the number (not even its last digits)
    assert lines and '"queue":"tier2"' in lines[0]
    assert "77" not in lines[0].replace("2026", "") and "caller" not in lines[0]
