"""Starting a public web chat: what Amazon Connect's ``StartChatContact`` is asked, and what each
way it can fail means for the page that asked (pure: no AWS call, no clock).

The one definition of a CivicLine chat start, used by the deployed function
(functions/handlers/chat_start.py) and by the local engine's chats (``civicline call --channel
chat``, civicline/local/chat_start.py):

* ``DisconnectOnCustomerExit=["AGENT"]``: when the citizen ends the chat (the widget's End chat),
  Connect disconnects the agent too, so the contact goes on through its disconnect flow with the
  citizen still reading: the post-chat survey (botocore's connect model, StartChatContact;
  adminguide enable-post-chat-survey.html). A citizen who closes the window is gone either way.
* ``SupportedMessagingContentTypes`` includes the interactive types: the list pickers of the chat
  menus are ``application/vnd.amazonaws.connect.message.interactive`` messages and a choice comes
  back as ``...interactive.response``.
* ``ClientToken``: the page's ``requestId`` when it sent one (the page retrying a start it never
  heard back from gets the same chat), else one drawn for this start (botocore's retries of it).

The request arrives as an API Gateway REST API Lambda proxy event (payload 1.0: ``headers`` as the
client sent them, ``body`` a string or null, ``isBase64Encoded``; API Gateway Developer Guide,
set-up-lambda-proxy-integrations.html). Before its body is read, two header rules
(:func:`allowed_origin`, :func:`require_json`): a request naming an ``Origin`` must name one of the
agency's pages (a browser on any other site is refused before Connect is asked), and the body must
be declared JSON (a browser sends a cross-site ``text/plain`` POST without a CORS preflight, so only
a JSON content type makes every browser caller pass the preflight). The answer carries the CORS
headers itself: with a Lambda proxy integration API Gateway passes the function's headers through;
only the preflight (OPTIONS) is answered by API Gateway.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import uuid
from collections.abc import Callable, Mapping
from enum import StrEnum
from typing import Any

from functions.core.errors import CivicLineError
from schemas import codec
from schemas.chat_start import ChatStartRequest

#: what the chat accepts: text, markdown, and the interactive messages list pickers are made of
SUPPORTED_CONTENT_TYPES = (
    "text/plain",
    "text/markdown",
    "application/vnd.amazonaws.connect.message.interactive",
    "application/vnd.amazonaws.connect.message.interactive.response",
)
#: the participant types Connect disconnects when the citizen ends the chat (the API takes one)
DISCONNECT_ON_CUSTOMER_EXIT = ("AGENT",)
#: a start request is a few short fields; anything larger is refused before it is parsed
MAX_BODY_BYTES = 2048
#: seconds a page should wait before retrying a start Connect was too busy for
RETRY_AFTER_SECONDS = 2


class Refusal(StrEnum):
    """Why a start did not start a chat; the page reads it (with ``retryable``)."""

    TOO_LARGE = "TOO_LARGE"
    UNSUPPORTED_MEDIA_TYPE = "UNSUPPORTED_MEDIA_TYPE"
    FORBIDDEN_ORIGIN = "FORBIDDEN_ORIGIN"
    #: answered by the API's web ACL (a managed rule matched), never by the function
    BLOCKED = "BLOCKED"
    MALFORMED = "MALFORMED"
    INVALID_INPUT = "INVALID_INPUT"
    THROTTLED = "THROTTLED"
    BUSY = "BUSY"
    UNAVAILABLE = "UNAVAILABLE"
    MISCONFIGURED = "MISCONFIGURED"


#: refusal -> (HTTP status, whether the same request may succeed later)
_STATUS: dict[Refusal, tuple[int, bool]] = {
    Refusal.TOO_LARGE: (413, False),
    Refusal.UNSUPPORTED_MEDIA_TYPE: (415, False),
    Refusal.FORBIDDEN_ORIGIN: (403, False),
    Refusal.BLOCKED: (403, False),
    Refusal.MALFORMED: (400, False),
    Refusal.INVALID_INPUT: (400, False),
    Refusal.THROTTLED: (429, True),
    Refusal.BUSY: (503, True),
    Refusal.UNAVAILABLE: (503, True),
    Refusal.MISCONFIGURED: (500, False),
}

#: Connect's error codes (StartChatContact's errors, and the API-wide throttling ones) -> refusal
_CONNECT_ERRORS: dict[str, Refusal] = {
    "ThrottlingException": Refusal.THROTTLED,
    "TooManyRequestsException": Refusal.THROTTLED,
    # "The quota for concurrent active chats is exceeded" (StartChatContact, 429)
    "LimitExceededException": Refusal.BUSY,
    "InternalServiceException": Refusal.UNAVAILABLE,
    "ServiceUnavailableException": Refusal.UNAVAILABLE,
    # the stack's own flow or instance is wrong, or its role lacks the grant: nothing the page can fix
    "InvalidRequestException": Refusal.MISCONFIGURED,
    "InvalidParameterException": Refusal.MISCONFIGURED,
    "ResourceNotFoundException": Refusal.MISCONFIGURED,
    "AccessDeniedException": Refusal.MISCONFIGURED,
}


def refusal_body(reason: Refusal, fields: tuple[str, ...] = ()) -> dict[str, Any]:
    """The page's JSON for a refusal: the reason, whether to retry, the fields at fault (never
    values). The one shape of every refusal, whoever answers it: the function, or API Gateway's and
    the web ACL's own responses (infra/constructs/chat_start.py renders them from this)."""
    body: dict[str, Any] = {"result": reason.value, "retryable": _STATUS[reason][1]}
    if fields:
        body["fields"] = list(fields)
    return body


