"""What in-process moto keeps that a deployment does not, let go while the simulator runs.

A simulated day runs every contact through real handlers on moto's tables; what moto keeps besides
the tables' items grew with every contact (docs/decisions.md, "Simulation: peak memory of the full
day"). Two things, each changed only inside :func:`day_retention` and restored after it:

* **moto's instance register.** ``BaseModel.__new__`` appends every model instance to its class's
  ``instances_tracked`` list, which only the MotoServer dashboard reads: every stream record, every
  e-mail SES accepted, every queue message stayed alive for the life of the process
  (``civicline.sim.fastmoto.untracked_items`` already does this for DynamoDB items).
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
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

__all__ = ["day_retention", "stream_has_readers", "unread_streams_only", "untracked_models"]


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


@contextmanager
def day_retention() -> Iterator[None]:
    """Everything above, for the length of a simulated day."""
    with untracked_models(), unread_streams_only():
        yield
