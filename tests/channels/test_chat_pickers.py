"""List pickers on CHAT through `civicline call --channel chat --json`: the picker's title and choices
are in the transcript, and `--say` selects a choice by its title (what the widget sends when the
choice is tapped) or by the number shown beside it; typed words still work."""

from __future__ import annotations

import json
from typing import Any

from typer.testing import CliRunner

from civicline.cli import app


def chat(*typed: str) -> Any:
    args = ["call", "--json", "--channel", "chat"] + [a for text in typed for a in ("--say", text)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_the_main_menu_is_a_list_picker_in_the_json() -> None:
    transcript = chat("English")
    language, main = transcript["pickers"][:2]
    assert language["action"] == "language-menu-chat"
    assert [c["title"] for c in language["choices"]] == ["English", "Español", "Agent / Agente"]
    assert main["action"] == "main-menu-chat" and main["title"] == "How can we help?"
    assert [c["title"] for c in main["choices"]] == [
        "General questions",
        "Status of my case",
        "Another office or agency",
        "File an appeal",
        "Report identity theft",
        "Complex question",
    ]
    assert [c["number"] for c in main["choices"]] == [1, 2, 3, 4, 5, 6]


def test_a_title_a_number_and_a_word_select_the_same_choice() -> None:
    by_title = chat("English", "Status of my case")
    by_number = chat("1", "2")
    by_word = chat("english", "status")
    assert (
        by_title["flows"][:2]
        == by_number["flows"][:2]
        == by_word["flows"][:2]
        == ["main-inbound", "case-status"]
    )
    assert by_title["inputs"][:2] == ["English", "Status of my case"]


def test_spanish_pickers_and_titles() -> None:
    transcript = chat("Español", "Otra oficina o agencia", "Pasaportes e inmigración", "Operador")
    titles = [p["title"] for p in transcript["pickers"]]
    assert titles[1:] == ["¿En qué le podemos ayudar?", "¿Qué oficina?"]
    assert "Puede comunicarse con" in " ".join(transcript["prompts"])


def test_an_unknown_choice_and_a_very_long_message_ask_again_then_an_agent() -> None:
    transcript = chat("English", "Tell me about the weather", "y" * 4000, "")
    assert transcript["unmatched"][:2] == ["Tell me about the weather", "y" * 4000]
    menus = [p for p in transcript["pickers"] if p["action"] == "main-menu-chat"]
    assert len(menus) == 3  # shown again each time
    assert transcript["ended"]["how"] == "QUEUE" and transcript["ended"]["queue"] == "operator"


def test_voice_calls_have_no_pickers() -> None:
    result = CliRunner().invoke(app, ["call", "--json", "--dtmf", "1 0"])
    assert json.loads(result.stdout)["pickers"] == []
