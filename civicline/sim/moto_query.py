"""A table ``Query`` on the partition key that reads only that partition, used while the simulator runs.

Why: moto's ``Table.query`` without an index sorts every item of the whole table (``all_items``),
then keeps the ones whose partition key matches. On the metrics table, which holds every contact's
aggregator state, each read of a queue's rollups sorted tens of thousands of items by comparing
moto's ``DynamoType`` objects in Python, so the cost of reading grew with the day's length
(docs/decisions.md, "Simulation: CPU per contact").

What this changes: only where moto's query finds its candidates. moto's own ``query`` runs on a view
of the table whose ``all_items`` holds that partition's items only; moto then sorts them by the sort
key (unique within a partition, so the order is the one it would have found), pages, applies the
key condition, the filter, the limit and the projection, and deep-copies the results, as before.
A query on an index gets every item of the table unsorted (:class:`UnsortedView`): moto then keeps
the items the index holds and sorts them by the index's keys followed by the table's own keys, an
order in which no two items tie, so the order it started from cannot show; sorting the whole table
first cost 28 ms per query on a 10,000-call day's callbacks table (the dispatcher's ``by_state_due``
reads). Every other use of ``all_items`` (a scan) is moto's.
tests/simulation/test_perf_cpu_moto.py compares generated queries against moto's own code.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from civicline.sim.moto_patch import Swap, replaced

_SAVED: dict[str, Any] = {}


class PartitionView:
    """The table as moto's query sees it, with ``all_items`` narrowed to one partition."""

    def __init__(self, table: Any, hash_key: Any) -> None:
        self._table = table
        self._hash_key = hash_key

    def __getattr__(self, name: str) -> Any:
        return getattr(self._table, name)

    def all_items(self) -> list[Any]:
        table = self._table
        partition = table.items.get(self._hash_key) if self._hash_key in table.items else None
        if partition is None:
            return []
        if not table.range_key_attr:
            # a table without a sort key keeps the item itself under its partition key
            return [partition]
        # moto sorts the candidates by the sort key next (unique within a partition), so the order
        # it would have kept them in (sorted by partition, then sort key) needs no sort here
        return list(partition.values())


class UnsortedView(PartitionView):
    """The table as moto's index query sees it: every item, in storage order, not sorted."""

    def __init__(self, table: Any) -> None:
        super().__init__(table, None)

    def all_items(self) -> list[Any]:
        table = self._table
        if not table.range_key_attr:
            return list(table.items.values())
        return [item for partition in table.items.values() for item in partition.values()]


#: where moto's backend passes ``index_name`` to ``Table.query`` (after the key and six arguments)
INDEX_NAME_POSITION = 6


def _partition_query(self: Any, hash_key: Any, *args: Any, **kwargs: Any) -> Any:
    original = _SAVED["query"]
    index_name = args[INDEX_NAME_POSITION] if len(args) > INDEX_NAME_POSITION else kwargs.get("index_name")
    if index_name:
        return original(UnsortedView(self), hash_key, *args, **kwargs)
    if hash_key is None or not _hashable(hash_key):
        return original(self, hash_key, *args, **kwargs)
    return original(PartitionView(self, hash_key), hash_key, *args, **kwargs)


def _hashable(value: Any) -> bool:
    try:
        hash(value)
    except TypeError:
        return False
    return True


@contextmanager
def partition_queries() -> Iterator[None]:
    """Install the one-partition candidate list on moto's ``Table.query``, then restore it."""
    from moto.dynamodb.models.table import Table

    with replaced(_SAVED, Swap("query", Table, "query", _partition_query)):
        yield
