"""Notification consent (cases table, beside the case), opt-outs and sent markers (state table).

Consent sits with the case it is about (pk ``CASE#<n>``, sk ``NOTIFY``) because the notifier reads
it for that case's change; an opt-out is keyed by the destination's pseudonym because a STOP reply
names the phone or address, not the case. A change is claimed (conditional put) before it is sent
and the claim is removed if the send fails, so a stream retry sends it and nothing is counted as
sent that was not.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from botocore.exceptions import ClientError

from functions.adapters.dynamo import ddb, from_item, is_conditional_failure, key, pages, table, to_item
from functions.core.address_pseudonym import address_pseudonym
from functions.domain.notifications import Channel, Consent, Kind, Notice
from infra.registry import CASE_DUE_ATTRIBUTES
from schemas.records import CaseStatus

_CONSENT_SK = "NOTIFY"


def put_consent(case_number: str, consent: Consent, moment: int) -> None:
    ddb().put_item(
        TableName=table("cases"),
        Item=to_item(
            {
                "pk": f"CASE#{case_number}",
                "sk": _CONSENT_SK,
                "channel": consent.channel.value,
                "destination": consent.destination,
                "language": consent.language,
                "consented_at": moment,
            }
        ),
    )
    # a new consent given in a verified contact lifts an earlier STOP from the same destination
    ddb().delete_item(TableName=table("state"), Key=key(_optout_pk(consent.destination), "OPTOUT"))


def get_consent(case_number: str) -> Consent | None:
    item = ddb().get_item(TableName=table("cases"), Key=key(f"CASE#{case_number}", _CONSENT_SK)).get("Item")
    if not item:
        return None
    data = from_item(item)
    destination = str(data["destination"])
    opted = ddb().get_item(TableName=table("state"), Key=key(_optout_pk(destination), "OPTOUT")).get("Item")
    return Consent(Channel(str(data["channel"])), destination, str(data.get("language", "en")), bool(opted))


def opt_out(destination: str, moment: int) -> None:
    ddb().put_item(
        TableName=table("state"),
        Item=to_item({"pk": _optout_pk(destination), "sk": "OPTOUT", "at": moment}),
    )


def claim(notification_key: str, moment: int, outcome: str) -> bool:
    """True when this notification was not handled before (the marker is stored now, its outcome
    event not yet emitted: :func:`mark_emitted` records that)."""
    try:
        ddb().put_item(
            TableName=table("state"),
            Item=to_item(
                {
                    "pk": f"notified#{notification_key}",
                    "sk": "NOTIFIED",
                    "at": moment,
                    "outcome": outcome,
                    "emitted": False,
                }
            ),
            ConditionExpression="attribute_not_exists(pk)",
        )
    except ClientError as exc:
        if is_conditional_failure(exc):
            return False
        raise
    return True


def _marker(notification_key: str) -> dict[str, Any] | None:
    item = ddb().get_item(
        TableName=table("state"),
        Key=key(f"notified#{notification_key}", "NOTIFIED"),
        ConsistentRead=True,
    )
    found = item.get("Item")
    return from_item(found) if found else None


def unemitted(notification_key: str) -> bool:
    """True when the notification was sent but its outcome event is not known to be emitted (a
    crash or a refused PutEvents between the two): the redelivery emits it."""
    marker = _marker(notification_key)
    return marker is not None and not marker.get("emitted", True)


def handled(notification_key: str) -> bool:
    """True when the notification was already sent (a redelivery at night must not defer it again)."""
    return _marker(notification_key) is not None


def mark_emitted(notification_key: str) -> None:
    ddb().update_item(
        TableName=table("state"),
        Key=key(f"notified#{notification_key}", "NOTIFIED"),
        UpdateExpression="SET emitted = :yes",
        ExpressionAttributeValues={":yes": {"BOOL": True}},
    )


def release(notification_key: str) -> None:
    ddb().delete_item(TableName=table("state"), Key=key(f"notified#{notification_key}", "NOTIFIED"))


def _optout_pk(destination: str) -> str:
    return f"optout#{address_pseudonym(destination)}"


# --- deferred notifications (quiet hours; sends the channel refused) ------------------------------

_DUE_PREFIX = "notify-due#"
#: a deferred notification nobody could send is forgotten a week after its release (state table TTL)
_DEFERRED_TTL = timedelta(days=7)


@dataclass(frozen=True)
class Deferred:
    notice: Notice
    day: str
    release_at: int
    attempts: int


def defer(notice: Notice, release_day: date, release_at: int) -> Notice | None:
    """Store ``notice`` to be sent at ``release_at`` (epoch seconds; ``release_day`` is its local
    date, the partition the sweep reads). A newer notice of the same case and kind takes the older
    one's place (one notification, the latest status); a redelivered older one does not. Returns
    the notice it replaced, if any."""
    item = {
        "pk": _DUE_PREFIX + release_day.isoformat(),
        "sk": notice.slot,
        "notification_key": notice.key,
        "kind": notice.kind.value,
        "case_number": notice.case_number,
        "at": notice.at,
        "release_at": release_at,
        "attempts": 0,
        "expires_at": release_at + int(_DEFERRED_TTL.total_seconds()),
        **({"status": notice.status.value} if notice.status else {}),
        **({"office_id": notice.office_id} if notice.office_id else {}),
        **({"days_left": notice.days_left} if notice.days_left is not None else {}),
    }
    try:
        old = (
            ddb()
            .put_item(
                TableName=table("state"),
                Item=to_item(item),
                ConditionExpression="attribute_not_exists(pk) OR #at <= :at",
                ExpressionAttributeNames={"#at": "at"},
                ExpressionAttributeValues={":at": {"S": notice.at}},
                ReturnValues="ALL_OLD",
            )
            .get("Attributes")
        )
    except ClientError as exc:
        if is_conditional_failure(exc):
            return None  # a newer notice already waits: this one is superseded
        raise
    replaced = _notice(from_item(old)) if old else None
    return replaced if replaced is not None and replaced.key != notice.key else None


def due(days: list[date], moment: int) -> list[Deferred]:
    """The deferred notifications of these release days whose release time has come."""
    found: list[Deferred] = []
    for day in days:
        request = {
            "TableName": table("state"),
            "KeyConditionExpression": "pk = :pk",
            "ExpressionAttributeValues": {":pk": {"S": _DUE_PREFIX + day.isoformat()}},
            "ConsistentRead": True,
        }
        for raw in pages(ddb().query, **request):
            data = from_item(raw)
            if int(data["release_at"]) <= moment:
                found.append(
                    Deferred(_notice(data), day.isoformat(), int(data["release_at"]), int(data["attempts"]))
                )
    return found


def settle(deferred: Deferred) -> None:
    """The deferred notification is done with (sent, opted out, superseded or given up)."""
    ddb().delete_item(TableName=table("state"), Key=key(_DUE_PREFIX + deferred.day, deferred.notice.slot))


def count_attempt(deferred: Deferred) -> None:
    ddb().update_item(
        TableName=table("state"),
        Key=key(_DUE_PREFIX + deferred.day, deferred.notice.slot),
        UpdateExpression="SET attempts = attempts + :one",
        ConditionExpression="attribute_exists(pk)",
        ExpressionAttributeValues={":one": {"N": "1"}},
    )


def current_change(case_number: str) -> tuple[str, str] | None:
    """The case's status now and the time of its last history entry (to tell a superseded change)."""
    item = (
        ddb()
        .get_item(
            TableName=table("cases"),
            Key=key(f"CASE#{case_number}", "CASE"),
            ProjectionExpression="pk, sk, #status, history",
            ExpressionAttributeNames={"#status": "status"},
        )
        .get("Item")
    )
    if not item:
        return None
    data = from_item(item)
    history = data.get("history") or []
    last = history[-1] if isinstance(history, list) and history and isinstance(history[-1], dict) else {}
    return str(data.get("status", "")), str(last.get("at", ""))


