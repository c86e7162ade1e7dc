"""Cases, verification attempt counters and registered appeals.

Layout: ``cases`` table ``CASE#<number>`` / ``CASE`` (a :class:`~schemas.records.Case`) and
``APPEAL#<receipt>`` / ``APPEAL`` (an :class:`~schemas.records.Appeal`). Attempt counters live in
``state``: ``ATTEMPTS#<kind>#<id>`` (kinds ``CASE``, ``CALLER``, ``CONTACT``, ``WITHHELD``; the ids
are a case number, a caller pseudonym, a contact pseudonym, ``ALL``), sk ``VERIFY``, with
``failures``, ``tokens`` (attempts already counted, so a retried Lambda call is not counted twice),
``window_ends`` and ``expires_at`` (TTL, also the end of a lock): see
:mod:`functions.domain.case_status` for what they mean.

Counters are never read on their own: every attempt is a conditional UpdateItem that reserves it
only while the counter allows one, which DynamoDB evaluates on the item's latest state (a write is
never eventually consistent), and a refused write hands back the item it refused on
(``ReturnValuesOnConditionCheckFailure``), so deciding "retry or lock" costs no extra read. Which
of a counter's two writes (a new window, or one more failure in the open one) is tried first follows
what this container last saw of that counter (:data:`_WINDOWS`): only an order, the conditions still
decide, so a stale or missing entry costs one refused write, never a wrong count. Reservations are
given back in one ``TransactWriteItems`` (docs/decisions.md, "Simulation: fewer AWS calls per status
lookup").
"""

from __future__ import annotations

import re
from typing import Any

from functions.adapters import dynamo
from functions.core.errors import DependencyError
from functions.domain.case_status import AttemptCounter, AttemptLimit, Reservation, Subject
from schemas.records import Appeal, Case, CaseStatus

VERIFY = "VERIFY"
#: what routing reads of a case (never the PIN hash); its IAM grant's dynamodb:Attributes add the keys
ROUTING_ATTRIBUTES = ("office_id", "status")

# a new window: the item is absent, or its window has closed and no lock holds (an item written
# before windows existed has no window_ends: its window is closed)
_RESTART = "SET failures = :one, tokens = :tokens, window_ends = :ends, expires_at = :ends"
_RESTART_IF = (
    "attribute_not_exists(failures) OR ((attribute_not_exists(window_ends) OR window_ends <= :now) "
    "AND (failures < :max OR expires_at <= :now))"
)
# one more failure in the open window, below the limit, not yet counted for this attempt
_COUNT = "ADD failures :one, tokens :tokens SET expires_at = :ends"
_COUNT_IF = (
    "window_ends > :now AND failures < :max "
    "AND (attribute_not_exists(tokens) OR NOT contains(tokens, :token))"
)


def counter_pk(subject: Subject) -> str:
    return f"ATTEMPTS#{subject.kind}#{subject.id}"


def case_item(case: Case) -> dict[str, Any]:
    return {"pk": f"CASE#{case.case_number}", "sk": "CASE", **dynamo.stored(case)}


def _counter(item: dict[str, Any] | None) -> AttemptCounter:
    if not item:
        return AttemptCounter()
    return AttemptCounter(
        failures=int(item.get("failures", 0)),
        window_ends=float(item.get("window_ends", 0)),
        expires_at=float(item.get("expires_at", 0)),
        tokens=frozenset(item.get("tokens", ())),
    )


def pin_hash_of(case_number: str) -> str:
    """Only the stored PIN hash (``""`` when there is no such case): what a verification reads before
    the PIN is known to be right, so a wrong PIN and an unknown case read (almost) the same bytes."""
    response = dynamo.ddb().get_item(
        TableName=dynamo.table("cases"),
        Key=dynamo.key(f"CASE#{case_number}", "CASE"),
        ProjectionExpression="pin_hash",
    )
    return str(response.get("Item", {}).get("pin_hash", {}).get("S", ""))


def get_case(case_number: str) -> Case | None:
    """The whole case, PIN hash included: only case_status reads it, once the PIN is verified."""
    item = dynamo.get("cases", f"CASE#{case_number}", "CASE")
    return dynamo.record(Case, item) if item else None


def case_office_and_status(case_number: str) -> tuple[str, CaseStatus] | None:
    """What routing needs of a case, read with a projection of :data:`ROUTING_ATTRIBUTES` only."""
    response = dynamo.ddb().get_item(
        TableName=dynamo.table("cases"),
        Key=dynamo.key(f"CASE#{case_number}", "CASE"),
        ProjectionExpression=", ".join(f"#a{i}" for i in range(len(ROUTING_ATTRIBUTES))),
        ExpressionAttributeNames={f"#a{i}": name for i, name in enumerate(ROUTING_ATTRIBUTES)},
    )
    item = dynamo.from_item(response["Item"]) if response.get("Item") else None
    if not item or "office_id" not in item or "status" not in item:
        return None
    return str(item["office_id"]), CaseStatus(item["status"])


# --- attempt reservations --------------------------------------------------------------------


#: counter pk -> the end of its window as this container last saw it (ALL_NEW or ALL_OLD), at most
#: _WINDOWS_KEPT entries (oldest dropped); cleared with a new client (a new endpoint, new tables)
_WINDOWS: dict[str, float] = {}
_WINDOWS_KEPT = 4096
_windows_owner: list[Any] = []


