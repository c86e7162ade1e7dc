"""Logs captured while every handler runs contain no caller number, callback number or PIN in clear."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from functions.core.observability import logger
from functions.handlers import appeals, callback, case_status, routing, survey
from tests.functional.conftest import make_event

NUMBER = "+12025550187"
TYPED_NUMBER = "+12025550164"


def test_no_number_or_pin_in_logs(seeded: Any, cases: Any, captured_logs: Callable[[], str]) -> None:
    case = cases[0]
    wrong_pin = "8642" if case.pin != "8642" else "8643"
    # Given a run of every handler with a caller number, a typed callback number and PINs
    calls = [
        (routing, {"action": "route", "intent": "CONSULTATION", "callerNumber": NUMBER}),
        (case_status, {"caseNumber": case.case_number, "pin": wrong_pin, "callerNumber": NUMBER}),
        (case_status, {"caseNumber": case.case_number, "pin": case.pin, "callerNumber": NUMBER}),
        (case_status, {"caseNumber": case.case_number, "pin": "12x4"}),
        (appeals, {"category": "APPEAL", "callbackNumber": TYPED_NUMBER}),
        (
            callback,
            {"mode": "SCHEDULED", "queueName": "general", "window": "3", "callbackNumber": TYPED_NUMBER},
        ),
        (survey, {"trust": "5"}),
    ]
    for i, (module, params) in enumerate(calls):
        event = make_event(params, contact_id=f"log-{i}", number=NUMBER)
        module.handler(event, None)
        # and a careless full-event log line, as a developer debugging might add
        logger.debug("event", event=event)
    logs = captured_logs()
    lines = [json.loads(line) for line in logs.splitlines() if line.strip()]
    # Then there are log lines (the test can fail) and none holds a number or PIN in clear
    assert len(lines) >= 10
    assert any(line.get("message") == "callback requested" for line in lines)
    for secret in (NUMBER[2:], TYPED_NUMBER[2:]):
        assert secret not in logs, secret
    values = [v for line in lines for v in _strings(line)]
    for pin in (case.pin, wrong_pin):
        assert not [v for v in values if re.search(rf"(?<![0-9]){pin}(?![0-9])", v)], pin


def _strings(value: Any, key: str = "") -> list[str]:
    """Every string value of a log record except its timestamp."""
    if isinstance(value, dict):
        return [s for k, v in value.items() if k != "timestamp" for s in _strings(v, k)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return [value] if isinstance(value, str) else []
