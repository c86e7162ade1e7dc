"""What in-process moto keeps that a deployment does not, let go while the simulator runs.

A simulated day runs every contact through real handlers on moto's tables; what moto keeps besides
the tables' items grew with every contact (docs/decisions.md, "Simulation: peak memory of the full
day"). What follows is changed only inside :func:`day_retention` and restored after it, except the
time to live, which the day runner applies at its own clock:

* **moto's instance register.** ``BaseModel.__new__`` appends every model instance to its class's
  ``instances_tracked`` list, which only the MotoServer dashboard reads: every stream record, every
  e-mail SES accepted, every queue message and every version of every DynamoDB item stayed alive for
  the life of the process (``civicline.sim.fastmoto.fast_transactions`` enters this too, so the
  deployed-shaped runs that use only the fast transactions have it).
* **stream records nobody will read.** A table with a stream keeps, in moto, every change record for
  ever, with the item's whole new image. DynamoDB keeps a stream's records 24 hours for its readers
  (the Lambda event source mapping polls them); a record is of use only until its readers have read
  it. The simulated day's stream readers (the survey and callback settlement, the case notifier)
  read the tables, not the stream (civicline.sim.delivery replays the tables at closing), and the
  day opens no shard iterator. So a record that no reader can ever fetch (no event source mapping on
  the table, no open shard iterator on the shard) is not built: the shard's sequence numbers advance
  exactly as if it had been, and its trim horizon moves past it, as DynamoDB's does past a record
  older than 24 hours (a reader asking for it gets moto's own refusal). With a reader, moto keeps the
  record as before.
* **a copy of every attribute name per item.** moto's items keep the names (and short values such as
  ``sk = "STATE"``) as the request's JSON decoder made them: one new string per item and request.
  :func:`interned_names` makes an item share one copy of each name and of each short string value
  (``sys.intern``: equal strings, so every comparison, size and answer is the same).
* **items whose time to live has passed, in simulated time.** DynamoDB's TTL deletes an item some
  time after its ``expires_at`` (epoch seconds) is less than the current time ("Using time to live
  (TTL) in DynamoDB", TTL.html; until then reads still return it); moto never does. :func:`expire`
  deletes, at the simulated clock, only the items whose every reader already treats an expired item
  as absent, listed in :data:`EXPIRES_AS_ABSENT` with the reason: deleting such an item earlier or
  later changes no answer, no condition and no stored item. Everything else keeps moto's behaviour.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from civicline.sim.cold_items import resting_ttl

__all__ = [
    "EXPIRES_AS_ABSENT",
    "day_retention",
    "expire",
    "interned_names",
    "moto_tables",
    "stream_has_readers",
    "unread_streams_only",
    "untracked_models",
]

#: (logical table, key prefix) of the items every reader treats as absent once ``expires_at`` is past;
#: why, per reader (functions/adapters):
#: * ``ATTEMPTS#`` (cases.py, the PIN attempt counters): the only writes are conditional updates
#:   whose first form (``_RESTART``) holds for an absent item and for one with ``expires_at <= now``
#:   (then ``window_ends <= expires_at <= now`` too) and SETs every non-key attribute, so the item
#:   written and the answer read back are the same either way; the one read outside those updates
#:   (``with_states``, a wrong PIN's attempts left) reads counters the same call has just counted,
#:   whose ``expires_at`` it set to now + the lockout: never past at that read;
#: * ``email-ack#`` (email_acks.py): the claim's condition holds for an absent item and for one with
#:   ``acked_at <= now - window``, which ``expires_at = acked_at + 2 * window < now`` implies, and it
#:   SETs every non-key attribute; the release deletes only the claim made in the same call;
#: * ``HIST#`` (reference.py, the caller's last office): read as absent when ``expires_at <= now``.
EXPIRES_AS_ABSENT: tuple[tuple[str, str], ...] = (
    ("state", "ATTEMPTS#"),
    ("state", "email-ack#"),
    ("state", "HIST#"),
)
#: string values at most this long are shared too (keys' sort values, states, office ids)
SHORT_VALUE = 16


@contextmanager
def untracked_models() -> Iterator[None]:
    """moto's model instances are not registered for the MotoServer dashboard; restored after."""
    from moto.core.common_models import BaseModel

    saved = BaseModel.__dict__["__new__"]

    def untracked_new(cls: type, *args: Any, **kwargs: Any) -> Any:
        return object.__new__(cls)

    BaseModel.__new__ = untracked_new  # type: ignore[method-assign]
    try:
        yield
    finally:
        BaseModel.__new__ = saved  # type: ignore[method-assign]


