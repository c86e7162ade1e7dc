"""Callback requests, the one-open-per-number-and-queue guard, and the dispatcher's claims.

Layout in the ``callbacks`` table:

* ``CALLBACK#<callback_id>`` / ``REQUEST``: a :class:`~schemas.records.CallbackRequest` plus, while
  it waits to be dialed (scheduled callbacks), ``gsi1pk = "DUE"`` and ``gsi1sk = <next attempt ISO>``
  for the ``by_state_due`` index; ``expires_at`` (TTL) from its creation on, since it holds the number
  (:func:`functions.domain.callbacks.expiry`: the end of its purpose plus the retention).
* ``OPEN#<caller_key>#<queue>`` / ``OPEN``: the guard, holding the open request's id and window;
  ``expires_at`` = end of its window (a virtual-hold guard frees itself; closing deletes it).

Creating a request is ONE TransactWriteItems call (the guard and the request, both conditional):
DynamoDB counts it as one request, it is atomic, and a second request for the same number and queue
fails on the guard instead of creating a duplicate. A cancelled transaction is read precisely: a
failed condition is an answer (ours, another's, a full window), contention and throttling are
retried and then raised (functions/adapters/transient.py), so a caller is told CREATED only when the
request is stored.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from functions.adapters import dynamo, transient
from schemas.records import CallbackMode, CallbackRequest, CallbackState

DUE = "DUE"
#: index partition of claimed requests, sorted by the end of the claim's lease
LEASE = "LEASE"
#: a claim older than this belongs to a dispatcher that died mid-attempt (its Lambda times out at 60 s)
LEASE_SECONDS = 300
_META = ("pk", "sk", "gsi1pk", "gsi1sk", "expires_at", "claimed_at")


def request_key(callback_id: str) -> dict[str, Any]:
    return dynamo.key(f"CALLBACK#{callback_id}", "REQUEST")


def guard_key(caller_key: str, queue: str) -> dict[str, Any]:
    return dynamo.key(f"OPEN#{caller_key}#{queue}", "OPEN")


def _request_values(request: CallbackRequest) -> dict[str, Any]:
    values: dict[str, Any] = {
        "pk": f"CALLBACK#{request.callback_id}",
        "sk": "REQUEST",
        **dynamo.stored(request),
    }
    if request.state is CallbackState.PENDING and request.mode is CallbackMode.SCHEDULED:
        due = request.next_attempt_at or request.window_start
        values.update(gsi1pk=DUE, gsi1sk=_sort_time(due))
    return values


def _sort_time(moment: datetime) -> str:
    """UTC ISO text, so that string order in the index is time order whatever the clock's zone."""
    return moment.astimezone(UTC).isoformat()


def parse_request(item: dict[str, Any]) -> CallbackRequest:
    return dynamo.record(CallbackRequest, item, _META)


class WindowFull(Exception):
    """The scheduled window already holds as many callbacks as the queue's capacity allows."""


@dataclass(frozen=True)
class Booking:
    """What a request came to: this contact's own stored request (``created``), or the open one
    of the same number and queue that is in the way."""

    created: bool
    callback_id: str
    window_start: datetime


def capacity_key(queue: str, window_start: datetime) -> dict[str, Any]:
    return dynamo.key(f"CAPACITY#{queue}", _sort_time(window_start))


def create(
    request: CallbackRequest,
    now: datetime,
    guard_until: datetime,
    *,
    expires_at: int,
    budget: transient.RetryBudget,
    capacity: int = 0,
) -> Booking:
    """Store the guard and the request atomically; the :class:`Booking` says whose request is open.

    The guard expires at ``guard_until`` (the window plus all retries) in case nothing closes it; the
    request at ``expires_at`` (it holds the number). With a ``capacity``, a scheduled request also
    takes one place in its queue's window counter, in the same transaction; :class:`WindowFull` when
    none is left (and nothing is written). Contention and throttling are retried within ``budget``,
    then raised as :class:`~functions.adapters.transient.Contention`: ``created`` is only ever said of
    a request that is stored.
    """
    items = _booking_items(request, now, guard_until, expires_at, capacity)
    return transient.retry_within(budget, lambda: _book_once(request, items))


