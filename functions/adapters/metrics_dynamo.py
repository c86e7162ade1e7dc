"""The `metrics` table: the aggregator's entity states and the per-queue rollups.

Item layout (documented in docs/metrics.md):

* ``pk=CONTACT#<contact id>`` / ``pk=CALLER#<caller key>#<intent>``, ``sk=STATE``: ``facts`` and
  ``applied`` (compact JSON strings), ``version`` (number), ``expires_at`` (TTL, epoch seconds).
* ``pk=ROLLUP#<queue>#<grain>``, ``sk=<period>``: ``queue``, ``grain``, ``period``, ``period_start``
  and one number attribute per counter (``offered``, ``driver_sum|trust``, ``a11|<service>|...``).

A commit is one ``TransactWriteItems``: every state ``Put`` is conditioned on the version it was
loaded with, every rollup item gets one ``Update ... ADD`` with the summed delta.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from functions.adapters.dynamo import pages
from functions.domain.metrics import (
    Contribution,
    Rules,
    decode_contribution,
    encode_contribution,
    period_start,
)
from functions.domain.metrics_aggregation import ConflictError, EntityState

STATE_SK = "STATE"
ROLLUP = "ROLLUP#"
#: the rollup item's key fields, set on every update (the same values: the item's own key)
_ROLLUP_SET = "SET queue = :q, grain = :g, period = :p, period_start = if_not_exists(period_start, :s) ADD "
_META = frozenset({"pk", "sk", "queue", "grain", "period", "period_start", "expires_at"})


def rollup_pk(queue: str, grain: str) -> str:
    return f"{ROLLUP}{queue}#{grain}"


#: ``json.dumps(..., sort_keys=True, separators=(",", ":"))``, built once (two per state written)
_COMPACT_JSON = json.JSONEncoder(sort_keys=True, separators=(",", ":"))


def _compact(value: Any) -> str:
    return _COMPACT_JSON.encode(value)


def _number(value: Any) -> int | float:
    number = Decimal(str(value))
    return int(number) if number == number.to_integral_value() else float(number)


class DynamoMetricsStore:
    """:class:`~functions.domain.metrics_aggregation.MetricsStore` on one DynamoDB table."""

    def __init__(
        self, table: str, client: Any, rules: Rules | None = None, *, transactional: bool = True
    ) -> None:
        self.table = table
        self.client = client
        self.rules = rules or Rules()
        #: False only for a single writer (the local pump): see :meth:`commit`
        self.transactional = transactional

    # -- entity states -----------------------------------------------------------------------
    def load(self, keys: Sequence[str]) -> dict[str, EntityState]:
        found: dict[str, EntityState] = {}
        pending = [{"pk": {"S": key}, "sk": {"S": STATE_SK}} for key in dict.fromkeys(keys)]
        while pending:
            chunk, pending = pending[:100], pending[100:]
            request: dict[str, Any] = {self.table: {"Keys": chunk, "ConsistentRead": True}}
            while request:
                response = self.client.batch_get_item(RequestItems=request)
                for item in response.get("Responses", {}).get(self.table, []):
                    state = self._state(item)
                    found[state.key] = state
                request = response.get("UnprocessedKeys") or {}
        return found

    @staticmethod
    def _state(item: dict[str, Any]) -> EntityState:
        return EntityState(
            key=item["pk"]["S"],
            facts=json.loads(item["facts"]["S"]),
            applied=decode_contribution(json.loads(item["applied"]["S"])),
            version=int(item["version"]["N"]),
            expires_at=int(item["expires_at"]["N"]) if "expires_at" in item else None,
        )

    def commit(self, states: Sequence[EntityState], rollups: Contribution) -> None:
        actions: list[dict[str, Any]] = [self._put_state(state) for state in states]
        actions.extend(self._update_rollup(bucket, counters) for bucket, counters in sorted(rollups.items()))
        if not actions:
            return
        if not self.transactional:
            self._commit_sequentially(actions)
            return
        try:
            self.client.transact_write_items(TransactItems=actions)
        except self.client.exceptions.TransactionCanceledException as exc:
            reasons = [r.get("Code") for r in exc.response.get("CancellationReasons", [])]
            if any(code in ("ConditionalCheckFailed", "TransactionConflict") for code in reasons):
                raise ConflictError(",".join(str(r) for r in reasons)) from exc
            raise

    def _commit_sequentially(self, actions: list[dict[str, Any]]) -> None:
        """The same writes one by one: state puts (still version-conditioned) first, then the rollup
        ADDs. Only for a single writer with no crash to recover from (the local pump over moto, whose
        TransactWriteItems deep-copies the table for every action and so costs O(table) per item)."""
        for action in actions:
            try:
                if "Put" in action:
                    self.client.put_item(**action["Put"])
                else:
                    self.client.update_item(**action["Update"])
            except self.client.exceptions.ConditionalCheckFailedException as exc:
                raise ConflictError("ConditionalCheckFailed") from exc

    def _put_state(self, state: EntityState) -> dict[str, Any]:
        item: dict[str, Any] = {
            "pk": {"S": state.key},
            "sk": {"S": STATE_SK},
            "facts": {"S": _compact(state.facts)},
            "applied": {"S": _compact(encode_contribution(state.applied))},
            "version": {"N": str(state.version + 1)},
        }
        if state.expires_at:
            item["expires_at"] = {"N": str(state.expires_at // 1000)}
        put: dict[str, Any] = {"TableName": self.table, "Item": item}
        if state.version == 0:
            put["ConditionExpression"] = "attribute_not_exists(pk)"
        else:
            put["ConditionExpression"] = "version = :v"
            put["ExpressionAttributeValues"] = {":v": {"N": str(state.version)}}
        return {"Put": put}

    def _update_rollup(self, bucket: tuple[str, str, str], counters: dict[str, int]) -> dict[str, Any]:
        """One rollup item's ``SET`` of its key fields and ``ADD`` of every counter's delta.

        Why the key fields have no placeholder: each name and value of the request is validated and
        serialized by botocore and parsed by DynamoDB (or moto), and these names are no reserved
        words. Why each counter keeps its own value placeholder although most deltas repeat (1, 2):
        the expression then depends only on the number of counters, so a parse of it is reused
        (moto's, cached per expression string in the simulator); sharing the values made a
        distinct expression of almost every fourth update, and the day slower (docs/decisions.md)."""
        queue, grain, period = bucket
        values: dict[str, Any] = {
            ":q": {"S": queue},
            ":g": {"S": grain},
            ":p": {"S": period},
            ":s": {"S": period_start(period, grain, self.rules.tz).isoformat()},
        }
        names: dict[str, str] = {}
        adds = []
        for index, (name, value) in enumerate(sorted(counters.items())):
            names[f"#c{index}"] = name
            values[f":c{index}"] = {"N": str(value)}
            adds.append(f"#c{index} :c{index}")
        return {
            "Update": {
                "TableName": self.table,
                "Key": {"pk": {"S": rollup_pk(queue, grain)}, "sk": {"S": period}},
                "UpdateExpression": _ROLLUP_SET + ", ".join(adds),
                "ExpressionAttributeNames": names,
                "ExpressionAttributeValues": values,
            }
        }

    # -- rollups -----------------------------------------------------------------------------
    def query_rollups(
        self, queue: str, grain: str, start: str | None = None, end: str | None = None
    ) -> list[dict[str, Any]]:
        """Rollup rows of one queue and grain, ``start <= period <= end`` (period keys), oldest first."""
        condition = "pk = :pk"
        values: dict[str, Any] = {":pk": {"S": rollup_pk(queue, grain)}}
        if start and end:
            condition += " AND sk BETWEEN :a AND :b"
            values.update({":a": {"S": start}, ":b": {"S": end}})
        elif start:
            condition += " AND sk >= :a"
            values[":a"] = {"S": start}
        elif end:
            condition += " AND sk <= :b"
            values[":b"] = {"S": end}
        request = {
            "TableName": self.table,
            "KeyConditionExpression": condition,
            "ExpressionAttributeValues": values,
        }
        return [rollup_row(item) for item in pages(self.client.query, **request)]

    def rollup_queues(self) -> list[str]:
        """Every queue that has rollups (a scan of keys only; for listings, not for hot paths)."""
        request = {
            "TableName": self.table,
            "ProjectionExpression": "pk",
            "FilterExpression": "begins_with(pk, :r)",
            "ExpressionAttributeValues": {":r": {"S": ROLLUP}},
        }
        items = pages(self.client.scan, **request)
        return sorted({item["pk"]["S"].removeprefix(ROLLUP).rsplit("#", 1)[0] for item in items})


def rollup_row(item: dict[str, Any]) -> dict[str, Any]:
    """A rollup item as ``{"queue", "grain", "period", "period_start", "counters": {...}}``."""
    counters = {
        name: _number(value["N"]) for name, value in item.items() if name not in _META and "N" in value
    }
    return {
        "queue": item.get("queue", {}).get("S", ""),
        "grain": item.get("grain", {}).get("S", ""),
        "period": item.get("period", {}).get("S", item["sk"]["S"]),
        "period_start": item.get("period_start", {}).get("S", ""),
        "counters": counters,
    }
