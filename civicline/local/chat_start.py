"""A local chat starts the way the deployed ``chat_start`` function starts one: through the function.

The stack puts ``chat_start`` behind an API Gateway REST API (Lambda proxy integration, payload
1.0; infra/constructs/chat_start.py), so the function receives the page's request as API Gateway's
proxy event. Locally, ``civicline call --channel chat`` (and anything else that starts a chat on the
local engine) builds that event (:func:`rest_proxy_event`, the shape of AWS's documented sample
event), calls the real handler with it, answers its ``StartChatContact`` as Connect does (moto has
no Connect: :func:`answer_chat_starts`, at botocore's ``before-call``, after any IAM enforcer), and
hands the engine what Connect takes from the request the handler actually sent: the contact
attributes and ``DisconnectOnCustomerExit``. So the rule "a customer who ends the chat still gets
the survey" has one definition, and a local chat only starts when the function would start it.
"""

from __future__ import annotations

import base64
import json
import os
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from civicline.engine.arns import INSTANCE_ARN, REGION, local_arn
from civicline.engine.result import HANGUP, CallerScript
from civicline.local.aws_faults import _api_params, _Http

#: the display name a local chat's customer has (the agent would see it)
LOCAL_DISPLAY_NAME = "Citizen"
#: the agency page a local chat is started from (the function's allowed origin locally)
LOCAL_ORIGIN = "https://civicline.example"
#: the stage and route the stack deploys (infra/constructs/chat_start.py: CHAT_ROUTE, STAGE_NAME)
_STAGE = "live"
_ROUTE = "/chat"


class LocalChatNotStarted(RuntimeError):
    """The function refused the start (its typed answer is in ``response``)."""

    def __init__(self, response: Mapping[str, Any]) -> None:
        super().__init__(f"chat_start answered {response.get('statusCode')}: {response.get('body')}")
        self.response = dict(response)


def rest_proxy_event(
    body: str | None,
    *,
    origin: str | None = LOCAL_ORIGIN,
    content_type: str | None = "application/json",
    encoded: bool = False,
    request_id: str = "c6af9ac6-7b61-11e6-9a41-93e8deadbeef",
) -> dict[str, Any]:
    """The event API Gateway's REST API gives a Lambda proxy integration for ``POST /chat`` (payload
    1.0, the fields of AWS's sample event in "Lambda proxy integrations in API Gateway": resource,
    path, httpMethod, headers and multiValueHeaders, query strings, requestContext, pathParameters,
    stageVariables, body, isBase64Encoded). ``body`` is the text the page sent (base64 of it when
    ``encoded``, as API Gateway passes a binary media type); None is a request without a body."""
    headers: dict[str, str] = {"Host": f"abc123.execute-api.{REGION}.amazonaws.com"}
    if content_type is not None:
        headers["Content-Type"] = content_type
    if origin is not None:
        headers["Origin"] = origin
    sent = base64.b64encode(body.encode()).decode() if encoded and body is not None else body
    return {
        "resource": _ROUTE,
        "path": _ROUTE,
        "httpMethod": "POST",
        "headers": headers,
        "multiValueHeaders": {k: [v] for k, v in headers.items()},
        "queryStringParameters": None,
        "multiValueQueryStringParameters": None,
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "abc123",
            "domainName": headers["Host"],
            "domainPrefix": "abc123",
            "extendedRequestId": "request-id",
            "httpMethod": "POST",
            "identity": {"sourceIp": "198.51.100.7", "userAgent": "Mozilla/5.0", "user": None},
            "path": f"/{_STAGE}{_ROUTE}",
            "protocol": "HTTP/1.1",
            "requestId": request_id,
            "requestTime": "01/Dec/2026:12:00:00 +0000",
            "requestTimeEpoch": 1796126400000,
            "resourceId": "res123",
            "resourcePath": _ROUTE,
            "stage": _STAGE,
        },
        "pathParameters": None,
        "stageVariables": None,
        "body": sent,
        "isBase64Encoded": encoded,
    }


@dataclass
class LocalChatStarts:
    """The StartChatContact requests Connect accepted while :func:`answer_chat_starts` is active."""

    requests: list[dict[str, Any]] = field(default_factory=list)
    _by_token: dict[str, dict[str, str]] = field(default_factory=dict)

    def start(self, params: dict[str, Any]) -> dict[str, str]:
        """Connect's answer: a new contact, or for a ``ClientToken`` already used the chat it
        started (StartChatContact: the token makes the request idempotent)."""
        token = str(params.get("ClientToken") or "")
        if token and token in self._by_token:
            return self._by_token[token]
        self.requests.append(params)
        answer = {
            "ContactId": str(uuid.uuid4()),
            "ParticipantId": str(uuid.uuid4()),
            "ParticipantToken": "local-" + uuid.uuid4().hex,
        }
        if token:
            self._by_token[token] = answer
        return answer


