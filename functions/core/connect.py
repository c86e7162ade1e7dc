"""The shape every Connect-facing handler shares: parse -> call domain -> STRING_MAP.

``handle_connect`` does the parts that must be identical everywhere, so that handlers stay thin:

* parse the event with :func:`schemas.connect_lambda.parse_event` and the parameters with the
  function's parameter contract; a malformed event or parameters become ``INVALID_INPUT``;
* set the log correlation id to the ContactId (cleared first: a line about an event whose ContactId
  cannot be read carries none, never the previous contact's);
* map an :class:`~functions.core.errors.Outcome` raised by the domain to ``{"result": ...}``;
* flatten the response to a STRING_MAP under 32 KB.

Dependency failures (:class:`~functions.core.errors.DependencyError`, botocore errors) propagate so
that Connect takes the flow's error branch.

Nothing here imports pydantic: the contracts are dataclasses checked by :mod:`schemas.codec`, which
keeps a Connect-facing cold start near its floor (docs/decisions.md).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from functions.core.errors import Outcome, Result
from functions.core.observability import logger
from schemas.codec import ContractError
from schemas.connect_lambda import ContactData, parse_event
from schemas.functions import P, parse_parameters
from schemas.string_map import to_string_map


def handle_connect(
    event: Any,
    params_model: type[P],
    logic: Callable[[ContactData, P], object],
    *,
    function: str,
) -> dict[str, str]:
    """Run ``logic(contact, params)`` for a Connect event and return a STRING_MAP."""
    # a warm container still holds the previous contact's id: clear it before anything is logged
    logger.set_correlation_id(None)
    try:
        parsed = parse_event(event)
    except ContractError as exc:
        logger.warning("malformed Connect event", function=function, errors=exc.fields())
        return {"result": Result.INVALID_INPUT.value}
    contact = parsed.contact
    logger.set_correlation_id(contact.ContactId)
    try:
        params = parse_parameters(params_model, parsed.parameters)
    except ContractError as exc:
        logger.info("invalid parameters", function=function, errors=exc.fields())
        return {"result": Result.INVALID_INPUT.value}
    try:
        response = logic(contact, params)
    except Outcome as outcome:
        logger.info("outcome", function=function, result=outcome.result.value)
        return {"result": outcome.result.value}
    return to_string_map(response)
