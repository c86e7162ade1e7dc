"""Contact events to the real aggregator as the day produces them, in bounded batches.

Why streaming: keeping a day's events (and their envelopes) until closing made memory grow with
the day's length (749 MB for 10,000 calls). The aggregator merges facts whatever their order or
duplication (functions.domain.metrics), so delivering every window of events as soon as it is full
gives exactly the rollups of one delivery at the end, in memory bounded by the window. Each window
goes to the handler as SQS batches through the pipeline's one re-delivery loop
(civicline.metrics.pipeline.deliver); a drill's duplicates and shuffling apply within the window.
The survey and callback tables are replayed at the end, as their streams would deliver them.
"""

from __future__ import annotations

import contextlib
import io
from collections import Counter
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from civicline.sim.faults import FaultInjector

#: events held before they go to the aggregator (the memory bound of the delivery)
WINDOW = 1000
#: records per aggregator invocation for the local single writer; Lambda's SQS event source takes up
#: to 10,000 records from a standard queue with a batching window (docs/decisions.md)
BATCH_SIZE = 1000
#: events put on the bus between two pumps (moto's SQS slows down with the queue's length)
PUBLISH_CHUNK = 400


class EventLog:
    """What the day emitted, without keeping it: ``len()`` is the number of events, ``by_type``
    their count per event type (``DayResult.events``)."""

    def __init__(self) -> None:
        self.by_type: Counter[str] = Counter()

    def __len__(self) -> int:
        return sum(self.by_type.values())

    def add(self, detail: dict[str, Any]) -> None:
        self.by_type[str(detail.get("eventType"))] += 1


class EventStream:
    """The day's sink for contact events: deliver each full window to the aggregator."""

    def __init__(
        self, injector: FaultInjector, *, window: int = WINDOW, batch_size: int = BATCH_SIZE
    ) -> None:
        self.injector = injector
        self.window = window
        self.batch_size = batch_size
        self.log = EventLog()
        self.delivered = 0
        self.dead_letters = 0
        self._buffer: list[dict[str, Any]] = []

    def emit(self, detail: dict[str, Any]) -> None:
        self.log.add(detail)
        self._buffer.append(detail)
        if len(self._buffer) >= self.window:
            self.flush()

    def flush(self) -> None:
        """Deliver what is held (a drill's throttling does not reach the delivery: it drills the
        functions, and the aggregator's own retries are tested in tests/metrics)."""
        from civicline.metrics.pipeline import PumpReport, deliver, single_writer, sqs_batch
        from functions.handlers.contact_events import handler

        events, self._buffer = self._buffer, []
        delivered = self.injector.deliver(events)
        envelopes = [envelope(detail, self.delivered + i) for i, detail in enumerate(delivered)]
        self.delivered += len(delivered)
        report = PumpReport()
        # the deployed write path (TransactWriteItems of at most 100 items), on the journaling moto
        # transactions of civicline.sim.fastmoto: a call per 100 items, not one per item
        with _drills_paused(self.injector), single_writer(enabled=False), _quiet_stdout():
            for start in range(0, len(envelopes), self.batch_size):
                failed = deliver(handler, sqs_batch(envelopes[start : start + self.batch_size]), report, 2)
                self.dead_letters += len(failed)

    def close(self, aws: Any) -> int:
        """Deliver the rest, replay the survey and callback tables; returns the dead-lettered count."""
        from civicline.metrics.pipeline import pump

        self.flush()
        # the deployed write path here too: one call per 100 items, where the pump's sequential
        # commits (a call per item) made the replay a fifth of the aggregator's AWS time
        with _drills_paused(self.injector), _quiet_stdout():
            self.dead_letters += len(pump(aws, tables=True, transactional=True).dead_letters)
        return self.dead_letters


@contextlib.contextmanager
def _drills_paused(injector: FaultInjector) -> Iterator[None]:
    saved, injector.enabled = injector.enabled, False
    try:
        yield
    finally:
        injector.enabled = saved


@contextlib.contextmanager
def _quiet_stdout() -> Iterator[None]:
    """The aggregator prints its CloudWatch EMF metrics to stdout, as Lambda expects; not here."""
    with contextlib.redirect_stdout(io.StringIO()):
        yield


