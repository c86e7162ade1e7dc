"""Faults and interleavings at the AWS boundary (botocore), for tests and the simulator's drills.

Why at ``before-call``: botocore emits ``before-call.<service>.<operation>`` with
``emit_until_response``, so a handler that answers it short-circuits the request: nothing reaches
moto (or AWS), exactly as when DynamoDB throttles or cancels a call. A ``before-send`` answer would
not: botocore emits ``before-send`` to every handler, moto's own stubber among them, so the "failed"
write is stored anyway (the phantom write the security review measured).

Two tools:

* :class:`AwsFaults` answers chosen calls of a client with a real AWS error (throttling, a
  transaction cancelled with given reasons, a conditional check failure, a read time-out), each
  rule consumed ``times`` times, optionally only for calls whose parameters match. Every call the
  client makes is recorded, faulted or not.
* :func:`interleaved` runs callables in threads that all pause at a chosen operation until every
  thread has reached it (or finished), then go on; the calls themselves are serialized, as
  DynamoDB serializes writes to one item (moto is not thread-safe for transactions). That is how N
  Lambda containers interleave: every read done before any write.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

#: DynamoDB's error types, by code, as the service names them in ``__type``
_DDB_PREFIX = "com.amazonaws.dynamodb.v20120810#"

Match = Callable[[str, dict[str, Any]], bool]


def error_answer(
    code: str,
    message: str = "injected fault",
    *,
    status: int = 400,
    reasons: Sequence[str] | None = None,
) -> tuple[_Http, dict[str, Any]]:
    """The ``(http, parsed)`` pair botocore turns into a ``ClientError`` with this code.

    ``reasons`` are TransactWriteItems cancellation reason codes, one per item in request order
    (``"None"`` for an item that was fine), as DynamoDB returns them.
    """
    parsed: dict[str, Any] = {
        "Error": {"Code": code, "Message": message},
        "ResponseMetadata": {"HTTPStatusCode": status, "RetryAttempts": 0},
    }
    if reasons is not None:
        parsed["CancellationReasons"] = [
            {"Code": r} if r == "None" else {"Code": r, "Message": f"{r} (injected)"} for r in reasons
        ]
        parsed["Message"] = message
    return _Http(status, code), parsed


class _Http:
    """The minimal HTTP response object botocore reads after a ``before-call`` answer."""

    def __init__(self, status: int, code: str) -> None:
        self.status_code = status
        self.headers = {"x-amzn-ErrorType": code}
        self.content = b""
        self.raw = None


@dataclass
class FaultRule:
    """One kind of failure for one operation, consumed ``times`` times (``None``: every time)."""

    operation: str
    answer: Callable[[], Any]
    times: int | None = 1
    match: Match | None = None
    fired: int = 0

    def applies(self, operation: str, params: dict[str, Any]) -> bool:
        if self.operation not in (operation, "*"):
            return False
        if self.times is not None and self.fired >= self.times:
            return False
        return self.match is None or self.match(operation, params)


@dataclass
class AwsFaults:
    """Answers chosen calls of one botocore client with AWS errors; records every call.

    Use as a context manager around the code under test::

        with AwsFaults(client("dynamodb")) as faults:
            faults.cancel("TransactWriteItems", ["None", "TransactionConflict"])
            handler(event, None)
        assert faults.stored_calls("TransactWriteItems") == 0
    """

    client: Any
    rules: list[FaultRule] = field(default_factory=list)
    #: (operation, params, faulted) for every call the client made while active
    calls: list[tuple[str, dict[str, Any], bool]] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    # --- rules ----------------------------------------------------------------------------------

    def fail(
        self,
        operation: str,
        code: str,
        *,
        times: int | None = 1,
        match: Match | None = None,
        status: int = 400,
        reasons: Sequence[str] | None = None,
        message: str = "injected fault",
    ) -> FaultRule:
        """Answer ``operation`` (``"*"``: any) with AWS error ``code``."""
        rule = FaultRule(
            operation,
            lambda: error_answer(code, message, status=status, reasons=reasons),
            times,
            match,
        )
        self.rules.append(rule)
        return rule

    def throttle(self, operation: str, *, times: int | None = 1, match: Match | None = None) -> FaultRule:
        """DynamoDB throttling after botocore's retries are spent (what the caller finally sees)."""
        return self.fail(
            operation,
            "ProvisionedThroughputExceededException",
            times=times,
            match=match,
            message="Rate of requests exceeds the allowed throughput (injected)",
        )

    def cancel(
        self, reasons: Sequence[str], *, times: int | None = 1, match: Match | None = None
    ) -> FaultRule:
        """A TransactWriteItems cancelled with these per-item reasons (nothing is written)."""
        return self.fail(
            "TransactWriteItems",
            "TransactionCanceledException",
            times=times,
            match=match,
            reasons=reasons,
            message="Transaction cancelled, please refer cancellation reasons for specific reasons "
            f"[{', '.join(reasons)}]",
        )

    def timeout(self, operation: str, *, times: int | None = 1, match: Match | None = None) -> FaultRule:
        """A read time-out: the request may or may not have been applied; here it was not."""

        def answer() -> Any:
            from botocore.exceptions import ReadTimeoutError

            raise ReadTimeoutError(endpoint_url="https://injected.invalid")

        rule = FaultRule(operation, answer, times, match)
        self.rules.append(rule)
        return rule

    # --- what happened ----------------------------------------------------------------------------

    def operations(self) -> list[str]:
        return [op for op, _, _ in self.calls]

    def stored_calls(self, operation: str) -> int:
        """How many calls of ``operation`` really reached the service (not faulted)."""
        return sum(1 for op, _, faulted in self.calls if op == operation and not faulted)

    def fired(self) -> int:
        return sum(rule.fired for rule in self.rules)

    # --- wiring ---------------------------------------------------------------------------------

    def _hook(self, model: Any, params: dict[str, Any], **_: Any) -> Any:
        operation = model.name
        params = _api_params(params)
        with self._lock:
            rule = next((r for r in self.rules if r.applies(operation, params)), None)
            if rule is not None:
                rule.fired += 1
            self.calls.append((operation, params, rule is not None))
        return None if rule is None else rule.answer()

    def __enter__(self) -> AwsFaults:
        # the client's own emitter, on its most specific wildcard key and first there: botocore calls
        # deeper keys first, so botocore's Stubber (``before-call.*.*``) would otherwise answer first
        self._event = "before-call.*.*"
        self._uid = f"civicline-aws-faults-{id(self)}"
        self.client.meta.events.register_first(self._event, self._hook, unique_id=self._uid)
        return self

    def __exit__(self, *_: Any) -> None:
        self.client.meta.events.unregister(self._event, unique_id=self._uid)


