"""Validate plain data into the dataclass contracts, and dump them back, without pydantic.

Why this exists: pydantic's import alone costs about a quarter of the cold-start floor of a Connect-
facing function (benchmarks/bench_handlers.py), more than the whole budget. The contracts are standard
dataclasses (see :mod:`schemas.constraints`); this module is their validator on the functions' path.
pydantic stays the reference: ``tests/unit/test_codec.py`` checks with hypothesis that both accept
and reject the same inputs and produce the same values and the same JSON.

What it accepts is pydantic's lax mode for JSON-shaped input, for the types the contracts use:
``str``, ``int``, ``float``, ``bool``, ``date``, ``datetime``, string enums, ``Literal``, ``X | None``
and other unions, ``list``, ``tuple[X, ...]``, ``dict``, ``Any`` and nested dataclasses, with the
markers of :mod:`schemas.constraints`. A class's ``__pydantic_config__`` is honoured for ``extra``
(``forbid``, else ignored) and ``str_strip_whitespace``. ``__post_init__`` runs, so cross-field checks
written there apply under both validators; its ``ValueError`` becomes a ``value_error`` carrying its
message, so such messages must name sizes or rules, never the value.

It is stricter than pydantic in a few rare forms no contract receives: datetimes given as numbers, a
lower-case ``t`` or ``z``, or more than six fraction digits are refused.

Errors name the field and the kind of problem, never the value (values may be personal data).
"""

from __future__ import annotations

import dataclasses
import re
import types
import typing
from collections.abc import Callable, Mapping
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from functools import cache
from typing import Any, TypeVar

from schemas.constraints import Length, Pattern, Range

T = TypeVar("T")
Loc = tuple[str | int, ...]
Convert = Callable[[Any, Loc], Any]

_MISSING = dataclasses.MISSING
#: Unicode White_Space, what pydantic's ``str_strip_whitespace`` trims (``str.strip()`` also trims
#: the ASCII separators U+001C-U+001F)
_WHITESPACE = (
    "\t\n\x0b\x0c\r \x85\xa0\u1680"
    + "".join(map(chr, range(0x2000, 0x200B)))
    + "\u2028\u2029\u202f\u205f\u3000"
)
_WHOLE_DECIMAL = re.compile(r"^([+-]?\d+)\.0+$")
_TRUE = frozenset({"true", "1", "yes", "on", "t", "y"})
_FALSE = frozenset({"false", "0", "no", "off", "f", "n"})


class ContractError(ValueError):
    """Input that does not satisfy a contract: the field locations and error kinds, no values."""

    def __init__(self, errors: list[tuple[Loc, str]]) -> None:
        self.errors = errors
        super().__init__("; ".join(self.fields()))

    def fields(self) -> list[str]:
        """``"path.to.field:kind"`` for each error, the form the functions log."""
        return [".".join(str(part) for part in loc) + ":" + kind for loc, kind in self.errors]


class _Invalid(Exception):
    """One field's failure while converting; collected into a ContractError."""

    def __init__(self, loc: Loc, kind: str) -> None:
        self.loc = loc
        self.kind = kind


def load(cls: type[T], data: Any) -> T:
    """``data`` (a mapping, or an instance of ``cls``) as a validated ``cls``; else ContractError."""
    try:
        return typing.cast(T, _plan(typing.cast(type, cls))(data, ()))
    except _Collected as collected:
        raise ContractError(collected.errors) from None
    except _Invalid as invalid:
        raise ContractError([(invalid.loc, invalid.kind)]) from None


