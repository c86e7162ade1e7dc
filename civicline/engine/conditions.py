"""Condition evaluation (reference 1.4), with the one number coercion every action uses.

Connect does not document how it parses numbers (UNCONFIRMED). The engine's rule, used by every
``Number*`` operator, ``Loop`` counts, thresholds and integer parameters: a number is a plain
decimal literal (optional sign, digits, optional fraction) after surrounding whitespace is removed;
exponents, ``inf``/``nan``, thousands separators and empty text are not numbers, and a ``Number*``
condition with a non-number on either side is false. Text operators compare the exact text, with no
trimming and case-sensitively ("exactly equals"). docs/engine.md lists this as our choice.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal

from schemas.flow_language import FlowCondition

_NUMBER_RE = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)")

_NUMERIC: dict[str, Callable[[Decimal, Decimal], bool]] = {
    "NumberGreaterThan": lambda a, b: a > b,
    "NumberGreaterOrEqualTo": lambda a, b: a >= b,
    "NumberLessThan": lambda a, b: a < b,
    "NumberLessOrEqualTo": lambda a, b: a <= b,
}
_TEXT: dict[str, Callable[[str, str], bool]] = {
    "Equals": lambda a, b: a == b,
    "TextStartsWith": lambda a, b: a.startswith(b),
    "TextEndsWith": lambda a, b: a.endswith(b),
    "TextContains": lambda a, b: b in a,
}


def as_number(text: str | None) -> Decimal | None:
    """The number ``text`` holds under the engine's one coercion rule, else ``None``."""
    if text is None:
        return None
    stripped = text.strip()
    return Decimal(stripped) if _NUMBER_RE.fullmatch(stripped) else None


def evaluate(condition: FlowCondition, value: str | None) -> bool:
    """One condition against an action's result. Nested condition operands never match (the
    documented operators all take one string)."""
    operands = condition.Operands
    if len(operands) != 1 or not isinstance(operands[0], str | int | float) or isinstance(operands[0], bool):
        return False
    operand = str(operands[0])
    subject = "" if value is None else value
    op = condition.Operator
    if op in _TEXT:
        return _TEXT[op](subject, operand)
    compare = _NUMERIC.get(op)
    left, right = as_number(subject), as_number(operand)
    if compare is None or left is None or right is None:
        return False
    return compare(left, right)
