"""The contract codec agrees with pydantic on every dataclass contract, and fails clearly.

The functions validate with :mod:`schemas.codec` (no pydantic on the caller's path); the command line,
the JSON Schema files and these tests use pydantic's ``TypeAdapter`` on the same dataclasses. The
property tests generate JSON-shaped input, valid and broken (wrong types, bad patterns, out of range,
missing and unknown fields), and check that both validators accept and refuse the same input and,
when they accept, produce the same JSON.
"""

from __future__ import annotations

import dataclasses
import typing
from datetime import UTC, date, datetime, timedelta
from enum import Enum
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import TypeAdapter, ValidationError

from functions.core.settings import Settings
from schemas import codec, connect_lambda, generate, records
from schemas.constraints import Length, Pattern, Range
from schemas.functions import CONTRACTS, parse_parameters

#: every published contract that is a dataclass (records, function contracts, the Connect event),
#: and the settings, which the codec reads from the environment
CONTRACT_TYPES: list[type[Any]] = [
    *(model for model in generate.models().values() if dataclasses.is_dataclass(model)),
    Settings,
]

junk = st.one_of(st.none(), st.integers(-2, 2), st.text(max_size=4), st.booleans(), st.just([]))


def _text(meta: list[Any]) -> st.SearchStrategy[Any]:
    pattern = next((m.regex for m in meta if isinstance(m, Pattern)), None)
    if pattern is not None:
        return st.one_of(st.from_regex(pattern, fullmatch=True), st.text(max_size=10))
    length = next((m for m in meta if isinstance(m, Length)), None)
    if length is not None:
        low, high = length.min or 0, length.max or 40
        return st.text(min_size=max(0, low - 2), max_size=min(high + 2, 60))
    return st.text(max_size=12)


def _number(meta: list[Any], kind: type) -> st.SearchStrategy[Any]:
    bounds = next((m for m in meta if isinstance(m, Range)), Range())
    low = int(bounds.ge if bounds.ge is not None else (bounds.gt if bounds.gt is not None else -5)) - 2
    high = int(bounds.le if bounds.le is not None else low + 20) + 2
    ints = st.integers(low, high)
    if kind is float:
        return st.one_of(ints, st.floats(low, high, allow_nan=False), ints.map(str))
    return st.one_of(ints, ints.map(str), ints.map(float), st.floats(0.1, 0.9))


def values(hint: Any, meta: list[Any] | None = None) -> st.SearchStrategy[Any]:
    """JSON-shaped values for a type: mostly valid, sometimes broken."""
    meta = meta or []
    origin = typing.get_origin(hint)
    if origin is typing.Annotated:
        base, *more = typing.get_args(hint)
        return values(base, [*meta, *more])
    if hint is Any:
        return st.one_of(st.text(max_size=4), st.integers(), st.dictionaries(st.text(max_size=3), st.none()))
    if origin is typing.Literal:
        return st.one_of(st.sampled_from(typing.get_args(hint)), st.just("zz"))
    if origin in (typing.Union, __import__("types").UnionType):
        return st.one_of(*(values(arg, meta) for arg in typing.get_args(hint)))
    if hint is type(None):
        return st.none()
    if origin in (list, tuple):
        return st.lists(values(typing.get_args(hint)[0]), max_size=3)
    if origin is dict:
        key, value = typing.get_args(hint)
        keys = values(key).filter(lambda k: not isinstance(k, list))
        return st.dictionaries(keys, values(value, meta), max_size=3)
    if dataclasses.is_dataclass(hint):
        return objects(typing.cast(type, hint))
    if isinstance(hint, type) and issubclass(hint, Enum):
        return st.one_of(st.sampled_from([e.value for e in hint]), st.just("BOGUS"))
    strategies: dict[Any, st.SearchStrategy[Any]] = {
        str: _text(meta),
        int: _number(meta, int),
        float: _number(meta, float),
        bool: st.one_of(st.booleans(), st.sampled_from(["true", "false", "yes", "off", "maybe", 0, 1, 2])),
        date: st.one_of(st.dates().map(date.isoformat), st.just("2026-02-30"), st.just("soon")),
        datetime: st.one_of(
            st.datetimes(timezones=st.just(UTC)).map(lambda d: d.isoformat().replace("+00:00", "Z")),
            st.datetimes().map(datetime.isoformat),
            st.just("yesterday"),
        ),
    }
    return st.one_of(strategies[hint], junk)


@st.composite
def objects(draw: st.DrawFn, cls: type) -> dict[str, Any]:
    hints = typing.get_type_hints(cls, include_extras=True)
    data: dict[str, Any] = {}
    for name, spec in codec.fields_of(cls).items():
        if spec.required and draw(st.integers(0, 19)) == 0:
            continue  # sometimes a required field is missing
        if spec.required or draw(st.booleans()):
            data[name] = draw(values(hints[name]))
    if draw(st.integers(0, 9)) == 0:
        data["unexpected"] = draw(junk)
    return data


def _pydantic(cls: type[Any], data: Any) -> Any:
    adapter = TypeAdapter(cls)
    try:
        return adapter.dump_python(adapter.validate_python(data), mode="json")
    except ValidationError:
        return "refused"


def _ours(cls: type[Any], data: Any) -> Any:
    try:
        return codec.dump(codec.load(cls, data))
    except codec.ContractError:
        return "refused"