def _seen(pk: str, state: AttemptCounter) -> None:
    _WINDOWS.pop(pk, None)
    _WINDOWS[pk] = state.window_ends
    if len(_WINDOWS) > _WINDOWS_KEPT:
        del _WINDOWS[next(iter(_WINDOWS))]


def _writes_in_order(pk: str, now: int) -> tuple[tuple[str, str], ...]:
    """A counter whose window was open when last seen is most likely still in it: count first."""
    current = dynamo.ddb()
    if not _windows_owner or _windows_owner[0] is not current:
        _WINDOWS.clear()
        _windows_owner[:] = [current]
    restart, count = (_RESTART, _RESTART_IF), (_COUNT, _COUNT_IF)
    return (count, restart) if _WINDOWS.get(pk, 0.0) > now else (restart, count)


def reserve_attempts(
    limits: tuple[AttemptLimit, ...], token: str, now: int, window_seconds: int
) -> tuple[Reservation, ...] | None:
    """Reserve one attempt on every counter, in order; None (nothing held) if any is locked.

    An attempt this call counted before a later counter refused is given back: no PIN is checked for
    it. One a retry found already counted is not: it stands for the earlier call's check.
    """
    held: list[Reservation] = []
    for limit in limits:
        reservation = _reserve(limit, token, now, window_seconds)
        if reservation is None:
            release_attempts(tuple(r for r in held if r.counted), token)
            return None
        held.append(reservation)
    return tuple(held)


def _reserve(limit: AttemptLimit, token: str, now: int, window_seconds: int) -> Reservation | None:
    """Try a new window, else one more failure in the open one; a refusal says why (the old item).

    The loop only repeats when the counter changed between the two writes (another call's
    window opened or closed in between) or a write met another lookup's give-back transaction on the
    item (``TransactionConflictException``: nothing written); three rounds without a decision is
    contention we report.
    """
    values = {
        ":one": {"N": "1"},
        ":tokens": {"SS": [token]},
        ":token": {"S": token},
        ":ends": {"N": str(now + window_seconds)},
        ":now": {"N": str(now)},
        ":max": {"N": str(limit.limit)},
    }
    pk = counter_pk(limit.subject)
    client = dynamo.ddb()
    for _ in range(3):
        for update, condition in _writes_in_order(pk, now):
            try:
                written, state = _conditional_update(pk, update, condition, values)
            except client.exceptions.TransactionConflictException:
                continue  # another lookup's give-back transaction held the item: nothing written
            _seen(pk, state)
            if written:
                return Reservation(limit, state, counted=True)
            if token in state.tokens and state.used(now, limit.limit):
                return Reservation(limit, state, counted=False)
            if state.locked(now, limit.limit):
                return None
    raise DependencyError("attempt counter kept changing under contention")


def _conditional_update(
    pk: str, update: str, condition: str, values: dict[str, Any]
) -> tuple[bool, AttemptCounter]:
    used = set(re.findall(r":\w+", f"{update} {condition}"))
    names = {k: v for k, v in values.items() if k in used}
    client = dynamo.ddb()
    try:
        response = client.update_item(
            TableName=dynamo.table("state"),
            Key=dynamo.key(pk, VERIFY),
            UpdateExpression=update,
            ConditionExpression=condition,
            ExpressionAttributeValues=names,
            ReturnValues="ALL_NEW",
            ReturnValuesOnConditionCheckFailure="ALL_OLD",
        )
    except client.exceptions.ConditionalCheckFailedException as exc:
        old = exc.response.get("Item")
        return False, _counter(dynamo.from_item(old) if old else None)
    return True, _counter(dynamo.from_item(response["Attributes"]))


def release_attempts(held: tuple[Reservation, ...], token: str) -> None:
    """Give reservations back (a correct PIN, or a later counter refused): one ``TransactWriteItems``
    for two or three counters, one UpdateItem for one.

    Each is conditional on the token still being there, so an attempt is never given back twice and a
    window restarted since then is left alone. A transaction is all or nothing, so when it is
    cancelled the counters whose condition did not fail (or that met another write) are given back one
    by one; a failed condition is a counter already given back or restarted, left alone as before.
    """
    if len(held) < 2:
        for reservation in held:
            _release_one(reservation, token)
        return
    client = dynamo.ddb()
    try:
        client.transact_write_items(TransactItems=[{"Update": _give_back(r, token)} for r in held])
    except client.exceptions.TransactionCanceledException as exc:
        reasons = [r.get("Code") for r in exc.response.get("CancellationReasons", [])]
        if len(reasons) != len(held):
            reasons = [None] * len(held)
        for reservation, code in zip(held, reasons, strict=True):
            if code != "ConditionalCheckFailed":
                _release_one(reservation, token)


def _give_back(reservation: Reservation, token: str) -> dict[str, Any]:
    return {
        "TableName": dynamo.table("state"),
        "Key": dynamo.key(counter_pk(reservation.on.subject), VERIFY),
        "UpdateExpression": "ADD failures :minus DELETE tokens :tokens",
        "ConditionExpression": "contains(tokens, :token)",
        "ExpressionAttributeValues": {
            ":minus": {"N": "-1"},
            ":tokens": {"SS": [token]},
            ":token": {"S": token},
        },
    }


def _release_one(reservation: Reservation, token: str) -> None:
    client = dynamo.ddb()
    try:
        client.update_item(**_give_back(reservation, token))
    except client.exceptions.ConditionalCheckFailedException:
        return


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
