"""The public web chat's backend (functions/handlers/chat_start.py) through its real entry point,
called with the event the stack's REST API sends it (Lambda proxy integration, payload 1.0: the
shape of AWS's sample event, pinned in tests/channels/data/rest_api_proxy_event.json).

moto has no StartChatContact, so Connect's answers come from botocore's own Stubber on the
function's connect client (which also checks every request against botocore's connect model) and
its failures from AwsFaults, both at botocore's ``before-call``: a faulted call never reaches the
stub, as a request Connect refused or never answered.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from civicline.local.chat_start import LOCAL_ORIGIN, rest_proxy_event
from functions.domain import chat_start as rules
from functions.handlers.chat_start import handler

INSTANCE = "arn:aws:connect:us-east-1:123456789012:instance/inst-1"
FLOW = f"{INSTANCE}/contact-flow/flow-main"
REQUEST_ID = "0b6f6f0e-6b8e-4c8e-9c1e-2f0a7d9e1a11"
STARTED = {
    "ContactId": "chat-contact-1",
    "ParticipantId": "participant-1",
    "ParticipantToken": "secret-participant-token",
}


@pytest.fixture
def chat_settings(seeded: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    from functions.core.aws import reset_clients
    from functions.core.settings import reset_settings

    monkeypatch.setenv("CONNECT_INSTANCE_ARN", INSTANCE)
    monkeypatch.setenv("CHAT_FLOW_ARN", FLOW)
    monkeypatch.setenv("CHAT_ALLOWED_ORIGINS", f"{LOCAL_ORIGIN},https://www.civicline.example")
    reset_settings()
    reset_clients()
    yield seeded
    reset_settings()
    reset_clients()


def http(body: Any, *, raw: bool = False, encoded: bool = False, **headers: Any) -> dict[str, Any]:
    """The REST API's proxy event for a page's ``POST /chat`` carrying ``body`` (JSON of it unless
    ``raw``), from the agency's page unless ``origin``/``content_type`` say otherwise."""
    text = body if raw else json.dumps(body)
    return rest_proxy_event(text, encoded=encoded, **headers)


def answer(response: dict[str, Any]) -> dict[str, Any]:
    body: dict[str, Any] = json.loads(response["body"])
    return body


def expected_request(**overrides: Any) -> dict[str, Any]:
    request = {
        "InstanceId": "inst-1",
        "ContactFlowId": "flow-main",
        "Attributes": {"language": "en", "entry": "web-chat"},
        "ParticipantDetails": {"DisplayName": "Ana"},
        "ClientToken": REQUEST_ID,
        "ChatDurationInMinutes": 60,
        "SupportedMessagingContentTypes": list(rules.SUPPORTED_CONTENT_TYPES),
        "DisconnectOnCustomerExit": ["AGENT"],
    }
    request.update(overrides)
    return request


def test_a_chat_is_started_so_that_end_chat_still_reaches_the_survey(
    chat_settings: Any, captured_logs: Any
) -> None:
    from botocore.stub import Stubber

    from functions.core.aws import client

    # Given the page asks for a chat in English
    with Stubber(client("connect")) as stub:
        # Then Connect is asked for a chat in the main inbound flow, with the agent disconnected
        # when the customer ends it, the list pickers' content types, a duration and the token
        stub.add_response("start_chat_contact", STARTED, expected_request())
        # When the function runs
        response = handler(http({"displayName": "Ana", "requestId": REQUEST_ID}), None)
        stub.assert_no_pending_responses()
    # And the page gets what it joins the chat with
    assert response["statusCode"] == 200
    assert answer(response) == {
        "result": "STARTED",
        "contactId": "chat-contact-1",
        "participantId": "participant-1",
        "participantToken": "secret-participant-token",
    }
    assert response["headers"]["Cache-Control"] == "no-store"
    # And neither the token, the contact nor the name was logged
    logs = captured_logs()
    assert "chat_start" in logs
    for secret in ("secret-participant-token", "chat-contact-1", "participant-1", "Ana"):
        assert secret not in logs


