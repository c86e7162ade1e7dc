"""Core transition semantics of the interpreter (reference 1.8) on small hand-written flows."""

from __future__ import annotations

from collections.abc import Callable

from civicline.engine import CallerScript, Engine
from tests.engine.conftest import act, doc, library_of

HANGUP = act("hangup", "DisconnectParticipant")


def test_menu_branch_and_prompt_interpolation(make_engine: Callable[..., Engine]) -> None:
    # Given a menu that sets an attribute and speaks it back
    flow = doc(
        act(
            "set",
            "UpdateContactAttributes",
            {"Attributes": {"name": "Ana"}},
            nxt="menu",
            errors={"NoMatchingError": "hangup"},
        ),
        act(
            "menu",
            "GetParticipantInput",
            {"Text": "Hello $.Attributes.name. Press 1.", "StoreInput": "False"},
            nxt="hangup",
            errors={
                "InputTimeLimitExceeded": "bye",
                "NoMatchingCondition": "hangup",
                "NoMatchingError": "hangup",
            },
            conditions=[("Equals", "1", "one")],
        ),
        act("one", "MessageParticipant", {"Text": "You pressed one."}, nxt="hangup"),
        act("bye", "MessageParticipant", {"Text": "Goodbye."}, nxt="hangup"),
        HANGUP,
    )
    engine = make_engine(library_of(main=flow))
    # When the caller presses 1
    result = engine.run_contact("main", CallerScript(["1"]))
    # Then the path, prompts and ending follow the menu branch
    assert result.path == ["set", "menu", "one", "hangup"]
    assert result.prompts == ["Hello Ana. Press 1.", "You pressed one."]
    assert result.ended["how"] == "DISCONNECT"
    # When the caller presses nothing, the timeout branch is taken
    timeout = engine.run_contact("main", CallerScript([]))
    assert timeout.path == ["set", "menu", "bye", "hangup"]
    data = timeout.to_json()
    assert set(data) >= {
        "contact_id",
        "path",
        "prompts",
        "inputs",
        "lambda_calls",
        "attributes",
        "ended",
        "flows",
        "events",
    }
