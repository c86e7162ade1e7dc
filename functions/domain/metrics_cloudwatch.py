"""What the aggregator publishes to CloudWatch, per channel, from one pass's stored deltas.

Pure: it turns the :class:`~functions.domain.metrics_aggregation.AggregationReport` totals (the net
change the committed rollup updates carried, ALL queue, 15-minute grain) into EMF metric sets. Each
registry counter with a :class:`~functions.domain.metrics_registry.CloudWatchMetric` is published
once without a channel (the stack-wide figure the LOS alarm reads) and once per channel it moved,
from its ``ch|<CHANNEL>|`` counter: the very keys the stored update added, so a duplicate or a retry
that stored nothing publishes nothing for any channel. The stack's dashboard reads the same names
and dimension (infra/constructs/observability.py imports :data:`CHANNEL_DIMENSION` and the registry).

The e-mail backlog's readings (:func:`backlog_sets`, registry ``EMAIL_BACKLOG_GAUGES``) are published
by their own scheduled function per :data:`QUEUE_DIMENSION` and stack-wide.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from functions.domain.email_backlog import BacklogReading
from functions.domain.metrics_registry import CHANNELS, GAUGES_BY_NAME, PUBLISHED, split_channels

#: the EMF dimension that names the channel (VOICE, CHAT, EMAIL, TASK; SMS for notifications)
CHANNEL_DIMENSION = "Channel"


@dataclass(frozen=True)
class MetricValue:
    """One EMF metric: its CloudWatch name, unit and value (the counter over its divisor)."""

    name: str
    unit: str
    value: float


@dataclass(frozen=True)
class MetricSet:
    """Metrics that share one set of dimensions (one EMF document)."""

    dimensions: tuple[tuple[str, str], ...]
    metrics: tuple[MetricValue, ...]


def published_values(counters: Mapping[str, float]) -> tuple[MetricValue, ...]:
    """Every published registry counter's value in ``counters`` (0 when absent), so each period has
    a datapoint for every numerator and denominator of the dashboard's ratios."""
    out = []
    for counter in PUBLISHED:
        assert counter.cloudwatch is not None
        cw = counter.cloudwatch
        out.append(MetricValue(cw.name, cw.unit, counters.get(counter.name, 0) / cw.divisor))
    return tuple(out)


def channel_sets(totals: Mapping[str, float]) -> list[MetricSet]:
    """One metric set per channel whose published counters the stored update changed (a channel
    with only zero deltas, or none at all, publishes nothing)."""
    names = {c.name for c in PUBLISHED}
    out = []
    for channel, counters in split_channels(totals).items():
        if channel not in CHANNELS or not any(counters.get(n) for n in names):
            continue
        out.append(MetricSet(((CHANNEL_DIMENSION, channel),), published_values(counters)))
    return out


#: the EMF dimension that names the queue (registry name) of a per-queue reading
QUEUE_DIMENSION = "Queue"


def _gauge(name: str, value: float) -> MetricValue:
    metric = GAUGES_BY_NAME[name].cloudwatch
    return MetricValue(metric.name, metric.unit, value / metric.divisor)


def backlog_sets(reading: BacklogReading, queues: Sequence[str]) -> list[MetricSet]:
    """The e-mail backlog as metric sets: one per queue read (0 waiting, age 0 when none waits, so
    every queue line has a datapoint each run) and one stack-wide (the alarms' figure: every queue's
    waiting e-mails and the oldest age over them, and the malformed rows seen)."""
    by_queue = {b.queue: b for b in reading.queues}
    out = []
    for queue in queues:
        backlog = by_queue.get(queue)
        waiting = backlog.waiting if backlog else 0
        age = (backlog.age_seconds or 0.0) if backlog else 0.0
        out.append(
            MetricSet(
                ((QUEUE_DIMENSION, queue),),
                (_gauge("email_backlog", waiting), _gauge("email_backlog_oldest_age_seconds", age)),
            )
        )
    total = (
        _gauge("email_backlog", reading.waiting),
        _gauge("email_backlog_oldest_age_seconds", reading.oldest_age_seconds),
        _gauge("email_backlog_malformed_rows", reading.malformed),
    )
    out.append(MetricSet((), total))
    return out
