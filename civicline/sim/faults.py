"""Failure drills: Lambda errors and timeouts, DynamoDB throttling, duplicated and shuffled events.

Why these: they are what Amazon Connect and AWS actually do. Connect retries a failing Lambda and
then takes the flow's error branch; DynamoDB throttles (botocore retries, then the function fails);
EventBridge delivers contact events at least once and in no particular order. The drill proves the
flows still serve every caller, no callback is lost, and the aggregator's rollups do not drift.

DynamoDB throttling is injected below botocore's retry logic: a ``before-send`` hook answers some
requests with a real ``ProvisionedThroughputExceededException`` HTTP response, so the functions'
configured retries and error handling run exactly as they would against a throttled table.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from civicline.sim.planning import stream

KNOWN = ("lambda-errors", "lambda-timeouts", "ddb-throttle", "duplicate-events", "shuffle-events")


@dataclass(frozen=True)
class FaultPlan:
    """Rates (probabilities per Lambda attempt / DynamoDB request / event) and event shuffling."""

    lambda_errors: float = 0.0
    lambda_timeouts: float = 0.0
    ddb_throttle: float = 0.0
    duplicate_events: float = 0.0
    shuffle_events: bool = False

    @property
    def active(self) -> bool:
        return (
            bool(self.lambda_errors or self.lambda_timeouts or self.ddb_throttle or self.duplicate_events)
            or self.shuffle_events
        )

    @property
    def changes_outcomes(self) -> bool:
        """Faults that change what happens to callers (so metrics may legitimately differ)."""
        return bool(self.lambda_errors or self.lambda_timeouts or self.ddb_throttle)

    def describe(self) -> str:
        parts = [
            f"{name}={value:g}"
            for name, value in (
                ("lambda-errors", self.lambda_errors),
                ("lambda-timeouts", self.lambda_timeouts),
                ("ddb-throttle", self.ddb_throttle),
                ("duplicate-events", self.duplicate_events),
            )
            if value
        ]
        if self.shuffle_events:
            parts.append("shuffle-events")
        return ",".join(parts) or "none"


def parse_inject(spec: str | None) -> FaultPlan:
    """``"lambda-errors=0.2,ddb-throttle=0.1,shuffle-events"`` -> a :class:`FaultPlan`."""
    if not spec:
        return FaultPlan()
    values: dict[str, Any] = {}
    for part in (p.strip() for p in spec.split(",")):
        if not part:
            continue
        name, _, raw = part.partition("=")
        name = name.strip()
        if name not in KNOWN:
            raise ValueError(f"unknown fault {name!r}; known: {', '.join(KNOWN)}")
        if name == "shuffle-events":
            if raw and raw.strip().lower() not in ("1", "true", "yes", "on"):
                raise ValueError("shuffle-events takes no value (or true)")
            values["shuffle_events"] = True
            continue
        try:
            rate = float(raw)
        except ValueError as exc:
            raise ValueError(f"{name} needs a probability, e.g. {name}=0.1") from exc
        if not 0.0 <= rate <= 1.0:
            raise ValueError(f"{name} must be between 0 and 1")
        values[name.replace("-", "_")] = rate
    return FaultPlan(**values)


@dataclass
class FaultInjector:
    """Draws the faults from their own seeded streams and counts what it injected."""

    plan: FaultPlan
    seed: int
    injected: dict[str, int] = field(default_factory=dict)
    enabled: bool = True
    _rng: dict[str, random.Random] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._rng = {name: stream(self.seed, f"fault:{name}") for name in ("lambda", "ddb", "events")}

    def _count(self, name: str) -> None:
        self.injected[name] = self.injected.get(name, 0) + 1

    def lambda_fault(self, function: str, attempt: int) -> str | None:
        """The ``LambdaInvoker(fault=...)`` callable: "error", "timeout" or None per attempt."""
        if not self.enabled:
            return None
        draw = self._rng["lambda"].random()
        if draw < self.plan.lambda_timeouts:
            self._count("lambda-timeouts")
            return "timeout"
        if draw < self.plan.lambda_timeouts + self.plan.lambda_errors:
            self._count("lambda-errors")
            return "error"
        return None

    def ddb_hook(self) -> Callable[..., Any]:
        """A botocore ``before-send`` handler answering some requests with a throttling error."""
        from botocore.awsrequest import AWSResponse, HTTPHeaders
        from moto.core.botocore_stubber import MockRawResponse

        body = (
            b'{"__type":"com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException",'
            b'"message":"Rate of requests exceeds the allowed throughput (drill)"}'
        )

        def hook(request: Any, **_: Any) -> AWSResponse | None:
            if not self.enabled or self._rng["ddb"].random() >= self.plan.ddb_throttle:
                return None
            self._count("ddb-throttle")
            headers = HTTPHeaders()
            headers["Content-Type"] = "application/x-amz-json-1.0"
            headers["x-amzn-ErrorType"] = "ProvisionedThroughputExceededException"
            return AWSResponse(request.url, 400, headers, MockRawResponse(body))

        return hook

    def deliver(self, events: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """The events as EventBridge might deliver them: some twice, in any order."""
        rng = self._rng["events"]
        out: list[dict[str, Any]] = []
        for event in events:
            out.append(event)
            if self.plan.duplicate_events and rng.random() < self.plan.duplicate_events:
                out.append(event)
                self._count("duplicate-events")
        if self.plan.shuffle_events:
            rng.shuffle(out)
            self._count("shuffle-events")
        return out


class _NoSleep:
    """Stands in for ``time`` inside botocore.endpoint: retry back-off passes in simulated time."""

    def __init__(self) -> None:
        self.skipped = 0.0

    def sleep(self, seconds: float) -> None:
        self.skipped += max(0.0, float(seconds))


@contextmanager
def throttled_dynamodb(injector: FaultInjector) -> Iterator[_NoSleep]:
    """Install the throttling hook on the functions' DynamoDB client, and skip back-off sleeps."""
    import botocore.endpoint

    from functions.core.aws import client

    ddb = client("dynamodb")
    hook = injector.ddb_hook()
    ddb.meta.events.register_first("before-send.dynamodb", hook, unique_id="civicline-drill-throttle")
    saved = botocore.endpoint.time  # type: ignore[attr-defined]
    shim = _NoSleep()
    botocore.endpoint.time = shim  # type: ignore[attr-defined]
    try:
        yield shim
    finally:
        botocore.endpoint.time = saved  # type: ignore[attr-defined]
        ddb.meta.events.unregister("before-send.dynamodb", unique_id="civicline-drill-throttle")
