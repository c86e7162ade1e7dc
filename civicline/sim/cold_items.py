"""moto's items that no request touched for a while, kept at rest as one compressed blob each.

A deployment keeps its DynamoDB items on DynamoDB's disks; the simulator keeps them in moto's
in-process objects, so a day's memory grew with every contact by the items it left behind (most of it
the aggregator's per-contact state in the metrics table, read again only for a late or duplicated
event; docs/decisions.md, "Simulation: memory flat in the day's length"). :func:`rest_cold_items`,
called by the day runner every few simulated minutes, does what a page cache does:

* an item (moto's ``Item``) seen for the first time is *watched*: its class becomes
  :func:`watched_class`'s subclass, whose first read of ``attrs`` turns it back into a plain ``Item``;
* an item still watched at the next sweep was not read or written for a whole period: its attribute
  map is encoded (type and value of every ``DynamoType``, nested maps and lists, marshal + zlib) and
  the blob takes the map's place; its class becomes :func:`packed_class`'s subclass, whose first
  read of ``attrs`` rebuilds exactly the same map (the same ``DynamoType`` types and values in the
  same order, in a ``LimitedSizeDict``) and turns it back into a plain ``Item``.

Every moto code path reads an item's attributes through ``item.attrs`` (moto's own, the simulator's
fast paths), so every answer, condition and update is moto's on the rebuilt map: proven against moto
by tests/simulation/test_perf_mem_cold.py. Keys stay in place (moto's table dicts are keyed by
them), but an item's own key objects become the dicts' ones when they are the same type and value
(:func:`_share_keys`: one copy of each key instead of two).
Nothing is to restore: a resting item rebuilds itself whenever it is read, also after the day.
An item whose attributes hold anything but moto's plain values (str, bytes, bool, lists, maps) is left
as it is. The time to live of a resting item is kept beside the blob, so the simulated TTL sweep
(civicline.sim.moto_retention.expire) reads it without rebuilding the item.
"""

from __future__ import annotations

import marshal
import zlib
from collections.abc import Iterable, Iterator
from functools import cache
from typing import Any

__all__ = ["TTL_ATTRIBUTE", "packed_class", "rest_cold_items", "resting_ttl", "watched_class"]

#: the blob's zlib level: 1 packs a metrics state item in a fraction of the time of 6 for about 4 %
#: more bytes (measured on a short day's items)
LEVEL = 1
#: the attribute whose value the TTL sweep reads without rebuilding the item
TTL_ATTRIBUTE = "expires_at"
_PLAIN = (str, bytes, bool)


@cache
def watched_class() -> type:
    """``Item`` whose first read of ``attrs`` makes it a plain ``Item`` again (nothing to rebuild)."""
    from moto.dynamodb.models.dynamo_type import Item

    def read(self: Any) -> Any:
        self.__class__ = Item
        return self.__dict__["attrs"]

    def write(self: Any, attrs: Any) -> None:
        self.__class__ = Item
        self.__dict__["attrs"] = attrs

    return type("WatchedItem", (Item,), {"attrs": property(read, write), "__doc__": watched_class.__doc__})


@cache
def packed_class() -> type:
    """``Item`` at rest: its first read of ``attrs`` rebuilds the map and makes it a plain ``Item``."""
    from moto.dynamodb.models.dynamo_type import Item

    def read(self: Any) -> Any:
        attrs = _decode(self.__dict__["attrs"][0])
        write(self, attrs)
        return attrs

    def write(self: Any, attrs: Any) -> None:
        self.__dict__["attrs"] = attrs
        self.__class__ = Item

    return type("PackedItem", (Item,), {"attrs": property(read, write), "__doc__": packed_class.__doc__})


def resting_ttl(item: Any) -> Any:
    """The item's ``expires_at`` ``DynamoType`` (or None), read without rebuilding a resting item."""
    if type(item) is packed_class():
        kept = item.__dict__["attrs"][1]
        return None if kept is None else _dynamo(kept)
    return item.attrs.get(TTL_ATTRIBUTE)


def rest_cold_items(tables: Iterable[Any]) -> tuple[int, int]:
    """One sweep over moto tables: watch the items seen for the first time, pack those watched since
    the last sweep and not touched. Returns (watched, packed) counts.

    It also drops the empty partitions moto leaves behind: a GetItem (or an UpdateItem's read) of an
    absent key in a table with a sort key makes one (``Table.items`` is a ``defaultdict``), and moto's
    reads, scans and item count skip an empty partition, so dropping it changes no answer."""
    counts = [0, 0, 0]
    packed = packed_class()
    for table in tables:
        empty = [key for key, partition in table.items.items() if table.range_key_attr and not partition]
        for key in empty:
            del table.items[key]
        for hash_key, range_key, item in _items(table):
            if type(item) is packed:  # at rest since a sweep shared its keys: nothing to do again
                continue
            _share_keys(item.__dict__, hash_key, range_key)
            counts[_rest(item)] += 1
    return counts[0], counts[1]