def test_a_spanish_page_with_a_topic_starts_a_spanish_chat(chat_settings: Any) -> None:
    from botocore.stub import Stubber

    from functions.core.aws import client

    with Stubber(client("connect")) as stub:
        stub.add_response(
            "start_chat_contact",
            STARTED,
            expected_request(
                Attributes={"language": "es", "entry": "web-chat", "topic": "appeals", "page": "tax-help"},
                ParticipantDetails={"DisplayName": "José"},
            ),
        )
        body = {"displayName": " José ", "language": "es", "requestId": REQUEST_ID}
        response = handler(http({**body, "topic": "appeals", "page": "tax-help"}), None)
    assert response["statusCode"] == 200


def test_a_start_without_a_request_id_still_carries_one_client_token(
    chat_settings: Any, aws_faults: Any
) -> None:
    from botocore.stub import ANY, Stubber

    from functions.core.aws import client

    # Given a page that sends no requestId / When the function starts the chat
    faults = aws_faults("connect")
    with Stubber(client("connect")) as stub:
        stub.add_response("start_chat_contact", STARTED, expected_request(ClientToken=ANY))
        response = handler(http({"displayName": "Ana"}), None)
    # Then Connect got a token drawn for this start (botocore's retries of it are one chat)
    [(_, params, _)] = [c for c in faults.calls if c[0] == "StartChatContact"]
    assert response["statusCode"] == 200 and len(params["ClientToken"]) == 36


def test_a_base64_body_is_read_like_a_plain_one(chat_settings: Any) -> None:
    from botocore.stub import Stubber

    from functions.core.aws import client

    with Stubber(client("connect")) as stub:
        stub.add_response("start_chat_contact", STARTED, expected_request())
        response = handler(http({"displayName": "Ana", "requestId": REQUEST_ID}, encoded=True), None)
    assert response["statusCode"] == 200