def refusal_status(reason: Refusal) -> int:
    """The HTTP status a refusal is answered with."""
    return _STATUS[reason][0]


class ChatStartRefused(CivicLineError):
    """A start that started nothing: the typed reason, and the fields at fault (never values)."""

    def __init__(self, reason: Refusal, fields: tuple[str, ...] = ()) -> None:
        super().__init__(reason.value)
        self.reason = reason
        self.fields = fields

    @property
    def status(self) -> int:
        return _STATUS[self.reason][0]

    @property
    def retryable(self) -> bool:
        return _STATUS[self.reason][1]


#: the media type a start request must declare (parameters such as ``charset`` may follow it)
JSON_MEDIA_TYPE = "application/json"


def header_map(headers: Mapping[str, Any] | None) -> dict[str, str]:
    """An event's ``headers`` with lower-case names (HTTP names are case-insensitive; a REST API
    proxy event keeps the case the client sent); a missing or null map is empty."""
    if not isinstance(headers, Mapping):
        return {}
    return {str(k).lower(): str(v) for k, v in headers.items() if isinstance(v, str)}


def allowed_origin(headers: Mapping[str, str], allowed_origins: tuple[str, ...]) -> str | None:
    """The request's ``Origin`` when it is one of the agency's pages; None when it named none (not a
    browser on another site); refused when it names any other. ``headers`` as :func:`header_map`."""
    origin = headers.get("origin")
    if origin is None:
        return None
    if origin not in allowed_origins:
        raise ChatStartRefused(Refusal.FORBIDDEN_ORIGIN)
    return origin


def require_json(headers: Mapping[str, str]) -> None:
    """Refused unless the body is declared ``application/json`` (parameters may follow)."""
    media_type = headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if media_type != JSON_MEDIA_TYPE:
        raise ChatStartRefused(Refusal.UNSUPPORTED_MEDIA_TYPE)


def cors_headers(origin: str | None) -> dict[str, str]:
    """The answer's CORS headers: the page's own origin when it is allowed (never ``*``), and
    ``Vary: Origin`` always (an answer for one origin must not be cached for another)."""
    headers = {"Vary": "Origin"}
    if origin:
        headers["Access-Control-Allow-Origin"] = origin
    return headers