def _booking_items(
    request: CallbackRequest, now: datetime, guard_until: datetime, expires_at: int, capacity: int
) -> list[dict[str, Any]]:
    table = dynamo.table("callbacks")
    guard = {
        **guard_key(request.caller_key, request.queue),
        **dynamo.to_item(
            {
                "callback_id": request.callback_id,
                "window_start": request.window_start.isoformat(),
                "expires_at": int(guard_until.timestamp()),
            }
        ),
    }
    items: list[dict[str, Any]] = [
        {
            "Put": {
                "TableName": table,
                "Item": guard,
                "ConditionExpression": "attribute_not_exists(pk) OR expires_at < :now",
                "ExpressionAttributeValues": {":now": {"N": str(int(now.timestamp()))}},
            }
        },
        {
            "Put": {
                "TableName": table,
                "Item": dynamo.to_item({**_request_values(request), "expires_at": expires_at}),
                "ConditionExpression": "attribute_not_exists(pk)",
            }
        },
    ]
    if capacity and request.mode is CallbackMode.SCHEDULED:
        items.append(_take_place(table, request, guard_until, capacity))
    return items


def _book_once(request: CallbackRequest, items: list[dict[str, Any]]) -> Booking:
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        dynamo.ddb().transact_write_items(TransactItems=items)
    except (ClientError, BotoCoreError) as exc:
        try:
            booking = _after_refusal(request, exc)
        except (ClientError, BotoCoreError) as read_error:  # the read-back itself was throttled
            transient.raise_if_transient(read_error)
            raise
        if booking is None:
            raise
        return booking
    return Booking(True, request.callback_id, request.window_start)


def _after_refusal(request: CallbackRequest, exc: BaseException) -> Booking | None:
    """Why the booking was refused, read back where the reasons alone cannot say.

    * a condition failed on the guard or the request: if this contact's request is stored (a retried
      call, or our own write whose answer was lost), it is ours: ``created``;
    * the guard is held by another request: that one (``EXISTING``);
    * only the window counter refused: :class:`WindowFull`;
    * contention, throttling, a time-out, or a guard freed since: :class:`Contention` (retry);
    * anything else (a bug, a validation error): None, the caller re-raises it.
    """
    reasons = transient.cancellation_reasons(exc)
    own_items = reasons[:2]
    if transient.CONDITION_FAILED in own_items:
        ours = get_request(request.callback_id)
        if ours is not None and ours.contact_id == request.contact_id:
            return Booking(True, ours.callback_id, ours.window_start)
    if own_items[:1] == [transient.CONDITION_FAILED]:
        holder = dynamo.get("callbacks", *_guard_pk_sk(request), consistent=True)
        if holder is not None and holder.get("callback_id") != request.callback_id:
            start = datetime.fromisoformat(str(holder["window_start"]))
            return Booking(False, str(holder["callback_id"]), start)
    if reasons[2:] == [transient.CONDITION_FAILED]:
        raise WindowFull(request.queue) from None
    conflict = frozenset({transient.CONDITION_FAILED, *transient.TRANSIENT_REASONS})
    if reasons and transient.only(reasons, conflict):
        raise transient.Contention("booking refused meanwhile: " + ",".join(reasons)) from exc
    transient.raise_if_transient(exc)
    return None


def _guard_pk_sk(request: CallbackRequest) -> tuple[str, str]:
    return f"OPEN#{request.caller_key}#{request.queue}", "OPEN"


def _take_place(table: str, request: CallbackRequest, until: datetime, capacity: int) -> dict[str, Any]:
    """One more booking in the queue's window counter, unless it is full (removed by TTL later)."""
    return {
        "Update": {
            "TableName": table,
            "Key": capacity_key(request.queue, request.window_start),
            "UpdateExpression": "SET booked = if_not_exists(booked, :zero) + :one, expires_at = :until",
            "ConditionExpression": "attribute_not_exists(booked) OR booked < :capacity",
            "ExpressionAttributeValues": {
                ":zero": {"N": "0"},
                ":one": {"N": "1"},
                ":capacity": {"N": str(capacity)},
                ":until": {"N": str(int(until.timestamp()))},
            },
        }
    }


