"""The flows with the real functions: handlers run in-process through their entry points, on moto,
with the demo data set seeded (civicline.data.seed_demo). What the caller hears comes from the tables."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from civicline.data import seed_demo
from civicline.data.demo import KNOWLEDGE, OFFICES, REDIRECT_TOPICS, demo_cases
from civicline.engine import CallResult, FlowLibrary
from civicline.local.aws import LocalAws
from infra.registry import QUEUES_BY_NAME
from tests.flows.conftest import Caller, ContractLambdas, assert_path

OFFICE_BY_ID = {office.office_id: office for office in OFFICES}
WITH_DUE_DATE, FOR_LOCKOUT = [c for c in demo_cases() if c.due_in_days is not None][:2]
CLOSED = next(c for c in demo_cases() if c.due_in_days is None)
NUMBERS = itertools.count(1000)


@pytest.fixture(scope="module")
def seeded() -> Iterator[LocalAws]:
    """One seeded local AWS for the module (moto start-up is the slow part); tests keep apart by
    calling from their own number and using their own demo case."""
    with LocalAws() as aws:
        seed_demo(datetime.now(UTC))
        yield aws


@pytest.fixture
def real(seeded: LocalAws, library: FlowLibrary) -> Caller:
    return Caller(
        library, ContractLambdas(), real_handlers=True, caller_number=f"+1555555{next(NUMBERS):04d}"
    )


def answer(topic: str, language: str) -> str:
    return next(k.answer for k in KNOWLEDGE if k.topic == topic and k.language == language)


def result_of(result: CallResult, function: str) -> dict[str, str]:
    calls = [c for c in result.lambda_calls if c["function"] == function]
    assert calls and calls[-1]["error"] is None, calls
    return dict(calls[-1]["result"])


@pytest.mark.parametrize(("language_key", "language"), [("1", "en"), ("2", "es")])
@pytest.mark.parametrize("topic", ["1", "2", "3"])
def test_knowledge_answer_from_the_table_then_agent(
    real: Caller, language_key: str, language: str, topic: str
) -> None:
    result = real("main-inbound", [language_key, "1", topic, "1"])
    assert answer(topic, language) in result.prompts
    route = result_of(result, "routing")
    assert route["result"] == "ROUTED"
    assert result.ended["how"] == "QUEUE"
    assert result.ended["queue"] == route["queueName"] == "general"
    assert result.attributes["officeId"] == route["officeId"]


@pytest.mark.parametrize(("topic", "office_id"), sorted(REDIRECT_TOPICS.items()))
def test_redirect_warm_transfers_to_the_office_on_file(real: Caller, topic: str, office_id: str) -> None:
    result = real("main-inbound", ["1", "3", topic])
    office = OFFICE_BY_ID[office_id]
    assert result.ended["how"] == "TRANSFER_PHONE"
    assert result.ended["number"] == office.phone
    assert office.name_en in result.prompts[-1]
    assert result.attributes["officeId"] == office_id


def test_appeal_receipt_and_statutory_due_date(real: Caller) -> None:
    result = real("main-inbound", ["1", "4", "1"])
    appeal = result_of(real_result := result, "appeals")
    assert appeal["result"] == "REGISTERED"
    assert appeal["receipt"].startswith("AP-")
    assert f"Your receipt number is {appeal['receiptSpoken']}." in " ".join(real_result.prompts)
    assert f"By law, we will answer by {appeal['dueDateSpoken']}." in " ".join(result.prompts)
    assert result.attributes["receipt"] == appeal["receipt"]
    assert result.ended["queue"] == "appeals"


def test_identity_theft_report(real: Caller) -> None:
    result = real("main-inbound", ["2", "5"])
    report = result_of(result, "appeals")
    assert report["receipt"].startswith("IT-")
    assert report["receiptSpoken"] in result.prompts[-2]
    assert result.attributes["language"] == "es"
    assert result.ended["queue"] == "identity_theft"


def test_case_status_found_with_due_date(real: Caller) -> None:
    case = WITH_DUE_DATE
    result = real("main-inbound", ["1", "2", f"{case.case_number}#", f"{case.pin}#", "1"])
    status = result_of(result, "case_status")
    assert status["result"] == "FOUND"
    assert any(status["statusText"] in p and status["nextStep"] in p for p in result.prompts)
    assert f"The due date is {status['dueDateSpoken']}." in result.prompts
    assert result.attributes["caseNumber"] == case.case_number
    assert case.pin not in result.attributes.values()
    # the agent queue is the one of the office that owns the open case
    assert result.ended["queue"] == result_of(result, "routing")["queueName"]


def test_closed_case_has_no_due_date_sentence(real: Caller) -> None:
    case = CLOSED
    result = real("case-status", [f"{case.case_number}#", f"{case.pin}#"], attributes={"language": "en"})
    assert result_of(result, "case_status")["result"] == "FOUND"
    assert not any("due date" in p for p in result.prompts)
    assert result.path[-2:] == ["goodbye", "hangup"]


def test_wrong_pins_lock_the_case_and_the_next_call_hears_it(real: Caller) -> None:
    # Given three different wrong PINs in one call (the limit is 3 failures)
    case = FOR_LOCKOUT
    wrong = [
        f"{case.case_number}#",
        "9991#",
        f"{case.case_number}#",
        "9992#",
        f"{case.case_number}#",
        "9993#",
    ]
    first = real("case-status", wrong, attributes={"language": "en"})
    # Then "could not verify" twice, the third failure locks: lockout message and an agent
    outcomes = [c["result"]["result"] for c in first.lambda_calls if c["function"] == "case_status"]
    assert outcomes == ["NOT_FOUND", "NOT_FOUND", "LOCKED"]
    assert first.prompts.count("We could not verify that case number and PIN.") == 2
    assert_path(first, ["result", "logging-on-locked", "locked", "logging-off-route", "route-queue"])
    assert first.ended["queue"] == result_of(first, "routing")["queueName"]
    # When the right PIN is entered on the next call / Then the case is still locked
    second = real("case-status", [f"{case.case_number}#", f"{case.pin}#"], attributes={"language": "en"})
    assert result_of(second, "case_status")["result"] == "LOCKED"
    assert "locked after too many attempts" in " ".join(second.prompts)
    assert second.ended["how"] == "QUEUE"


def test_malformed_case_number_is_not_verified(real: Caller) -> None:
    result = real("case-status", ["12345678#", "1234#"], attributes={"language": "en"})
    assert result.lambda_calls[0]["result"]["result"] == "INVALID_INPUT"
    assert "We could not verify that case number and PIN." in result.prompts


def test_virtual_hold_then_a_second_request_is_the_existing_one(real: Caller) -> None:
    # Given a caller queued for tier 2 with a long wait / When they press 1 for virtual hold
    queued = real.queued(["1"], queue="tier2", attributes={"language": "en", "intent": "TIER2"})
    created = result_of(queued, "callback")
    assert created["result"] == "CREATED"
    assert queued.ended["how"] == "CALLBACK"
    # When the same number asks again for the same queue / Then it is the existing callback
    again = real.queued(["1"], queue="tier2", attributes={"language": "en", "intent": "TIER2"})
    assert result_of(again, "callback")["result"] == "EXISTING"
    assert "You already have a callback scheduled" in " ".join(again.prompts)
    assert again.ended["how"] == "QUEUE"


def test_scheduled_callback_window_is_spoken(real: Caller) -> None:
    result = real.queued(["2", "2"], queue="general")
    booked = result_of(result, "callback")
    assert booked["result"] == "CREATED"
    assert result.prompts[-1] == f"Thank you. We will call you back {booked['windowSpoken']}. Goodbye."


def test_repeat_caller_goes_back_to_the_same_office(real: Caller) -> None:
    first = real("main-inbound", ["1", "6"])
    second = real("main-inbound", ["1", "6"])
    assert result_of(first, "routing")["reason"] == "RULE"
    assert result_of(second, "routing")["reason"] == "REPEAT"
    assert second.attributes["officeId"] == first.attributes["officeId"]


def test_survey_is_stored_once(real: Caller, seeded: LocalAws) -> None:
    attributes = {"language": "en", "intent": "TIER2", "queueName": "tier2", "officeId": "tier2"}
    result = real("post-call-survey", ["1", "1", "1", "1", *["5"] * 8], attributes=attributes)
    assert result_of(result, "survey") == {"result": "COMPLETE", "answered": "11"}
    items = seeded.client("dynamodb").scan(TableName=seeded.table("surveys"))["Items"]
    assert [i["pk"]["S"] for i in items] == [f"SURVEY#{result.contact_id}"]
    assert real.caller_number not in str(items)


@pytest.mark.parametrize("fault", ["error", "timeout"])
@pytest.mark.parametrize(
    "keys", [["1", "1", "2", "1"], ["1", "3", "2"], ["1", "4", "1"], ["1", "5"], ["2", "6"], ["1", "2"]]
)
def test_every_function_failing_still_serves_the_caller(real: Caller, fault: str, keys: list[str]) -> None:
    result = real("main-inbound", keys, fault=lambda function, attempt: fault)
    assert result.ended["how"] == "QUEUE", result.ended
    assert result.ended["queue"] in QUEUES_BY_NAME
    assert all(call["error"] == fault.upper() for call in result.lambda_calls)


def test_a_routed_caller_gets_the_caller_key_attribute_for_repeat_contact_counts(real: Caller) -> None:
    # Given an English caller choosing a complex question (routed by the routing function)
    result = real("main-inbound", ["1", "6"])
    # Then the contact is queued with the pseudonymous caller key the routing function returned
    assert result.ended["how"] == "QUEUE"
    assert result.attributes.get("callerKey")
