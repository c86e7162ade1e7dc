"""Interactions (devguide interactions): side effects that need neither a contact nor a participant."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from civicline.engine.actions.common import integer, target_queue
from civicline.engine.actions.spec import (
    INBOUND_QUEUE_TRANSFER,
    NO_MATCHING_ERROR,
    ActionSpec,
    Problem,
    action,
    fixed,
)
from civicline.engine.arns import LAMBDA_PREFIX, function_from_arn, name_from_arn, names_function
from civicline.engine.contact import CallbackRequest
from civicline.engine.events import lambda_event
from civicline.engine.outcome import Outcome
from civicline.engine.references import is_reference, references_in
from schemas.flow_language import FlowAction

if TYPE_CHECKING:
    from civicline.engine.interpreter import Run

#: synchronous InvocationTimeLimitSeconds is 1-8 s; asynchronous up to 60 s (reference 4.3)
SYNC_LIMIT, ASYNC_LIMIT = 8, 60


def _check_lambda(act: FlowAction) -> Iterable[Problem]:
    params = act.Parameters
    limit = params.get("InvocationTimeLimitSeconds")
    asynchronous = str(params.get("InvocationType", "SYNCHRONOUS")).upper() == "ASYNCHRONOUS"
    top = ASYNC_LIMIT if asynchronous else SYNC_LIMIT
    if limit is None:
        yield Problem("InvocationTimeLimitSeconds is missing (1-8 s)", "warning")
    elif not 1 <= integer(limit, 0) <= top:
        yield Problem(f"InvocationTimeLimitSeconds {limit!r} is outside 1-{top} s")
    validation = params.get("ResponseValidation")
    if isinstance(validation, dict) and validation.get("ResponseType") not in (None, "STRING_MAP", "JSON"):
        yield Problem(f"ResponseType {validation.get('ResponseType')!r} is not STRING_MAP or JSON")
    arn = str(params.get("LambdaFunctionARN", ""))
    if not arn:
        yield Problem("LambdaFunctionARN is missing")
    elif arn.startswith(LAMBDA_PREFIX) and function_from_arn(arn) is None:
        yield Problem(f"Lambda {name_from_arn(arn)!r} is not a registry function")
    elif not references_in(arn) and not names_function(arn):
        yield Problem(f"LambdaFunctionARN {arn!r} is not the ARN of a Lambda function")
    elif not arn.startswith(LAMBDA_PREFIX) and not is_reference(arn):
        yield Problem("Lambda ARN is not a registry function (contract not checked)", "warning")
    attrs = params.get("LambdaInvocationAttributes")
    if attrs is not None and not isinstance(attrs, dict):
        yield Problem("LambdaInvocationAttributes must be an object")


def _call_record(run: Run, function: str, parameters: dict[str, str]) -> dict[str, Any]:
    call: dict[str, Any] = {
        "function": function,
        "parameters": parameters,
        "result": None,
        "error": None,
        "attempts": 0,
    }
    run.result.lambda_calls.append(call)
    if run.result.steps:
        run.result.steps[-1].call = call
    return call


@action(
    ActionSpec(
        "InvokeLambdaFunction",
        "interactions",
        "interactions-invokelambdafunction",
        errors=fixed(NO_MATCHING_ERROR),
        static=frozenset({"InvocationTimeLimitSeconds", "InvocationType"}),
        operators=frozenset(),
        check=_check_lambda,
        clears_external=True,  # our choice: $.External is emptied when a call fails (docs/engine.md)
    )
)
def invoke_lambda(run: Run, act: FlowAction) -> Outcome:
    params = act.Parameters
    arn = run.text(params.get("LambdaFunctionARN", ""))
    parameters = run.text_map(params.get("LambdaInvocationAttributes"))
    limit = min(max(integer(params.get("InvocationTimeLimitSeconds"), SYNC_LIMIT), 1), SYNC_LIMIT)
    validation = params.get("ResponseValidation")
    response_type = "STRING_MAP"
    if isinstance(validation, dict) and validation.get("ResponseType"):
        response_type = str(validation["ResponseType"])
    function = function_from_arn(arn)
    call = _call_record(run, function or name_from_arn(arn) or arn, parameters)
    failed = Outcome.fail()
    if function is None:
        call["error"] = "UNKNOWN_FUNCTION"
        failed.detail = f"no registry function behind {arn!r}"
        return failed
    outcome = run.invoker.invoke(
        function, lambda_event(run.contact, parameters), timeout_seconds=limit, response_type=response_type
    )
    call.update(result=outcome.result, error=outcome.error, attempts=outcome.attempts)
    call["elapsed_ms"] = round(outcome.elapsed_seconds * 1000, 3)
    if outcome.detail:
        call["detail"] = outcome.detail
    if outcome.result is None:
        failed.detail = f"{function}: {outcome.error}"
        return failed
    answered = Outcome.ok()
    answered.external = outcome.result
    return answered


def _check_callback(act: FlowAction) -> Iterable[Problem]:
    params = act.Parameters
    for key in ("InitialCallDelaySeconds", "RetryDelaySeconds"):
        if key in params and not 1 <= integer(params[key], 0) <= 259_200:
            yield Problem(f"{key} {params[key]!r} is outside 1-259200 s")
    if "MaximumConnectionAttempts" in params and integer(params["MaximumConnectionAttempts"], 0) < 1:
        yield Problem("MaximumConnectionAttempts must be a positive integer")


@action(
    ActionSpec(
        "CreateCallbackContact",
        "interactions",
        "interactions-createcallbackcontact",
        flow_types=INBOUND_QUEUE_TRANSFER,
        errors=fixed(NO_MATCHING_ERROR),
        static=frozenset({"InitialCallDelaySeconds", "MaximumConnectionAttempts", "RetryDelaySeconds"}),
        single_path=frozenset({"QueueId", "AgentId"}),
        resources=(("QueueId", "QUEUE"), ("AgentId", "AGENT")),
        operators=frozenset(),
        check=_check_callback,
    )
)
def create_callback(run: Run, act: FlowAction) -> Outcome:
    params = act.Parameters
    target = target_queue(run, params)
    if target is None:
        return Outcome.fail(detail="no queue for the callback (QueueId or working queue)")
    number = run.contact.callback_number or run.contact.caller_number
    if not number:
        return Outcome.fail(detail="no callback number")
    run.contact.callback = CallbackRequest(
        queue=target[1],
        number=number,
        delay_seconds=integer(params.get("InitialCallDelaySeconds"), 0),
        max_attempts=integer(params.get("MaximumConnectionAttempts"), 1),
        retry_delay_seconds=integer(params.get("RetryDelaySeconds"), 0),
    )
    return Outcome.ok()
