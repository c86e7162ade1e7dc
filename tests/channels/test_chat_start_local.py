"""The local chat start (civicline/local/chat_start.py) drives the real chat_start handler with the
REST API's proxy event, as the deployed API does; the engine gets what Connect takes from the
StartChatContact request the handler actually sent."""

from __future__ import annotations

import json
from typing import Any

import pytest

from civicline.local import chat_start as local
from functions.domain import chat_start as rules


def test_a_local_chat_is_started_by_the_function_with_the_survey_kept_on_end_chat() -> None:
    # Given a Spanish page / When a local chat starts
    request = local.start_chat("es-US")
    # Then the function asked Connect for it in the main inbound flow, as deployed
    assert request["ContactFlowId"] == "main-inbound"
    assert request["DisconnectOnCustomerExit"] == list(rules.DISCONNECT_ON_CUSTOMER_EXIT)
    assert request["Attributes"] == {"language": "es", "entry": "web-chat"}
    # And the engine is handed exactly that request's attributes and flag
    options = local.chat_start_options("es-US")
    assert options == {
        "attributes": {"language": "es", "entry": "web-chat"},
        "disconnect_on_customer_exit": ("AGENT",),
    }


def test_a_start_the_function_refuses_starts_no_local_chat() -> None:
    # Given a display name the function refuses (a case number in it)
    # When the local path starts the chat / Then no chat starts, and the typed refusal says why
    with pytest.raises(local.LocalChatNotStarted) as refused:
        local.start_chat("en-US", display_name="Case 17502303")
    assert refused.value.response["statusCode"] == 400
    assert json.loads(refused.value.response["body"])["result"] == "INVALID_INPUT"


def test_local_connect_answers_a_repeated_token_with_the_same_chat() -> None:
    # Given local Connect / When the same ClientToken starts twice / Then one chat, the same answer
    starts = local.LocalChatStarts()
    first = starts.start({"ClientToken": "t-1", "ContactFlowId": "main-inbound"})
    again = starts.start({"ClientToken": "t-1", "ContactFlowId": "main-inbound"})
    other = starts.start({"ClientToken": "t-2", "ContactFlowId": "main-inbound"})
    assert first == again and other["ContactId"] != first["ContactId"]
    assert len(starts.requests) == 2


@pytest.mark.parametrize("encoded", [False, True])
def test_the_event_carries_the_page_body_as_api_gateway_passes_it(encoded: bool) -> None:
    import base64

    event: dict[str, Any] = local.rest_proxy_event('{"displayName": "Ana"}', encoded=encoded)
    body = base64.b64decode(event["body"]).decode() if encoded else event["body"]
    assert json.loads(body) == {"displayName": "Ana"} and event["isBase64Encoded"] is encoded
    assert event["headers"]["Origin"] == local.LOCAL_ORIGIN
    assert event["multiValueHeaders"]["Content-Type"] == ["application/json"]


def test_a_closed_window_keeps_the_customer_in_the_chat_typing_nothing_more() -> None:
    from civicline.engine.result import HANGUP, CallerScript

    # Given a customer who typed two survey answers and then closed the window
    script = CallerScript.typed(["1", "2"], leaves=True)
    # When the disconnect flow reads them / Then the two answers, then silence (no leaving)
    during = local.closed_window(script, before_disconnect_flow=False)
    assert during.entries == ["1", "2"] and HANGUP not in during.entries
    assert [during.next(), during.next(), during.next()] == ["1", "2", None]
    assert during.customer == "IDLE"
    # And a window closed before the disconnect flow began gives it nothing to read
    before = local.closed_window(CallerScript.typed(["5"], leaves=True), before_disconnect_flow=True)
    assert before.entries == [] and before.next() is None
