"""Field constraints for the dataclass contracts, read by both validators.

The contracts in ``schemas/`` that the Lambda functions use are standard-library dataclasses, so a
Connect-facing function never imports pydantic (docs/decisions.md, "Contracts as dataclasses"). Their
constraints are written once, as ``Annotated`` metadata from this module, and honoured twice:

* by :mod:`schemas.codec`, the validator on the functions' path, which reads the attributes;
* by pydantic (``TypeAdapter``), which the tests, the command line and the JSON Schema generator use:
  each marker adds its keyword to the core schema through ``__get_pydantic_core_schema__``, so the
  generated JSON Schema shows it too. pydantic is never imported here; it calls these hooks itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


def _target(schema: Any) -> Any:
    """The schema a bound applies to: inside ``X | None``, the ``X``."""
    while schema.get("type") == "nullable":
        schema = schema["schema"]
    return schema


@dataclass(frozen=True)
class Pattern:
    """A string that matches ``regex`` (searched, as pydantic does; anchor it with ``^...$``)."""

    regex: str

    def __get_pydantic_core_schema__(self, source: Any, handler: Any) -> Any:
        schema = handler(source)
        _target(schema)["pattern"] = self.regex
        return schema


@dataclass(frozen=True)
class Length:
    """Bounds on the length of a string, list or mapping (inclusive)."""

    min: int | None = None
    max: int | None = None

    def __get_pydantic_core_schema__(self, source: Any, handler: Any) -> Any:
        schema = handler(source)
        target = _target(schema)
        if self.min is not None:
            target["min_length"] = self.min
        if self.max is not None:
            target["max_length"] = self.max
        return schema


@dataclass(frozen=True)
class Range:
    """Bounds on a number: ``ge``/``le`` inclusive, ``gt`` exclusive."""

    ge: float | None = None
    le: float | None = None
    gt: float | None = None

    def __get_pydantic_core_schema__(self, source: Any, handler: Any) -> Any:
        schema = handler(source)
        target = _target(schema)
        for key in ("ge", "le", "gt"):
            bound = getattr(self, key)
            if bound is not None:
                target[key] = bound
        return schema


@dataclass(frozen=True)
class Doc:
    """A description for the published JSON Schema; no effect on validation."""

    text: str

    def __get_pydantic_core_schema__(self, source: Any, handler: Any) -> Any:
        return handler(source)

    def __get_pydantic_json_schema__(self, core_schema: Any, handler: Any) -> Any:
        schema = handler(core_schema)
        schema["description"] = self.text
        return schema
