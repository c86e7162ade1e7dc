"""Lambda ``chat_start``: the public web chat's backend (the page calls it over HTTPS).

It is the Lambda proxy integration of the stack's REST API (``POST /chat``, payload 1.0, behind AWS
WAF: infra/constructs/chat_start.py). It checks the page's headers and request
(functions/domain/chat_start.py, schemas/chat_start.py), asks Amazon Connect to start the chat in
the main inbound flow with ``DisconnectOnCustomerExit=["AGENT"]`` (so a citizen who ends the chat
still gets the post-chat survey), and returns the participant token the page joins with. Every
outcome is typed: 4xx for a request the page must change, 429/503 with ``retryable`` when Connect
was busy (nothing started), 500 when the stack itself is wrong. The token, the contact id and the
display name are never logged. The answer carries its own CORS headers for an allowed origin.
"""

from __future__ import annotations

import json
from typing import Any

from functions.core.observability import logger
from functions.core.settings import get_settings
from functions.domain import chat_start as rules


def handler(event: Any, context: Any) -> dict[str, Any]:
    event = event if isinstance(event, dict) else {}
    settings = get_settings()
    headers = rules.header_map(event.get("headers"))
    origin: str | None = None
    try:
        origin = rules.allowed_origin(headers, settings.chat_allowed_origins)
        rules.require_json(headers)
        answer = _start(event)
    except rules.ChatStartRefused as refused:
        logger.warning("chat_start_refused", reason=refused.reason.value, fields=list(refused.fields))
        body = rules.refusal_body(refused.reason, refused.fields)
        return _http(refused.status, body, origin, retry=refused.retryable)
    logger.info("chat_start", outcome="STARTED")
    return _http(200, answer, origin)


def _start(event: dict[str, Any]) -> dict[str, str]:
    request = rules.parse_body(event.get("body"), encoded=event.get("isBase64Encoded") is True)
    settings = get_settings()
    if not settings.chat_flow_arn or not settings.instance_arn:
        raise rules.ChatStartRefused(rules.Refusal.MISCONFIGURED)
    params = rules.start_parameters(
        request,
        instance_id=settings.instance_arn.rsplit("/", 1)[-1],
        flow_id=settings.chat_flow_arn.rsplit("/", 1)[-1],
        duration_minutes=settings.chat_duration_minutes,
        idempotency=rules.client_token(request),
        customer=rules.verified_customer(event),
    )
    return rules.started(_call_connect(params))


def _call_connect(params: dict[str, Any]) -> dict[str, Any]:
    from botocore.exceptions import BotoCoreError, ClientError

    from functions.core.aws import client

    try:
        response: dict[str, Any] = client("connect").start_chat_contact(**params)
    except ClientError as exc:
        code = str(exc.response.get("Error", {}).get("Code", ""))
        logger.warning("chat_start_connect_error", code=code)
        raise rules.ChatStartRefused(rules.connect_refusal(code)) from None
    except BotoCoreError as exc:  # a time-out or a dropped connection: started or not, unknown
        logger.warning("chat_start_connect_error", code=type(exc).__name__)
        raise rules.ChatStartRefused(rules.connect_refusal(None)) from None
    return response


def _http(status: int, body: dict[str, Any], origin: str | None, *, retry: bool = False) -> dict[str, Any]:
    """A Lambda proxy answer (statusCode, headers, body), with the CORS headers for ``origin``."""
    headers = {"Content-Type": "application/json", "Cache-Control": "no-store", **rules.cors_headers(origin)}
    if retry:
        headers["Retry-After"] = str(rules.RETRY_AFTER_SECONDS)
    return {"statusCode": status, "headers": headers, "body": json.dumps(body)}
