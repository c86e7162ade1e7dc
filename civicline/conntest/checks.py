"""The comparisons a test case makes: message text (Inclusion, Similarity), flow-action parameters,
and ``Assert`` over the contact's flow data.

Similarity (Connect calls it "semantic matching" and documents no measure) is stated here so a result
never depends on a model: both texts are reduced to lower-case word tokens (SSML tags dropped); the
score is the larger of the character ratio (difflib ``SequenceMatcher``, 2*M/T) of the two token
strings and the best ratio between the expected tokens and any run of consecutive message tokens as
long as the expectation (or one word shorter or longer), so an expected sentence matches inside a
longer prompt and a typo or a digit spelled out costs a little, not everything. A message matches at
:data:`SIMILARITY_THRESHOLD` or above.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from difflib import SequenceMatcher
from typing import Any

from civicline.conntest.model import Assertion, FlowActionEvent, MessageEvent
from civicline.conntest.resources import RESOURCE_PARAMETERS, same_resource
from civicline.engine.arns import name_from_arn
from civicline.engine.references import as_text, interpolate, lookup, strip_ssml

SIMILARITY_THRESHOLD = 0.8
_WORD = re.compile(r"[^\W_]+")


def tokens(text: str) -> list[str]:
    return _WORD.findall(strip_ssml(text).casefold())


def similarity(expected: str, observed: str) -> float:
    """Deterministic similarity in [0, 1] (module docstring)."""
    want, have = tokens(expected), tokens(observed)
    if not want or not have:
        return 1.0 if want == have else 0.0
    target = " ".join(want)
    best = SequenceMatcher(None, target, " ".join(have), autojunk=False).ratio()
    size = len(want)
    for length in sorted({max(size - 1, 1), size, size + 1}):
        for start in range(max(len(have) - length + 1, 1)):
            window = " ".join(have[start : start + length])
            best = max(best, SequenceMatcher(None, target, window, autojunk=False).ratio())
            if best == 1.0:
                return best
    return best


def _folded(text: str) -> str:
    return " ".join(strip_ssml(text).casefold().split())


def text_matches(expected: str, observed: str, criteria: str) -> bool:
    if criteria == "Similarity":
        return similarity(expected, observed) >= SIMILARITY_THRESHOLD
    return _folded(expected) in _folded(observed)


def message_matches(event: MessageEvent, observed: str, data: Mapping[str, Any] | None = None) -> bool:
    """Whether one delivered message satisfies a ``MessageReceived`` expectation.

    Prompts and media reach the transcript as ``[prompt NAME]`` / ``[audio URI]``; an expected
    PromptId (id, name or ARN) matches the prompt of that name. Expected text "may be specified
    statically or dynamically": its ``$.`` references read the contact's data (``data``).
    """
    if event.prompt is not None:
        return observed.strip() == f"[prompt {name_from_arn(event.prompt)}]"
    if event.media is not None:
        return observed.strip() == f"[audio {event.media}]"
    expected = event.text if event.text is not None else (event.ssml or "")
    if data is not None and "$." in expected:
        expected = interpolate(expected, data)
    return text_matches(expected, observed, event.criteria)


def _value_matches(key: str, expected: Any, observed: Any) -> bool:
    if isinstance(expected, Mapping):
        return isinstance(observed, Mapping) and all(
            _value_matches(k, v, observed.get(k)) for k, v in expected.items()
        )
    if observed is None:
        return False
    if key in RESOURCE_PARAMETERS or key == "AliasArn":
        return same_resource(as_text(expected), as_text(observed), RESOURCE_PARAMETERS.get(key))
    return as_text(expected).strip() == as_text(observed).strip()


def action_matches(
    event: FlowActionEvent,
    action_type: str,
    parameters: Mapping[str, Any],
    written: Mapping[str, Any] | None = None,
) -> bool:
    """The action type is the same and every expected parameter is there with a matching value, as
    resolved (``$.`` references replaced: the ARN the action used) or as written in the flow."""
    if event.action_type != action_type:
        return False
    return all(
        _value_matches(k, v, parameters.get(k))
        or (written is not None and _value_matches(k, v, written.get(k)))
        for k, v in event.parameters.items()
    )


# -- Assert -----------------------------------------------------------------------------------

_SEGMENT = re.compile(r"\.?\[\s*'([^']*)'\s*\]|\.?\[\s*\"([^\"]*)\"\s*\]|\.?\[(\d+)\]|\.([^.\[\]]+)")


def namespace_segments(namespace: str) -> list[str] | None:
    """``$.Attributes.x``, ``$.Attributes['a b']``, ``$.Attributes.['a b']``, ``$['Queue'].Name``."""
    text = namespace.strip()
    if not text.startswith("$"):
        return None
    rest, segments, position = text[1:], [], 0
    while position < len(rest):
        match = _SEGMENT.match(rest, position)
        if match is None:
            return None
        segments.append(next(g for g in match.groups() if g is not None))
        position = match.end()
    return segments


def _number(value: Any) -> Decimal | None:
    try:
        number = Decimal(as_text(value).strip())
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def _compare(operator: str, value: Any, operand: str) -> bool:
    text = as_text(value)
    if operator == "Equals":
        left, right = _number(value), _number(operand)
        return text == operand or (left is not None and right is not None and left == right)
    if operator == "TextStartsWith":
        return text.startswith(operand)
    if operator == "TextEndsWith":
        return text.endswith(operand)
    if operator == "TextContains":
        return operand in text
    left, right = _number(value), _number(operand)
    if left is None or right is None:
        return False
    return {
        "NumberGreaterThan": left > right,
        "NumberGreaterOrEqualTo": left >= right,
        "NumberLessThan": left < right,
        "NumberLessOrEqualTo": left <= right,
    }[operator]


def check_assertion(assertion: Assertion, data: Mapping[str, Any]) -> str | None:
    """``None`` when the assertion holds, else why not (naming the value seen)."""
    segments = namespace_segments(assertion.namespace)
    if segments is None:
        return f"Namespace {assertion.namespace!r} is not a JSONPath"
    value = lookup(data, segments)
    if assertion.operator == "Exists":
        return None if value is not None else f"{assertion.namespace} does not exist"
    if value is None:
        return f"{assertion.namespace} does not exist (expected {assertion.operator} {assertion.operand!r})"
    assert assertion.operand is not None
    if _compare(assertion.operator, value, assertion.operand):
        return None
    return f"{assertion.namespace} is {as_text(value)!r}, expected {assertion.operator} {assertion.operand!r}"
