"""case-status: case number and PIN, verification outcomes, lockout, agent option."""

from __future__ import annotations

import pytest

from civicline.engine.arns import local_arn
from tests.flows.conftest import Caller, ContractLambdas, assert_path, spoken

CASE, PIN = "12345674", "246810"
FOUND = {
    "result": "FOUND",
    "status": "IN_REVIEW",
    "statusText": "in review by the appeals office",
    "nextStep": "No action is needed from you.",
    "dueDate": "2026-12-15",
    "dueDateSpoken": "December 15, 2026",
    "officeName": "Appeals Office",
}
EN = {"language": "en", "intent": "CASE_STATUS"}
ES = {"language": "es", "intent": "CASE_STATUS"}


def lookups(lambdas: ContractLambdas) -> list[dict[str, str]]:
    return [params for function, params in lambdas.received if function == "case_status"]


def test_found_status_spoken_then_agent(call: Caller, lambdas: ContractLambdas) -> None:
    # Given a valid case number and PIN / When the caller enters them and presses 1
    lambdas.respond("case_status", FOUND)
    result = call("case-status", [f"{CASE}#", f"{PIN}#", "1"], attributes=EN)
    # Then the lookup gets both (PIN from flow attributes), status, next step and due date are spoken
    assert lookups(lambdas) == [{"caseNumber": CASE, "pin": PIN, "language": "en"}]
    assert result.prompts[2:4] == [
        "The status of your case is: in review by the appeals office. No action is needed from you.",
        "The due date is December 15, 2026.",
    ]
    # and the verified case number (never the PIN) is on the contact for the agent
    assert result.attributes["caseNumber"] == CASE
    assert PIN not in result.attributes.values()
    assert_path(
        result,
        [
            "lookup",
            "result",
            "found",
            "found-speak",
            "has-due-date",
            "due-date",
            "logging-on",  # flow logging stays off through the read-out (issue 13 item 7)
            "after-channel",
            "after",
            "agent",
        ],
    )
    assert result.ended["how"] == "QUEUE"
    assert result.ended["queue"] == "status"
    assert result.contact.logging == "Enabled"
    assert [p for f, p in lambdas.received if f == "routing"][-1]["caseNumber"] == CASE


def test_found_then_hang_up_is_self_service(call: Caller, lambdas: ContractLambdas) -> None:
    lambdas.respond("case_status", FOUND)
    result = call("case-status", [f"{CASE}#", f"{PIN}#"], attributes=EN)
    assert result.attributes["selfService"] == "true"
    assert result.path[-4:] == ["after", "after-retry", "goodbye", "hangup"]
    assert result.prompts[-1] == "Thank you for calling CivicLine. Goodbye."
    assert result.ended["how"] == "DISCONNECT"


def test_found_then_back_to_the_main_menu(call: Caller, lambdas: ContractLambdas) -> None:
    lambdas.respond("case_status", FOUND)
    result = call("case-status", [f"{CASE}#", f"{PIN}#", "2", "1", "6"], attributes=EN)
    assert result.flows == ["case-status", "back-to-main", "main-inbound"]  # the one-action hop
    assert_path(
        result, ["after", "to-main", "to-main", "logging-on", "recording-on", "greeting-channel", "greeting"]
    )
    assert result.ended["queue"] == "tier2"


def test_zero_after_the_status_reaches_the_operator(call: Caller, lambdas: ContractLambdas) -> None:
    lambdas.respond("case_status", FOUND)
    result = call("case-status", [f"{CASE}#", f"{PIN}#", "0"], attributes=EN)
    assert result.attributes["intent"] == "OPERATOR"
    assert result.ended["queue"] == "operator"


@pytest.mark.parametrize("outcome", ["NOT_FOUND", "INVALID_INPUT"])
def test_not_verified_three_times_then_agent(call: Caller, lambdas: ContractLambdas, outcome: str) -> None:
    # Given every lookup fails verification / When the caller tries three times
    lambdas.respond("case_status", *[{"result": outcome}] * 3)
    entries = [f"{CASE}#", "000000#"] * 3
    result = call("case-status", entries, attributes=EN)
    # Then the same message each time (unknown case and wrong PIN sound alike), then an agent
    assert len(lookups(lambdas)) == 3
    assert result.prompts.count("We could not verify that case number and PIN.") == 3
    assert_path(
        result,
        ["not-verified", "retry", "logging-on-retry", "agent-fallback", "logging-off-route", "route-queue"],
    )
    assert "caseNumber" not in result.attributes
    assert result.ended["queue"] == "status"


