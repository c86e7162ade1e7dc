"""Connect retries a Lambda up to 3 times: each side-effecting call replayed three times has one effect."""

from __future__ import annotations

from typing import Any

from functions.handlers import appeals, callback, case_status, routing, survey
from tests.functional.conftest import make_event


def scan(aws: Any, table: str) -> list[dict[str, Any]]:
    return aws.client("dynamodb").scan(TableName=aws.table(table))["Items"]


def replay(module: Any, params: dict[str, str], contact_id: str = "replay-1") -> list[dict[str, str]]:
    return [module.handler(make_event(params, contact_id), None) for _ in range(3)]


def test_every_side_effecting_call_replayed_three_times_has_one_effect(seeded: Any, cases: Any) -> None:
    before_state = len(scan(seeded, "state"))
    before_cases = len(scan(seeded, "cases"))
    # When each side-effecting call is replayed three times with the same ContactId and step
    answers = {
        "routing": replay(routing, {"action": "route", "intent": "REDIRECT", "topic": "2"}),
        "case_status": replay(case_status, {"caseNumber": cases[9].case_number, "pin": "0000"}),
        "appeals": replay(appeals, {"category": "IDENTITY_THEFT"}),
        "callback": replay(callback, {"mode": "SCHEDULED", "queueName": "appeals", "window": "2"}),
        "survey": replay(survey, {"trust": "4", "ease": "5"}),
    }
    # Then every answer repeats the first one
    for name, results in answers.items():
        assert results[0] == results[1] == results[2], name
    # And exactly one effect each: one history item, two attempt counters counted once, one appeal,
    # one callback with one guard, one survey
    state = scan(seeded, "state")
    assert len(state) - before_state == 3
    assert all(int(i["failures"]["N"]) == 1 for i in state if i["pk"]["S"].startswith("ATTEMPTS#"))
    assert len(scan(seeded, "cases")) - before_cases == 1
    assert len(scan(seeded, "callbacks")) == 2
    assert len(scan(seeded, "surveys")) == 1