def parse_body(body: str | bytes | None, *, encoded: bool = False) -> ChatStartRequest:
    """The request in an HTTP body (base64 when ``encoded``, as API Gateway and function URLs
    pass binary bodies); refused when too large, not a JSON object, or not the contract."""
    raw = body.encode() if isinstance(body, str) else (body or b"")
    if len(raw) > (MAX_BODY_BYTES * 4 // 3 + 4 if encoded else MAX_BODY_BYTES):
        raise ChatStartRefused(Refusal.TOO_LARGE)
    try:
        data = base64.b64decode(raw, validate=True) if encoded else raw
        if len(data) > MAX_BODY_BYTES:
            raise ChatStartRefused(Refusal.TOO_LARGE)
        document = json.loads(data.decode("utf-8"))
    except (binascii.Error, UnicodeDecodeError, json.JSONDecodeError):
        raise ChatStartRefused(Refusal.MALFORMED) from None
    if not isinstance(document, Mapping):
        raise ChatStartRefused(Refusal.MALFORMED)
    try:
        return codec.load(ChatStartRequest, document)
    except codec.ContractError as exc:
        raise ChatStartRefused(Refusal.INVALID_INPUT, tuple(exc.fields())) from None


#: a signed-in customer's id as the routing function accepts it (functions/handlers/_common.py)
_CUSTOMER_ID = re.compile(r"^[A-Za-z0-9_-]{1,128}$")


def verified_customer(event: dict[str, Any]) -> str:
    """The signed-in customer's id, only from what API Gateway put in the request context after an
    authorizer validated the caller's token (``requestContext.authorizer.claims.sub``: "after a JWT
    authorizer validates a token, API Gateway makes the token's claims available to the
    integration", rest-api-jwt-authorizer-claims.html); never from the body or a header the page
    controls. Blank when there is none (the stack's public API has no authorizer: every chat is
    anonymous) or it is not a well-formed id."""
    context = event.get("requestContext")
    authorizer = context.get("authorizer") if isinstance(context, dict) else None
    claims = authorizer.get("claims") if isinstance(authorizer, dict) else None
    subject = claims.get("sub") if isinstance(claims, dict) else None
    return subject if isinstance(subject, str) and _CUSTOMER_ID.fullmatch(subject) else ""


def contact_attributes(request: ChatStartRequest, customer: str = "") -> dict[str, str]:
    """The contact attributes a chat starts with: the page's language (the flows' ``language``
    attribute, which the language menu sets again), the optional slugs it gave, and a signed-in
    customer's ``customerId`` (:func:`verified_customer`), which keys their repeat chats."""
    attributes = {"language": request.language, "entry": "web-chat"}
    if customer:
        attributes["customerId"] = customer
    if request.topic:
        attributes["topic"] = request.topic
    if request.page:
        attributes["page"] = request.page
    return attributes


def client_token(request: ChatStartRequest, draw: Callable[[], str] = lambda: str(uuid.uuid4())) -> str:
    """The start's idempotency token: the page's ``requestId``, else a new one for this start."""
    return request.requestId or draw()


def start_parameters(
    request: ChatStartRequest,
    *,
    instance_id: str,
    flow_id: str,
    duration_minutes: int,
    idempotency: str,
    customer: str = "",
) -> dict[str, Any]:
    """The ``StartChatContact`` request for ``request`` (keyword names as botocore takes them)."""
    return {
        "InstanceId": instance_id,
        "ContactFlowId": flow_id,
        "Attributes": contact_attributes(request, customer),
        "ParticipantDetails": {"DisplayName": request.displayName},
        "ClientToken": idempotency,
        "ChatDurationInMinutes": duration_minutes,
        "SupportedMessagingContentTypes": list(SUPPORTED_CONTENT_TYPES),
        "DisconnectOnCustomerExit": list(DISCONNECT_ON_CUSTOMER_EXIT),
    }


def connect_refusal(error_code: str | None) -> Refusal:
    """What a failed ``StartChatContact`` means; a time-out or an unknown error is UNAVAILABLE
    (retryable: the same ClientToken makes a retry the same chat if the first one started)."""
    return _CONNECT_ERRORS.get(error_code or "", Refusal.UNAVAILABLE)


def started(response: Mapping[str, Any]) -> dict[str, str]:
    """The page's answer from Connect's; a response without a token started nothing usable."""
    values = {
        "contactId": response.get("ContactId"),
        "participantId": response.get("ParticipantId"),
        "participantToken": response.get("ParticipantToken"),
    }
    if not all(isinstance(v, str) and v for v in values.values()):
        raise ChatStartRefused(Refusal.UNAVAILABLE)
    return {"result": "STARTED", **{k: str(v) for k, v in values.items()}}
