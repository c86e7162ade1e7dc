"""The Flow-language document model: tolerant of real exports, faithful on round trip."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from schemas.flow_language import OPERATORS, FlowDocument
from tests.conftest import conformance_files, load_json

NEW_FORMAT = [p for p in conformance_files("flows") if "modules" not in load_json(p)]


def test_minimal_document_parses_with_defaults() -> None:
    # Given an export that omits Parameters, Errors and Conditions
    data = {
        "Version": "2019-10-30",
        "StartAction": "a",
        "Actions": [
            {"Identifier": "a", "Type": "TransferContactToQueue", "Transitions": {"NextAction": "b"}},
            {"Identifier": "b", "Type": "DisconnectParticipant", "Parameters": None, "Transitions": {}},
        ],
    }
    # When it is parsed
    doc = FlowDocument.model_validate(data)
    # Then the missing parts read as empty
    first, second = doc.Actions
    assert first.Parameters == {}
    assert first.Transitions.Errors == []
    assert first.Transitions.Conditions == []
    assert second.Parameters == {}
    assert second.Transitions.NextAction is None
    assert doc.Metadata == {}
    assert not doc.is_module


def test_targets_lists_every_branch_in_order() -> None:
    # Given an action with a default, an error and a condition branch
    doc = FlowDocument.model_validate(
        {
            "Version": "2019-10-30",
            "StartAction": "m",
            "Actions": [
                {
                    "Identifier": "m",
                    "Type": "GetParticipantInput",
                    "Parameters": {"Text": "x", "StoreInput": "False"},
                    "Transitions": {
                        "NextAction": "n",
                        "Errors": [{"ErrorType": "NoMatchingError", "NextAction": "e"}],
                        "Conditions": [
                            {"NextAction": "c", "Condition": {"Operator": "Equals", "Operands": ["1"]}}
                        ],
                    },
                }
            ],
        }
    )
    transitions = doc.Actions[0].Transitions
    # Then targets() gives next, errors, conditions; error_target finds by type
    assert [t for _, t in transitions.targets()] == ["n", "e", "c"]
    assert transitions.error_target("NoMatchingError") == "e"
    assert transitions.error_target("InputTimeLimitExceeded") is None


def test_missing_start_action_is_a_shape_error() -> None:
    # Given a document without StartAction, When parsed, Then pydantic refuses it
    with pytest.raises(ValidationError):
        FlowDocument.model_validate({"Version": "2019-10-30", "Actions": []})


def test_the_eight_operators() -> None:
    assert len(OPERATORS) == 8
    assert "NumericLessThan" not in OPERATORS  # the DistributeByPercentage page's typo


@pytest.mark.parametrize("path", NEW_FORMAT, ids=lambda p: p.stem[:60])
def test_every_new_format_conformance_flow_parses_and_round_trips(path: Path) -> None:
    # Given a real exported flow
    data = load_json(path)
    # When it is parsed and dumped again
    doc = FlowDocument.model_validate(data)
    dumped = doc.model_dump(mode="json", exclude_unset=True)
    # Then nothing is lost: the same actions, types and transitions, and designer metadata kept
    assert [a.Identifier for a in doc.Actions] == [a["Identifier"] for a in data["Actions"]]
    assert dumped["StartAction"] == data["StartAction"]
    assert dumped["Metadata"] == data["Metadata"]
    for original, again in zip(data["Actions"], dumped["Actions"], strict=True):
        assert again["Type"] == original["Type"]
        assert again.get("Parameters", {}) == original.get("Parameters", {})
        assert again["Transitions"] == original["Transitions"]


def test_there_are_28_new_format_files_and_2_old() -> None:
    assert len(NEW_FORMAT) == 28
    assert len(conformance_files("flows")) - len(NEW_FORMAT) == 2


identifiers = st.text(alphabet="abcdefghij-0123456789", min_size=1, max_size=12)


@settings(max_examples=60, deadline=None)
@given(st.lists(identifiers, min_size=1, max_size=8, unique=True), st.data())
def test_generated_documents_round_trip_through_json(names: list[str], data: st.DataObject) -> None:
    # Given a random (structurally valid) document
    actions = []
    for name in names:
        target = data.draw(st.sampled_from(names))
        actions.append(
            {
                "Identifier": name,
                "Type": data.draw(
                    st.sampled_from(["MessageParticipant", "Compare", "DisconnectParticipant"])
                ),
                "Parameters": {"Text": data.draw(st.text(max_size=20))},
                "Transitions": {
                    "NextAction": target,
                    "Errors": [{"ErrorType": "NoMatchingError", "NextAction": target}],
                    "Conditions": [
                        {
                            "NextAction": target,
                            "Condition": {
                                "Operator": data.draw(st.sampled_from(sorted(OPERATORS))),
                                "Operands": ["1"],
                            },
                        }
                    ],
                },
            }
        )
    document = {"Version": "2019-10-30", "StartAction": names[0], "Metadata": {"x": 1}, "Actions": actions}
    # When parsed and serialised, Then it is the same JSON
    parsed = FlowDocument.model_validate_json(json.dumps(document))
    assert json.loads(parsed.model_dump_json(exclude_unset=True)) == document
