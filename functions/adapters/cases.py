"""Cases, verification attempt counters and registered appeals.

Layout: ``cases`` table ``CASE#<number>`` / ``CASE`` (a :class:`~schemas.records.Case`) and
``APPEAL#<receipt>`` / ``APPEAL`` (an :class:`~schemas.records.Appeal`). Attempt counters live in
``state``: ``ATTEMPTS#<kind>#<id>`` (kinds ``CASE``, ``CALLER``, ``CONTACT``, ``WITHHELD``; the ids
are a case number, a caller pseudonym, a contact pseudonym, ``ALL``), sk ``VERIFY``, with
``failures``, ``tokens`` (attempts already counted, so a retried Lambda call is not counted twice),
``window_ends`` and ``expires_at`` (TTL, also the end of a lock): see
:mod:`functions.domain.case_status` for what they mean.

Counters are never read before an attempt: every attempt reserves one on each counter in one
``TransactWriteItems`` of conditional updates, each taking it only while its counter allows one,
which DynamoDB evaluates on the items' latest state (all or nothing: a locked counter leaves the
others untouched), and a refused update hands back the item it refused on
(``ReturnValuesOnConditionCheckFailure``), so deciding "retry or lock" costs no extra read. Which
of a counter's two writes (a new window, or one more failure in the open one) is tried first follows
what this container last saw of that counter (:data:`_WINDOWS`): only an order, the conditions still
decide, so a stale or missing entry costs one refused round, never a wrong count. A transaction
returns no values, so a wrong PIN reads back the counters a count left unknown (one consistent
``BatchGetItem``) for the attempts it has left. Reservations are given back in one
``TransactWriteItems`` (docs/decisions.md, "Simulation: fewer AWS calls per status lookup", and
"Case status: one transaction reserves every counter").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Any

from functions.adapters import dynamo, transient
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


#: counter pk -> the end of its window as this container last saw or set it, at most _WINDOWS_KEPT
#: entries (oldest dropped); cleared with a new client (a new endpoint, new tables)
_WINDOWS: dict[str, float] = {}
_WINDOWS_KEPT = 4096
_windows_owner: list[Any] = []
#: transactions tried before contention is reported: each refused round learns the state of every
#: counter it refused, so only a concurrent change between two rounds costs another
_ROUNDS = 4
#: why a reservation's transaction may be cancelled and tried again (anything else is raised)
_CANCELLED_FOR = frozenset({"None", "ConditionalCheckFailed", *transient.TRANSIENT_REASONS})


def _seen(pk: str, window_ends: float) -> None:
    _WINDOWS.pop(pk, None)
    _WINDOWS[pk] = window_ends
    if len(_WINDOWS) > _WINDOWS_KEPT:
        del _WINDOWS[next(iter(_WINDOWS))]


def _window_seen(pk: str) -> float:
    current = dynamo.ddb()
    if not _windows_owner or _windows_owner[0] is not current:
        _WINDOWS.clear()
        _windows_owner[:] = [current]
    return _WINDOWS.get(pk, 0.0)


@dataclass(frozen=True)
class _Write:
    """One counter's part of a reservation: one more failure in the open window, or a new window."""

    count: bool

    def action(self, pk: str, values: dict[str, Any]) -> dict[str, Any]:
        update, condition = (_COUNT, _COUNT_IF) if self.count else (_RESTART, _RESTART_IF)
        used = set(re.findall(r":\w+", f"{update} {condition}"))
        return {
            "Update": {
                "TableName": dynamo.table("state"),
                "Key": dynamo.key(pk, VERIFY),
                "UpdateExpression": update,
                "ConditionExpression": condition,
                "ExpressionAttributeValues": {k: v for k, v in values.items() if k in used},
                "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
            }
        }

    def result(self, token: str, ends: float) -> AttemptCounter | None:
        """The counter after this write went through: a new window is known; a count is not."""
        if self.count:
            return None
        return AttemptCounter(failures=1, window_ends=ends, expires_at=ends, tokens=frozenset({token}))


def _can_count(state: AttemptCounter, limit: AttemptLimit, token: str, now: int) -> bool:
    return state.window_ends > now and state.failures < limit.limit and token not in state.tokens