def get_request(callback_id: str) -> CallbackRequest | None:
    item = dynamo.get("callbacks", f"CALLBACK#{callback_id}", "REQUEST", consistent=True)
    return parse_request(item) if item else None


def due(now: datetime, limit: int) -> list[CallbackRequest]:
    """Pending scheduled requests whose next attempt is due, oldest first."""
    response = dynamo.ddb().query(
        TableName=dynamo.table("callbacks"),
        IndexName="by_state_due",
        KeyConditionExpression="gsi1pk = :due AND gsi1sk <= :now",
        ExpressionAttributeValues={":due": {"S": DUE}, ":now": {"S": _sort_time(now)}},
        Limit=limit,
    )
    return [parse_request(dynamo.from_item(i)) for i in response.get("Items", [])]


def _lease_values(now: datetime) -> dict[str, Any]:
    return {
        ":dialing": {"S": CallbackState.DIALING.value},
        ":now": {"S": now.isoformat()},
        ":until": {"S": _sort_time(now + timedelta(seconds=LEASE_SECONDS))},
    }


def _conditional_update(callback_id: str, update: str, condition: str, values: dict[str, Any]) -> bool:
    """One conditional UpdateItem on a request; False when the condition does not hold (lost race).

    Contention and throttling raise :class:`~functions.adapters.transient.Contention`.
    """
    from botocore.exceptions import BotoCoreError, ClientError

    client = dynamo.ddb()
    try:
        client.update_item(
            TableName=dynamo.table("callbacks"),
            Key=request_key(callback_id),
            UpdateExpression=update,
            ConditionExpression=condition,
            ExpressionAttributeNames={"#s": "state"},
            ExpressionAttributeValues=values,
        )
    except client.exceptions.ConditionalCheckFailedException:
        return False
    except (ClientError, BotoCoreError) as exc:
        transient.raise_if_transient(exc)
        raise
    return True


def claim(callback_id: str, now: datetime) -> bool:
    """PENDING -> DIALING with a conditional update: only one dispatcher can win a callback.

    The claim is a lease, indexed under ``LEASE`` by its expiry, so that a dispatcher that dies
    before recording the attempt does not strand the callback (see :func:`stale_claims`).
    """
    return _conditional_update(
        callback_id,
        "SET #s = :dialing, claimed_at = :now, gsi1pk = :lease, gsi1sk = :until",
        "#s = :pending",
        {
            **_lease_values(now),
            ":pending": {"S": CallbackState.PENDING.value},
            ":lease": {"S": LEASE},
        },
    )


def stale_claims(now: datetime, limit: int) -> list[tuple[CallbackRequest, str]]:
    """Requests left DIALING by a dispatcher that died after claiming them, with their claim time.

    Saving an attempt rewrites the item without ``gsi1pk``, so only unfinished claims stay indexed.
    """
    response = dynamo.ddb().query(
        TableName=dynamo.table("callbacks"),
        IndexName="by_state_due",
        KeyConditionExpression="gsi1pk = :lease AND gsi1sk <= :now",
        ExpressionAttributeValues={":lease": {"S": LEASE}, ":now": {"S": _sort_time(now)}},
        Limit=limit,
    )
    found = []
    for raw in response.get("Items", []):
        item = dynamo.from_item(raw)
        found.append((parse_request(item), str(item.get("claimed_at", ""))))
    return found


def reclaim(callback_id: str, claimed_at: str, now: datetime) -> bool:
    """Take over a stale claim; conditional on the claim being the one we saw, so one winner only."""
    return _conditional_update(
        callback_id,
        "SET claimed_at = :now, gsi1sk = :until",
        "#s = :dialing AND claimed_at = :seen",
        {**_lease_values(now), ":seen": {"S": claimed_at}},
    )


def outbound_key(outbound_contact_id: str) -> dict[str, Any]:
    return dynamo.key(f"OUTBOUND#{outbound_contact_id}", "OUTBOUND")


class ChangedMeanwhile(transient.Contention):
    """The request is no longer as it was read (another writer settled or took it): read it again."""


