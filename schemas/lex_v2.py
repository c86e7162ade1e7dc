"""The event Amazon Lex V2 sends to a bot alias's Lambda code hook (lexv2 lambda-input-format.html).

Only what the chat-picker hook reads is declared; the page warns "the input format may change
without a corresponding change to the messageVersion. Your code shouldn't throw an error if new
fields are present", so unknown fields are ignored. ``inputTranscript`` is deliberately not
declared: it is the customer's own message and may hold personal data.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal

from schemas import codec


class _Open:
    __pydantic_config__: ClassVar[dict[str, Any]] = {"extra": "ignore"}


@dataclass(kw_only=True)
class LexBotRef(_Open):
    name: str = ""
    localeId: str = "en_US"
    aliasName: str | None = None


@dataclass(kw_only=True)
class LexIntent(_Open):
    name: str
    state: str | None = None
    confirmationState: str | None = None
    slots: dict[str, Any] | None = None


@dataclass(kw_only=True)
class LexSessionState(_Open):
    sessionAttributes: dict[str, str] = field(default_factory=dict)
    intent: LexIntent | None = None


@dataclass(kw_only=True)
class LexV2Event(_Open):
    messageVersion: str = "1.0"
    invocationSource: Literal["DialogCodeHook", "FulfillmentCodeHook"]
    inputMode: str = "Text"
    sessionId: str = ""
    bot: LexBotRef = field(default_factory=LexBotRef)
    sessionState: LexSessionState = field(default_factory=LexSessionState)


def parse_lex_event(raw: Any) -> LexV2Event:
    """A Lex V2 code-hook event as :class:`LexV2Event`, or :class:`schemas.codec.ContractError`."""
    if not isinstance(raw, Mapping):
        raise codec.ContractError([((), "a Lex V2 code-hook event is a JSON object")])
    return codec.load(LexV2Event, raw)
