"""``$.`` dynamic references: whole-value JSONPaths and references inside free text.

Reference section 1.5: a parameter is static, a *single* JSONPath (the entire value), or free text
in which every ``$.Namespace.Key`` token is interpolated. The tokenizer Connect uses is not
documented; the regex below matches every use in the conformance flows and the documented bracket
form for keys with special characters. An unresolvable reference renders as the empty string, and so
does one that names a whole map (our choices, docs/engine.md).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping, Sequence
from functools import lru_cache
from typing import Any

#: one step after the namespace: ``.key`` or the bracket form ``.['key with spaces']`` (also ``['key']``)
_STEP = r"(?:\.[A-Za-z0-9_\-]+|\.?\['[^'\]]*'\])"
#: an inline reference: ``$.Attributes.x``, ``$.External.a.b``, ``$.Attributes.['first name']``,
#: ``$['AwsRegion']`` (how-to-reference-attributes: "To reference attributes that contain special
#: characters ... $.Attributes.['user attribute name']")
REFERENCE_RE = re.compile(r"\$(?:\.[A-Za-z][A-Za-z0-9_]*|\['[^'\]]+'\])" + _STEP + "*")
_SEGMENT_RE = re.compile(r"\.?\['([^'\]]*)'\]|\.([A-Za-z0-9_\-]+)")

Report = Callable[[str, str], None]

#: top-level names of the flow data object (reference 1.6); anything else is not a valid path
NAMESPACES: frozenset[str] = frozenset(
    {
        "Attributes",
        "External",
        "FlowAttributes",
        "StoredCustomerInput",
        "CustomerEndpoint",
        "SystemEndpoint",
        "CustomerId",
        "Queue",
        "Channel",
        "ContactId",
        "InitialContactId",
        "PreviousContactId",
        "RelatedContactId",
        "Task",
        "InitiationMethod",
        "InstanceARN",
        "AwsRegion",
        "LanguageCode",
        "TextToSpeechVoiceId",
        "Name",
        "Description",
        "References",
        "Agent",
        "Metrics",
        "Lex",
        "Customer",
        "Case",
        "Media",
        "MediaStreams",
        "Wisdom",
        "CallbackNumber",
        "Tags",
        "Loop",
        "SegmentAttributes",
        "Segments",
        "Attribute",
        # ShowView's result: $.Views.Action and $.Views.ViewResultData (adminguide/show-view-block,
        # view-resources-custom-view: "Output data is set to the $.Views.ViewResultData flow attribute")
        "Views",
        "Email",
    }
)


def path_segments(reference: str) -> list[str] | None:
    """``"$.External.a.b"`` -> ``["External", "a", "b"]``, ``"$.Attributes.['a b']"`` -> ``["Attributes",
    "a b"]``; ``None`` if the text is not exactly one reference."""
    segments = _segments(reference)
    return None if segments is None else list(segments)


#: distinct parameter texts remembered by the parsers below (a flow library holds a few hundred)
PARSED_TEXTS = 4096


@lru_cache(maxsize=PARSED_TEXTS)
def _segments(reference: str) -> tuple[str, ...] | None:
    """:func:`path_segments`, remembered by the text: a pure function of it, and the interpreter
    asks again for the same few hundred parameter texts at every action of every contact."""
    text = reference.strip()
    if not REFERENCE_RE.fullmatch(text):
        return None
    return tuple(m.group(1) if m.group(1) is not None else m.group(2) for m in _SEGMENT_RE.finditer(text[1:]))


def has_reference(value: Any) -> bool:
    """Whether ``value`` is text holding a ``$.`` reference (what :func:`resolve_value` and
    :func:`interpolate` look up in the flow data; anything else they return, or render, without
    reading it)."""
    return isinstance(value, str) and _holds_reference(value)


@lru_cache(maxsize=PARSED_TEXTS)
def _holds_reference(text: str) -> bool:
    return REFERENCE_RE.search(text) is not None


def is_reference(value: Any) -> bool:
    """Whether ``value`` is exactly one JSONPath reference (a "single JSONPath" parameter)."""
    return isinstance(value, str) and path_segments(value) is not None


def lookup(data: Mapping[str, Any], segments: Sequence[str]) -> Any:
    """Walk the flow data; ``None`` when any step is missing."""
    node: Any = data
    for segment in segments:
        if isinstance(node, (dict, Mapping)) and segment in node:  # a dict first: no ABC check
            node = node[segment]
        elif isinstance(node, list) and segment.isdigit() and int(segment) < len(node):
            node = node[int(segment)]
        else:
            return None
    return node


def as_text(value: Any) -> str:
    """How a resolved value reads in text: strings as-is, JSON for structures, '' for nothing."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return json.dumps(value, separators=(",", ":"), sort_keys=True)