@contextmanager
def answer_chat_starts(starts: LocalChatStarts | None = None) -> Iterator[LocalChatStarts]:
    """Answer ``StartChatContact`` on the functions' current Connect client as Connect does."""
    from functions.core.aws import client

    connect = client("connect")
    starts = starts if starts is not None else LocalChatStarts()

    def answer(model: Any, params: dict[str, Any], **_: Any) -> Any:
        if model.name != "StartChatContact":
            return None
        body = starts.start(_api_params(params))
        return _Http(200, json.dumps(body)), {**body, "ResponseMetadata": {"HTTPStatusCode": 200}}

    connect.meta.events.register("before-call.connect", answer)
    try:
        yield starts
    finally:
        connect.meta.events.unregister("before-call.connect", answer)


def local_function_environment() -> dict[str, str]:
    """The variables the stack gives ``chat_start``, with the local instance, flow and page (and
    the log level a local run uses, as :class:`~civicline.local.aws.LocalAws` sets it: a command's
    ``--json`` on stdout stays JSON)."""
    return {
        "POWERTOOLS_LOG_LEVEL": os.environ.get("POWERTOOLS_LOG_LEVEL", "WARNING"),
        "AWS_DEFAULT_REGION": REGION,
        "AWS_REGION": REGION,
        "CONNECT_INSTANCE_ARN": INSTANCE_ARN,
        "CHAT_FLOW_ARN": local_arn("FLOW", "main-inbound"),
        "CHAT_DURATION_MINUTES": "60",
        "CHAT_ALLOWED_ORIGINS": LOCAL_ORIGIN,
    }


def start_chat(language: str, *, display_name: str = LOCAL_DISPLAY_NAME) -> dict[str, Any]:
    """Start a chat for a page in ``language`` (``en-US``, ``es`` ...) through the real handler;
    the StartChatContact request it sent (raises :class:`LocalChatNotStarted` on a refusal)."""
    from civicline.local.environment import environment

    page = {"displayName": display_name, "language": "es" if language.startswith("es") else "en"}
    with environment(local_function_environment()), answer_chat_starts() as starts:
        # imported here: a first import builds the functions' logger at this block's log level
        from functions.handlers.chat_start import handler

        response = handler(rest_proxy_event(json.dumps(page)), None)
    if response.get("statusCode") != 200 or len(starts.requests) != 1:
        raise LocalChatNotStarted(response)
    return starts.requests[0]


def chat_start_options(language: str, *, display_name: str = LOCAL_DISPLAY_NAME) -> dict[str, Any]:
    """``Engine.run_contact`` keywords for a chat started as the web chat starts one: its
    attributes and its ``disconnect_on_customer_exit``, from the StartChatContact request the
    deployed function sent for a page in ``language``."""
    request = start_chat(language, display_name=display_name)
    return {
        "attributes": {str(k): str(v) for k, v in (request.get("Attributes") or {}).items()},
        "disconnect_on_customer_exit": tuple(request.get("DisconnectOnCustomerExit") or ()),
    }


def closed_window(script: CallerScript, *, before_disconnect_flow: bool) -> CallerScript:
    """The customer as Connect still has them after their chat window closed: in the chat, reading
    nothing and typing nothing more. Closed ``before_disconnect_flow`` (the close is what ended the
    chat): nothing of theirs is read there; closed during it: what they typed before closing it.

    Closing the window is not End chat: the hosted widget's page ends the chat on close only when it
    calls the widget's disconnect from a ``pagehide`` listener ("Programmatically disconnect the chat
    session of an Amazon Connect communication widget", adminguide programmatic-chat-disconnect.html),
    which is the End chat disconnect (contact record: ``CUSTOMER_DISCONNECT``, "Customer explicitly
    disconnects", ctr-data-model.html); otherwise the chat stays open until the agent ends it or the
    customer's idle timer disconnects everyone but the customer ("Set up chat timeouts for chat
    participants", setup-chat-timeouts.html). Either way the disconnect flow runs with the customer
    still a participant: its messages reach nobody and every input times out."""
    typed = [] if before_disconnect_flow else script.remaining
    silent = CallerScript()
    silent.entries = typed[: typed.index(HANGUP)] if HANGUP in typed else list(typed)
    return silent
