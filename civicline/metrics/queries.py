"""Read rollups from the `metrics` table (LocalAws, any endpoint, or an AWS profile) as rows.

A row is a :class:`schemas.records.MetricRollup` (the counters) plus the derived ratios of
:func:`functions.domain.metrics.derived`. Time bounds are accepted as ISO dates or datetimes (or a
quarter label for the quarter grain) and turned into the grain's period keys.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any, Protocol

from functions.adapters.metrics_dynamo import DynamoMetricsStore
from functions.domain.metrics import (
    ALL_QUEUE,
    IVR_QUEUE,
    Rules,
    derived,
    parse_quarter,
    period_key,
    to_ms,
)
from functions.domain.metrics_registry import (
    A11_PREFIX,
    A11_VOLUME,
    CHANNEL_PREFIX,
    COUNTER_NAMES,
    DRIVER_AGREE,
    DRIVER_COUNT,
    DRIVER_SUM,
    driver_agree_key,
    driver_count_key,
    driver_sum_key,
)
from schemas import codec
from schemas.records import A11Driver, Grain, MetricRollup


class RollupSource(Protocol):
    """Where rollups are read from: the metrics table, or a simulated day's file."""

    rules: Rules

    def query_rollups(
        self, queue: str, grain: str, start: str | None = None, end: str | None = None
    ) -> list[dict[str, Any]]: ...

    def rollup_queues(self) -> list[str]: ...


@dataclass
class Row:
    rollup: MetricRollup
    ratios: dict[str, float | None]

    def to_json(self) -> dict[str, Any]:
        return {**codec.dump(self.rollup), "derived": self.ratios}

    def counters(self) -> dict[str, float]:
        """The raw counters by registry name (A-11 families by their keys), for sums and ratios."""
        r = self.rollup
        out: dict[str, float] = {name: float(getattr(r, name)) for name in COUNTER_NAMES}
        for key, family in ((driver_sum_key, r.driver_sums), (driver_count_key, r.driver_counts)):
            out.update({key(d): float(v) for d, v in family.items()})
        out.update({driver_agree_key(d): float(v) for d, v in r.driver_agree.items()})
        out.update({A11_PREFIX + k: float(v) for k, v in r.a11_points.items()})
        out.update({A11_VOLUME + k: float(v) for k, v in r.a11_volumes.items()})
        out.update({CHANNEL_PREFIX + k: float(v) for k, v in r.by_channel.items()})
        return out

    def channels(self) -> dict[str, dict[str, float | None]]:
        """Per channel present: its counters and every ratio of them (the registry's formulas)."""
        from functions.domain.metrics_registry import split_channels

        return {ch: {**c, **derived(c)} for ch, c in split_channels(self.counters()).items()}


def to_rollup(raw: dict[str, Any]) -> MetricRollup:
    """A stored rollup row (``rollup_row``) as the published :class:`MetricRollup` contract."""
    counters: dict[str, Any] = raw["counters"]
    fields: dict[str, Any] = {name: int(counters.get(name, 0)) for name in COUNTER_NAMES}
    drivers = {d.value: d for d in A11Driver}

    def family(prefix: str) -> dict[A11Driver, int]:
        return {
            drivers[n.removeprefix(prefix)]: int(v)
            for n, v in counters.items()
            if n.startswith(prefix) and n.removeprefix(prefix) in drivers
        }

    sums, counts, agree = family(DRIVER_SUM), family(DRIVER_COUNT), family(DRIVER_AGREE)
    points = {n.removeprefix(A11_PREFIX): int(v) for n, v in counters.items() if n.startswith(A11_PREFIX)}
    volumes = {n.removeprefix(A11_VOLUME): int(v) for n, v in counters.items() if n.startswith(A11_VOLUME)}
    channels = {
        n.removeprefix(CHANNEL_PREFIX): int(v) for n, v in counters.items() if n.startswith(CHANNEL_PREFIX)
    }
    return MetricRollup(
        queue=raw["queue"],
        grain=Grain(raw["grain"]),
        period=raw["period"],
        period_start=datetime.fromisoformat(raw["period_start"]),
        driver_sums=sums,
        driver_counts=counts,
        driver_agree=agree,
        a11_points={k: v for k, v in points.items() if v},
        a11_volumes={k: v for k, v in volumes.items() if v},
        by_channel={k: v for k, v in channels.items() if v},
        **fields,
    )


def to_row(raw: dict[str, Any]) -> Row:
    return Row(to_rollup(raw), derived(raw["counters"]))


def parse_bound(text: str | None, grain: Grain, rules: Rules, *, end: bool) -> str | None:
    """``--from``/``--to`` text -> the grain's period key (inclusive)."""
    if not text:
        return None
    if grain is Grain.QUARTER and "Q" in text.upper():
        year, quarter = parse_quarter(text)
        return f"{year}Q{quarter}"
    moment: datetime
    if len(text) == 10:
        day = date.fromisoformat(text)
        moment = datetime.combine(day, time.max if end else time.min, tzinfo=rules.tz)
    else:
        moment = datetime.fromisoformat(text)
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
    return period_key(to_ms(moment), grain, rules.tz)


def default_queues(store: RollupSource) -> list[str]:
    """ALL first, then every queue that has rollups, IVR and NOTIFY last."""
    from functions.domain.metrics import NOTIFY_QUEUE

    found = store.rollup_queues()
    named = [q for q in found if q not in (ALL_QUEUE, IVR_QUEUE, NOTIFY_QUEUE)]
    return [ALL_QUEUE, *named, *(q for q in (IVR_QUEUE, NOTIFY_QUEUE) if q in found)]


def query(
    store: RollupSource,
    *,
    queues: Iterable[str] | None = None,
    grain: Grain = Grain.INTERVAL,
    start: str | None = None,
    end: str | None = None,
) -> list[Row]:
    """Rows for the queues (default: every queue with data), oldest period first within a queue."""
    rules = store.rules
    low = parse_bound(start, grain, rules, end=False)
    high = parse_bound(end, grain, rules, end=True)
    rows: list[Row] = []
    for queue in list(queues) if queues else default_queues(store):
        rows.extend(to_row(raw) for raw in store.query_rollups(queue, grain.value, low, high))
    return rows


def open_store(
    *,
    endpoint_url: str | None = None,
    profile: str | None = None,
    table: str | None = None,
    region: str | None = None,
) -> DynamoMetricsStore:
    """A store on the configured table (METRICS_TABLE), an endpoint, or an AWS profile."""
    import boto3

    from functions.core.settings import get_settings
    from functions.handlers.contact_events import rules_from_settings

    settings = get_settings()
    name = table or settings.table("metrics")
    session = boto3.session.Session(profile_name=profile, region_name=region) if profile else boto3
    client = session.client("dynamodb", endpoint_url=endpoint_url, region_name=region)
    return DynamoMetricsStore(name, client, rules_from_settings())
