"""The engine on the CHAT channel, as Connect routes each block there (block-support-by-channel)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from civicline.engine import CallerScript, Engine, FlowLibrary
from civicline.engine.actions.lex import FALLBACK, LexBot
from civicline.engine.invoker import LambdaInvoker
from functions.domain.chat_picker import INITIAL_MESSAGE, SHOW_INTENT
from tests.engine.conftest import act, doc, library_of

BOT = LexBot.load(Path(__file__).resolve().parents[2] / "flows" / "bots" / "chat-menu.json")
SAID = act("said", "MessageParticipant", {"Text": "ok"}, nxt="bye")
FAILED = act("failed", "MessageParticipant", {"Text": "error branch"}, nxt="bye")
BYE = act("bye", "DisconnectParticipant")


def run(
    make_engine: Callable[..., Engine], *actions: dict, typed: tuple[str, ...] = (), channel: str = "CHAT"
):
    library: FlowLibrary = library_of(f=doc(*actions, SAID, FAILED, BYE))
    library.bots[BOT.name] = BOT
    script = CallerScript.typed(typed) if channel == "CHAT" else CallerScript(list(typed))
    return make_engine(library).run_contact("f", script, channel=channel, caller_number=None)


MENU = act(
    "menu",
    "GetParticipantInput",
    {"Text": "Press 1", "StoreInput": "False", "InputTimeLimitSeconds": "5"},
    conditions=[("Equals", "1", "said")],
    errors={"InputTimeLimitExceeded": "failed", "NoMatchingCondition": "failed", "NoMatchingError": "failed"},
)
STORE = act(
    "store",
    "GetParticipantInput",
    {
        "Text": "Enter it",
        "StoreInput": "True",
        "InputValidation": {"CustomValidation": {"MaximumLength": "8"}},
    },
    nxt="said",
    errors={"NoMatchingError": "failed"},
)
LEX = act(
    "lex",
    "ConnectParticipantWithLexBot",
    {
        "Text": "Type 1 or a word",
        "LexV2Bot": {"AliasArn": "%BOT_CHAT_MENU%"},
        "LexTimeoutSeconds": {"Text": "300"},
    },
    conditions=[("Equals", "Choose", "said")],
    errors={"InputTimeLimitExceeded": "failed", "NoMatchingCondition": "failed", "NoMatchingError": "failed"},
)


def test_keypad_menu_on_chat_takes_the_error_branch_without_reading_a_message(make_engine) -> None:
    # get-customer-input.html: chat "Yes, when Amazon Lex is used, otherwise ... the Error branch"
    result = run(make_engine, MENU, typed=("1",))
    assert result.path[:2] == ["menu", "failed"]
    assert result.inputs == [] and result.prompts == ["error branch"]
    assert "not supported on the CHAT channel" in result.steps[0].detail


def test_store_customer_input_on_chat_takes_the_error_branch(make_engine) -> None:
    result = run(make_engine, STORE, typed=("12345678",))
    assert result.path[:2] == ["store", "failed"]


def test_the_same_menu_on_voice_reads_the_key(make_engine) -> None:
    result = run(make_engine, MENU, typed=("1",), channel="VOICE")
    assert result.path[:2] == ["menu", "said"]


def test_lex_on_chat_reads_the_next_typed_message_and_fills_the_slot(make_engine) -> None:
    result = run(make_engine, LEX, typed=("status",))
    assert result.prompts[0] == "Type 1 or a word"  # the prompt is a chat message
    assert result.path[:2] == ["lex", "said"]
    assert result.contact.lex["Slots"] == {"choice": "2"}
    assert result.customer == "PRESENT"


def test_lex_on_chat_with_no_message_times_out_and_the_customer_is_idle(make_engine) -> None:
    result = run(make_engine, LEX)
    assert result.path[:2] == ["lex", "failed"]
    assert "LexTimeoutSeconds.Text (300 s)" in result.steps[0].detail
    assert result.customer == "IDLE"


def test_unrecognised_text_is_the_fallback_intent_and_is_listed(make_engine) -> None:
    result = run(make_engine, LEX, typed=("qwerty",))
    assert result.path[:2] == ["lex", "failed"]
    assert result.contact.lex["IntentName"] == FALLBACK
    assert result.unmatched == ["qwerty"]


def test_ssml_and_loop_prompts_are_voice_only(make_engine) -> None:
    ssml = act(
        "ssml",
        "MessageParticipant",
        {"SSML": "<speak>Hi</speak>"},
        nxt="said",
        errors={"NoMatchingError": "failed"},
    )
    assert run(make_engine, ssml).path[:2] == ["ssml", "failed"]


def test_wait_on_chat_customer_returned_or_completed(make_engine) -> None:
    wait = act(
        "wait",
        "Wait",
        {"TimeLimitSeconds": "900", "Events": ["CustomerReturned"]},
        conditions=[("Equals", "CustomerReturned", "said"), ("Equals", "WaitCompleted", "failed")],
        errors={"NoMatchingError": "failed"},
    )
    assert run(make_engine, wait, typed=("I'm back",)).path[:2] == ["wait", "said"]
    assert run(make_engine, wait).path[:2] == ["wait", "failed"]
    voice = run(make_engine, wait, channel="VOICE")
    assert voice.path[:2] == ["wait", "failed"]
    assert "not supported on the VOICE channel" in voice.steps[0].detail


def test_a_customer_who_ends_the_chat_has_left(make_engine) -> None:
    library = library_of(f=doc(LEX, SAID, FAILED, BYE))
    library.bots[BOT.name] = BOT
    result = make_engine(library).run_contact("f", CallerScript.typed([], leaves=True), channel="CHAT")
    assert result.customer == "LEFT"
    assert result.ended["reason"] == "CUSTOMER_DISCONNECT"


@given(st.text(max_size=40))
def test_any_typed_text_gets_an_intent_and_a_choice_is_one_digit(text: str) -> None:
    match = BOT.recognize(text)
    assert match.intent in {
        "Choose",
        "GiveNumber",
        "GiveEmail",
        "GivePhone",
        "Callback",
        "Leave",
        SHOW_INTENT,
        FALLBACK,
    }
    if match.intent == "Choose":
        assert match.slots["choice"] in set("0123456789")
    if match.intent == "GiveNumber":
        assert match.slots["number"].isdigit()
    if match.intent == "GivePhone":
        # the number the message holds, at least 10 digits with their separators (as AMAZON.PhoneNumber)
        phone = match.slots["phone"]
        assert phone in text and 10 <= sum(c.isdigit() for c in phone) <= 15


@given(st.sampled_from(list(range(10))))
def test_every_digit_is_its_own_choice(digit: int) -> None:
    assert BOT.recognize(str(digit)).slots == {"choice": str(digit)}


# -- list pickers (interactive-messages.html: a ListPicker template sent through the Lex bot) ---

PICKER = (
    '{"templateType": "ListPicker", "version": "1.0", "data": {"content": {"title": "Pick one",'
    ' "elements": [{"title": "English", "subtitle": "or type 1"},'
    ' {"title": "Agent", "subtitle": "or type 0"}]}}}'
)
ALL_ERRORS = dict.fromkeys(("InputTimeLimitExceeded", "NoMatchingCondition", "NoMatchingError"), "failed")


def _lex_with(session: dict[str, str], *, opening: str | None = INITIAL_MESSAGE) -> dict:
    params: dict = {
        "Text": "Type 1 or 0",
        "LexV2Bot": {"AliasArn": "%BOT_CHAT_MENU%"},
        "LexSessionAttributes": session,
    }
    if opening is not None:
        params["LexInitilizationData"] = {"InitialMessage": opening}
    return act(
        "lex",
        "ConnectParticipantWithLexBot",
        params,
        conditions=[("Equals", "Choose", "said")],
        errors=ALL_ERRORS,
    )


def test_a_list_picker_is_shown_on_chat_and_its_title_selects(make_engine: Callable[..., Engine]) -> None:
    # Given a Lex menu handing the bot a list picker / When the customer taps "English"
    result = run(make_engine, _lex_with({"civiclinePicker": PICKER}), typed=("English",))
    # Then the picker was shown (title and numbered choices), the title was the customer's message
    [shown] = result.to_json()["pickers"]
    assert shown["action"] == "lex" and shown["title"] == "Pick one"
    assert [c["title"] for c in shown["choices"]] == ["English", "Agent"]
    assert result.steps[0].picker == shown
    assert result.inputs == ["English"] and result.prompts[-1] == "ok"


def test_the_same_menu_on_voice_shows_no_picker(make_engine: Callable[..., Engine]) -> None:
    result = run(make_engine, _lex_with({"civiclinePicker": PICKER}), typed=("1",), channel="VOICE")
    assert result.to_json()["pickers"] == []


def test_a_picker_that_is_not_a_list_picker_template_falls_back_to_the_plain_prompt(
    make_engine: Callable[..., Engine],
) -> None:
    # Given a template the code hook refuses / When the customer types 1
    result = run(make_engine, _lex_with({"civiclinePicker": '{"templateType": "Carousel"}'}), typed=("1",))
    # Then no picker, the hook's plain prompt, a typed reason in the notes, and the choice still works
    assert result.pickers == []
    assert "Please type your answer." in result.prompts
    assert "list picker not shown (NOT_LIST_PICKER)" in result.steps[0].detail
    assert result.prompts[-1] == "ok"


def test_the_picker_is_what_the_code_hook_function_answers(make_engine: Callable[..., Engine]) -> None:
    # Given a code hook that answers a different template than the attribute holds
    other = PICKER.replace("Pick one", "From the hook")

    def hook(event: dict, context: object) -> dict:
        assert (
            event["invocationSource"] == "DialogCodeHook"
            and event["sessionState"]["intent"]["name"] == SHOW_INTENT
        )
        return {
            "sessionState": {"dialogAction": {"type": "ElicitIntent"}},
            "messages": [{"contentType": "CustomPayload", "content": other}],
        }

    library = library_of(f=doc(_lex_with({"civiclinePicker": PICKER}), SAID, FAILED, BYE))
    library.bots[BOT.name] = BOT
    engine = make_engine(library, invoker=LambdaInvoker(handlers={"chat_picker": hook}))
    result = engine.run_contact("f", CallerScript.typed(["1"]), channel="CHAT", caller_number=None)
    # Then the engine shows the function's answer, as Connect shows what Lex returns
    assert [p["title"] for p in result.to_json()["pickers"]] == ["From the hook"]


def test_a_failing_code_hook_takes_the_error_branch(make_engine: Callable[..., Engine]) -> None:
    library = library_of(f=doc(_lex_with({"civiclinePicker": PICKER}), SAID, FAILED, BYE))
    library.bots[BOT.name] = BOT
    engine = make_engine(library, invoker=LambdaInvoker(fault=lambda function, attempt: "error"))
    result = engine.run_contact("f", CallerScript.typed(["1"]), channel="CHAT", caller_number=None)
    assert result.prompts[-1] == "error branch" and "code hook chat_picker" in result.steps[0].detail


def test_without_an_opening_message_no_picker_is_shown(make_engine: Callable[..., Engine]) -> None:
    # Given a picker attribute but no InitialMessage: Lex's hook runs only after the customer typed
    result = run(make_engine, _lex_with({"civiclinePicker": PICKER}, opening=None), typed=("1",))
    assert result.pickers == [] and result.prompts[-1] == "ok"


def test_an_empty_picker_attribute_leaves_the_typed_menu(make_engine: Callable[..., Engine]) -> None:
    result = run(make_engine, _lex_with({"civiclinePicker": ""}), typed=("1",))
    assert result.pickers == [] and result.prompts[-1] == "ok"
    assert "list picker not shown (NO_TEMPLATE)" in result.steps[0].detail


def test_the_validator_checks_a_list_picker_written_in_the_flow() -> None:
    from civicline.engine.validator import has_errors, validate_text

    def findings(value: str) -> list:
        document = doc(_lex_with({"civiclinePicker": value}), SAID, FAILED, BYE)
        return validate_text(json.dumps(document), name="f", label="f.json")

    # Given a template that is not a ListPicker / Then an error names it; a valid one or a
    # reference (checked when it runs) is clean
    broken = findings('{"templateType": "ListPicker", "version": "1.0", "data": {"content": {}}}')
    assert has_errors(broken) and any("not a ListPicker template" in f.message for f in broken)
    assert not has_errors(findings(PICKER))
    assert not has_errors(findings("$.FlowAttributes.pMainPicker"))


@given(
    st.lists(st.text(min_size=1, max_size=40).filter(str.strip), min_size=1, max_size=6, unique_by=str.lower),
    st.text(min_size=1, max_size=60).filter(str.strip),
)
def test_any_template_with_one_to_six_distinct_titles_parses_back(titles: list[str], title: str) -> None:
    from civicline.engine.actions import picker

    elements = [{"title": t, "subtitle": f"or type {i}"} for i, t in enumerate(titles, start=1)]
    text = json.dumps(
        {
            "templateType": "ListPicker",
            "version": "1.0",
            "data": {"content": {"title": title, "elements": elements}},
        }
    )
    if len({t.strip().lower() for t in titles}) != len(titles):
        return  # titles equal once trimmed are refused (tested below)
    shown = picker.parse(text)
    assert shown.choices == tuple(t.strip() for t in titles) and shown.title == title
    assert [c["number"] for c in shown.to_json()["choices"]] == list(range(1, len(titles) + 1))


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=7)
        | st.dictionaries(st.sampled_from(["title", "elements", "content", "x"]), inner)
    ),
    max_leaves=20,
)


@given(
    st.one_of(
        st.text(max_size=300),
        JSON.map(lambda d: json.dumps({"templateType": "ListPicker", "version": "1.0", "data": d})),
    )
)
def test_any_text_is_a_picker_or_a_typed_picker_error(text: str) -> None:
    # Given any text, or a ListPicker wrapper around any JSON / Then parse answers a picker with
    # one to six titled choices, or refuses with PickerError (never another exception)
    from civicline.engine.actions import picker

    try:
        shown = picker.parse(text)
    except picker.PickerError:
        return
    assert 1 <= len(shown.choices) <= picker.MAX_ELEMENTS and all(shown.choices) and shown.title.strip()
