"""The reference data a deployment loads: offices, routing rules, knowledge answers, holidays.

The built-in set (:mod:`civicline.data.demo`) is fictional: its offices have 555-01xx numbers and
made-up names. A deployment loads its own agency's data from a JSON file in this shape (start from
``civicline data export-reference``, which writes the built-in set, and replace everything); a file
that still holds a fictional number is refused for a deployment.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, ClassVar

from schemas import codec
from schemas.records import KnowledgeAnswer, OfficeEntry, RoutingRule

#: North American numbers reserved for fiction (555-0100 to 555-0199, any area code)
_FICTIONAL = re.compile(r"\+1[0-9]{3}55501[0-9]{2}")


@dataclass(frozen=True)
class Holiday:
    __pydantic_config__: ClassVar[dict[str, Any]] = {"extra": "forbid"}

    date: date
    name: str


@dataclass(frozen=True)
class ReferenceData:
    """Everything ``seed-reference`` writes to the ``reference`` table."""

    __pydantic_config__: ClassVar[dict[str, Any]] = {"extra": "forbid"}

    offices: tuple[OfficeEntry, ...]
    rules: tuple[RoutingRule, ...]
    knowledge: tuple[KnowledgeAnswer, ...]
    holidays: tuple[Holiday, ...]

    @classmethod
    def built_in(cls) -> ReferenceData:
        """The documented demo set (docs/data.md)."""
        from civicline.data.demo import HOLIDAYS, KNOWLEDGE, OFFICES, RULES

        return cls(OFFICES, RULES, KNOWLEDGE, tuple(Holiday(day, name) for day, name in HOLIDAYS))

    @classmethod
    def from_file(cls, path: Path) -> ReferenceData:
        """Read and validate a reference file; errors name the field, never the value."""
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            raise ValueError(f"{path}: not a readable JSON file ({type(exc).__name__})") from None
        try:
            return codec.load(cls, raw)
        except codec.ContractError as exc:
            fields = ", ".join(".".join(str(p) for p in loc) for loc, _ in exc.errors)
            raise ValueError(f"{path}: invalid reference data at {fields}") from None

    def to_json(self) -> str:
        return json.dumps(codec.dump(self), indent=2, ensure_ascii=False) + "\n"

    def fictional_offices(self) -> list[str]:
        """Offices whose number is in the fictional 555-01xx range (ids, no numbers)."""
        return [o.office_id for o in self.offices if _FICTIONAL.fullmatch(o.phone or "")]