@pytest.mark.parametrize(
    ("event", "status", "result", "fields"),
    [
        pytest.param(
            http({"displayName": "A" * 65}),
            400,
            "INVALID_INPUT",
            ["displayName:too_long"],
            id="long-name",
        ),
        pytest.param(
            http({"displayName": ""}), 400, "INVALID_INPUT", ["displayName:too_short"], id="empty-name"
        ),
        pytest.param(http({}), 400, "INVALID_INPUT", ["displayName:missing"], id="no-name"),
        pytest.param(
            http({"displayName": "Case 17502303"}),
            400,
            "INVALID_INPUT",
            [":value_error: displayName has more than 3 digits in a row"],
            id="case-number",
        ),
        pytest.param(
            http({"displayName": "<b>Ana</b>"}),
            400,
            "INVALID_INPUT",
            [":value_error: displayName has control or markup characters"],
            id="markup",
        ),
        pytest.param(
            http({"displayName": "Ana", "caseNumber": "17502303"}),
            400,
            "INVALID_INPUT",
            ["caseNumber:extra_forbidden"],
            id="extra-key",
        ),
        pytest.param(
            http({"displayName": "Ana", "topic": "case-17502303"}),
            400,
            "INVALID_INPUT",
            ["topic:string_pattern_mismatch"],
            id="digits-in-topic",
        ),
        pytest.param(
            http({"displayName": "Ana", "language": "fr"}),
            400,
            "INVALID_INPUT",
            ["language:literal_error"],
            id="language",
        ),
        pytest.param(
            http({"displayName": "Ana", "requestId": "again"}),
            400,
            "INVALID_INPUT",
            ["requestId:string_pattern_mismatch"],
            id="request-id",
        ),
        pytest.param(http("{not json", raw=True), 400, "MALFORMED", None, id="not-json"),
        pytest.param(http(["Ana"]), 400, "MALFORMED", None, id="not-an-object"),
        pytest.param(
            http("not base64!", raw=True, encoded=False) | {"isBase64Encoded": True},
            400,
            "MALFORMED",
            None,
            id="bad-base64",
        ),
        pytest.param(rest_proxy_event(None), 400, "MALFORMED", None, id="no-body"),
        pytest.param(http("", raw=True), 400, "MALFORMED", None, id="empty-body"),
        pytest.param(http('{"displayName": "Ana"', raw=True), 400, "MALFORMED", None, id="truncated-json"),
        pytest.param(http('"Ana"', raw=True), 400, "MALFORMED", None, id="json-string"),
        pytest.param(http(b"\xff\xfe".decode("latin-1"), raw=True), 400, "MALFORMED", None, id="not-utf-8"),
        pytest.param(
            http({"displayName": "Ana"}, content_type="text/plain"),
            415,
            "UNSUPPORTED_MEDIA_TYPE",
            None,
            id="text-plain",
        ),
        pytest.param(
            http({"displayName": "Ana"}, content_type=None), 415, "UNSUPPORTED_MEDIA_TYPE", None, id="no-type"
        ),
        pytest.param(
            http({"displayName": "Ana"}, origin="https://evil.example"),
            403,
            "FORBIDDEN_ORIGIN",
            None,
            id="other-site",
        ),
        pytest.param(
            http({"displayName": "Ana"}, origin="https://civicline.example.evil.example"),
            403,
            "FORBIDDEN_ORIGIN",
            None,
            id="lookalike-site",
        ),
        pytest.param(
            http({"displayName": "Ana", "page": "x" * 5000}), 413, "TOO_LARGE", None, id="oversized"
        ),
        pytest.param(
            http({"displayName": "Ana" * 800}, encoded=True), 413, "TOO_LARGE", None, id="oversized-base64"
        ),
    ],
)
def test_a_bad_request_is_refused_and_starts_nothing(
    chat_settings: Any, aws_faults: Any, captured_logs: Any, event: Any, status: int, result: str, fields: Any
) -> None:
    # Given a request the page must change / When the function gets it
    faults = aws_faults("connect")
    response = handler(event, None)
    # Then a typed 4xx, not retryable, naming the fields at fault (never their values)
    assert response["statusCode"] == status
    body = answer(response)
    assert body["result"] == result and body["retryable"] is False
    assert body.get("fields") == fields
    # And Connect was never asked
    assert not faults.calls
    assert "17502303" not in captured_logs() and "17502303" not in response["body"]


@pytest.mark.parametrize(
    ("code", "status", "result"),
    [
        ("ThrottlingException", 429, "THROTTLED"),
        ("TooManyRequestsException", 429, "THROTTLED"),
        ("LimitExceededException", 503, "BUSY"),
        ("InternalServiceException", 503, "UNAVAILABLE"),
    ],
)
def test_when_connect_is_busy_the_page_is_told_to_retry_and_nothing_counts_as_started(
    chat_settings: Any, aws_faults: Any, captured_logs: Any, code: str, status: int, result: str
) -> None:
    # Given Connect refuses every start (its API rate, the concurrent-chat quota, an outage)
    faults = aws_faults("connect")
    faults.fail("StartChatContact", code, status=status if status != 503 else 500, times=None)
    # When the page asks for a chat
    response = handler(http({"displayName": "Ana", "requestId": REQUEST_ID}), None)
    # Then it is told to retry later, and no contact or token is reported
    assert response["statusCode"] == status
    assert answer(response) == {"result": result, "retryable": True}
    assert response["headers"]["Retry-After"] == str(rules.RETRY_AFTER_SECONDS)
    # And every attempt carried the page's token, so a retry that did start names the same chat
    tokens = {params["ClientToken"] for op, params, _ in faults.calls if op == "StartChatContact"}
    assert tokens == {REQUEST_ID}
    assert "chat_start_refused" in captured_logs() and "STARTED" not in captured_logs()


