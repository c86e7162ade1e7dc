"""The public web chat's start request and answer (functions/handlers/chat_start.py).

The widget's page sends this when a citizen opens a chat. It is checked by :func:`schemas.codec.load`
on the function's path and by pydantic (``TypeAdapter``) in the tests, from this one definition.
Nothing in it may carry a case number, PIN or phone number: the display name refuses runs of digits
and the optional attributes are slugs of letters (they become contact attributes, which land in
contact records and flow logs).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Annotated, Any, ClassVar, Literal

from schemas.constraints import Doc, Length, Pattern

#: at most this many digits in a row in a display name: a case number (8), a PIN (4-8) or a phone
#: number cannot be smuggled into the contact through it
MAX_DIGIT_RUN = 3
_DIGIT_RUN = re.compile(rf"[0-9]{{{MAX_DIGIT_RUN + 1}}}")
#: characters a name never needs: controls and markup (the agent's workspace shows the name)
_FORBIDDEN = re.compile(r"[\x00-\x1f\x7f<>]")
Slug = Annotated[str, Pattern(r"^[a-z][a-z-]{0,31}$"), Doc("lower-case letters and hyphens, no digits")]
RequestId = Annotated[
    str,
    Pattern(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"),
    Doc("a UUID the page draws once per chat it opens; a repeated start with it is the same chat"),
]


@dataclass(kw_only=True)
class ChatStartRequest:
    """What the page may say about a chat it opens; any other key is refused."""

    __pydantic_config__: ClassVar[dict[str, Any]] = {"extra": "forbid", "str_strip_whitespace": True}

    displayName: Annotated[str, Length(min=1, max=64), Doc("what the agent sees the citizen called")]
    language: Literal["en", "es"] = "en"
    requestId: RequestId | None = None
    topic: Slug | None = None
    page: Slug | None = None

    def __post_init__(self) -> None:
        if _DIGIT_RUN.search(self.displayName):
            raise ValueError(f"displayName has more than {MAX_DIGIT_RUN} digits in a row")
        if _FORBIDDEN.search(self.displayName):
            raise ValueError("displayName has control or markup characters")


@dataclass(kw_only=True)
class ChatStartAnswer:
    """What the page needs to join the chat (CreateParticipantConnection takes the token)."""

    __pydantic_config__: ClassVar[dict[str, Any]] = {"extra": "forbid"}

    result: Literal["STARTED"]
    contactId: str
    participantId: str
    participantToken: str
