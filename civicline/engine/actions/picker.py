"""Interactive list pickers on CHAT: Amazon Connect's ``ListPicker`` message template.

The template check is defined once, in :mod:`functions.domain.chat_picker`, which the bot's code
hook (functions/handlers/chat_picker.py) uses when it sends the picker in a deployment; the engine
reads the same definition. When the customer taps a choice the widget sends its title as the
customer's message, so each title is also a word the bot recognises (a synonym in
flows/bots/chat-menu.json): typing the title, or the number shown beside it, selects the same
choice, and a client that cannot show the picker still has the typed menu in the prompt.
"""

from __future__ import annotations

from functions.domain.chat_picker import (
    FALLBACK_ATTRIBUTE,
    INITIAL_MESSAGE,
    MAX_ELEMENTS,
    MAX_TEMPLATE_BYTES,
    SESSION_ATTRIBUTE,
    SHOW_INTENT,
    FallbackReason,
    ListPicker,
    PickerError,
    parse,
)

__all__ = [
    "FALLBACK_ATTRIBUTE",
    "INITIAL_MESSAGE",
    "MAX_ELEMENTS",
    "MAX_TEMPLATE_BYTES",
    "SESSION_ATTRIBUTE",
    "SHOW_INTENT",
    "FallbackReason",
    "ListPicker",
    "PickerError",
    "parse",
]
