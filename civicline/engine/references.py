"""``$.`` dynamic references: whole-value JSONPaths and references inside free text.

Reference section 1.5: a parameter is static, a *single* JSONPath (the entire value), or free text
in which every ``$.Namespace.Key`` token is interpolated. The tokenizer Connect uses is not
documented; the regex below matches every use in the conformance flows (UNCONFIRMED). An
unresolvable reference renders as the empty string (UNCONFIRMED, the console's behaviour).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

#: an inline reference: ``$.Attributes.x``, ``$.External.a.b``, ``$.Metrics.Queue.Size``
REFERENCE_RE = re.compile(r"\$\.[A-Za-z][A-Za-z0-9_]*(?:\.[A-Za-z0-9_\-]+)*")
#: the bracket form some pages use: ``$['AwsRegion']``
_BRACKET_RE = re.compile(r"^\$\['([^']+)'\]((?:\.[A-Za-z0-9_\-]+)*)$")

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
    }
)


def path_segments(reference: str) -> list[str] | None:
    """``"$.External.a.b"`` -> ``["External", "a", "b"]``; ``None`` if it is not one reference."""
    text = reference.strip()
    bracket = _BRACKET_RE.match(text)
    if bracket:
        rest = [p for p in bracket.group(2).split(".") if p]
        return [bracket.group(1), *rest]
    if REFERENCE_RE.fullmatch(text):
        return text[2:].split(".")
    return None


def is_reference(value: Any) -> bool:
    """Whether ``value`` is exactly one JSONPath reference (a "single JSONPath" parameter)."""
    return isinstance(value, str) and path_segments(value) is not None


def lookup(data: Mapping[str, Any], segments: list[str]) -> Any:
    """Walk the flow data; ``None`` when any step is missing."""
    node: Any = data
    for segment in segments:
        if isinstance(node, Mapping) and segment in node:
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
        segments = path_segments(value)
        if segments is not None:
            return lookup(data, segments)
    return value


def interpolate(text: Any, data: Mapping[str, Any]) -> str:
    """A static-or-dynamic parameter: every inline reference replaced by its text."""
    if not isinstance(text, str):
        return as_text(text)
    segments = path_segments(text)
    if segments is not None:
        return as_text(lookup(data, segments))
    return REFERENCE_RE.sub(lambda m: as_text(lookup(data, m.group(0)[2:].split("."))), text)


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
        bracket = _BRACKET_RE.match(value.strip())
        if bracket:
            found.append(value.strip())
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