def _share_keys(state: dict[str, Any], hash_key: Any, range_key: Any) -> None:
    """The item's keys become the very objects its table's dicts are keyed by, when they are the
    same type and value (an updated item is a new ``Item`` with new key objects, while the dicts keep
    the first ones: two equal copies of each key per item otherwise)."""
    for name, key in (("hash_key", hash_key), ("range_key", range_key)):
        mine = state.get(name)
        if key is not None and mine is not key and _same(mine, key):
            state[name] = key


def _same(mine: Any, key: Any) -> bool:
    """Exactly the same key: plain ``DynamoType`` s of one type and one value of one type (equality
    alone would take ``N`` "1.0" for "1", which moto answers as written)."""
    from moto.dynamodb.models.dynamo_type import DynamoType

    return (
        type(mine) is DynamoType
        and type(key) is DynamoType
        and mine.__dict__.keys() == key.__dict__.keys() == {"type", "value"}
        and mine.type == key.type
        and type(mine.value) is type(key.value)
        and type(mine.value) in _PLAIN
        and mine.value == key.value
    )


def _rest(item: Any) -> int:
    """Watch a plain item (0), pack a watched one (1); 2 for one at rest or left as it is."""
    from moto.dynamodb.models.dynamo_type import Item

    kind = type(item)
    if kind is Item:
        item.__class__ = watched_class()
        return 0
    if kind is watched_class() and _pack(item, packed_class()):
        return 1
    return 2


def _items(table: Any) -> Iterator[tuple[Any, Any, Any]]:
    """(the partition's key, the item's key in its partition or None, the item) of every item."""
    for hash_key, partition in table.items.items():
        if table.range_key_attr:
            for range_key, item in partition.items():
                yield hash_key, range_key, item
        else:
            yield hash_key, None, partition


def _pack(item: Any, packed: type) -> bool:
    state = item.__dict__
    attrs = state["attrs"]
    try:
        encoded = [(name, _encode(value)) for name, value in attrs.items()]
        blob = zlib.compress(marshal.dumps(encoded), LEVEL)
    except ValueError:  # not one of moto's plain values: left as it is
        return False
    ttl = attrs.get(TTL_ATTRIBUTE)
    # the blob and the time to live take the place of the map (the same instance attributes, so
    # the instance's dict keeps sharing its keys with every other item's)
    state["attrs"] = (blob, None if ttl is None else _encode(ttl))
    item.__class__ = packed
    return True


def _encode(value: Any) -> tuple[str, Any]:
    from moto.dynamodb.models.dynamo_type import DynamoType

    if type(value) is not DynamoType or value.__dict__.keys() != {"type", "value"}:
        raise ValueError("not a plain DynamoType")
    kind, inner = value.type, value.value
    if kind == "M":
        return kind, {name: _encode(v) for name, v in _exact(inner, dict).items()}
    if kind == "L":
        return kind, [_encode(v) for v in _exact(inner, list)]
    if type(inner) in _PLAIN:
        return kind, inner
    if type(inner) is list and all(type(v) in _PLAIN for v in inner):
        return kind, inner
    raise ValueError("not a plain value")


def _exact(value: Any, kind: type) -> Any:
    if type(value) is not kind:
        raise ValueError("not a plain container")
    return value


def _decode(blob: bytes) -> Any:
    from moto.dynamodb.models.dynamo_type import LimitedSizeDict

    attrs = LimitedSizeDict.__new__(LimitedSizeDict)
    dict.__init__(attrs)
    for name, value in marshal.loads(zlib.decompress(blob)):  # noqa: S302 (our own blob, never input)
        dict.__setitem__(attrs, name, _dynamo(value))
    return attrs


def _dynamo(encoded: Any) -> Any:
    from moto.dynamodb.models.dynamo_type import DynamoType

    kind, inner = encoded
    value = DynamoType.__new__(DynamoType)
    value.type = kind
    if kind == "M":
        inner = {name: _dynamo(v) for name, v in inner.items()}
    elif kind == "L":
        inner = [_dynamo(v) for v in inner]
    value.value = inner
    return value
