"""Lambda ``chat_picker``: the chat-menu bot alias's code hook, which shows list pickers.

Lex V2 calls it on every turn of an intent whose dialog code hook is on (lexv2
lambda-input-format.html). The menu's opening turn (the flow's ``LexInitilizationData``
InitialMessage, intent ShowPicker) with a ``civiclinePicker`` session attribute is answered with
that template as a CustomPayload message, which Connect renders as a list picker; every other turn
is delegated back to Lex unchanged, so choices resolve as typed ones do (functions/domain/chat_picker.py).
No AWS call; the log says what was done and why, never the customer's text or the attributes.
"""

from __future__ import annotations

from typing import Any

from functions.core.observability import logger
from functions.domain.chat_picker import HookTurn, decide
from schemas.codec import ContractError
from schemas.lex_v2 import LexV2Event, parse_lex_event


def handler(event: Any, context: Any) -> dict[str, Any]:
    try:
        parsed = parse_lex_event(event)
    except ContractError as exc:
        # not a Lex V2 event: nothing can be answered, and Lex shows its own failure message
        logger.error("chat_picker_bad_event", errors=len(exc.errors))
        raise
    decision = decide(_turn(parsed))
    logger.info(
        "chat_picker",
        outcome=decision.outcome,
        reason=decision.reason.value if decision.reason else None,
        intent=parsed.sessionState.intent.name if parsed.sessionState.intent else None,
        locale=parsed.bot.localeId,
    )
    return decision.response


def _turn(event: LexV2Event) -> HookTurn:
    intent = event.sessionState.intent
    return HookTurn(
        invocation_source=event.invocationSource,
        intent={
            "name": intent.name if intent else "",
            "state": (intent.state if intent else None) or "InProgress",
            "slots": (intent.slots if intent else None) or {},
            "confirmationState": (intent.confirmationState if intent else None) or "None",
        },
        session_attributes=dict(event.sessionState.sessionAttributes),
        locale=event.bot.localeId,
    )