def reserve_attempts(
    limits: tuple[AttemptLimit, ...], token: str, now: int, window_seconds: int
) -> tuple[Reservation, ...] | None:
    """Reserve one attempt on every counter in one ``TransactWriteItems``; None if any is locked.

    All or nothing: a locked counter leaves every other one as it was, so nothing is given back. A
    counter a retry of this attempt already counted (its token is there) is left out of the next
    round and not given back: it stands for the earlier call's check. Each counter's write is the one
    its last seen window calls for (:data:`_WINDOWS`: only an order, the conditions decide); a refused
    one hands back the counter's state (``ReturnValuesOnConditionCheckFailure``), which decides the
    next round's write, so deciding "retry or lock" costs no read.
    """
    reserving = _Reserving(limits, token, now, window_seconds)
    for _ in range(_ROUNDS):
        if not reserving.writes:
            return reserving.held()
        refused = _transact(reserving.actions())
        if refused is None:
            reserving.written()
            return reserving.held()
        if not reserving.learn(refused):
            return None
    raise DependencyError("attempt counters kept changing under contention")


class _Reserving:
    """One reservation's rounds: the write planned for each counter not yet decided, and the ones
    decided (written, or found counted by an earlier call of the same attempt)."""

    def __init__(self, limits: tuple[AttemptLimit, ...], token: str, now: int, window_seconds: int) -> None:
        self.limits, self.token, self.now, self.window_seconds = limits, token, now, window_seconds
        self.pks = [counter_pk(limit.subject) for limit in limits]
        self.writes = {i: _Write(count=_window_seen(pk) > now) for i, pk in enumerate(self.pks)}
        self.done: dict[int, Reservation] = {}

    def actions(self) -> list[dict[str, Any]]:
        values = {
            ":one": {"N": "1"},
            ":tokens": {"SS": [self.token]},
            ":token": {"S": self.token},
            ":ends": {"N": str(self.now + self.window_seconds)},
            ":now": {"N": str(self.now)},
        }
        return [
            write.action(self.pks[i], {**values, ":max": {"N": str(self.limits[i].limit)}})
            for i, write in self.writes.items()
        ]

    def written(self) -> None:
        ends = float(self.now + self.window_seconds)
        for i, write in self.writes.items():
            if not write.count:
                _seen(self.pks[i], ends)
            self.done[i] = Reservation(self.limits[i], write.result(self.token, ends), counted=True)
        self.writes.clear()

    def learn(self, refused: list[AttemptCounter | None]) -> bool:
        """Plan the next round from the states the refused writes handed back; False if one is locked."""
        for i, state in zip(list(self.writes), refused, strict=True):
            if state is None:
                continue  # not refused (or it met another transaction, or throttling): again
            limit = self.limits[i]
            _seen(self.pks[i], state.window_ends)
            if self.token in state.tokens and state.used(self.now, limit.limit):
                self.done[i] = Reservation(limit, state, counted=False)
                del self.writes[i]
            elif state.locked(self.now, limit.limit):
                return False
            else:
                self.writes[i] = _Write(count=_can_count(state, limit, self.token, self.now))
        return True

    def held(self) -> tuple[Reservation, ...]:
        return tuple(self.done[i] for i in range(len(self.limits)))


def _transact(actions: list[dict[str, Any]]) -> list[AttemptCounter | None] | None:
    """None when every write went through; else, per write, the state its condition was refused on
    (None for a write that was fine or met another transaction: nothing was written either way)."""
    client = dynamo.ddb()
    try:
        client.transact_write_items(TransactItems=actions)
    except client.exceptions.TransactionCanceledException as exc:
        reasons = exc.response.get("CancellationReasons", [])
        codes = transient.cancellation_reasons(exc)
        if len(reasons) != len(actions) or not all(code in _CANCELLED_FOR for code in codes):
            raise
        return [
            _refused_on(r) if code == "ConditionalCheckFailed" else None
            for code, r in zip(codes, reasons, strict=True)
        ]
    return None


def _refused_on(reason: dict[str, Any]) -> AttemptCounter:
    item = reason.get("Item")
    return _counter(dynamo.from_item(item) if item else None)


def with_states(held: tuple[Reservation, ...]) -> tuple[Reservation, ...]:
    """The reservations with every counter's state known: those a count left unknown are read back
    (one consistent ``BatchGetItem``). Only a wrong PIN needs them (the attempts left)."""
    unknown = [r for r in held if r.state is None]
    if not unknown:
        return held
    keys = [(counter_pk(r.on.subject), VERIFY) for r in unknown]
    items = dynamo.batch_get({"state": keys}, consistent=True)["state"]
    found = {str(item["pk"]): _counter(item) for item in items}
    return tuple(
        r if r.state is not None else replace(r, state=found.get(counter_pk(r.on.subject), AttemptCounter()))
        for r in held
    )


def release_attempts(held: tuple[Reservation, ...], token: str) -> None:
    """Give a verified caller's reservations back: one ``TransactWriteItems`` for two or three
    counters, one UpdateItem for one.

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