def test_second_attempt_succeeds(call: Caller, lambdas: ContractLambdas) -> None:
    lambdas.respond("case_status", {"result": "NOT_FOUND"}, FOUND)
    result = call("case-status", [f"{CASE}#", "111111#", f"{CASE}#", f"{PIN}#", "1"], attributes=EN)
    assert [p["pin"] for p in lookups(lambdas)] == ["111111", PIN]
    assert_path(
        result, ["not-verified", "retry", "case-entry-channel", "case-entry"], ["found", "found-speak"]
    )
    assert result.ended["queue"] == "status"


def test_locked_caller_hears_lockout_then_agent(call: Caller, lambdas: ContractLambdas) -> None:
    lambdas.respond("case_status", {"result": "LOCKED"})
    result = call("case-status", [f"{CASE}#", f"{PIN}#"], attributes=EN)
    assert "locked after too many attempts" in spoken(result)
    assert_path(result, ["result", "logging-on-locked", "locked", "logging-off-route", "route-queue"])
    assert result.ended["how"] == "QUEUE"
    assert result.ended["queue"] == "status"


def test_no_case_number_entered_reprompts(call: Caller, lambdas: ContractLambdas) -> None:
    # Given a caller who enters nothing / Then "we did not receive" and a re-prompt, without a lookup
    lambdas.respond("case_status", FOUND)
    result = call("case-status", ["", f"{CASE}#", f"{PIN}#", "1"], attributes=EN)
    assert result.prompts[1] == "We did not receive your entry."
    assert result.path.count("case-entry") == 2
    assert len(lookups(lambdas)) == 1


def test_silence_ends_with_an_agent(call: Caller, lambdas: ContractLambdas) -> None:
    result = call("case-status", [], attributes=EN)
    assert lookups(lambdas) == []
    assert result.prompts.count("We did not receive your entry.") == 3
    assert result.ended["queue"] == "status"


@pytest.mark.parametrize("fault", ["error", "timeout"])
def test_lookup_failure_apologises_and_queues_with_logging_back_on(call: Caller, fault: str) -> None:
    result = call(
        "case-status",
        [f"{CASE}#", f"{PIN}#"],
        attributes=EN,
        fault=lambda name, attempt: fault if name == "case_status" else None,
    )
    assert "case status is not available right now" in spoken(result)
    assert_path(result, ["lookup", "logging-on-error", "lookup-error", "static-queue", "static-status"])
    assert result.contact.logging == "Enabled"
    assert result.ended["queue"] == "status"


def test_long_entries_are_cut_to_the_maximum_length(call: Caller, lambdas: ContractLambdas) -> None:
    call("case-status", ["1234567499#", "1234567890#"], attributes=EN)
    assert lookups(lambdas)[0]["caseNumber"] == "12345674"
    assert lookups(lambdas)[0]["pin"] == "12345678"


def test_closed_case_without_due_date_skips_it(call: Caller, lambdas: ContractLambdas) -> None:
    # Given a closed case (no due date, no next step) / Then no empty "due date is" sentence
    lambdas.respond(
        "case_status", {"result": "FOUND", "status": "CLOSED", "statusText": "closed", "nextStep": ""}
    )
    result = call("case-status", [f"{CASE}#", f"{PIN}#"], attributes=EN)
    assert result.prompts[2].strip() == "The status of your case is: closed."
    assert not any("due date" in p for p in result.prompts)
    assert_path(result, ["found-speak", "has-due-date", "logging-on", "after-channel", "after"])


def test_spanish_caller(call: Caller, lambdas: ContractLambdas) -> None:
    lambdas.respond("case_status", FOUND)
    result = call("case-status", [f"{CASE}#", f"{PIN}#", "1"], attributes=ES)
    assert result.prompts[0] == "Por favor, marque su número de caso de 8 dígitos y luego la tecla de número."
    assert lookups(lambdas)[0]["language"] == "es"
    assert "El estado de su caso es:" in spoken(result)


def test_without_a_language_english_is_assumed_and_recorded(call: Caller, lambdas: ContractLambdas) -> None:
    result = call("case-status", [f"{CASE}#", f"{PIN}#"])
    assert result.attributes["language"] == "en"
    assert lookups(lambdas)[0]["language"] == "en"
    assert result.attributes["intent"] == "CASE_STATUS"


def test_full_status_queue_offers_a_callback(call: Caller, lambdas: ContractLambdas) -> None:
    lambdas.respond("case_status", {"result": "LOCKED"})
    result = call("case-status", [f"{CASE}#", f"{PIN}#", "1"], attributes=EN, full={"status"})
    assert lambdas.received[-1][0] == "callback"
    assert lambdas.received[-1][1]["queueArn"] == local_arn("QUEUE", "status")
    assert result.path[-2:] == ["callback-confirmed", "hangup"]
