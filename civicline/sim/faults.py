"""Failure drills: Lambda errors and timeouts, DynamoDB throttling, duplicated and shuffled events.

Why these: they are what Amazon Connect and AWS actually do. Connect retries a failing Lambda and
then takes the flow's error branch; DynamoDB throttles (botocore retries, then the function fails);
EventBridge delivers contact events at least once and in no particular order. The drill proves the
flows still serve every caller, no callback is lost, and the aggregator's rollups do not drift.

DynamoDB throttling is injected at botocore's ``before-call`` with
:class:`civicline.local.aws_faults.AwsFaults`, so a throttled call has no effect (a ``before-send``
answer did not stop moto's own handler, and the "throttled" write was stored: the phantom write of
the security review). ``ddb-throttle`` stays a rate per DynamoDB request: each call draws one
throttle per attempt botocore would make (``AWS_MAX_ATTEMPTS``) and fails, with DynamoDB's
``ProvisionedThroughputExceededException``, only when every attempt is throttled, which is what the
function sees once botocore's retries are spent. The back-off botocore and the functions would have
waited passes in simulated time. Every function's DynamoDB calls are drilled, the callback
dispatcher's included.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
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
    #: seconds of retry back-off the drill's throttles cost, passed in simulated time
    backoff: float = 0.0
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

    def ddb_throttled(self, operation: str, params: dict[str, Any]) -> bool:
        """The ``match`` of the drill's AwsFaults rule: is every attempt of this call throttled?

        Draws one throttle per attempt botocore makes; the back-off botocore would sleep before each
        retry (standard mode, throttling: ``rand * 2**i`` seconds) is added to ``backoff``.
        """
        if not self.enabled or not self.plan.ddb_throttle:
            return False
        from functions.core.settings import get_settings

        rng = self._rng["ddb"]
        attempts = get_settings().aws_max_attempts
        for attempt in range(attempts):
            if rng.random() >= self.plan.ddb_throttle:
                return False
            if attempt + 1 < attempts:
                self.backoff += rng.random() * min(2.0**attempt, 20.0)
        self._count("ddb-throttle")
        return True

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


class _SimulatedWaits:
    """Stands in for ``time`` in the functions' retry helper: waits pass in simulated time.

    ``monotonic`` runs ahead by the waits skipped, so a retry budget still runs out as it would.
    """

    def __init__(self) -> None:
        self.skipped = 0.0

    def sleep(self, seconds: float) -> None:
        self.skipped += max(0.0, float(seconds))

    def monotonic(self) -> float:
        import time

        return time.monotonic() + self.skipped


@dataclass
class Throttling:
    """What :func:`throttled_dynamodb` gives back: the calls it saw and the waits it skipped."""

    faults: Any
    waits: _SimulatedWaits
    injector: FaultInjector

    @property
    def skipped(self) -> float:
        """Back-off seconds: botocore's (modeled) and the functions' own retries (skipped)."""
        return self.injector.backoff + self.waits.skipped


@contextmanager
def throttled_dynamodb(injector: FaultInjector) -> Iterator[Throttling]:
    """Throttle the functions' DynamoDB client at ``before-call``, with waits in simulated time."""
    from civicline.local.aws_faults import AwsFaults
    from functions.adapters import transient
    from functions.core.aws import client

    waits = _SimulatedWaits()
    saved = transient.__dict__["time"]
    setattr(transient, "time", waits)  # noqa: B010 (a module attribute mypy types as a module)
    try:
        with AwsFaults(client("dynamodb")) as faults:
            faults.throttle("*", times=None, match=injector.ddb_throttled)
            yield Throttling(faults, waits, injector)
    finally:
        setattr(transient, "time", saved)  # noqa: B010
