"""STRING_MAP responses: flat, strings only, under 32 KB."""

from __future__ import annotations

import json
from dataclasses import dataclass

import pytest
from hypothesis import given
from hypothesis import strategies as st

from schemas.string_map import MAX_RESPONSE_BYTES, StringMapError, string_map_size, to_string_map

scalars = st.one_of(
    st.text(max_size=50),
    st.integers(),
    st.booleans(),
    st.none(),
    st.floats(allow_nan=False, allow_infinity=False),
)


@given(st.dictionaries(st.text(min_size=1, max_size=20), scalars, max_size=20))
def test_flat_scalars_become_a_flat_map_of_strings(data) -> None:
    out = to_string_map(data)
    assert all(isinstance(k, str) and isinstance(v, str) for k, v in out.items())
    assert set(out) == {k for k, v in data.items() if v is not None}
    # and it survives the JSON round trip Connect applies
    assert json.loads(json.dumps(out)) == out


@given(
    st.dictionaries(st.text(min_size=1, max_size=10), scalars, max_size=5),
    st.text(min_size=1, max_size=10),
    st.one_of(st.dictionaries(st.text(max_size=3), scalars, max_size=2), st.lists(scalars, max_size=3)),
)
def test_any_nested_value_is_refused(data, key, nested) -> None:
    data = {**data, key: nested}
    with pytest.raises(StringMapError, match="nested"):
        to_string_map(data)


def test_booleans_are_lower_case_words() -> None:
    assert to_string_map({"open": True, "closed": False}) == {"open": "true", "closed": "false"}


def test_a_response_of_32_kb_or_more_is_refused() -> None:
    with pytest.raises(StringMapError, match="32 KB"):
        to_string_map({"answer": "x" * MAX_RESPONSE_BYTES})


@given(st.integers(min_value=0, max_value=40_000))
def test_size_limit_is_exact(n) -> None:
    data = {"a": "x" * n}
    size = string_map_size({"a": "x" * n})
    if size < MAX_RESPONSE_BYTES:
        assert to_string_map(data) == data
    else:
        with pytest.raises(StringMapError):
            to_string_map(data)


def test_response_contracts_are_flattened_without_none() -> None:
    @dataclass
    class Reply:
        result: str
        dueDate: str | None = None

    assert to_string_map(Reply(result="FOUND")) == {"result": "FOUND"}


def test_anything_else_is_refused() -> None:
    # Given an object that is neither a response contract nor a mapping / Then it is refused, named
    with pytest.raises(StringMapError, match="not a response contract"):
        to_string_map(object())
