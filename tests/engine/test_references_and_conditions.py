"""``$.`` references (reference 1.5/1.6) and the eight condition operators (reference 1.4)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from civicline.engine.contact import ContactState
from civicline.engine.interpreter import evaluate
from civicline.engine.references import interpolate, is_reference, references_in, resolve_value, strip_ssml
from schemas.flow_language import FlowCondition


@pytest.fixture
def data() -> dict[str, object]:
    contact = ContactState(caller_number="+15555550100", attributes={"name": "Ana", "tier": "gold"})
    contact.external = {"status": "OPEN", "nested": {"first": "Bo"}, "count": 3}
    contact.metrics = {"Queue": {"Size": "4"}}
    return contact.flow_data({"lang": "es"})


def test_single_path_resolves_whole_values(data: dict[str, object]) -> None:
    # Given whole-value JSONPaths, When resolved, Then the referenced values come back (not text)
    assert resolve_value("$.Attributes.tier", data) == "gold"
    assert resolve_value("$.External.count", data) == 3
    assert resolve_value("$.External.nested.first", data) == "Bo"
    assert resolve_value("$.CustomerEndpoint.Address", data) == "+15555550100"
    assert resolve_value("$['AwsRegion']", data) == "us-east-1"
    assert resolve_value("$.FlowAttributes.lang", data) == "es"
    # And missing paths are None, static values stay as they are
    assert resolve_value("$.Attributes.missing", data) is None
    assert resolve_value("$.Queue.Name", data) is None  # no working queue yet
    assert resolve_value("plain text", data) == "plain text"


def test_interpolation_in_free_text(data: dict[str, object]) -> None:
    # Given text with inline references, When interpolated, Then each is replaced, missing ones by ""
    text = "Hello $.Attributes.name, $.Metrics.Queue.Size callers wait. $.Attributes.nothing!"
    assert interpolate(text, data) == "Hello Ana, 4 callers wait. !"
    assert interpolate("Count: $.External.count.", data) == "Count: 3."
    # a reference to a whole map is never rendered (review E2: a prompt read out every attribute)
    assert interpolate("$.External.nested", data) == ""


def test_reference_detection() -> None:
    assert is_reference("$.External.x")
    assert is_reference("  $.Attributes.a-b ")
    assert not is_reference("queue-$.Attributes.x")
    assert not is_reference("${LambdaArn}")
    assert references_in({"a": ["x $.Attributes.b y", {"c": "$.External.d"}]}) == [
        "$.Attributes.b",
        "$.External.d",
    ]


def test_strip_ssml() -> None:
    assert strip_ssml('<speak>Hello <break time="1s"/> <emphasis>there</emphasis></speak>') == "Hello there"


def cond(op: str, operand: object) -> FlowCondition:
    return FlowCondition(Operator=op, Operands=[operand])


@pytest.mark.parametrize(
    ("op", "operand", "value", "expected"),
    [
        ("Equals", "1", "1", True),
        ("Equals", "gold", "Gold", False),  # exact, case-sensitive
        ("TextStartsWith", "ab", "abc", True),
        ("TextEndsWith", "bc", "abc", True),
        ("TextContains", "b", "abc", True),
        ("TextContains", "z", "abc", False),
        ("NumberGreaterThan", "0", "2", True),
        ("NumberGreaterThan", "0", "0", False),
        ("NumberGreaterOrEqualTo", "5", "5.0", True),
        ("NumberLessThan", "300000", "1000", True),
        ("NumberLessOrEqualTo", "3", " 3 ", True),
        ("NumberGreaterThan", "0", "abc", False),  # not numeric -> false
        ("NumberLessThan", "x", "1", False),
        ("NumberLessThan", "1", "", False),
        ("Equals", "", None, True),
        ("NotAnOperator", "1", "1", False),
    ],
)
def test_operators(op: str, operand: str, value: str | None, expected: bool) -> None:
    assert evaluate(cond(op, operand), value) is expected


numbers = st.decimals(allow_nan=False, allow_infinity=False, min_value=-(10**6), max_value=10**6, places=3)


@given(numbers, numbers)
def test_number_operators_agree_with_decimal_order(a: Decimal, b: Decimal) -> None:
    # Given two numbers as text, Then the Number* operators agree with numeric order
    value, operand = str(a), str(b)
    assert evaluate(cond("NumberGreaterThan", operand), value) is (a > b)
    assert evaluate(cond("NumberGreaterOrEqualTo", operand), value) is (a >= b)
    assert evaluate(cond("NumberLessThan", operand), value) is (a < b)
    assert evaluate(cond("NumberLessOrEqualTo", operand), value) is (a <= b)


@given(st.text(max_size=10), st.text(max_size=5))
def test_text_operators_agree_with_str(value: str, operand: str) -> None:
    assert evaluate(cond("Equals", operand), value) is (value == operand)
    assert evaluate(cond("TextContains", operand), value) is (operand in value)
    assert evaluate(cond("TextStartsWith", operand), value) is value.startswith(operand)
    assert evaluate(cond("TextEndsWith", operand), value) is value.endswith(operand)
