"""Another office on CHAT: a chat cannot be transferred to a phone line (TransferParticipantToThirdParty
takes the error branch on chat, block-support-by-channel.html), so the office's number and hours
are given as text and the customer chooses what comes next; `civicline call` end to end on the real
flows and the real routing function."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from civicline.cli import app
from functions.domain.routing import hours_text
from schemas.records import OfficeEntry, OfficeHours

DAYS = ("MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY")


def chat(*typed: str) -> Any:
    args = ["call", "--json", "--channel", "chat"]
    for text in typed:
        args += ["--say", text]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def office(hours: list[OfficeHours]) -> OfficeEntry:
    return OfficeEntry(office_id="x", name_en="X", name_es="X", phone="+12025550100", hours=hours)


def test_the_office_number_and_hours_are_given_as_text_and_an_agent_follows() -> None:
    # Given a chat customer asking for the vehicles office (one reached by phone)
    transcript = chat("English", "office", "1", "agent")
    # Then nothing tries to transfer the chat to a phone number
    assert "redirect-transfer" not in transcript["path"]
    assert transcript["ended"]["how"] == "QUEUE"
    assert transcript["ended"]["queue"] == "operator"
    # And the customer read the office's number and its hours, then the choices to continue
    text = " ".join(transcript["prompts"])
    assert "Department of Motor Vehicles: +12025550151" in text
    assert "Opening hours: Monday to Saturday 08:00-17:00" in text
    assert "To go back to the main menu, type 1" in text


def test_back_to_the_main_menu_after_the_office_number() -> None:
    transcript = chat("English", "office", "4", "1", "status")
    # Then the main menu is shown again and the next choice is taken from it
    assert transcript["path"].count("main-menu-chat") == 2
    assert transcript["flows"][-1] == "case-status"


def test_no_usable_choice_after_the_office_number_ends_with_a_goodbye() -> None:
    # Given a customer who types something else twice (an unknown choice, then an empty message)
    transcript = chat("English", "office", "2", "thanks a lot", "")
    # Then the chat says goodbye and ends: served by the number, never an error
    assert transcript["ended"]["how"] == "DISCONNECT"
    assert transcript["prompts"][-1] == "Thank you for contacting CivicLine. Goodbye."
    assert "thanks a lot" in transcript["unmatched"]


def test_spanish_office_hours() -> None:
    transcript = chat("español", "oficina", "1", "agente")
    text = " ".join(transcript["prompts"])
    assert "Horario de atención: lunes a sábado 08:00-17:00" in text
    assert transcript["ended"]["how"] == "QUEUE"


def test_hours_text_groups_consecutive_days_with_the_same_hours() -> None:
    week = [OfficeHours(day=d, start="08:00", end="17:00") for d in DAYS[:5]]
    assert hours_text(office(week), "en") == "Monday to Friday 08:00-17:00"
    split = [*week[:2], OfficeHours(day="WEDNESDAY", start="10:00", end="12:00"), *week[3:]]
    assert hours_text(office(split), "en") == (
        "Monday to Tuesday 08:00-17:00; Wednesday 10:00-12:00; Thursday to Friday 08:00-17:00"
    )
    assert hours_text(office([]), "es") == "sin horario publicado"


@given(st.dictionaries(st.sampled_from(DAYS), st.sampled_from([("08:00", "17:00"), ("09:00", "13:00")])))
def test_hours_text_names_every_open_day_once(spans: dict[str, tuple[str, str]]) -> None:
    # Given any set of open days / Then each open day is named once (alone or in a range) and
    # every listed span is one of the office's
    hours = [OfficeHours(day=d, start=s, end=e) for d, (s, e) in spans.items()]  # type: ignore[arg-type]
    text = hours_text(office(hours), "en")
    if not spans:
        assert text == "no published hours"
        return
    named: list[str] = []
    for part in text.split("; "):
        days, span = part.rsplit(" ", 1)
        first, _, last = days.partition(" to ")
        start = DAYS.index(first.upper())
        end = DAYS.index((last or first).upper())
        named += list(DAYS[start : end + 1])
        assert all(f"{spans[d][0]}-{spans[d][1]}" == span for d in DAYS[start : end + 1])
    assert sorted(named, key=DAYS.index) == sorted(spans, key=DAYS.index)
