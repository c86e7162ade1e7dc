"""Chat list pickers: Amazon Connect's ``ListPicker`` template and the Lex V2 code hook's answer.

Connect shows an interactive message only through Amazon Lex: interactive messages "are powered by
Amazon Lex and configured through Amazon Lex using an AWS Lambda function" (adminguide
interactive-messages.html: ``templateType`` ListPicker, ``version`` 1.0, mandatory
``data.content.title``, up to six ``data.content.elements`` each with a ``title``; SendMessage
"checks only that the total size of the string is less than 20KB"). The flows pass the template to
the bot as the session attribute :data:`SESSION_ATTRIBUTE`; the bot alias's Lambda code hook
(functions/handlers/chat_picker.py) answers the menu's opening turn with it as a ``CustomPayload``
message (lexv2 lambda-response-format.html). This module is the one definition of the template
check: the local engine (civicline/engine/actions/picker.py) and the deployed hook use it alike.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

#: the Lex session attribute a chat menu's list picker travels in (to the bot's code hook)
SESSION_ATTRIBUTE = "civiclinePicker"
#: the session attribute the hook sets when it could not show the picker (a FallbackReason)
FALLBACK_ATTRIBUTE = "civiclinePickerFallback"
#: interactive-messages.html: "a list of up to six choices"
MAX_ELEMENTS = 6
#: interactive-messages.html: SendMessage checks "the total size of the string is less than 20KB"
MAX_TEMPLATE_BYTES = 20_000
#: the intent the menu's opening message (LexInitilizationData.InitialMessage) resolves to
SHOW_INTENT = "ShowPicker"
#: that opening message: words a customer does not type, so only the flow sends them
INITIAL_MESSAGE = "civicline show picker"
#: the plain prompt when the picker cannot be shown (the flow's own prompt has the typed menu)
FALLBACK_PROMPT = {"en_US": "Please type your answer.", "es_US": "Por favor, escriba su respuesta."}


class FallbackReason(StrEnum):
    """Why a template was not sent as a picker (typed, logged; never shown to the customer)."""

    NO_TEMPLATE = "NO_TEMPLATE"
    NOT_JSON = "NOT_JSON"
    OVERSIZED = "OVERSIZED"
    NOT_LIST_PICKER = "NOT_LIST_PICKER"
    NO_TITLE = "NO_TITLE"
    ELEMENT_COUNT = "ELEMENT_COUNT"
    ELEMENT_TITLES = "ELEMENT_TITLES"


class PickerError(ValueError):
    """A session attribute that is not a ListPicker template Connect would send."""

    def __init__(self, reason: FallbackReason, message: str) -> None:
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True)
class ListPicker:
    title: str
    subtitle: str
    choices: tuple[str, ...]
    #: each choice's subtitle (the typed alternative, e.g. "or type 2")
    hints: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "template": "ListPicker",
            "title": self.title,
            "subtitle": self.subtitle,
            "choices": [
                {"number": index, "title": title, "hint": hint}
                for index, (title, hint) in enumerate(zip(self.choices, self.hints, strict=True), start=1)
            ],
        }


def _content(text: str) -> dict[str, Any]:
    if len(text.encode("utf-8")) >= MAX_TEMPLATE_BYTES:
        raise PickerError(FallbackReason.OVERSIZED, f"the template is {MAX_TEMPLATE_BYTES} bytes or more")
    try:
        data = json.loads(text)
    except ValueError:
        raise PickerError(FallbackReason.NOT_JSON, "not JSON") from None
    if not isinstance(data, dict) or data.get("templateType") != "ListPicker" or data.get("version") != "1.0":
        raise PickerError(FallbackReason.NOT_LIST_PICKER, "templateType must be ListPicker and version 1.0")
    content = data["data"].get("content") if isinstance(data.get("data"), dict) else None
    if not isinstance(content, dict) or not str(content.get("title") or "").strip():
        raise PickerError(FallbackReason.NO_TITLE, "data.content.title is mandatory")
    return content


def parse(text: str) -> ListPicker:
    """The template in ``text``, checked as the interactive-messages page describes it."""
    content = _content(text)
    elements = content.get("elements")
    if not isinstance(elements, list) or not 1 <= len(elements) <= MAX_ELEMENTS:
        raise PickerError(FallbackReason.ELEMENT_COUNT, f"data.content.elements: 1 to {MAX_ELEMENTS} choices")
    titles = [str(e.get("title") or "").strip() if isinstance(e, dict) else "" for e in elements]
    if not all(titles) or len({t.lower() for t in titles}) != len(titles):
        raise PickerError(FallbackReason.ELEMENT_TITLES, "every element needs its own title")
    return ListPicker(
        title=str(content["title"]),
        subtitle=str(content.get("subtitle") or ""),
        choices=tuple(titles),
        hints=tuple(str(e.get("subtitle") or "") for e in elements),
    )


@dataclass(frozen=True)
class HookTurn:
    """What the code hook needs of one Lex V2 event (no transcript: it may hold personal data)."""

    invocation_source: str
    intent: dict[str, Any]
    session_attributes: dict[str, str]
    locale: str


@dataclass(frozen=True)
class HookDecision:
    """The hook's answer (a Lex V2 Lambda response) and what it did, for the log."""

    response: dict[str, Any]
    outcome: str
    reason: FallbackReason | None = None


def decide(turn: HookTurn) -> HookDecision:
    """The menu's opening turn gets the picker (ElicitIntent: Lex waits for the customer's choice),
    or a plain prompt when there is no valid template (an opening turn left to Lex would end the
    bot with ShowPicker, the menu's no-match branch, before the customer typed anything); every
    other turn, voice included, is left to Lex (Delegate), so a tapped title, a number or a word
    resolves exactly as a typed choice does."""
    if turn.invocation_source != "DialogCodeHook" or turn.intent.get("name") != SHOW_INTENT:
        return HookDecision(_delegate(turn), "DELEGATED")
    template = turn.session_attributes.get(SESSION_ATTRIBUTE) or ""
    try:
        if not template:
            raise PickerError(FallbackReason.NO_TEMPLATE, "no civiclinePicker session attribute")
        parse(template)
    except PickerError as exc:
        attributes = {**turn.session_attributes, FALLBACK_ATTRIBUTE: exc.reason.value}
        prompt = FALLBACK_PROMPT.get(turn.locale, FALLBACK_PROMPT["en_US"])
        message = {"contentType": "PlainText", "content": prompt}
        return HookDecision(_elicit(attributes, message), "PLAIN_PROMPT", exc.reason)
    return HookDecision(
        _elicit(dict(turn.session_attributes), {"contentType": "CustomPayload", "content": template}),
        "PICKER",
    )


def _elicit(attributes: dict[str, str], message: dict[str, str]) -> dict[str, Any]:
    # lambda-response-format.html: messages are required when dialogAction.type is ElicitIntent
    return {
        "sessionState": {"dialogAction": {"type": "ElicitIntent"}, "sessionAttributes": attributes},
        "messages": [message],
    }


def _delegate(turn: HookTurn) -> dict[str, Any]:
    if turn.invocation_source == "FulfillmentCodeHook":  # the bot's intents have none; answer plainly
        intent = {**turn.intent, "state": "Fulfilled"}
        dialog = {"type": "Close"}
    else:
        intent, dialog = dict(turn.intent), {"type": "Delegate"}
    state: dict[str, Any] = {"dialogAction": dialog, "sessionAttributes": dict(turn.session_attributes)}
    if intent.get("name"):
        state["intent"] = intent
    return {"sessionState": state}
