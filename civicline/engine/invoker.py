"""Running registry Lambdas in-process, with the rules Connect applies to a flow's Lambda call.

Reference section 4: the event is JSON (round-tripped here so that nothing non-JSON leaks in), the
response must be a JSON object and, under ``STRING_MAP``, flat with string values, under 32 KB.
A synchronous call has ``InvocationTimeLimitSeconds`` (1-8 s); Connect retries a failing call up to
3 times within that limit, then takes ``NoMatchingError``.

Semantics chosen (documented in docs/engine.md):
* the time limit is a *budget for the whole call*, measured as wall time of the in-process handler;
  an attempt that overruns it is a TIMEOUT and leaves no budget for a retry;
* a function error (exception, non-JSON response) is retried while the budget lasts, at most
  3 retries (4 attempts);
* a response that breaks the response rules (not an object, not flat, too large) is INVALID_RESPONSE
  and is not retried: the function did run and answered;
* a fault injector ``fault(function, attempt)`` may force ``"error"`` or ``"timeout"`` for an
  attempt (1-based), for tests and the simulator's failure drills.
"""

from __future__ import annotations

import importlib
import json
import time
import uuid
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from typing import Any

from civicline.engine.arns import local_arn
from infra.registry import FUNCTIONS_BY_NAME
from schemas.string_map import MAX_RESPONSE_BYTES

MAX_RETRIES = 3
Fault = Callable[[str, int], str | None]
Handler = Callable[[dict[str, Any], Any], Any]


@dataclass
class LambdaContext:
    """The attributes of the Lambda runtime context object that handlers and Powertools read."""

    function_name: str
    timeout_seconds: float
    memory_limit_in_mb: int = 256
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    function_version: str = "$LATEST"
    _started: float = field(default_factory=time.monotonic)

    @property
    def invoked_function_arn(self) -> str:
        return local_arn("LAMBDA", self.function_name.removeprefix("civicline-"))

    @property
    def log_group_name(self) -> str:
        return f"/aws/lambda/{self.function_name}"

    @property
    def log_stream_name(self) -> str:
        return "local"

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self.timeout_seconds - (time.monotonic() - self._started)) * 1000))


@dataclass
class LambdaOutcome:
    """One flow-level Lambda call: the result Connect keeps, or why it took NoMatchingError."""

    function: str
    result: dict[str, Any] | None
    error: str | None  # None | "TIMEOUT" | "ERROR" | "INVALID_RESPONSE" | "UNKNOWN_FUNCTION"
    attempts: int
    elapsed_seconds: float
    detail: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


class _BadResponse(Exception):
    pass


def check_response(response: Any, response_type: str) -> dict[str, Any]:
    """Connect's response rules; returns the JSON-round-tripped object or raises _BadResponse."""
    try:
        text = json.dumps(response, ensure_ascii=False)
    except (TypeError, ValueError) as exc:
        raise _BadResponse(f"response is not JSON: {exc}") from exc
    if len(text.encode("utf-8")) >= MAX_RESPONSE_BYTES:
        raise _BadResponse(f"response is {len(text.encode('utf-8'))} bytes; Connect accepts less than 32 KB")
    data = json.loads(text)
    if not isinstance(data, dict):
        raise _BadResponse(f"response is a JSON {type(data).__name__}, not an object")
    if response_type.upper() != "JSON":
        for key, value in data.items():
            if not isinstance(value, str):
                raise _BadResponse(f"STRING_MAP value of {key!r} is a {type(value).__name__}, not a string")
    return data


@dataclass
class LambdaInvoker:
    """Invokes registry functions through their real ``handler(event, context)`` entry points.

    ``handlers`` overrides the entry point per function name (tests use it for misbehaving
    functions); ``fault`` injects failures per attempt; ``clock`` measures wall time; ``around``
    wraps every attempt (``--env`` runs: ``DeployedStack.as_function``, so the handler sees only its
    own environment, tables and role).
    """

    fault: Fault | None = None
    handlers: Mapping[str, Handler] = field(default_factory=dict)
    clock: Callable[[], float] = time.perf_counter
    calls: int = 0
    around: Callable[[str], AbstractContextManager[None]] | None = None

    def resolve_handler(self, function: str) -> Handler:
        if function in self.handlers:
            return self.handlers[function]
        spec = FUNCTIONS_BY_NAME[function]
        module_name, _, attr = spec.handler.rpartition(".")
        module = importlib.import_module(module_name)
        handler: Handler = getattr(module, attr)
        return handler

    def invoke(
        self,
        function: str,
        event: dict[str, Any],
        *,
        timeout_seconds: float = 8.0,
        response_type: str = "STRING_MAP",
    ) -> LambdaOutcome:
        """One flow-level call (with retries). Never raises for a function's misbehaviour."""
        self.calls += 1
        if function not in FUNCTIONS_BY_NAME and function not in self.handlers:
            return LambdaOutcome(function, None, "UNKNOWN_FUNCTION", 0, 0.0, "no registry function")
        payload = json.loads(json.dumps(event))  # Connect sends JSON: nothing else survives
        try:
            handler = self.resolve_handler(function)
        except (ImportError, AttributeError) as exc:
            return LambdaOutcome(function, None, "ERROR", 1, 0.0, f"cannot load handler: {exc}")
        spent = 0.0
        attempts = 0
        error, detail = "ERROR", ""
        while attempts < 1 + MAX_RETRIES and spent < timeout_seconds:
            attempts += 1
            forced = self.fault(function, attempts) if self.fault else None
            if forced == "timeout":
                spent = timeout_seconds
                return LambdaOutcome(function, None, "TIMEOUT", attempts, spent, "fault injected: timeout")
            context = LambdaContext(f"civicline-{function}", timeout_seconds - spent)
            started = self.clock()
            failure: Exception | None = None
            response: Any = None
            try:
                if forced == "error":
                    raise RuntimeError("fault injected: error")
                with self.around(function) if self.around else nullcontext():
                    response = handler(json.loads(json.dumps(payload)), context)
            except Exception as exc:  # a function error, whatever it is, is retried by Connect
                failure = exc
            spent += max(0.0, self.clock() - started)
            if spent > timeout_seconds:
                return LambdaOutcome(
                    function,
                    None,
                    "TIMEOUT",
                    attempts,
                    spent,
                    f"ran {spent:.2f} s; limit {timeout_seconds:g} s",
                )
            if failure is None:
                try:
                    text = json.dumps(response)
                except (TypeError, ValueError) as exc:
                    failure = RuntimeError(f"response is not JSON serializable: {exc}")
            if failure is not None:
                error, detail = "ERROR", f"{type(failure).__name__}: {failure}"
                continue
            try:
                result = check_response(json.loads(text), response_type)
            except _BadResponse as exc:
                return LambdaOutcome(function, None, "INVALID_RESPONSE", attempts, spent, str(exc))
            return LambdaOutcome(function, None if result is None else result, None, attempts, spent)
        if spent >= timeout_seconds:
            return LambdaOutcome(function, None, "TIMEOUT", attempts, spent, detail or "time limit reached")
        return LambdaOutcome(function, None, error, attempts, spent, detail)