def dump(value: Any) -> Any:
    """A contract instance (or any value inside one) as JSON-compatible data.

    Matches pydantic's ``mode="json"``: enums by value, dates ISO 8601, UTC datetimes ending in ``Z``,
    tuples as lists. ``None`` fields are kept.
    """
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: dump(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime):
        text = value.isoformat()
        return text[:-6] + "Z" if text.endswith("+00:00") else text
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {dump(k): dump(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [dump(v) for v in value]
    return value


class FieldSpec(typing.NamedTuple):
    """A contract field as the flow validator and the tests see it."""

    required: bool
    hint: Any


def fields_of(cls: type[Any]) -> dict[str, FieldSpec]:
    """The fields of a dataclass contract, in order: whether each is required, and its type."""
    hints = typing.get_type_hints(cls)
    return {
        f.name: FieldSpec(f.default is _MISSING and f.default_factory is _MISSING, hints[f.name])
        for f in dataclasses.fields(cls)
        if f.init
    }


# --- conversion plans, built once per type ---------------------------------------------------------


class _Collected(Exception):
    def __init__(self, errors: list[tuple[Loc, str]]) -> None:
        self.errors = errors


@cache
def _plan(cls: type) -> Convert:
    """The converter of a dataclass: fields in order, then the class itself (``__post_init__``)."""
    config: Mapping[str, Any] = getattr(cls, "__pydantic_config__", {})
    strip = bool(config.get("str_strip_whitespace", False))
    forbid = config.get("extra") == "forbid"
    hints = typing.get_type_hints(cls, include_extras=True)
    fields = [
        (f.name, f.default is not _MISSING or f.default_factory is not _MISSING)
        for f in dataclasses.fields(cls)
        if f.init
    ]
    names = frozenset(name for name, _ in fields)
    converters: dict[str, Convert] = {}

    def convert(data: Any, loc: Loc) -> Any:
        if isinstance(data, cls):
            return data
        if not isinstance(data, Mapping):
            raise _Invalid(loc, "dataclass_type")
        if not converters:  # built on first use: a class may refer to one defined after it
            converters.update({name: _converter(hints[name], strip) for name, _ in fields})
        values: dict[str, Any] = {}
        errors: list[tuple[Loc, str]] = []
        for name, optional in fields:
            if name not in data:
                if not optional:
                    errors.append(((*loc, name), "missing"))
                continue
            try:
                values[name] = converters[name](data[name], (*loc, name))
            except _Invalid as invalid:
                errors.append((invalid.loc, invalid.kind))
            except _Collected as nested:
                errors.extend(nested.errors)
        if forbid:
            errors.extend(((*loc, str(key)), "extra_forbidden") for key in data if key not in names)
        if errors:
            raise _Collected(errors)
        try:
            return cls(**values)
        except ValueError as exc:  # a check in __post_init__: its message names sizes, never values
            raise _Invalid(loc, f"value_error: {exc}") from None

    return convert


def _converter(hint: Any, strip: bool) -> Convert:
    origin = typing.get_origin(hint)
    if origin is typing.Annotated:
        base, *meta = typing.get_args(hint)
        return _constrained(_converter(base, strip), meta)
    if hint is Any:
        return lambda value, loc: value
    if hint is type(None):
        return _none
    if origin is typing.Literal:
        return _literal(typing.get_args(hint))
    if origin in (typing.Union, types.UnionType):
        return _union([_converter(arg, strip) for arg in typing.get_args(hint)], typing.get_args(hint))
    if origin in (list, tuple):
        return _sequence(_converter(typing.get_args(hint)[0], strip), list if origin is list else tuple)
    if origin is dict:
        key_type, value_type = typing.get_args(hint)
        return _mapping(_converter(key_type, strip), _converter(value_type, strip))
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        return _plan(hint)
    if isinstance(hint, type) and issubclass(hint, Enum):
        return _enum(hint)
    scalar = _SCALARS.get(hint)
    if scalar is None:
        raise TypeError(f"the contract codec does not support {hint!r}")
    if hint is str and strip:
        return lambda value, loc: _str(value, loc).strip(_WHITESPACE)
    return scalar


def _none(value: Any, loc: Loc) -> None:
    if value is not None:
        raise _Invalid(loc, "none_required")


def _str(value: Any, loc: Loc) -> str:
    if not isinstance(value, str):
        raise _Invalid(loc, "string_type")
    return value


def _int(value: Any, loc: Loc) -> int:
    if isinstance(value, int):  # bool included, as pydantic's lax mode does
        return int(value)
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, Decimal) and value.is_finite() and value == value.to_integral_value():
        return int(value)
    if isinstance(value, float | Decimal):
        raise _Invalid(loc, "int_from_float")
    if isinstance(value, str):
        try:
            return int(value.strip())
        except ValueError:
            pass
        whole = _WHOLE_DECIMAL.match(value.strip())  # "5.0" is 5, as pydantic reads it
        if whole:
            return int(whole.group(1))
        raise _Invalid(loc, "int_parsing")
    raise _Invalid(loc, "int_type")


def _float(value: Any, loc: Loc) -> float:
    if isinstance(value, int | float | Decimal):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value.strip())
        except ValueError:
            raise _Invalid(loc, "float_parsing") from None
    raise _Invalid(loc, "float_type")


def _bool(value: Any, loc: Loc) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        lowered = value.lower()
        if lowered in _TRUE:
            return True
        if lowered in _FALSE:
            return False
    raise _Invalid(loc, "bool_parsing")


