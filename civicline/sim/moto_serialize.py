"""moto's JSON response for DynamoDB attribute values, built directly, used while the simulator runs.

Why: moto 5 serializes every response by walking botocore's output shape, and for every member of
every attribute value it asks six alias providers where the value might be (``get_possible_keys``),
then dispatches on the member's type. An item of a few hundred counters (a rollup), a case item or a
query's page of them cost milliseconds each, which the day paid on every read (docs/decisions.md,
"Simulation: CPU per contact").

What this does: for an ``AttributeValue`` (and a map of them: an item, a key) given as the plain
dict moto's DynamoDB responses hold, it builds the very structure moto's walk builds: the members in
the shape's order, a missing or ``None`` member left out, strings and numbers as they are, binaries
and binary sets through moto's own base64, maps and lists recursively (``None`` in a list kept, as
moto keeps it). Anything else (a value that is not such a dict, a member key the shape does not
name, an empty map key, which moto merges into the parent, a non-string where a string belongs, a
response transformer) goes to moto's own method. tests/simulation/test_perf_moto_serialize.py
compares the bytes with moto's for generated values.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from civicline.sim.moto_patch import Swap, replaced

#: botocore's AttributeValue members, in the shape's order (the order moto's walk writes them)
MEMBERS = ("S", "N", "B", "SS", "NS", "BS", "M", "L", "NULL", "BOOL")
_KNOWN = frozenset(MEMBERS)
SERVICE = "dynamodb"
ATTRIBUTE_VALUE = "AttributeValue"

_SAVED: dict[str, Any] = {}


class OutsideShape(Exception):
    """A value the direct build does not decide: moto's own serializer runs."""


def attribute_value(serializer: Any, value: Any) -> dict[str, Any]:
    """moto's serialized form of one attribute value (raises OutsideShape where moto decides)."""
    if type(value) is not dict or not _KNOWN.issuperset(value):
        raise OutsideShape
    out: dict[str, Any] = {}
    for member in MEMBERS:
        member_value = value.get(member)
        if member_value is None:
            continue
        out[member] = _member(serializer, member, member_value)
    return out


def _member(serializer: Any, member: str, value: Any) -> Any:
    if member in ("S", "N"):
        return _string(value)
    if member == "B":
        return _blob(serializer, value)
    if member in ("SS", "NS"):
        return [_string(element) for element in _list(value)]
    if member == "BS":
        return [_blob(serializer, element) for element in _list(value)]
    if member == "M":
        return attribute_map(serializer, value)
    if member == "L":
        return [None if element is None else attribute_value(serializer, element) for element in _list(value)]
    return value  # NULL, BOOL: moto's JSON serializer writes a boolean as it is


def attribute_map(serializer: Any, value: Any) -> dict[str, Any]:
    """A map of attribute values (an item, a key, a map attribute), members left out when None."""
    if type(value) is not dict:
        raise OutsideShape
    out: dict[str, Any] = {}
    for key, member_value in value.items():
        if type(key) is not str or not key:
            raise OutsideShape  # moto writes an empty key's members into the map itself
        if member_value is not None:
            out[key] = attribute_value(serializer, member_value)
    return out


def _string(value: Any) -> str:
    if type(value) is not str:
        raise OutsideShape
    return value


def _blob(serializer: Any, value: Any) -> str:
    if type(value) not in (str, bytes):
        raise OutsideShape
    encoded: str = serializer._base64(value)
    return encoded


def _list(value: Any) -> list[Any]:
    if type(value) is not list:
        raise OutsideShape
    return value


def _decides(serializer: Any, key: str) -> bool:
    """Only DynamoDB's responses, a named member (an empty key merges into the parent), and no
    response transformer that could change a value on the way."""
    picker = getattr(serializer, "_value_picker", None)
    return (
        bool(key)
        and serializer.service_model.service_name == SERVICE
        and not getattr(picker, "response_transformers", None)
    )


def _structure(self: Any, serialized: Any, value: Any, shape: Any, key: str) -> None:
    if value is not None and shape.name == ATTRIBUTE_VALUE and _decides(self, key):
        try:
            serialized[shape.serialization.get("name", key)] = attribute_value(self, value)
            return
        except OutsideShape:
            pass
    _SAVED["structure"](self, serialized, value, shape, key)


def _map(self: Any, serialized: Any, value: Any, shape: Any, key: str) -> None:
    if getattr(shape.value, "name", None) == ATTRIBUTE_VALUE and _decides(self, key):
        try:
            serialized[shape.serialization.get("name", key)] = attribute_map(self, value)
            return
        except OutsideShape:
            pass
    _SAVED["map"](self, serialized, value, shape, key)


@contextmanager
def direct_attribute_values() -> Iterator[None]:
    """Install the direct build on moto's JSON serializer, then restore moto's methods."""
    from moto.core.serialize import BaseJSONSerializer

    with replaced(
        _SAVED,
        Swap("structure", BaseJSONSerializer, "_serialize_type_structure", _structure),
        Swap("map", BaseJSONSerializer, "_serialize_type_map", _map),
    ):
        yield