def _notice(data: dict[str, Any]) -> Notice:
    status = data.get("status")
    days = data.get("days_left")
    return Notice(
        Kind(str(data["kind"])),
        str(data["case_number"]),
        str(data["notification_key"]),
        str(data["sk"]),
        CaseStatus(str(status)) if status else None,
        str(data.get("at", "")),
        str(data["office_id"]) if data.get("office_id") else None,
        int(days) if days is not None else None,
    )


# --- deadline reminders: the cases table's due-date index -----------------------------------------

DUE_INDEX = "by_due_date"
#: what the reminder run reads of a case or appeal (never its PIN hash or history)
DUE_ATTRIBUTES = CASE_DUE_ATTRIBUTES


def deadlines_on(day: date) -> list[dict[str, Any]]:
    """Cases and appeals whose deadline is ``day`` (the sparse index holds only items with one)."""
    found: list[dict[str, Any]] = []
    kwargs: dict[str, Any] = {
        "TableName": table("cases"),
        "IndexName": DUE_INDEX,
        "KeyConditionExpression": "due_date = :day",
        "ProjectionExpression": ", ".join(f"#{a}" for a in DUE_ATTRIBUTES),
        "ExpressionAttributeNames": {f"#{a}": a for a in DUE_ATTRIBUTES},
        "ExpressionAttributeValues": {":day": {"S": day.isoformat()}},
    }
    while True:
        response = ddb().query(**kwargs)
        found.extend(from_item(i) for i in response.get("Items", []))
        if "LastEvaluatedKey" not in response:
            return found
        kwargs["ExclusiveStartKey"] = response["LastEvaluatedKey"]