def resolve_value(value: Any, data: Mapping[str, Any]) -> Any:
    """A single-JSONPath-or-static parameter: the referenced value (may be ``None``) or ``value``."""
    if isinstance(value, str):
        segments = _segments(value)
        if segments is not None:
            return lookup(data, segments)
    return value


def spoken(value: Any) -> str | None:
    """A resolved value as it goes into text; ``None`` for a map or list, which is never rendered
    (a stray ``$.Attributes`` must not read out every attribute, case numbers included)."""
    if isinstance(value, Mapping | list):
        return None
    return as_text(value)


#: a parsed static-or-dynamic text: literal pieces (``None``) and references (their path segments)
Template = tuple[tuple[str, tuple[str, ...] | None], ...]


@lru_cache(maxsize=PARSED_TEXTS)
def template(text: str) -> Template:
    """``text`` cut into literal pieces and references, remembered by the text (a pure function of
    it: what :func:`interpolate` substitutes, without running the tokenizer again per contact).

    Text that is exactly one reference (surrounding space allowed) is that one reference, stripped.
    """
    if _segments(text) is not None:
        reference = text.strip()
        return ((reference, _segments(reference) or ()),)
    pieces: list[tuple[str, tuple[str, ...] | None]] = []
    start = 0
    for match in REFERENCE_RE.finditer(text):
        if match.start() > start:
            pieces.append((text[start : match.start()], None))
        pieces.append((match.group(0), _segments(match.group(0)) or ()))
        start = match.end()
    if start < len(text) or not pieces:
        pieces.append((text[start:], None))
    return tuple(pieces)


def interpolate(text: Any, data: Mapping[str, Any], report: Report | None = None) -> str:
    """A static-or-dynamic parameter: every inline reference replaced by its text. A reference that
    resolves to nothing renders as ``""``; one that resolves to a map or list renders as ``""`` too
    (our choice: Connect does not document it). ``report(reference, why)`` hears about both."""
    if not isinstance(text, str):
        return as_text(text)
    return "".join(
        piece if segments is None else _render(piece, segments, data, report)
        for piece, segments in template(text)
    )


def _render(reference: str, segments: tuple[str, ...], data: Mapping[str, Any], report: Report | None) -> str:
    """One reference of a text as it reads (see :func:`interpolate`)."""
    value = lookup(data, segments)
    rendered = spoken(value)
    if report is not None and (value is None or value == ""):
        report(reference, "resolved to nothing")
    if rendered is None:
        if report is not None:
            report(reference, "is a map: not rendered")
        return ""
    return rendered


def resolve_all(value: Any, data: Mapping[str, Any]) -> Any:
    """A parameter tree with every string resolved (a whole reference to its value, text
    interpolated): what an observer sees of an action's parameters."""
    if isinstance(value, str):
        if path_segments(value) is not None:
            return resolve_value(value, data)
        return interpolate(value, data) if REFERENCE_RE.search(value) else value
    if isinstance(value, Mapping):
        return {key: resolve_all(item, data) for key, item in value.items()}
    if isinstance(value, list):
        return [resolve_all(item, data) for item in value]
    return value


def references_in(value: Any) -> list[str]:
    """Every reference token inside a parameter value (nested dicts and lists included)."""
    found: list[str] = []
    if isinstance(value, str):
        found.extend(m.group(0) for m in REFERENCE_RE.finditer(value))
    elif isinstance(value, Mapping):
        for item in value.values():
            found.extend(references_in(item))
    elif isinstance(value, list):
        for item in value:
            found.extend(references_in(item))
    return found


_SSML_TAG = re.compile(r"<[^>]+>")


def strip_ssml(ssml: str) -> str:
    """What a listener hears of an SSML document, for the transcript (tags removed, spaces folded)."""
    return " ".join(_SSML_TAG.sub(" ", ssml).split())