def _api_params(request: dict[str, Any]) -> dict[str, Any]:
    """The call's parameters as sent (JSON protocols: the decoded body; otherwise the request)."""
    body = request.get("body")
    if isinstance(body, bytes | str) and body[:1] in (b"{", "{"):
        try:
            decoded = json.loads(body)
        except ValueError:
            return request
        return decoded if isinstance(decoded, dict) else request
    return request


# --- interleaving ------------------------------------------------------------------------------


@dataclass
class Interleaving:
    """What :func:`interleaved` gives back: each callable's result or exception, in order."""

    results: list[Any]
    errors: list[BaseException | None]

    def raised(self) -> list[BaseException]:
        return [e for e in self.errors if e is not None]


class _Gate:
    """Holds threads at the pause point until each of ``n`` has arrived there or finished."""

    def __init__(self, n: int) -> None:
        self.n = n
        self.count = 0
        self.cond = threading.Condition()

    def arrive(self, *, wait: bool) -> None:
        with self.cond:
            self.count += 1
            self.cond.notify_all()
            if wait:
                self.cond.wait_for(lambda: self.count >= self.n, timeout=30)


@contextmanager
def _serialized_calls(pause_at: str | None, gate: _Gate | None) -> Iterator[set[int]]:
    """Patch every botocore client: serialize calls; first pause the thread at ``pause_at``."""
    from botocore.client import BaseClient

    original = BaseClient._make_api_call  # type: ignore[attr-defined]
    lock = threading.RLock()
    paused: set[int] = set()

    def call(self: Any, operation_name: str, api_params: dict[str, Any]) -> Any:
        me = threading.get_ident()
        if gate is not None and operation_name == pause_at and me not in paused:
            paused.add(me)
            gate.arrive(wait=True)
        with lock:
            return original(self, operation_name, api_params)

    BaseClient._make_api_call = call  # type: ignore[attr-defined]
    try:
        yield paused
    finally:
        BaseClient._make_api_call = original  # type: ignore[attr-defined]


def interleaved(work: Sequence[Callable[[], Any]], *, pause_at: str | None = None) -> Interleaving:
    """Run every callable in its own thread, all at once.

    With ``pause_at`` (an operation name such as ``"UpdateItem"``), each thread stops before its
    first such call until every other thread has reached its own (or finished), so all the reads
    that precede it are done by everyone before anyone writes: the worst interleaving of N
    concurrent Lambda containers. AWS calls are serialized, as a table serializes writes to an item.
    """
    n = len(work)
    results: list[Any] = [None] * n
    errors: list[BaseException | None] = [None] * n
    gate = _Gate(n) if pause_at else None

    with _serialized_calls(pause_at, gate) as paused:

        def run(i: int) -> None:
            try:
                results[i] = work[i]()
            except BaseException as exc:  # reported to the test, not swallowed
                errors[i] = exc
            finally:
                if gate is not None and threading.get_ident() not in paused:
                    gate.arrive(wait=False)  # finished without pausing: release the others

        threads = [threading.Thread(target=run, args=(i,), daemon=True) for i in range(n)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
    return Interleaving(results, errors)
