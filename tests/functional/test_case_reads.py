"""Only case_status reads a case's PIN hash: routing reads a case with a projection of what it needs."""

from __future__ import annotations

from typing import Any

from functions.adapters.cases import ROUTING_ATTRIBUTES
from functions.handlers.routing import handler
from tests.functional.conftest import CALLER, make_event


def test_routing_reads_only_the_office_and_status_of_a_case(seeded: Any, cases: Any, aws_faults: Any) -> None:
    # Given an open case the caller names
    case = next(c for c in cases if c.status.value in ("RECEIVED", "IN_REVIEW"))
    faults = aws_faults("dynamodb")
    # When routing routes a case-status call
    result = handler(
        make_event(
            {"action": "route", "intent": "CASE_STATUS", "caseNumber": case.case_number}, "p-1", CALLER
        ),
        None,
    )
    assert result["result"] == "ROUTED" and result["reason"] == "REPEAT"
    # Then its one read of the cases table asks for the office and the status only, never the hash
    (read,) = [p for op, p, _ in faults.calls if p.get("TableName", "").endswith("cases")]
    asked = {read["ExpressionAttributeNames"][n.strip()] for n in read["ProjectionExpression"].split(",")}
    assert asked == set(ROUTING_ATTRIBUTES) == {"office_id", "status"}