def _date(value: Any, loc: Loc) -> date:
    if isinstance(value, datetime):
        raise _Invalid(loc, "date_type")
    if isinstance(value, date):
        return value
    if isinstance(value, str) and len(value) >= 10 and value[4] == "-" and value[7] == "-":
        if len(value) == 10:
            try:
                return date.fromisoformat(value)
            except ValueError:
                pass
        elif _DATETIME.match(value):  # a datetime at exactly midnight is a date, as pydantic reads it
            try:
                moment = datetime.fromisoformat(value)
            except ValueError:
                pass
            else:
                if moment.time() == datetime.min.time():
                    return moment.date()
    raise _Invalid(loc, "date_parsing")


_DATETIME = re.compile(r"^\d{4}-\d\d-\d\d([T ]\d\d:\d\d(:\d\d(\.\d{1,6})?)?(Z|[+-]\d\d:?\d\d)?)?$")


def _datetime(value: Any, loc: Loc) -> datetime:
    if isinstance(value, datetime):
        return value
    if isinstance(value, str) and _DATETIME.match(value):
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            pass
    raise _Invalid(loc, "datetime_parsing")


_SCALARS: dict[Any, Convert] = {
    str: _str,
    int: _int,
    float: _float,
    bool: _bool,
    date: _date,
    datetime: _datetime,
}


def _literal(allowed: tuple[Any, ...]) -> Convert:
    def convert(value: Any, loc: Loc) -> Any:
        for option in allowed:
            if value == option and type(value) is type(option):
                return option
        raise _Invalid(loc, "literal_error")

    return convert


def _enum(enum: type[Enum]) -> Convert:
    def convert(value: Any, loc: Loc) -> Any:
        if isinstance(value, enum):
            return value
        try:
            return enum(value)
        except ValueError:
            raise _Invalid(loc, "enum") from None

    return convert


def _union(options: list[Convert], hints: tuple[Any, ...]) -> Convert:
    nullable = type(None) in hints
    choices = [c for c, h in zip(options, hints, strict=True) if h is not type(None)]

    def convert(value: Any, loc: Loc) -> Any:
        if value is None and nullable:
            return None
        first: _Invalid | _Collected | None = None
        for choice in choices:
            try:
                return choice(value, loc)
            except (_Invalid, _Collected) as failure:
                first = first or failure
        assert first is not None  # a union has at least one non-None member
        raise first

    return convert


def _sequence(item: Convert, kind: type) -> Convert:
    def convert(value: Any, loc: Loc) -> Any:
        if not isinstance(value, list | tuple):
            raise _Invalid(loc, "list_type")
        return kind(item(v, (*loc, i)) for i, v in enumerate(value))

    return convert


def _mapping(key: Convert, item: Convert) -> Convert:
    def convert(value: Any, loc: Loc) -> Any:
        if not isinstance(value, Mapping):
            raise _Invalid(loc, "dict_type")
        return {key(k, (*loc, str(k))): item(v, (*loc, str(k))) for k, v in value.items()}

    return convert


def _constrained(inner: Convert, meta: list[Any]) -> Convert:
    checks: list[Callable[[Any, Loc], None]] = []
    for marker in meta:
        if isinstance(marker, Pattern):
            checks.append(_pattern(re.compile(marker.regex)))
        elif isinstance(marker, Length):
            checks.append(_length(marker))
        elif isinstance(marker, Range):
            checks.append(_range(marker))

    def convert(value: Any, loc: Loc) -> Any:
        result = inner(value, loc)
        for check in checks:
            check(result, loc)
        return result

    return convert


def _pattern(regex: re.Pattern[str]) -> Callable[[Any, Loc], None]:
    def check(value: Any, loc: Loc) -> None:
        if isinstance(value, str) and not regex.search(value):
            raise _Invalid(loc, "string_pattern_mismatch")

    return check


def _length(bounds: Length) -> Callable[[Any, Loc], None]:
    def check(value: Any, loc: Loc) -> None:
        if value is None:
            return
        size = len(value)
        if bounds.min is not None and size < bounds.min:
            raise _Invalid(loc, "too_short")
        if bounds.max is not None and size > bounds.max:
            raise _Invalid(loc, "too_long")

    return check


def _range(bounds: Range) -> Callable[[Any, Loc], None]:
    def check(value: Any, loc: Loc) -> None:
        if value is None:
            return
        if bounds.ge is not None and value < bounds.ge:
            raise _Invalid(loc, "greater_than_equal")
        if bounds.gt is not None and value <= bounds.gt:
            raise _Invalid(loc, "greater_than")
        if bounds.le is not None and value > bounds.le:
            raise _Invalid(loc, "less_than_equal")

    return check
