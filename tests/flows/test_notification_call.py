"""The notification-call flow: what runs when the notifier's outbound call is answered.

The notifier passes only the new status code and the language (``functions.adapters.
notification_channels.send_call``); the flow says the status, offers to repeat it or an agent, and
hangs up. No path ends without a spoken message.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from civicline.engine import CallResult
from functions.domain.case_status import status_text
from schemas.records import CaseStatus
from tests.flows.conftest import Caller

FLOW = "notification-call"


def _answer(call: Caller, dtmf: list[str], **attributes: str) -> CallResult:
    return call(FLOW, dtmf, attributes=attributes, initiation_method="OUTBOUND")


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize("status", list(CaseStatus))
def test_the_new_status_is_said_in_the_callees_language(
    call: Caller, language: str, status: CaseStatus
) -> None:
    # Given the attributes the notifier sets (status code and language only)
    # When the callee answers and then hangs up at the menu (no key)
    result = _answer(call, [], status=status.value, language=language)
    # Then they hear the status in their language, in that language's voice, and a goodbye
    assert any(status_text(status, language) in prompt for prompt in result.prompts)
    assert f"voice-{language}" in result.path
    assert result.path[-2:] == ["goodbye", "hangup"]
    assert result.ended["how"] == "DISCONNECT"


def test_a_missing_language_is_spoken_in_english(call: Caller) -> None:
    result = _answer(call, [], status="DECIDED")
    assert "voice-en" in result.path
    assert any("decided" in prompt for prompt in result.prompts)


def test_press_1_repeats_the_status_at_most_twice(call: Caller) -> None:
    # Given a callee who keeps pressing 1
    result = _answer(call, ["1", "1", "1", "1"], status="IN_REVIEW", language="en")
    # Then the status is said three times in all (once, then two repeats) and the call ends politely
    said = [p for p in result.prompts if "being reviewed" in p]
    assert len(said) == 3
    assert result.path[-2:] == ["goodbye", "hangup"]


def test_press_0_reaches_an_agent_with_the_three_hooks(call: Caller) -> None:
    result = _answer(call, ["0"], status="WAITING_FOR_CALLER", language="es")
    assert result.ended["how"] == "QUEUE"
    assert result.ended["queue"] == "general"
    assert {"hook-queue", "hook-whisper", "hook-survey"} <= set(result.path)


@pytest.mark.parametrize("language", ["en", "es"])
def test_an_unknown_status_ends_with_an_apology_not_silence(call: Caller, language: str) -> None:
    # Given a status the flow has no text for (a newer status than the flow knows)
    result = _answer(call, [], status="ARCHIVED", language=language)
    # Then the callee hears an apology in their language, then the call ends
    assert result.path[-2:] == ["sorry", "hangup"]
    assert result.prompts[-1].startswith("We are sorry" if language == "en" else "Lo sentimos")
    assert result.ended["how"] == "DISCONNECT"


def test_a_full_queue_ends_with_an_apology(call: Caller) -> None:
    result = call(FLOW, ["0"], attributes={"status": "CLOSED", "language": "en"}, full=["general"])
    assert result.path[-2:] == ["sorry", "hangup"]
    assert result.ended["how"] == "DISCONNECT"


def test_the_flow_reads_no_personal_data() -> None:
    # Given the flow document / Then it reads only the status and language attributes
    import json
    import re

    from tests.flows.conftest import FLOWS_DIR

    text = (FLOWS_DIR / f"{FLOW}.json").read_text()
    assert set(re.findall(r"\$\.Attributes\.(\w+)", text)) == {"status", "language", "reminderDays"}
    assert "InvokeLambdaFunction" not in {a["Type"] for a in json.loads(text)["Actions"]}


KEYS = st.lists(st.sampled_from(["", "0", "1", "2", "9", "*", "#"]), max_size=6)
STATUSES = st.one_of(st.sampled_from([s.value for s in CaseStatus]), st.text(max_size=12))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(keys=KEYS, status=STATUSES, language=st.sampled_from(["en", "es", "", "fr"]))
def test_no_callee_is_dropped_whatever_they_press(
    call: Caller, keys: list[str], status: str, language: str
) -> None:
    # Given any answered notification call and any keys pressed
    result = _answer(call, keys, status=status, language=language)
    # Then it ends in a queue for an agent, or with a spoken message right before the hang-up
    assert result.ended["how"] in {"QUEUE", "DISCONNECT"}
    if result.ended["how"] == "DISCONNECT":
        assert result.path[-1] == "hangup"
        assert result.path[-2] in {"goodbye", "sorry", "sorry-any"}
