"""The correlation id of a log line belongs to the contact it is about (security review L5)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from functions.handlers.case_status import handler
from tests.functional.conftest import make_event


def _lines(logs: str, message: str) -> list[dict[str, Any]]:
    return [line for line in map(json.loads, logs.splitlines()) if line.get("message") == message]


def test_a_malformed_event_is_not_logged_under_the_previous_contact(
    seeded: Any, cases: Any, captured_logs: Callable[[], str]
) -> None:
    # Given a warm container that has just answered contact A
    case = cases[0]
    handler(make_event({"caseNumber": case.case_number, "pin": case.pin}, "CONTACT-A"), None)
    # When contact B's event arrives malformed (no ContactId can be read from it)
    broken = make_event({"caseNumber": case.case_number, "pin": case.pin}, "CONTACT-B")
    broken["Details"]["ContactData"]["ContactId"] = 42
    assert handler(broken, None) == {"result": "INVALID_INPUT"}
    # Then its log line carries no correlation id, never contact A's
    (line,) = _lines(captured_logs(), "malformed Connect event")
    assert line.get("correlation_id") is None
    # And the next well-formed contact is tagged with its own id again
    handler(make_event({"caseNumber": "12345678", "pin": "1234"}, "CONTACT-C"), None)
    assert {line.get("correlation_id") for line in _lines(captured_logs(), "outcome")} == {"CONTACT-C"}
