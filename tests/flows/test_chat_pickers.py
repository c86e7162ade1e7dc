"""Every chat list picker in the flows is a valid ListPicker template, and tapping each choice (the
widget sends its title as the customer's message) reaches the same branch as typing its number."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from civicline.engine.actions import picker
from civicline.engine.actions.lex import LexBot
from tests.flows.conftest import FLOWS_DIR

BOT = LexBot.load(FLOWS_DIR / "bots" / "chat-menu.json")
REFERENCE = re.compile(r"^\$\.FlowAttributes\.(\w+)$")


def _flow(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FLOWS_DIR / f"{name}.json").read_text(encoding="utf-8"))
    return data


def pickers() -> list[tuple[str, str, str, dict[str, Any]]]:
    """(flow, language, Lex action id, action) for every picker a chat can be shown."""
    found = []
    for path in sorted(FLOWS_DIR.glob("*.json")):
        doc = _flow(path.stem)
        acts = {a["Identifier"]: a for a in doc["Actions"]}
        for act in acts.values():
            session = act["Parameters"].get("LexSessionAttributes") or {}
            if picker.SESSION_ATTRIBUTE not in session:
                continue
            for lang in ("en", "es"):
                found.append((path.stem, lang, act["Identifier"], act))
    return found


def resolve(flow: str, lang: str, act: dict[str, Any]) -> str:
    raw = act["Parameters"]["LexSessionAttributes"][picker.SESSION_ATTRIBUTE]
    ref = REFERENCE.match(raw)
    if ref is None:
        return str(raw)
    acts = {a["Identifier"]: a for a in _flow(flow)["Actions"]}
    return str(acts[f"prompts-{lang}-chat"]["Parameters"]["FlowAttributes"][ref.group(1)]["Value"])


def branch(flow: str, act: dict[str, Any], entry: str) -> str | None:
    """Where an entry at this Lex action leads: the intent's condition, then the choice's Compare."""
    acts = {a["Identifier"]: a for a in _flow(flow)["Actions"]}
    match = BOT.recognize(entry)
    target = next(
        (
            c["NextAction"]
            for c in act["Transitions"]["Conditions"]
            if c["Condition"]["Operands"] == [match.intent]
        ),
        None,
    )
    if target is None:
        return None
    pick = acts[target]
    if pick["Type"] == "Compare" and pick["Parameters"]["ComparisonValue"] == "$.Lex.Slots.choice":
        value = match.slots.get("choice")
        return next(
            (
                c["NextAction"]
                for c in pick["Transitions"]["Conditions"]
                if c["Condition"]["Operands"] == [value]
            ),
            None,
        )
    return str(target)


def test_the_main_menu_and_the_short_menus_have_pickers() -> None:
    menus = {(flow, ident) for flow, _, ident, _ in pickers()}
    assert {("main-inbound", "main-menu-chat"), ("main-inbound", "language-menu-chat")} <= menus
    assert ("customer-queue", "chat-menu") in menus
    assert len(menus) >= 5


@pytest.mark.parametrize(
    ("flow", "lang", "ident", "act"), pickers(), ids=lambda v: v if isinstance(v, str) else ""
)
def test_each_choice_title_reaches_the_branch_of_its_number(
    flow: str, lang: str, ident: str, act: dict[str, Any]
) -> None:
    # Given the picker a chat customer is shown
    shown = picker.parse(resolve(flow, lang, act))
    targets = []
    for title, hint in zip(shown.choices, shown.hints, strict=True):
        # When the customer taps a choice (its title is sent) / Then a menu branch is taken
        by_title = branch(flow, act, title)
        assert by_title is not None, (flow, lang, title)
        # And typing the number the choice shows takes the same branch
        number = re.findall(r"(?:type|escriba) (\d)", hint)[-1]
        assert branch(flow, act, number) == by_title, (flow, lang, title, number)
        targets.append(by_title)
    # And no two choices lead to the same place
    assert len(set(targets)) == len(targets)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "not json",
        json.dumps({"templateType": "TimePicker", "version": "1.0", "data": {}}),
        json.dumps(
            {
                "templateType": "ListPicker",
                "version": "1.0",
                "data": {"content": {"elements": [{"title": "a"}]}},
            }
        ),
        json.dumps(
            {
                "templateType": "ListPicker",
                "version": "1.0",
                "data": {"content": {"title": "t", "elements": [{"title": str(i)} for i in range(7)]}},
            }
        ),
        json.dumps(
            {
                "templateType": "ListPicker",
                "version": "1.0",
                "data": {"content": {"title": "t", "elements": [{"title": "a"}, {"title": "A"}]}},
            }
        ),
    ],
)
def test_what_is_not_a_list_picker_template_is_refused(text: str) -> None:
    with pytest.raises(picker.PickerError):
        picker.parse(text)
