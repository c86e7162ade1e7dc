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


def last_office(caller_key: str, subject: str, now: datetime, contact_id: str) -> str | None:
    """The office that handled this caller's same subject within the window (TTL is lazy: check).

    A record written by this same contact (a Connect retry) counts only if that first call was itself
    a repeat, so a retried call gets the same answer as the first one.
    """
    item = dynamo.get("state", f"HIST#{caller_key}", subject)
    if not item or float(item.get("expires_at", 0)) <= now.timestamp():
        return None
    if item.get("contact_id") == contact_id and item.get("reason") != "REPEAT":
        return None
    office_id = item.get("office_id")
    return office_id if isinstance(office_id, str) else None


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
    """Idempotent by nature: the same put for a retried call (the window restarts from now)."""
    expires = int((now + timedelta(days=window_days)).timestamp())
    dynamo.ddb().put_item(
        TableName=dynamo.table("state"),
        Item=dynamo.to_item(
            {
                "pk": f"HIST#{caller_key}",
                "sk": subject,
                "office_id": office_id,
                "contact_id": contact_id,
                "reason": reason,
                "expires_at": expires,
            }
        ),
    )
