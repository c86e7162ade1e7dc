"""Reference data (routing rules, office directory, knowledge answers, holidays) and caller history.

Reference items are edited in DynamoDB without a redeploy; each container caches what it read for
``CACHE_SECONDS`` (five minutes) so a warm routing call makes no reference read at all, and an edit is
live within five minutes (docs/decisions.md, "Functions: reference data cached per container for five
minutes"). Layout in the ``reference`` table:

* ``RULE#<intent>`` / ``<topic>#<language>``: a :class:`~schemas.records.RoutingRule`
* ``OFFICE#<office_id>`` / ``OFFICE``: an :class:`~schemas.records.OfficeEntry`
* ``KB#<topic>`` / ``<language>``: a :class:`~schemas.records.KnowledgeAnswer`
* ``HOLIDAY`` / ``<YYYY-MM-DD>``: a holiday (``name`` attribute), closing every office

Caller history lives in ``state``: ``HIST#<pseudonymized number>`` / ``<intent>#<topic>`` with the
office that handled it and ``expires_at`` (TTL) ``repeat_window_days`` later.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, TypeVar

from functions.adapters import dynamo
from functions.core import clock
from schemas.records import KnowledgeAnswer, OfficeEntry, RoutingRule

#: five minutes: what the AWS Parameters and Secrets Lambda Extension allows at most for the same kind
#: of per-container configuration cache; a minute made reference reads a fifth of a day's AWS calls
CACHE_SECONDS = 300.0
T = TypeVar("T")

_cache: dict[tuple[str, ...], tuple[float, Any]] = {}
_owner: list[Any] = []  # the client the cache was filled through (a new client = new endpoint)


def clear_cache() -> None:
    _cache.clear()
    _owner.clear()


def _cached(key: tuple[str, ...], load: Callable[[], T]) -> T:
    current = dynamo.ddb()
    if not _owner or _owner[0] is not current:
        clear_cache()
        _owner.append(current)
    hit = _cache.get(key)
    # the functions' clock (the wall clock in AWS, the simulated one in a simulated day): a cache on
    # real time made a seeded day's reads depend on how fast the machine ran it
    # (a clock set back, as the next simulated day does, refills: the entry is not from this time)
    now = clock.now().timestamp()
    if hit is not None and hit[0] <= now < hit[0] + CACHE_SECONDS:
        return hit[1]  # type: ignore[no-any-return]
    value = load()
    _cache[key] = (now, value)
    return value


#: what reference items carry besides their record's fields
_META = (*dynamo.KEYS, "expires_at")


def rules(intent: str) -> list[RoutingRule]:
    def load() -> list[RoutingRule]:
        return [dynamo.record(RoutingRule, i, _META) for i in dynamo.query_pk("reference", f"RULE#{intent}")]

    return _cached(("rules", intent), load)


def office(office_id: str) -> OfficeEntry | None:
    def load() -> OfficeEntry | None:
        item = dynamo.get("reference", f"OFFICE#{office_id}", "OFFICE")
        return dynamo.record(OfficeEntry, item, _META) if item else None

    return _cached(("office", office_id), load)


def knowledge(topic: str, language: str) -> KnowledgeAnswer | None:
    def load() -> KnowledgeAnswer | None:
        item = dynamo.get("reference", f"KB#{topic}", language)
        return dynamo.record(KnowledgeAnswer, item, _META) if item else None

    return _cached(("kb", topic, language), load)


def holidays() -> frozenset[date]:
    def load() -> frozenset[date]:
        return frozenset(date.fromisoformat(i["sk"]) for i in dynamo.query_pk("reference", "HOLIDAY"))

    return _cached(("holidays",), load)


def rule_item(rule: RoutingRule) -> dict[str, Any]:
    return {
        "pk": f"RULE#{rule.intent.value}",
        "sk": f"{rule.topic}#{rule.language}",
        **dynamo.stored(rule),
    }


def office_item(entry: OfficeEntry) -> dict[str, Any]:
    return {"pk": f"OFFICE#{entry.office_id}", "sk": "OFFICE", **dynamo.stored(entry)}


def knowledge_item(answer: KnowledgeAnswer) -> dict[str, Any]:
    return {"pk": f"KB#{answer.topic}", "sk": answer.language, **dynamo.stored(answer)}


def holiday_item(day: date, name: str) -> dict[str, Any]:
    return {"pk": "HOLIDAY", "sk": day.isoformat(), "name": name}


# --- caller history (state table) ------------------------------------------------------------


def prior_office(item: dict[str, Any] | None, now: datetime, contact_id: str) -> str | None:
    """The office a history record sends a repeat caller back to, or None.

    An expired record (TTL deletes lazily) is none. A record written by this same contact (a Connect
    retry) counts only if that first call was itself a repeat, so a retried call gets the same answer
    as the first one.
    """
    if not item or float(item.get("expires_at", 0)) <= now.timestamp():
        return None
    if item.get("contact_id") == contact_id and item.get("reason") != "REPEAT":
        return None
    office_id = item.get("office_id")
    return office_id if isinstance(office_id, str) else None


#: a history write goes through only where the caller has no record in the window (see prior_office)
_NO_HISTORY = "attribute_not_exists(pk) OR attribute_not_exists(expires_at) OR expires_at <= :now"


@dataclass(frozen=True)
class CallerHistory:
    """One caller's history for one subject, as one contact sees it at one moment."""

    caller_key: str
    subject: str
    moment: datetime
    contact_id: str
    window_days: int

    def _item(self, office_id: str, reason: str) -> dict[str, Any]:
        return dynamo.to_item(
            {
                "pk": f"HIST#{self.caller_key}",
                "sk": self.subject,
                "office_id": office_id,
                "contact_id": self.contact_id,
                "reason": reason,
                "expires_at": int((self.moment + timedelta(days=self.window_days)).timestamp()),
            }
        )

    def prior_office(self) -> str | None:
        """The office that handled this caller's same subject within the window, read."""
        item = dynamo.get("state", f"HIST#{self.caller_key}", self.subject)
        return prior_office(item, self.moment, self.contact_id)

    def remember(self, office_id: str, reason: str) -> None:
        """Idempotent by nature: the same put for a retried call (the window restarts from now)."""
        dynamo.ddb().put_item(TableName=dynamo.table("state"), Item=self._item(office_id, reason))

    def remember_first(self, office_id: str, reason: str) -> dict[str, Any] | None:
        """Write this call's history only where the caller has none in the window; else return that
        record (None: written).

        One conditional PutItem instead of a read and a put: most callers are not repeats, and for
        them the history is the write. The condition holds where there is no record or only an
        expired one, as :func:`prior_office` reads them; a refused write hands back the record it
        found (``ReturnValuesOnConditionCheckFailure``, which costs no read capacity), so a repeat
        costs this write and the put that follows, as a read and a put did.
        """
        client = dynamo.ddb()
        try:
            client.put_item(
                TableName=dynamo.table("state"),
                Item=self._item(office_id, reason),
                ConditionExpression=_NO_HISTORY,
                ExpressionAttributeValues={":now": {"N": repr(self.moment.timestamp())}},
                ReturnValuesOnConditionCheckFailure="ALL_OLD",
            )
        except client.exceptions.ConditionalCheckFailedException as exc:
            old = exc.response.get("Item")
            return dynamo.from_item(old) if old else {}
        return None


def remember_office(
    caller_key: str,
    subject: str,
    office_id: str,
    now: datetime,
    *,
    window_days: int,
    contact_id: str,
    reason: str,
) -> None:
    """A history record written as routing writes it (seeding, tests)."""
    CallerHistory(caller_key, subject, now, contact_id, window_days).remember(office_id, reason)
