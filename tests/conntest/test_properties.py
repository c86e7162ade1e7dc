"""Properties of the parser: any JSON gives a case or a CaseError (never another exception), and the
canonical form we deploy reads back as the same case."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from civicline.conntest import CaseError, parse_case
from civicline.conntest.emit import content
from civicline.conntest.parser import parse_document
from tests.conntest.builders import (
    check,
    dtmf,
    end_test,
    event,
    message,
    mock_error,
    mock_hours,
    mock_lambda,
    observation,
    sequence,
    started,
)

KEYS = ["Version", "Observations", "Identifier", "Event", "Type", "Actions", "Properties", "Text", "Usage",
        "Times", "Transitions", "NextObservations", "Parameters", "Content", "Name", "Namespace", "Operator",
        "MessageReceived", "TestInitiated", "Assert", "SendInstruction"]  # fmt: skip
scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.sampled_from(KEYS)
)
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.sampled_from(KEYS), inner, max_size=5),
    max_leaves=25,
)


@settings(max_examples=300)
@given(json_values)
def test_any_json_is_a_case_or_a_case_error(data: Any) -> None:
    problem: CaseError | None = None
    try:
        parse_case(data)
    except CaseError as error:
        problem = error
    assert problem is None or (problem.reason and problem.path.startswith("$"))


EVENTS = [
    event("TestInitiated"),
    message("press 1"),
    message("Press one for English", "Similarity"),
    started("InvokeLambdaFunction", LambdaFunctionARN="%LAMBDA_ROUTING%"),
    started("TransferContactToQueue"),
]
ACTIONS = [
    dtmf("1"),
    dtmf("12345678#"),
    mock_lambda("%LAMBDA_CASE_STATUS%", {"result": "FOUND"}, delay=2),
    mock_error("DequeueAndTransferToQueue", {"QueueId": "%QUEUE_OPERATOR%"}, "QueueAtCapacity"),
    mock_hours("OutOfHours"),
    check("$.Attributes.intent", "Equals", "TIER2"),
    check("$.Queue.Name", "Exists"),
    end_test(),
]
USAGES = [
    {},
    {"Type": "AtLeast", "Times": 2},
    {"Type": "AtMost", "Times": 0},
    {"Type": "Always"},
    {"Type": "EXACTLY"},
]


@st.composite
def documents(draw: st.DrawFn) -> dict[str, Any]:
    count = draw(st.integers(min_value=1, max_value=5))
    items = []
    for index in range(count):
        actions = draw(st.lists(st.sampled_from(ACTIONS), max_size=3))
        usage = draw(st.sampled_from(USAGES))
        items.append(observation(f"o{index}", draw(st.sampled_from(EVENTS)), actions, **usage))
    return sequence(*items)


@given(documents())
def test_the_deployed_form_reads_back_as_the_same_case(document: dict[str, Any]) -> None:
    parsed = parse_document(document)
    again = parse_document(json.loads(content(parsed)))
    assert again.observations == parsed.observations
    assert content(again) == content(parsed)