def save_after_attempt(request: CallbackRequest, closed: bool, expires_at: int) -> bool:
    """Write the request back (still DIALING-guarded); when closed, free the guard in the same call.

    A placed call also stores ``OUTBOUND#<contact id>`` -> callback id, so the call's contact events can
    find the request (they carry no contact attributes), and gives the request a TTL in case no event
    ever settles it (contact events are best effort). False when the request is no longer ours (its
    lease ran out and another dispatcher took it); contention raises
    :class:`~functions.adapters.transient.Contention`.
    """
    items = [_put_request(request, expires_at, CallbackState.DIALING)]
    placed = request.attempts[-1] if request.attempts else None
    if placed is not None and placed.outcome == "PLACED" and placed.outbound_contact_id:
        pointer = {"callback_id": request.callback_id, "expires_at": expires_at}
        items.append(
            {
                "Put": {
                    "TableName": dynamo.table("callbacks"),
                    "Item": {**outbound_key(placed.outbound_contact_id), **dynamo.to_item(pointer)},
                }
            }
        )
    if closed:
        items.append(_free_guard(request))
    try:
        _transact(items, guard_at=len(items) - 1 if closed else None)
    except ChangedMeanwhile:
        return False
    return True


def find_by_outbound(outbound_contact_id: str) -> CallbackRequest | None:
    """The request an outbound callback call belongs to; None for any other contact.

    Throttled or timed-out reads raise :class:`~functions.adapters.transient.Contention` (retryable).
    """
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        pointer = dynamo.get("callbacks", f"OUTBOUND#{outbound_contact_id}", "OUTBOUND")
        return None if pointer is None else get_request(str(pointer["callback_id"]))
    except (ClientError, BotoCoreError) as exc:
        transient.raise_if_transient(exc)
        raise


def save_settled(request: CallbackRequest, closed: bool, expires_at: int, expected: CallbackState) -> None:
    """Write a settled request, only if it is still in the ``expected`` state it was read in.

    Closing frees the guard in the same call. :class:`ChangedMeanwhile` when the request changed since
    it was read (read it again: it may be settled already), :class:`~functions.adapters.transient.
    Contention` under contention or throttling: nothing is written then, and nothing is lost.
    """
    items = [_put_request(request, expires_at, expected)]
    if closed:
        items.append(_free_guard(request))
    _transact(items, guard_at=1 if closed else None)


def _transact(items: list[dict[str, Any]], guard_at: int | None) -> None:
    """One TransactWriteItems whose first item is the request; failures raised as what they mean.

    A guard that another request holds by now (``guard_at``: its position) is not ours to free: the
    write is repeated without it.
    """
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        dynamo.ddb().transact_write_items(TransactItems=items)
    except (ClientError, BotoCoreError) as exc:
        reasons = transient.cancellation_reasons(exc)
        if reasons[:1] == [transient.CONDITION_FAILED]:
            raise ChangedMeanwhile("the request changed since it was read") from exc
        if guard_at is not None and _only_guard_refused(reasons, guard_at):
            _transact(items[:guard_at] + items[guard_at + 1 :], None)
            return
        transient.raise_if_transient(exc)
        raise


def _only_guard_refused(reasons: list[str], guard_at: int) -> bool:
    others = reasons[:guard_at] + reasons[guard_at + 1 :]
    return reasons[guard_at : guard_at + 1] == [transient.CONDITION_FAILED] and transient.only(
        others, frozenset()
    )


def _put_request(request: CallbackRequest, expires_at: int, expected: CallbackState) -> dict[str, Any]:
    values = {**_request_values(request), "expires_at": expires_at}
    return {
        "Put": {
            "TableName": dynamo.table("callbacks"),
            "Item": dynamo.to_item(values),
            "ConditionExpression": "#s = :expected",
            "ExpressionAttributeNames": {"#s": "state"},
            "ExpressionAttributeValues": {":expected": {"S": expected.value}},
        }
    }


def _free_guard(request: CallbackRequest) -> dict[str, Any]:
    return {
        "Delete": {
            "TableName": dynamo.table("callbacks"),
            "Key": guard_key(request.caller_key, request.queue),
            "ConditionExpression": "attribute_not_exists(pk) OR callback_id = :id",
            "ExpressionAttributeValues": {":id": {"S": request.callback_id}},
        }
    }