@contextmanager
def interned_names() -> Iterator[None]:
    """moto's ``Item`` keeps one shared copy of each attribute name and short string value."""
    from moto.dynamodb.models.dynamo_type import Item

    saved = Item.__init__

    def init(self: Any, hash_key: Any, range_key: Any, attrs: dict[str, Any]) -> None:
        saved(self, hash_key, range_key, attrs)
        _intern_attrs(self.attrs)
        for key in (self.hash_key, self.range_key):
            if key is not None and type(key.value) is str and len(key.value) <= SHORT_VALUE:
                key.value = sys.intern(key.value)

    Item.__init__ = init  # type: ignore[method-assign]
    try:
        yield
    finally:
        Item.__init__ = saved  # type: ignore[method-assign]


def _intern_attrs(attrs: dict[str, Any]) -> None:
    """Replace the names (and short string values) of a moto item's attributes by interned copies,
    in their order, without moto's size check (the same item, already checked)."""
    shared = [(sys.intern(name), value) for name, value in attrs.items()]
    dict.clear(attrs)
    for name, value in shared:
        if value.type == "S" and type(value.value) is str and len(value.value) <= SHORT_VALUE:
            value.value = sys.intern(value.value)
        dict.__setitem__(attrs, name, value)


def stream_has_readers(shard: Any) -> bool:
    """Can anyone ever read this shard's next record: an event source mapping on its table (moto
    hands it the records), or an open shard iterator on it."""
    if shard.table.lambda_event_source_mappings:
        return True
    from moto.dynamodbstreams.models import dynamodbstreams_backends

    for account in list(dynamodbstreams_backends.values()):
        for backend in list(account.values()):
            if any(it.stream_shard is shard for it in backend.shard_iterators.values()):
                return True
    return False


@contextmanager
def unread_streams_only() -> Iterator[None]:
    """A stream record no reader can fetch is not kept; the shard's sequence numbers advance as if
    it were (moto numbers records ``starting_sequence_number + position``). Restored after."""
    from moto.dynamodb.models.table import StreamShard

    saved = StreamShard.add

    def add(self: Any, old: Any, new: Any) -> None:
        if stream_has_readers(self):
            saved(self, old, new)
            return
        # the record that would have been appended is past the trim horizon at once: keep the
        # numbering of the records before it and after it exactly as moto's
        self.starting_sequence_number += len(self.items) + 1
        self.items = []

    StreamShard.add = add  # type: ignore[method-assign]
    try:
        yield
    finally:
        StreamShard.add = saved  # type: ignore[method-assign]


def expire(tables: dict[str, str], now: float) -> int:
    """Delete the :data:`EXPIRES_AS_ABSENT` items whose ``expires_at`` is less than ``now`` (epoch
    seconds) from moto's tables (``tables``: logical name -> table name), as DynamoDB's TTL
    process would (not an API call: it is not counted as one, and these tables have no stream).
    Returns how many were deleted."""
    deleted = 0
    backend = _backend()
    for logical in dict.fromkeys(t for t, _ in EXPIRES_AS_ABSENT):
        table = backend.tables[tables[logical]]
        prefixes = tuple(p for t, p in EXPIRES_AS_ABSENT if t == logical)
        expired = [item for item in _items(table) if _expired(item, prefixes, now)]
        for item in expired:
            table.delete_item(item.hash_key, item.range_key)
            if item.range_key is not None and not table.items.get(item.hash_key):
                # moto leaves an empty partition behind, which reads and scans skip
                table.items.pop(item.hash_key, None)
        deleted += len(expired)
    return deleted


def _backend() -> Any:
    from moto.backends import get_backend

    from civicline.local.aws import ACCOUNT, REGION

    return get_backend("dynamodb")[ACCOUNT][REGION]


def moto_tables() -> list[Any]:
    """The local AWS's moto DynamoDB tables (for sweeps at the backend, as DynamoDB's own are)."""
    return list(_backend().tables.values())


def _items(table: Any) -> Iterator[Any]:
    """A moto table's items in no particular order (``all_items`` sorts them: not needed here)."""
    for partition in table.items.values():
        if table.range_key_attr:
            yield from partition.values()
        else:
            yield partition


def _expired(item: Any, prefixes: tuple[str, ...], now: float) -> bool:
    if not str(item.hash_key.value).startswith(prefixes):
        return False
    value = resting_ttl(item)  # a resting item's time to live, read without rebuilding it
    return value is not None and value.type == "N" and float(value.value) < now


@contextmanager
def day_retention() -> Iterator[None]:
    """Everything above, for the length of a simulated day."""
    with untracked_models(), unread_streams_only(), interned_names():
        yield