def test_a_timed_out_start_is_retryable_under_the_same_token(chat_settings: Any, aws_faults: Any) -> None:
    faults = aws_faults("connect")
    faults.timeout("StartChatContact", times=None)
    response = handler(http({"displayName": "Ana", "requestId": REQUEST_ID}), None)
    assert response["statusCode"] == 503 and answer(response) == {"result": "UNAVAILABLE", "retryable": True}
    assert {p["ClientToken"] for op, p, _ in faults.calls if op == "StartChatContact"} == {REQUEST_ID}


@pytest.mark.parametrize(
    "code", ["ResourceNotFoundException", "InvalidParameterException", "AccessDeniedException"]
)
def test_a_stack_that_names_a_wrong_flow_is_a_server_error_not_a_retry(
    chat_settings: Any, aws_faults: Any, code: str
) -> None:
    aws_faults("connect").fail("StartChatContact", code, status=400)
    response = handler(http({"displayName": "Ana"}), None)
    assert response["statusCode"] == 500
    assert answer(response) == {"result": "MISCONFIGURED", "retryable": False}


def test_a_function_without_its_flow_is_misconfigured(
    chat_settings: Any, aws_faults: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from functions.core.settings import reset_settings

    monkeypatch.delenv("CHAT_FLOW_ARN")
    reset_settings()
    faults = aws_faults("connect")
    response = handler(http({"displayName": "Ana"}), None)
    assert response["statusCode"] == 500 and answer(response)["result"] == "MISCONFIGURED"
    assert not faults.calls


def test_an_answer_without_a_token_is_not_reported_as_started(chat_settings: Any) -> None:
    from botocore.stub import Stubber

    from functions.core.aws import client

    with Stubber(client("connect")) as stub:
        stub.add_response("start_chat_contact", {"ContactId": "chat-contact-1"}, expected_request())
        response = handler(http({"displayName": "Ana", "requestId": REQUEST_ID}), None)
    assert response["statusCode"] == 503
    assert answer(response) == {"result": "UNAVAILABLE", "retryable": True}


# --- the request parser, on any input -------------------------------------------------------------

_NAMES = st.text(min_size=0, max_size=80)
_DOCUMENTS = st.one_of(
    st.fixed_dictionaries(
        {"displayName": _NAMES},
        optional={
            "language": st.sampled_from(["en", "es", "fr", ""]),
            "requestId": st.one_of(st.uuids().map(str), st.text(max_size=40)),
            "topic": st.from_regex(r"[a-z0-9-]{0,40}", fullmatch=True),
            "caseNumber": st.text(max_size=10),
        },
    ),
    st.lists(st.integers(), max_size=3),
    st.none(),
)


@settings(max_examples=300, deadline=None)
@given(
    body=st.one_of(_DOCUMENTS.map(json.dumps), st.binary(max_size=3000).map(lambda b: b.decode("latin-1")))
)
def test_any_body_is_a_request_or_a_typed_refusal(body: str) -> None:
    # Given any body a page (or anybody) may send / When the function reads it
    outcome: Any
    try:
        outcome = rules.parse_body(body)
    except rules.ChatStartRefused as refused:
        outcome = refused
    if isinstance(outcome, rules.ChatStartRefused):
        # Then a refusal is typed, a 4xx, never retryable
        assert outcome.status in (400, 413) and not outcome.retryable
        return
    request = outcome
    # Or the request is one Connect may be given: a short name without a case number or PIN in it
    assert 1 <= len(request.displayName) <= 64
    assert not re.search(r"[0-9]{4}", request.displayName)
    params = rules.start_parameters(
        request, instance_id="i", flow_id="f", duration_minutes=60, idempotency="t"
    )
    assert params["DisconnectOnCustomerExit"] == ["AGENT"]
    assert all(not re.search(r"[0-9]", v) for k, v in params["Attributes"].items())


# --- the REST API's proxy event, CORS and the header rules ----------------------------------------

SAMPLE = Path(__file__).parent / "data" / "rest_api_proxy_event.json"


def aws_sample_event(body: str, headers: dict[str, str]) -> dict[str, Any]:
    """AWS's sample Lambda proxy event (payload 1.0, "Lambda proxy integrations in API Gateway"),
    as a POST of ``body`` with ``headers``, every other field as the sample has it."""
    event: dict[str, Any] = json.loads(SAMPLE.read_text())
    event.update(httpMethod="POST", body=body, headers=headers)
    event["multiValueHeaders"] = {k: [v] for k, v in headers.items()}
    event["requestContext"]["httpMethod"] = "POST"
    return event


def test_the_local_event_has_the_shape_of_aws_sample_event() -> None:
    # Given AWS's sample proxy event and the one the local path (and these tests) build
    sample = json.loads(SAMPLE.read_text())
    local = rest_proxy_event("{}")
    # Then the local one has every top-level field of the sample, of the same JSON types
    assert set(local) == set(sample) - {"version"}
    for key, value in sample.items():
        if value is not None and local[key] is not None:
            assert type(local[key]) is type(value), key
    # And its request context carries the sample's identifying fields (the stage, request id, path)
    assert {"requestId", "stage", "resourcePath", "httpMethod", "identity"} <= set(local["requestContext"])


def test_aws_sample_event_starts_a_chat_when_it_comes_from_the_agency_page(chat_settings: Any) -> None:
    from botocore.stub import Stubber

    from functions.core.aws import client

    # Given AWS's own sample event carrying the page's body, sent from the agency's page
    page = json.dumps({"displayName": "Ana", "requestId": REQUEST_ID})
    event = aws_sample_event(
        page, {"content-type": "application/json; charset=utf-8", "origin": LOCAL_ORIGIN}
    )
    with Stubber(client("connect")) as stub:
        stub.add_response("start_chat_contact", STARTED, expected_request())
        # When the function gets it
        response = handler(event, None)
    # Then the chat starts and the answer may be read by that page (and only that page)
    assert response["statusCode"] == 200
    assert response["headers"]["Access-Control-Allow-Origin"] == LOCAL_ORIGIN
    assert response["headers"]["Vary"] == "Origin"


def test_aws_sample_event_as_sent_from_another_site_is_refused(chat_settings: Any, aws_faults: Any) -> None:
    # Given the sample event with its own headers plus the Origin of a site that is not the agency's
    faults = aws_faults("connect")
    headers = {"header1": "value1", "Content-Type": "application/json", "Origin": "https://aws.amazon.com"}
    response = handler(aws_sample_event(json.dumps({"displayName": "Ana"}), headers), None)
    # Then 403, no CORS grant for that site, and Connect was never asked
    assert response["statusCode"] == 403
    assert answer(response) == {"result": "FORBIDDEN_ORIGIN", "retryable": False}
    assert "Access-Control-Allow-Origin" not in response["headers"]
    assert not faults.calls


@pytest.mark.parametrize("origin", [LOCAL_ORIGIN, "https://www.civicline.example"])
def test_each_allowed_page_reads_its_own_refusal(chat_settings: Any, origin: str) -> None:
    # Given a bad request from one of the agency's pages / Then the refusal is readable by that page
    response = handler(http({"displayName": ""}, origin=origin), None)
    assert response["statusCode"] == 400
    assert response["headers"]["Access-Control-Allow-Origin"] == origin


def test_a_request_naming_no_origin_is_not_a_browser_on_another_site(chat_settings: Any) -> None:
    from botocore.stub import Stubber

    from functions.core.aws import client

    # Given a request without an Origin (a server-side caller: it is bounded by the WAF, not CORS)
    with Stubber(client("connect")) as stub:
        stub.add_response("start_chat_contact", STARTED, expected_request())
        response = handler(http({"displayName": "Ana", "requestId": REQUEST_ID}, origin=None), None)
    # Then it starts, and no browser is granted the answer
    assert response["statusCode"] == 200
    assert "Access-Control-Allow-Origin" not in response["headers"]


def test_header_names_are_read_in_any_case(chat_settings: Any, aws_faults: Any) -> None:
    # Given header names in the case a client chose (a REST API proxy event keeps it)
    faults = aws_faults("connect")
    event = http({"displayName": "Ana"}, origin=None, content_type=None)
    event["headers"] = {"CONTENT-TYPE": "text/plain", "ORIGIN": LOCAL_ORIGIN}
    response = handler(event, None)
    # Then they are the same headers: an allowed page, a body not declared JSON
    assert response["statusCode"] == 415
    assert response["headers"]["Access-Control-Allow-Origin"] == LOCAL_ORIGIN
    assert not faults.calls


def test_a_megabyte_body_is_refused_unread(chat_settings: Any, aws_faults: Any) -> None:
    # Given a body of a megabyte (the WAF blocks it first when deployed; the function never trusts that)
    faults = aws_faults("connect")
    response = handler(http("{" + " " * 1_000_000 + "}", raw=True), None)
    # Then 413, nothing asked
    assert response["statusCode"] == 413 and answer(response)["result"] == "TOO_LARGE"
    assert not faults.calls


@settings(max_examples=200, deadline=None)
@given(
    headers=st.dictionaries(
        st.sampled_from(["Content-Type", "content-type", "Origin", "origin", "X-Forwarded-For"]),
        st.one_of(
            st.sampled_from(["application/json", "text/plain", LOCAL_ORIGIN, "https://evil.example", ""]),
            st.text(max_size=30),
        ),
        max_size=4,
    ),
    body=st.one_of(st.none(), st.text(max_size=200), _DOCUMENTS.map(json.dumps)),
    encoded=st.booleans(),
)
def test_any_event_gets_a_typed_answer_and_only_the_agency_page_may_read_it(
    headers: dict[str, str], body: str | None, encoded: bool
) -> None:
    # Given any headers and body the REST API may pass (Connect is never reachable here: a start
    # that gets that far is answered 500/503, still typed)
    import os

    os.environ["CHAT_ALLOWED_ORIGINS"] = LOCAL_ORIGIN
    from functions.core.settings import reset_settings

    reset_settings()
    try:
        event = rest_proxy_event(body, origin=None, content_type=None) | {"isBase64Encoded": encoded}
        event["headers"] = headers
        response = handler(event, None)
    finally:
        os.environ.pop("CHAT_ALLOWED_ORIGINS", None)
        reset_settings()
    # Then the answer is a typed JSON body with a status the contract names
    assert response["statusCode"] in {200, 400, 403, 413, 415, 429, 500, 503}
    assert set(answer(response)) >= {"result"}
    # And a CORS grant is only ever the agency's own page
    assert response["headers"].get("Access-Control-Allow-Origin") in (None, LOCAL_ORIGIN)
    assert response["headers"]["Vary"] == "Origin"


# --- the API's request model and the function agree ---------------------------------------------


def _draft4_valid(schema: dict[str, Any], value: Any) -> bool:
    """The JSON Schema keywords the generated model uses, as draft 4 (API Gateway) defines them."""
    if "anyOf" in schema:
        return any(_draft4_valid(option, value) for option in schema["anyOf"])
    kind = schema.get("type")
    if kind == "null":
        return value is None
    if kind == "string":
        if not isinstance(value, str):
            return False
        if len(value) < schema.get("minLength", 0) or len(value) > schema.get("maxLength", len(value)):
            return False
        if "pattern" in schema and not re.search(schema["pattern"], value):
            return False
        return "enum" not in schema or value in schema["enum"]
    if kind == "object":
        if not isinstance(value, dict) or any(k not in value for k in schema.get("required", [])):
            return False
        properties = schema.get("properties", {})
        if schema.get("additionalProperties") is False and set(value) - set(properties):
            return False
        return all(_draft4_valid(properties[k], v) for k, v in value.items() if k in properties)
    return True


_TRIMMED = st.text(min_size=0, max_size=80).map(str.strip)


@settings(max_examples=300, deadline=None)
@given(
    document=st.fixed_dictionaries(
        {"displayName": _TRIMMED},
        optional={
            "language": st.sampled_from(["en", "es", "fr", ""]),
            "requestId": st.one_of(st.uuids().map(str), st.text(max_size=40).map(str.strip), st.none()),
            "topic": st.one_of(st.from_regex(r"[a-z0-9-]{0,40}", fullmatch=True), st.none()),
            "page": st.from_regex(r"[a-z][a-z-]{0,35}", fullmatch=True),
            "caseNumber": st.text(max_size=10),
        },
    )
)
def test_the_api_model_refuses_what_the_function_refuses_for_a_schema_reason(
    document: dict[str, Any],
) -> None:
    from infra.constructs.chat_start import request_schema

    # Given any start request (values as a page sends them: trimmed)
    gateway_accepts = _draft4_valid(request_schema(), document)
    try:
        rules.parse_body(json.dumps(document))
        function_accepts, reasons = True, []
    except rules.ChatStartRefused as refused:
        function_accepts, reasons = False, list(refused.fields)
    # Then the API's validator never refuses a request the function would start a chat for
    if function_accepts:
        assert gateway_accepts
    # And what it lets through that the function refuses is refused for a rule a schema cannot
    # say (no more than three digits in a row, no markup): the checks the function alone makes
    elif gateway_accepts:
        assert reasons and all(r.startswith(":value_error") for r in reasons), reasons


# -- a signed-in customer: customerId only from what API Gateway verified (an authorizer's claims,
# rest-api-jwt-authorizer-claims.html), never from the page; the stack's public API has none


def signed_in(event: dict[str, Any], sub: Any) -> dict[str, Any]:
    return {
        **event,
        "requestContext": {**(event.get("requestContext") or {}), "authorizer": {"claims": {"sub": sub}}},
    }


def test_a_verified_customer_s_chat_starts_with_their_customer_id(chat_settings: Any) -> None:
    """Given a start whose request context carries an authorizer's claims (sub = the customer's id)
    When the real function runs against Connect (botocore's Stubber)
    Then StartChatContact's Attributes carry customerId beside the page's language and entry."""
    from botocore.stub import Stubber

    from functions.core.aws import client

    with Stubber(client("connect")) as stub:
        attributes = {"language": "en", "entry": "web-chat", "customerId": "portal-7f3a"}
        stub.add_response("start_chat_contact", STARTED, expected_request(Attributes=attributes))
        event = signed_in(http({"displayName": "Ana", "requestId": REQUEST_ID}), "portal-7f3a")
        response = handler(event, None)
        stub.assert_no_pending_responses()
    assert response["statusCode"] == 200


def test_the_page_cannot_name_a_customer(chat_settings: Any) -> None:
    """Given a page that puts a customerId in its body
    When the function runs
    Then the request is refused (INVALID_INPUT: not in the contract) and no chat is started."""
    response = handler(http({"displayName": "Ana", "requestId": REQUEST_ID, "customerId": "someone"}), None)
    assert response["statusCode"] == 400
    assert json.loads(response["body"])["result"] == "INVALID_INPUT"


@given(st.one_of(st.none(), st.integers(), st.text(max_size=200), st.lists(st.text(max_size=5))))
def test_only_a_well_formed_verified_id_is_taken(sub: Any) -> None:
    """Given any value as the authorizer's sub claim (or none)
    When the verified customer is read
    Then it is the value exactly when it is a well-formed id (1-128 of A-Z a-z 0-9 _ -), else blank;
    an event without an authorizer is anonymous."""
    event = signed_in({"body": "{}"}, sub)
    wanted = (
        sub
        if isinstance(sub, str)
        and 0 < len(sub) <= 128
        and all(c.isascii() and (c.isalnum() or c in "_-") for c in sub)
        else ""
    )
    assert rules.verified_customer(event) == wanted
    assert rules.verified_customer({"body": "{}", "requestContext": {"identity": {}}}) == ""
