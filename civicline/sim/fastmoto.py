"""A faster ``TransactWriteItems`` for in-process moto, used only while the simulator runs.

Why: moto backs up every table a transaction touches with ``copy.deepcopy`` of the whole table, once
per item, before applying it. The aggregator commits each batch as one transaction on the metrics
table, which holds every contact's state, so a simulated day became quadratic (a 2,000-call day spent
minutes copying). This version keeps moto's semantics (conditions checked per item, all-or-nothing,
``TransactionCanceledException`` with per-item reasons, multiple operations on one item refused) but
journals only the items it changes and restores those on failure.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any


def _transact_write_items(self: Any, transact_items: list[dict[str, Any]]) -> None:
    from moto.dynamodb.comparisons import get_filter_expression as filter_expression
    from moto.dynamodb.exceptions import (
        ConditionalCheckFailed,
        MockValidationException,
        MultipleTransactionsException,
        TooManyTransactionsException,
        TransactionCanceledException,
        TransactWriteSingleOpException,
    )

    if len(transact_items) > 100:
        raise TooManyTransactionsException()
    journal: list[tuple[str, dict[str, Any], dict[str, Any] | None]] = []
    seen: set[tuple[str, str]] = set()
    errors: list[tuple[Any, Any, Any]] = []

    def rollback() -> None:
        for table_name, key, previous in reversed(journal):
            if previous is None:
                self.delete_item(table_name, key)
            else:
                self.put_item(table_name, previous)

    for item in transact_items:
        original_item: dict[str, Any] | None = None
        if len(item) > 1:
            raise TransactWriteSingleOpException
        try:
            op_type, op = next(iter(item.items()))
            if op_type not in {"ConditionCheck", "Put", "Delete", "Update"}:
                raise ValueError("Unsupported transaction operation")
            table_name = op["TableName"]
            condition = op.get("ConditionExpression")
            names = op.get("ExpressionAttributeNames")
            values = op.get("ExpressionAttributeValues")
            if op_type == "Put":
                attrs = op["Item"]
                table = self.get_table(table_name)
                key = {table.hash_key_attr: attrs[table.hash_key_attr]}
                if table.range_key_attr is not None:
                    key[table.range_key_attr] = attrs[table.range_key_attr]
            else:
                key = op["Key"]
            marker = (str(table_name), str(dict(sorted(key.items()))))
            if marker in seen:
                raise MultipleTransactionsException()
            seen.add(marker)
            current = self.get_item(table_name, key)
            if condition is not None and not filter_expression(condition, names, values).expr(current):
                if op.get("ReturnValuesOnConditionCheckFailure") == "ALL_OLD" and current:
                    original_item = current.to_json()["Attributes"]
                raise ConditionalCheckFailed(item=original_item)
            if op_type != "ConditionCheck":
                previous = current.to_json()["Attributes"] if current else None
                journal.append((table_name, key, previous))
            if op_type == "Put":
                self.put_item(table_name, op["Item"])
            elif op_type == "Delete":
                self.delete_item(table_name, key)
            elif op_type == "Update":
                self.update_item(
                    table_name,
                    key,
                    update_expression=op["UpdateExpression"],
                    expression_attribute_names=names,
                    expression_attribute_values=values,
                )
            errors.append((None, None, None))
        except (MultipleTransactionsException, MockValidationException):
            rollback()
            raise
        except ConditionalCheckFailed as exc:
            errors.append(("ConditionalCheckFailed", str(exc.message), original_item))
        except Exception as exc:  # moto records any other failure as the item's reason
            errors.append((type(exc).__name__, str(exc), original_item))
    if any(code is not None for code, _, _ in errors):
        rollback()
        raise TransactionCanceledException(errors)


@contextmanager
def fast_transactions() -> Iterator[None]:
    """Install the journaling ``transact_write_items`` on moto's DynamoDB backend, the linear-time
    ``update_item`` of :mod:`civicline.sim.moto_update` (which the transactions' updates use too) and
    moto's instance register off (:func:`civicline.sim.moto_retention.untracked_models`: only the
    MotoServer dashboard reads it; it kept every version of every item), then restore all three;
    inside them the day's other CPU hot paths
    (:func:`civicline.sim.hotpaths.cpu_hot_paths`, entered first: the update path's condition parse
    is then the cached one)."""
    from moto.dynamodb.models import DynamoDBBackend

    from civicline.sim.hotpaths import cpu_hot_paths
    from civicline.sim.moto_retention import untracked_models
    from civicline.sim.moto_update import fast_updates

    saved = DynamoDBBackend.transact_write_items
    DynamoDBBackend.transact_write_items = _transact_write_items  # type: ignore[method-assign]
    try:
        with cpu_hot_paths(), fast_updates(), untracked_models():
            yield
    finally:
        DynamoDBBackend.transact_write_items = saved  # type: ignore[method-assign]
