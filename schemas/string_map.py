"""The STRING_MAP response contract of a Lambda invoked from a flow.

Connect accepts, under ``ResponseType: STRING_MAP``, only a flat JSON object whose values are strings,
under 32 KB. Anything else sends the contact down ``NoMatchingError``. :func:`to_string_map` turns a
response contract (a dataclass of :mod:`schemas.functions`, or a plain mapping) into exactly that,
or raises :class:`StringMapError` saying why.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from decimal import Decimal
from enum import Enum
from typing import Any

#: Connect's limit on a Lambda response (strictly less than 32 KB of UTF-8)
MAX_RESPONSE_BYTES = 32 * 1024


class StringMapError(ValueError):
    """A response cannot be returned to Connect as a STRING_MAP."""


def _scalar(key: str, value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, str | int | Decimal):
        return str(value)
    if isinstance(value, float):
        return repr(value) if value != int(value) else str(int(value))
    if isinstance(value, Mapping | list | tuple | set):
        raise StringMapError(f"value of {key!r} is nested ({type(value).__name__}); STRING_MAP is flat")
    raise StringMapError(f"value of {key!r} has unsupported type {type(value).__name__}")


def string_map_size(mapping: Mapping[str, str]) -> int:
    """Size in bytes of the JSON document Connect receives."""
    return len(json.dumps(mapping, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))


def to_string_map(response: Any) -> dict[str, str]:
    """Flatten a response into ``dict[str, str]``; ``None`` values are left out.

    Raises StringMapError for nested values, non-string keys or a result of 32 KB or more.
    """
    if dataclasses.is_dataclass(response) and not isinstance(response, type):
        data = {f.name: getattr(response, f.name) for f in dataclasses.fields(response)}
    elif isinstance(response, Mapping):
        data = dict(response)
    else:
        raise StringMapError(f"a {type(response).__name__} is not a response contract or a mapping")
    out: dict[str, str] = {}
    for key, value in data.items():
        if not isinstance(key, str):
            raise StringMapError(f"key {key!r} is not a string")
        if value is None:
            continue
        out[key] = _scalar(key, value)
    size = string_map_size(out)
    if size >= MAX_RESPONSE_BYTES:
        raise StringMapError(f"response is {size} bytes; Connect accepts less than 32 KB")
    return out