@pytest.mark.parametrize("cls", CONTRACT_TYPES, ids=lambda c: c.__name__)
def test_codec_and_pydantic_agree(cls: type[Any]) -> None:
    # Given JSON-shaped input for a contract, valid or broken in any field
    @settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(data=objects(cls))
    def check(data: dict[str, Any]) -> None:
        # When both validators read it / Then they accept and refuse alike, and dump the same JSON
        assert _ours(cls, data) == _pydantic(cls, data)

    check()


@pytest.mark.parametrize("cls", CONTRACT_TYPES, ids=lambda c: c.__name__)
def test_valid_input_round_trips(cls: type[Any]) -> None:
    # Given input the contract accepts / Then dumping and loading again gives the same record
    @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(data=objects(cls))
    def check(data: dict[str, Any]) -> None:
        try:
            first = codec.load(cls, data)
        except codec.ContractError:
            return
        assert codec.load(cls, codec.dump(first)) == first

    check()


@dataclasses.dataclass
class Scalars:
    i: int | None = None
    f: float | None = None
    b: bool | None = None
    d: date | None = None
    t: datetime | None = None


EDGES = {
    "i": [" 5", "+5", "05", "5.0", "5.", "5.5", "1_000", "1e3", "", 5.0, 5.5, True, float("inf")],
    "f": [" 5", "1e3", "inf", "1_0", "", True, "5."],
    "b": ["True", "on", "Y", "yes ", " no", 2, 1.0, 0.0, "T", ""],
    "d": ["2026-01-02", "2026-1-2", "20260102", "2026-01-02T00:00:00", "2026-01-02T00:00:01", "2026-01-02 "],
    "t": ["2026-01-02T10:00", "2026-01-02T10:00:00+0100", "2026-01-02", "2026-01-02 10:00", "10:00"],
}


@pytest.mark.parametrize(("name", "value"), [(n, v) for n, vs in EDGES.items() for v in vs], ids=repr)
def test_scalar_edge_cases_read_as_pydantic_reads_them(name: str, value: Any) -> None:
    assert _ours(Scalars, {name: value}) == _pydantic(Scalars, {name: value})


@pytest.mark.parametrize("value", [1700000000, "2026-01-02t10:00:00z", "2026-01-02T10:00:00.1234567Z"])
def test_rare_datetime_forms_are_refused_where_pydantic_is_laxer(value: Any) -> None:
    assert _pydantic(Scalars, {"t": value}) != "refused"
    assert _ours(Scalars, {"t": value}) == "refused"


def test_errors_name_fields_and_kinds_never_values() -> None:
    # Given a case record with a bad number, a missing field and an unknown one
    secret = "4321"
    data = {
        "case_number": secret,
        "pin_hash": "x" * 16,
        "status": "RECEIVED",
        "office_id": "o",
        "pin": secret,
    }
    # When it is loaded / Then each problem is named by path and kind, and the value never appears
    with pytest.raises(codec.ContractError) as caught:
        codec.load(records.Case, data)
    assert caught.value.fields() == [
        "case_number:string_pattern_mismatch",
        "category:missing",
        "opened_on:missing",
        "pin:extra_forbidden",
    ]
    assert secret not in str(caught.value)


def test_nested_errors_carry_their_path() -> None:
    office = {"office_id": "o", "name_en": "A", "name_es": "A", "phone": "+12025550100"}
    data = {**office, "hours": [{"day": "X"}]}
    with pytest.raises(codec.ContractError) as caught:
        codec.load(records.OfficeEntry, data)
    assert caught.value.fields() == [
        "hours.0.day:literal_error",
        "hours.0.start:missing",
        "hours.0.end:missing",
    ]


def test_post_init_checks_keep_their_message() -> None:
    # Given a Connect event whose attributes exceed 32 KB / Then the refusal says why, without the value
    event = {"Details": {"ContactData": {"ContactId": "c", "Attributes": {"a": "x" * 40_000}}}}
    with pytest.raises(codec.ContractError, match="32 KB"):
        connect_lambda.parse_event(event)


def test_parameters_are_stripped_and_language_tags_reduced() -> None:
    # Given flow parameters with padding and a locale tag / Then text is trimmed, the tag reduced
    routing = CONTRACTS["routing"][0]
    params = parse_parameters(routing, {"action": "route", "intent": " X ", "language": "es_US"})
    assert (params.intent, params.language) == ("X", "es")  # type: ignore[attr-defined]
    # and a menu choice (a literal) must be exact, under both validators
    with pytest.raises(codec.ContractError, match="action:literal_error"):
        parse_parameters(CONTRACTS["routing"][0], {"action": " route "})


def test_utc_datetimes_are_dumped_as_pydantic_does() -> None:
    at = datetime(2026, 11, 23, 14, 15, tzinfo=UTC)
    assert codec.dump(at) == "2026-11-23T14:15:00Z"
    assert codec.dump(at + timedelta(microseconds=5)) == "2026-11-23T14:15:00.000005Z"
    assert codec.dump(datetime(2026, 1, 1, 9)) == "2026-01-01T09:00:00"


def test_unsupported_types_are_reported_when_first_used() -> None:
    @dataclasses.dataclass
    class Odd:
        value: complex

    with pytest.raises(TypeError, match="does not support"):
        codec.load(Odd, {"value": 1})


def test_a_non_mapping_is_refused() -> None:
    with pytest.raises(codec.ContractError, match="dataclass_type"):
        codec.load(records.Case, ["not", "a", "mapping"])
