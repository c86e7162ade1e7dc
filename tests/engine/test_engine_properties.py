"""Property tests for the engine's parsers and rules (hypothesis)."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from civicline.engine import CallerScript, Engine, FlowLibrary, StaticCenter
from civicline.engine.actions import SPECS
from civicline.engine.actions.lex import Intent, LexBot
from civicline.engine.actions.participant import gathered_digits
from civicline.engine.conditions import as_number, evaluate
from civicline.engine.library import PREFERENCE, inferred_type
from civicline.engine.references import interpolate, path_segments, resolve_value
from schemas.flow_language import FlowCondition, FlowDocument
from tests.conftest import conformance_files, load_json

KEYS = st.sampled_from("0123456789*#")
entries = st.text(alphabet="0123456789*#", max_size=30)
terminators = st.text(alphabet="0123456789*#", min_size=1, max_size=5)


@given(entries, terminators, st.booleans(), st.none() | st.integers(min_value=1, max_value=20))
def test_gathered_digits_stop_at_the_terminator_and_respect_cancel(
    entry: str, terminator: str, disable_cancel: bool, limit: int | None
) -> None:
    config = {"InputTerminationSequence": terminator, "DisableCancelKey": str(disable_cancel)}
    digits = gathered_digits(entry, config, limit)
    # what is kept was keyed, in order, without a break (a cancel starts a fresh run)
    assert digits in entry
    if limit is not None:
        assert len(digits) <= limit
    if not disable_cancel and "*" not in terminator:
        assert "*" not in digits
    # the terminator never ends up in the value
    assert not digits.endswith(terminator) or digits == ""


@given(st.text(alphabet=st.characters(blacklist_characters="'][", blacklist_categories=("Cs",)), min_size=1))
def test_bracket_references_read_any_key(key: str) -> None:
    data = {"Attributes": {key: "value", "other": "x"}}
    reference = f"$.Attributes.['{key}']"
    assert path_segments(reference) == ["Attributes", key]
    assert resolve_value(reference, data) == "value"
    assert interpolate(f"say {reference} now", data) == "say value now"


@given(
    st.dictionaries(st.text(min_size=1, max_size=8), st.text(max_size=8), min_size=1), st.text(max_size=20)
)
def test_a_whole_map_is_never_rendered(attributes: dict[str, str], text: str) -> None:
    rendered = interpolate(f"{text} $.Attributes {text}", {"Attributes": attributes})
    assert json.dumps(attributes) not in rendered


decimals = st.decimals(allow_nan=False, allow_infinity=False, places=3, min_value=-(10**6), max_value=10**6)


@given(decimals, st.sampled_from(["", " ", "  "]))
def test_numbers_are_plain_decimals_read_after_trimming(value: Decimal, pad: str) -> None:
    text = f"{pad}{value:f}{pad}"
    assert as_number(text) == value
    assert as_number(f"{value:f}e1") is None


@given(decimals, decimals)
def test_number_operators_are_consistent(a: Decimal, b: Decimal) -> None:
    def holds(op: str) -> bool:
        return evaluate(FlowCondition(Operator=op, Operands=[f"{b:f}"]), f"{a:f}")

    assert holds("NumberLessThan") == (not holds("NumberGreaterOrEqualTo"))
    assert holds("NumberGreaterThan") == (not holds("NumberLessOrEqualTo"))
    assert holds("NumberLessThan") == (a < b)


action_types = st.lists(st.sampled_from(sorted(t for t, s in SPECS.items() if s.implemented)), max_size=6)


@given(action_types)
def test_an_inferred_flow_type_allows_every_action_of_the_flow(types: list[str]) -> None:
    document = FlowDocument.model_validate(
        {
            "Version": "2019-10-30",
            "StartAction": "a0",
            "Actions": [
                {"Identifier": f"a{i}", "Type": t, "Transitions": {}}
                for i, t in enumerate(types or ["Compare"])
            ],
        }
    )
    flow_type, source = inferred_type("probe", document)
    assert flow_type in PREFERENCE
    if not source.startswith("default (its actions fit no single"):
        assert all(SPECS[t].allowed_in(flow_type) for t in types)


@given(
    st.lists(st.text(alphabet="abcdefgh", min_size=1, max_size=6), min_size=1, max_size=5, unique=True),
    st.data(),
)
def test_lex_dtmf_picks_its_intent(names: list[str], data: st.DataObject) -> None:
    bot = LexBot("b", tuple(Intent(n, (), (str(i),)) for i, n in enumerate(names, start=1)))
    index = data.draw(st.integers(min_value=1, max_value=len(names)))
    assert bot.recognize(str(index)).intent == names[index - 1]
    assert bot.recognize("zzz-no-intent").intent == "FallbackIntent"


NEW_FORMAT = [p for p in conformance_files("flows") if "modules" not in load_json(p)]


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(NEW_FORMAT), st.lists(st.sampled_from(["1", "2", "5555550123", "_"]), max_size=5))
def test_a_disconnect_flow_without_participant_never_speaks_or_listens(path: Path, dtmf: list[str]) -> None:
    # flow-language-concepts: flows with no participant attempt no participant action
    engine = Engine(FlowLibrary(), center=StaticCenter(), max_steps=200)
    result = engine.run_contact(
        path, CallerScript(dtmf), initiation_method="DISCONNECT", disconnect_reason="CUSTOMER_DISCONNECT"
    )
    assert result.prompts == []
    assert result.inputs == []
    # the contact's life cycle was already reported (attribute updates may still be)
    assert {e["eventType"] for e in result.events} <= {"CONTACT_DATA_UPDATED"}
