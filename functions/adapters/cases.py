"""Cases, verification attempt counters and registered appeals.

Layout: ``cases`` table ``CASE#<number>`` / ``CASE`` (a :class:`~schemas.records.Case`) and
``APPEAL#<receipt>`` / ``APPEAL`` (an :class:`~schemas.records.Appeal`). Attempt counters live in
``state``: ``ATTEMPTS#CALLER#<pseudonymized number>`` and ``ATTEMPTS#CASE#<number>``, sk ``VERIFY``,
with ``failures``, a set of attempt tokens already counted (so a retried Lambda call is not counted
twice) and ``expires_at`` (TTL, also the end of the lockout).
"""

from __future__ import annotations

from typing import Any

from functions.adapters import dynamo
from functions.domain.case_status import AttemptCounter
from schemas.records import Appeal, Case

VERIFY = "VERIFY"


def caller_counter_pk(caller_key: str) -> str:
    return f"ATTEMPTS#CALLER#{caller_key}"


def case_counter_pk(case_number: str) -> str:
    return f"ATTEMPTS#CASE#{case_number}"


def case_item(case: Case) -> dict[str, Any]:
    return {"pk": f"CASE#{case.case_number}", "sk": "CASE", **dynamo.stored(case)}


def _counter(item: dict[str, Any] | None) -> AttemptCounter:
    if not item:
        return AttemptCounter()
    return AttemptCounter(failures=int(item.get("failures", 0)), expires_at=float(item.get("expires_at", 0)))


def lookup(case_number: str, caller_key: str) -> tuple[Case | None, AttemptCounter, AttemptCounter]:
    """The case and both attempt counters in ONE BatchGetItem call (the status lookup's only read)."""
    found = dynamo.batch_get(
        {
            "cases": [(f"CASE#{case_number}", "CASE")],
            "state": [(caller_counter_pk(caller_key), VERIFY), (case_counter_pk(case_number), VERIFY)],
        }
    )
    case_items = found["cases"]
    case = dynamo.record(Case, case_items[0]) if case_items else None
    counters = {i["pk"]: i for i in found["state"]}
    return (
        case,
        _counter(counters.get(caller_counter_pk(caller_key))),
        _counter(counters.get(case_counter_pk(case_number))),
    )


def get_case(case_number: str) -> Case | None:
    item = dynamo.get("cases", f"CASE#{case_number}", "CASE")
    return dynamo.record(Case, item) if item else None


def record_failure(counter_pk: str, token: str, expires_at: int) -> AttemptCounter:
    """Count one failed verification unless ``token`` (contact + step + input) was already counted.

    A single conditional UpdateItem: ADD to the count and to the token set, push the lockout end.
    The window restarts at every failure, so a lock lasts ``lockout_seconds`` after the last one.
    """
    client = dynamo.ddb()
    try:
        response = client.update_item(
            TableName=dynamo.table("state"),
            Key=dynamo.key(counter_pk, VERIFY),
            UpdateExpression="ADD failures :one, tokens :tok SET expires_at = :exp",
            ConditionExpression="attribute_not_exists(tokens) OR NOT contains(tokens, :t)",
            ExpressionAttributeValues={
                ":one": {"N": "1"},
                ":tok": {"SS": [token]},
                ":t": {"S": token},
                ":exp": {"N": str(expires_at)},
            },
            ReturnValues="ALL_NEW",
        )
        return _counter(dynamo.from_item(response["Attributes"]))
    except client.exceptions.ConditionalCheckFailedException:
        return _counter(dynamo.get("state", counter_pk, VERIFY, consistent=True))


# --- appeals ---------------------------------------------------------------------------------


def appeal_item(appeal: Appeal) -> dict[str, Any]:
    return {"pk": f"APPEAL#{appeal.receipt}", "sk": "APPEAL", **dynamo.stored(appeal)}


def put_appeal(appeal: Appeal) -> Appeal | None:
    """Store an appeal under a receipt not yet taken: one conditional put.

    Returns None when stored; the appeal already stored under that receipt otherwise (a retried call
    finds its own appeal there; anything else is a receipt collision the caller resolves).
    """
    client = dynamo.ddb()
    try:
        client.put_item(
            TableName=dynamo.table("cases"),
            Item=dynamo.to_item(appeal_item(appeal)),
            ConditionExpression="attribute_not_exists(pk)",
        )
    except client.exceptions.ConditionalCheckFailedException:
        item = dynamo.get("cases", f"APPEAL#{appeal.receipt}", "APPEAL", consistent=True)
        if item is None:  # deleted between the two calls: the receipt is free again
            from functions.core.errors import DependencyError

            raise DependencyError("appeal receipt changed during registration") from None
        return dynamo.record(Appeal, item)
    return None
