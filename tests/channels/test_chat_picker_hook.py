"""The chat-menu bot's Lex V2 code hook (Lambda ``chat_picker``) through its real entry point, with
events in the shape of lexv2 lambda-input-format.html: the menu's opening turn gets the flow's
ListPicker as a CustomPayload message; a choice is delegated back to Lex unchanged; a bad template
falls back to a plain prompt with a typed reason; voice (no picker attribute) passes through; the
customer's text is never logged."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from functions.domain import chat_picker as domain
from functions.handlers.chat_picker import handler
from schemas.codec import ContractError

TEMPLATE = json.dumps(
    {
        "templateType": "ListPicker",
        "version": "1.0",
        "data": {
            "content": {
                "title": "How can we help?",
                "subtitle": "Tap a choice or type it",
                "elements": [{"title": "Case status", "subtitle": "or type 2"}, {"title": "Appeal"}],
            }
        },
    }
)


def lex_event(
    intent: str,
    *,
    attributes: dict[str, str] | None = None,
    transcript: str = domain.INITIAL_MESSAGE,
    slots: dict[str, Any] | None = None,
    source: str = "DialogCodeHook",
    locale: str = "en_US",
) -> dict[str, Any]:
    """A Lex V2 code-hook event as lambda-input-format.html lays it out (fields the hook ignores
    included, so the test proves they are tolerated)."""
    return {
        "messageVersion": "1.0",
        "invocationSource": source,
        "inputMode": "Text",
        "responseContentType": "text/plain; charset=utf-8",
        "sessionId": "a1b2c3d4-contact",
        "inputTranscript": transcript,
        "invocationLabel": None,
        "bot": {
            "id": "BOTID12345",
            "name": "civicline-dev-chat-menu",
            "localeId": locale,
            "version": "1",
            "aliasId": "ALIASID123",
            "aliasName": "live",
        },
        "interpretations": [
            {
                "interpretationSource": "Lex",
                "intent": {
                    "name": intent,
                    "slots": slots or {},
                    "state": "InProgress",
                    "confirmationState": "None",
                },
                "nluConfidence": 1.0,
            }
        ],
        "proposedNextState": None,
        "requestAttributes": {"x-amz-lex:channels:platform": "Connect"},
        "sessionState": {
            "activeContexts": [],
            "sessionAttributes": dict(attributes or {}),
            "intent": {
                "name": intent,
                "slots": slots or {},
                "state": "InProgress",
                "confirmationState": "None",
            },
            "originatingRequestId": "req-1",
        },
        "transcriptions": [{"transcription": transcript, "transcriptionConfidence": 1.0}],
    }


def choice_slot(value: str) -> dict[str, Any]:
    return {
        "choice": {
            "shape": "Scalar",
            "value": {"originalValue": value, "interpretedValue": "2", "resolvedValues": ["2"]},
        }
    }


def test_opening_turn_with_a_picker_answers_elicit_intent_with_the_template_as_custom_payload() -> None:
    # Given the menu's opening message (InitialMessage -> ShowPicker) with the flow's template
    event = lex_event(domain.SHOW_INTENT, attributes={domain.SESSION_ATTRIBUTE: TEMPLATE, "lang": "en"})
    # When Lex calls the hook
    response = handler(event, None)
    # Then Lex is told to wait for an intent, showing the template verbatim as a custom payload
    assert response["sessionState"]["dialogAction"] == {"type": "ElicitIntent"}
    assert response["messages"] == [{"contentType": "CustomPayload", "content": TEMPLATE}]
    assert response["sessionState"]["sessionAttributes"][domain.SESSION_ATTRIBUTE] == TEMPLATE
    assert domain.FALLBACK_ATTRIBUTE not in response["sessionState"]["sessionAttributes"]


@pytest.mark.parametrize("typed", ["Case status", "2", "status"])
def test_a_chosen_title_or_number_is_delegated_to_lex_unchanged(typed: str) -> None:
    # Given the customer tapped a title (or typed its number or a word) and Lex matched Choose
    slots = choice_slot(typed)
    event = lex_event(
        "Choose", attributes={domain.SESSION_ATTRIBUTE: TEMPLATE}, transcript=typed, slots=slots
    )
    # When the hook answers
    response = handler(event, None)
    # Then Lex goes on with the same intent and slot (the same branch as a typed choice), no message
    assert response["sessionState"]["dialogAction"] == {"type": "Delegate"}
    assert response["sessionState"]["intent"]["name"] == "Choose"
    assert response["sessionState"]["intent"]["slots"] == slots
    assert "messages" not in response


def test_voice_without_a_picker_attribute_passes_through() -> None:
    # Given a turn with no civiclinePicker (a voice contact, or a menu without a picker)
    event = lex_event("Choose", attributes={"lang": "en"}, transcript="2", slots=choice_slot("2"))
    response = handler(event, None)
    # Then the hook changes nothing
    assert response == {
        "sessionState": {
            "dialogAction": {"type": "Delegate"},
            "sessionAttributes": {"lang": "en"},
            "intent": event["sessionState"]["intent"],
        }
    }


def test_an_opening_turn_without_a_picker_gets_the_plain_prompt_not_the_no_match_branch() -> None:
    # Given the opening message but no template (the flow attribute was not set)
    response = handler(lex_event(domain.SHOW_INTENT, attributes={"lang": "en"}), None)
    # Then Lex still waits for the customer (the typed menu is in the flow's own prompt)
    assert response["sessionState"]["dialogAction"] == {"type": "ElicitIntent"}
    assert response["messages"][0]["contentType"] == "PlainText"
    assert response["sessionState"]["sessionAttributes"][domain.FALLBACK_ATTRIBUTE] == "NO_TEMPLATE"


@pytest.mark.parametrize(
    ("template", "reason"),
    [
        ("{not json", domain.FallbackReason.NOT_JSON),
        (
            json.dumps({"templateType": "TimePicker", "version": "1.0", "data": {}}),
            domain.FallbackReason.NOT_LIST_PICKER,
        ),
        (
            json.dumps(
                {"templateType": "ListPicker", "version": "1.0", "data": {"content": {"elements": []}}}
            ),
            domain.FallbackReason.NO_TITLE,
        ),
        (TEMPLATE.replace('"Appeal"', '"Case status"'), domain.FallbackReason.ELEMENT_TITLES),
        (
            TEMPLATE[:-2] + ', "pad": "' + "x" * domain.MAX_TEMPLATE_BYTES + '"}}',
            domain.FallbackReason.OVERSIZED,
        ),
    ],
)
@pytest.mark.parametrize(
    ("locale", "prompt"),
    [("en_US", "Please type your answer."), ("es_US", "Por favor, escriba su respuesta.")],
)
def test_a_bad_template_falls_back_to_a_plain_prompt_with_a_typed_reason(
    template: str, reason: domain.FallbackReason, locale: str, prompt: str
) -> None:
    # Given the opening turn with a template Connect would refuse
    event = lex_event(domain.SHOW_INTENT, attributes={domain.SESSION_ATTRIBUTE: template}, locale=locale)
    # When the hook answers
    response = handler(event, None)
    # Then the customer gets a plain prompt (never an error), and the reason is in a session attribute
    assert response["sessionState"]["dialogAction"] == {"type": "ElicitIntent"}
    assert response["messages"] == [{"contentType": "PlainText", "content": prompt}]
    assert response["sessionState"]["sessionAttributes"][domain.FALLBACK_ATTRIBUTE] == reason.value


def test_a_fulfillment_call_closes_the_intent_as_fulfilled() -> None:
    response = handler(lex_event("Choose", source="FulfillmentCodeHook", slots=choice_slot("2")), None)
    assert response["sessionState"]["dialogAction"] == {"type": "Close"}
    assert response["sessionState"]["intent"]["state"] == "Fulfilled"


@pytest.mark.parametrize("bad", [None, [], "text", {"invocationSource": "Elsewhere"}, {"sessionState": {}}])
def test_an_event_that_is_not_a_lex_v2_code_hook_event_is_a_contract_error(bad: Any) -> None:
    with pytest.raises(ContractError):
        handler(bad, None)


def test_the_customer_text_and_the_template_are_never_logged(
    caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]
) -> None:
    secret = "my phone is 202 555 0143"
    caplog.set_level(logging.DEBUG)
    handler(
        lex_event("FallbackIntent", attributes={domain.SESSION_ATTRIBUTE: TEMPLATE}, transcript=secret), None
    )
    handler(lex_event(domain.SHOW_INTENT, attributes={domain.SESSION_ATTRIBUTE: "{bad " + secret}), None)
    logged = capsys.readouterr().out + capsys.readouterr().err + caplog.text
    assert "chat_picker" in logged
    assert "202 555 0143" not in logged
    assert "How can we help" not in logged


# -- the template check (hypothesis) --------------------------------------------------------------

_titles = st.lists(
    st.text(min_size=1, max_size=30).filter(lambda t: t.strip()),
    min_size=1,
    max_size=domain.MAX_ELEMENTS,
    unique_by=lambda t: t.strip().lower(),
)


@settings(max_examples=150, deadline=None)
@given(title=st.text(min_size=1, max_size=40).filter(lambda t: t.strip()), titles=_titles)
def test_any_valid_list_picker_is_shown_as_sent(title: str, titles: list[str]) -> None:
    template = json.dumps(
        {
            "templateType": "ListPicker",
            "version": "1.0",
            "data": {"content": {"title": title, "elements": [{"title": t} for t in titles]}},
        }
    )
    response = handler(lex_event(domain.SHOW_INTENT, attributes={domain.SESSION_ATTRIBUTE: template}), None)
    assert response["messages"] == [{"contentType": "CustomPayload", "content": template}]
    assert domain.parse(template).choices == tuple(t.strip() for t in titles)


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(
    value=st.one_of(
        st.text(max_size=200),
        _json.map(json.dumps),
        st.fixed_dictionaries(
            {
                "templateType": st.sampled_from(["ListPicker", "TimePicker", "Panel", "QuickReply", ""]),
                "version": st.sampled_from(["1.0", "2.0", 1]),
                "data": _json,
            }
        ).map(json.dumps),
    )
)
def test_any_text_is_a_picker_or_a_plain_prompt_with_a_reason_never_an_error(value: str) -> None:
    response = handler(lex_event(domain.SHOW_INTENT, attributes={domain.SESSION_ATTRIBUTE: value}), None)
    assert response["sessionState"]["dialogAction"] == {"type": "ElicitIntent"}
    (message,) = response["messages"]
    reason: str | None = "NO_TEMPLATE" if not value else None
    try:
        domain.parse(value)
    except domain.PickerError as exc:
        reason = reason or exc.reason.value
    if reason is None:
        assert message == {"contentType": "CustomPayload", "content": value}
    else:
        assert message["contentType"] == "PlainText"
        assert response["sessionState"]["sessionAttributes"][domain.FALLBACK_ATTRIBUTE] == reason


@settings(max_examples=30, deadline=None)
@given(extra=st.integers(min_value=0, max_value=5000))
def test_a_template_of_20kb_or_more_is_oversized(extra: int) -> None:
    padding = "x" * (domain.MAX_TEMPLATE_BYTES + extra)
    template = TEMPLATE[:-2] + f', "pad": "{padding}"' + "}}"
    with pytest.raises(domain.PickerError) as caught:
        domain.parse(template)
    assert caught.value.reason is domain.FallbackReason.OVERSIZED
