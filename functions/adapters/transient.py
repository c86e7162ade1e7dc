"""Transient DynamoDB failures, told apart from answers, and a retry bounded by a time budget.

Why: DynamoDB cancels a TransactWriteItems for a condition that does not hold (an answer: someone
else's guard, a full window, our own earlier write) and also for contention and throttling
(``TransactionConflict``, ``ThrottlingError``, ``ProvisionedThroughputExceeded`` in the cancellation
reasons, one per item; API reference, TransactWriteItems). Only the first kind says anything about the
data; the second means nothing was written and the same request may succeed a moment later. Reading
a contention cancellation as an answer confirmed callbacks that were never stored (issue 13, item 2).

:func:`retry_within` retries an operation that raised :class:`Contention` with capped exponential
back-off and full jitter (so conflicting writers spread out instead of colliding again), and gives up
when another attempt would not fit in the caller's time budget (a flow's Lambda time limit, an async
function's timeout). Giving up raises: the caller's error path (a flow's error branch, Lambda's async
retry and DLQ) takes over, and nothing is claimed as done.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from functions.core.errors import DependencyError

T = TypeVar("T")

#: cancellation reason codes that say "not now", not "no" (DynamoDB CancellationReason.Code)
TRANSIENT_REASONS = frozenset({"TransactionConflict", "ThrottlingError", "ProvisionedThroughputExceeded"})
#: error codes of a whole call that are worth another try (after botocore's own retries)
TRANSIENT_CODES = frozenset(
    {
        "ProvisionedThroughputExceededException",
        "ThrottlingException",
        "RequestLimitExceeded",
        "TransactionConflictException",
        "TransactionInProgressException",
        "InternalServerError",
        "ServiceUnavailable",
    }
)
CONDITION_FAILED = "ConditionalCheckFailed"


class Contention(DependencyError):
    """DynamoDB throttled the call or a concurrent transaction conflicted: retry, nothing was written."""


def error_code(exc: BaseException) -> str:
    response = getattr(exc, "response", None)
    if not isinstance(response, dict):
        return ""
    return str(response.get("Error", {}).get("Code", ""))


def cancellation_reasons(exc: BaseException) -> list[str]:
    """The per-item reason codes of a cancelled transaction, in request order ("None": that item was fine)."""
    response = getattr(exc, "response", None)
    if not isinstance(response, dict):
        return []
    return [str(r.get("Code", "None")) for r in response.get("CancellationReasons", [])]


def is_transient(exc: BaseException) -> bool:
    """Throttling, a transaction conflict, a 5xx or a time-out: the same request may succeed later.

    A time-out is included because the callers' retries are safe to repeat: every write is conditional
    and a retry that finds its own earlier write reads it back.
    """
    from botocore.exceptions import ConnectionError as BotoConnectionError
    from botocore.exceptions import HTTPClientError

    if isinstance(exc, HTTPClientError | BotoConnectionError):
        return True
    code = error_code(exc)
    if code == "TransactionCanceledException":
        return any(reason in TRANSIENT_REASONS for reason in cancellation_reasons(exc))
    return code in TRANSIENT_CODES


def only(reasons: Sequence[str], allowed: frozenset[str]) -> bool:
    return all(reason == "None" or reason in allowed for reason in reasons)


@dataclass(frozen=True)
class RetryBudget:
    """How long an operation may keep retrying, and how its back-off grows (seconds)."""

    seconds: float
    base_delay: float = 0.025
    max_delay: float = 0.4
    #: attempts made whatever the time (functions with a generous timeout: a stalled first attempt
    #: must not cost the retry)
    min_attempts: int = 1


def retry_within(
    budget: RetryBudget,
    operation: Callable[[], T],
    *,
    clock: Callable[[], float] | None = None,
    sleep: Callable[[float], None] | None = None,
    draw: Callable[[], float] = random.random,
) -> T:
    """``operation()``, retried after each :class:`Contention` while the next attempt fits the budget.

    The next attempt is expected to take as long as the last one did: it is started only if the time
    spent, the jittered delay and that duration together stay within ``budget.seconds`` (or fewer
    than ``budget.min_attempts`` were made). Otherwise the last :class:`Contention` is raised.
    ``clock`` and ``sleep`` default to this module's ``time`` at call time, so the simulator can run
    the waits in simulated time.
    """
    clock = clock or time.monotonic
    sleep = sleep or time.sleep
    started = clock()
    attempt = 0
    while True:
        began = clock()
        try:
            return operation()
        except Contention:
            took = clock() - began
            delay = draw() * min(budget.max_delay, budget.base_delay * 2 ** min(attempt, 16))
            made = attempt + 1
            if made >= budget.min_attempts and clock() - started + delay + took > budget.seconds:
                raise
            sleep(delay)
            attempt += 1


def raise_if_transient(exc: BaseException) -> None:
    """Re-raise a transient failure as :class:`Contention` (chained), so :func:`retry_within` retries it."""
    if is_transient(exc):
        raise Contention(error_code(exc) or type(exc).__name__) from exc


def describe(exc: BaseException) -> dict[str, Any]:
    """Log fields for a failure: its code and cancellation reasons, never the request's values."""
    return {"error": error_code(exc) or type(exc).__name__, "reasons": cancellation_reasons(exc)}
