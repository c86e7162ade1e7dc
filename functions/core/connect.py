"""The shape every Connect-facing handler shares: parse -> call domain -> STRING_MAP.

``handle_connect`` does the parts that must be identical everywhere, so that handlers stay thin:

* parse the event with :class:`schemas.connect_lambda.ConnectLambdaEvent` and the parameters with
  the function's parameter model; a malformed event or parameters become ``INVALID_INPUT``;
* set the log correlation id to the ContactId;
* map an :class:`~functions.core.errors.Outcome` raised by the domain to ``{"result": ...}``;
* flatten the response to a STRING_MAP under 32 KB.

Dependency failures (:class:`~functions.core.errors.DependencyError`, botocore errors) propagate so
that Connect takes the flow's error branch.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from functions.core.errors import Outcome, Result
from functions.core.observability import logger
from schemas.connect_lambda import ConnectLambdaEvent, ContactData
from schemas.string_map import to_string_map

P = TypeVar("P", bound=BaseModel)


def handle_connect(
    event: Any,
    params_model: type[P],
    logic: Callable[[ContactData, P], BaseModel],
    *,
    function: str,
) -> dict[str, str]:
    """Run ``logic(contact, params)`` for a Connect event and return a STRING_MAP."""
    try:
        parsed = ConnectLambdaEvent.model_validate(event)
    except ValidationError as exc:
        logger.warning("malformed Connect event", function=function, errors=_fields(exc))
        return {"result": Result.INVALID_INPUT.value}
    contact = parsed.contact
    logger.set_correlation_id(contact.ContactId)
    try:
        params = params_model.model_validate(parsed.parameters)
    except ValidationError as exc:
        logger.info("invalid parameters", function=function, errors=_fields(exc))
        return {"result": Result.INVALID_INPUT.value}
    try:
        response = logic(contact, params)
    except Outcome as outcome:
        logger.info("outcome", function=function, result=outcome.result.value)
        return {"result": outcome.result.value}
    return to_string_map(response)


def _fields(exc: ValidationError) -> list[str]:
    """Field locations and error types only: never the offending values (they may be personal)."""
    return [".".join(str(p) for p in err["loc"]) + ":" + err["type"] for err in exc.errors()]