def envelope(detail: dict[str, Any], index: int) -> dict[str, Any]:
    """The EventBridge envelope Amazon Connect's event arrives in (what the rule hands to SQS)."""
    import uuid

    from civicline.local.aws import ACCOUNT, INSTANCE_ARN, REGION
    from schemas.contact_events import DETAIL_TYPE, SOURCE

    stamp = detail.get("disconnectTimestamp") or detail.get("initiationTimestamp") or "1970-01-01T00:00:00Z"
    return {
        "version": "0",
        "id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"civicline:event:{index}:{detail.get('contactId')}")),
        "detail-type": DETAIL_TYPE,
        "source": SOURCE,
        "account": ACCOUNT,
        "time": str(stamp)[:19] + "Z",
        "region": REGION,
        "resources": [INSTANCE_ARN],
        "detail": detail,
    }


def publish_and_aggregate(aws: Any, events: list[dict[str, Any]], *, via_bus: bool = False) -> int:
    """Deliver ``events`` to the real aggregator handler; returns the dead-lettered count.

    ``via_bus``: put them on the local EventBridge bus, whose rule routes them to the SQS queue the
    pump drains (the whole deployed path, but moto's EventBridge and SQS cost tens of milliseconds an
    event). Default: the day's own path, an :class:`EventStream` (SQS batches of envelopes handed to
    the aggregator directly). Either way the survey and callback tables are then replayed.
    """
    from civicline.metrics.pipeline import pump

    if not via_bus:
        from civicline.sim.faults import FaultPlan

        stream = EventStream(FaultInjector(FaultPlan(), 0))
        for detail in events:
            stream.emit(detail)
        return stream.close(aws)
    dead = 0
    for start in range(0, len(events), PUBLISH_CHUNK):
        aws.put_contact_events(events[start : start + PUBLISH_CHUNK])
        dead += len(pump(aws, tables=False).dead_letters)
    return dead + len(pump(aws, tables=True).dead_letters)


class KnownQueues:
    """The metrics table read queue by queue: the rollup queues are the registry's queues (the only
    ones the local stack's QUEUE_ARNS names), ALL and IVR, so listing them needs no table scan.

    Why: ``rollup_queues`` scans the whole table, which holds every contact's state; moto's scan
    sorts and compares every item (the largest cost of reading back a 10,000-call day, measured in
    docs/decisions.md). Query answers are the table's own; only the listing is not read."""

    def __init__(self, store: Any) -> None:
        from functions.domain.metrics import ALL_QUEUE, IVR_QUEUE
        from infra.registry import QUEUES_BY_NAME

        self.store = store
        self.rules = store.rules
        candidates = [ALL_QUEUE, *sorted(QUEUES_BY_NAME), IVR_QUEUE]
        self.queues = [q for q in candidates if store.query_rollups(q, "day")]

    def query_rollups(
        self, queue: str, grain: str, start: str | None = None, end: str | None = None
    ) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = self.store.query_rollups(queue, grain, start, end)
        return rows

    def rollup_queues(self) -> list[str]:
        return list(self.queues)


def read_metrics(
    generated: datetime,
) -> tuple[dict[tuple[str, str, str], dict[str, int]], list[Any], list[Any], str]:
    """Every rollup (for drift checks), the day rows, the ALL intervals and the dashboard HTML."""
    from civicline.metrics import dashboard
    from civicline.metrics.queries import open_store, query
    from schemas.records import Grain

    store = KnownQueues(open_store())
    rollups: dict[tuple[str, str, str], dict[str, int]] = {}
    day_rows: list[Any] = []
    interval_rows: list[Any] = []
    for grain in (Grain.INTERVAL, Grain.DAY, Grain.QUARTER):
        rows = query(store, grain=grain)
        for row in rows:
            r = row.rollup
            # the registry's counter names and A-11 keys (the aggregator's own spelling)
            rollups[(r.queue, grain.value, r.period)] = {k: int(v) for k, v in row.counters().items() if v}
        if grain is Grain.DAY:
            day_rows = rows
        if grain is Grain.INTERVAL:
            interval_rows = [row for row in rows if row.rollup.queue == "ALL"]
    return rollups, day_rows, interval_rows, dashboard.build(store, generated=generated)
