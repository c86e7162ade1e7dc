"""Interactive list pickers on CHAT: Amazon Connect's ``ListPicker`` message template.

Connect shows a list picker through Amazon Lex: the bot's code hook answers with a custom payload
holding the template (interactive-messages.html: "powered by Amazon Lex and configured through
Amazon Lex using an AWS Lambda function"; ``templateType`` ListPicker, ``version`` 1.0,
``data.content.title`` and up to six ``data.content.elements``, each with a ``title``). The flows
pass the template to the bot as the Lex session attribute :data:`SESSION_ATTRIBUTE` of the
``ConnectParticipantWithLexBot`` action. When the customer taps a choice the widget sends its
title as the customer's message, so each title is also a word the bot recognises (a synonym in
flows/bots/chat-menu.json): typing the title, or the number shown beside it, selects the same
choice, and a client that cannot show the picker still has the typed menu in the prompt.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

#: the Lex session attribute a chat menu's list picker travels in (to the bot's code hook)
SESSION_ATTRIBUTE = "civiclinePicker"
#: interactive-messages.html: "a list of up to six choices"
MAX_ELEMENTS = 6


class PickerError(ValueError):
    """A session attribute that is not a ListPicker template Connect would send."""


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


def parse(text: str) -> ListPicker:
    """The template in ``text``, checked as the interactive-messages page describes it."""
    try:
        data = json.loads(text)
    except ValueError:
        raise PickerError("not JSON") from None
    if not isinstance(data, dict) or data.get("templateType") != "ListPicker" or data.get("version") != "1.0":
        raise PickerError("templateType must be ListPicker and version 1.0")
    content = (data.get("data") or {}).get("content") if isinstance(data.get("data"), dict) else None
    if not isinstance(content, dict) or not str(content.get("title") or "").strip():
        raise PickerError("data.content.title is mandatory")
    elements = content.get("elements")
    if not isinstance(elements, list) or not 1 <= len(elements) <= MAX_ELEMENTS:
        raise PickerError(f"data.content.elements: 1 to {MAX_ELEMENTS} choices")
    titles = [str(e.get("title") or "").strip() if isinstance(e, dict) else "" for e in elements]
    if not all(titles) or len({t.lower() for t in titles}) != len(titles):
        raise PickerError("every element needs its own title")
    return ListPicker(
        title=str(content["title"]),
        subtitle=str(content.get("subtitle") or ""),
        choices=tuple(titles),
        hints=tuple(str(e.get("subtitle") or "") for e in elements),
    )
