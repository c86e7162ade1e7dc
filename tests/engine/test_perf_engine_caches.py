"""The engine's remembered work gives exactly what the code it replaced gave (issue 16).

Each lever is compared with the replaced code, copied here as the reference: the parsed text
templates (:func:`civicline.engine.references.template`) with the tokenizer run per call, the lazy
flow data (:class:`civicline.engine.contact.FlowData`) with the whole object built per reference,
the ARN -> registry name map with the search through the registry, the attribute-size bound with
the JSON encoding, the remembered timestamps with the formatting, the folded Lex utterances and
synonyms with folding per entry.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from civicline.engine.actions.contact import surely_within_limit
from civicline.engine.actions.lex import Intent, _fold
from civicline.engine.arns import _REGISTRY, LOCAL, Naming
from civicline.engine.contact import ContactState, FlowData
from civicline.engine.events import timestamp
from civicline.engine.references import (
    REFERENCE_RE,
    as_text,
    interpolate,
    lookup,
    path_segments,
    resolve_value,
    spoken,
)
from schemas.connect_lambda import MAX_ATTRIBUTES_BYTES

# -- the replaced code ---------------------------------------------------------------------------


def interpolate_per_call(text: Any, data: Any, report: Any = None) -> str:
    """references.interpolate before the templates: the tokenizer run at every call."""
    if not isinstance(text, str):
        return as_text(text)

    def render(reference: str) -> str:
        value = lookup(data, path_segments(reference) or [])
        rendered = spoken(value)
        if report is not None and (value is None or value == ""):
            report(reference, "resolved to nothing")
        if rendered is None:
            if report is not None:
                report(reference, "is a map: not rendered")
            return ""
        return rendered

    if path_segments(text) is not None:
        return render(text.strip())
    return REFERENCE_RE.sub(lambda m: render(m.group(0)), text)


def flow_data_built(c: ContactState, flow_attributes: dict[str, str] | None) -> dict[str, Any]:
    """ContactState.flow_data before FlowData: the whole object as one literal."""
    queue = {"Name": c.queue_name, "ARN": c.queue_arn} if c.queue_arn else None
    return {
        "Attributes": c.attributes,
        "External": c.external,
        "FlowAttributes": flow_attributes or {},
        "StoredCustomerInput": c.stored_input,
        "CustomerEndpoint": (
            {"Address": c.caller_number, "Type": "TELEPHONE_NUMBER"} if c.caller_number else None
        ),
        "SystemEndpoint": (
            {"Address": c.system_number, "Type": "TELEPHONE_NUMBER"} if c.system_number else None
        ),
        "Queue": queue,
        "Channel": c.channel,
        "ContactId": c.contact_id,
        "InitialContactId": c.initial_contact_id,
        "PreviousContactId": c.previous_contact_id,
        "InitiationMethod": c.initiation_method,
        "InstanceARN": c.instance_arn,
        "AwsRegion": c.region,
        "LanguageCode": c.language,
        "TextToSpeechVoiceId": c.voice,
        "Metrics": c.metrics,
        "Lex": c.lex,
        "MediaStreams": c.media_streams or None,
        "Wisdom": c.wisdom,
        "Views": c.views,
        "Customer": c.customer or None,
        "Case": c.case or None,
        "CustomerId": c.customer_id,
        "Name": c.name,
        "Description": c.description,
        "References": c.references,
        "Tags": c.tags,
        "CallbackNumber": c.callback_number or c.caller_number,
        "SegmentAttributes": c.segment_attributes,
        "Email": c.email_content,
    }


def registry_name_searched(naming: Naming, kind: str, arn: str) -> str | None:
    """Naming.registry_name before the map: every registry name's ARN compared."""
    for name in _REGISTRY.get(kind, frozenset()):
        if naming.arn(kind, name) == arn:
            return name
    return None


# -- strategies ----------------------------------------------------------------------------------

REFERENCES = [
    "$.Attributes.case",
    "$.Attributes.['a b']",
    "$.Attributes.empty",
    "$.Attributes.missing",
    "$.External.status",
    "$.External.status.code",
    "$.External.list.1",
    "$.FlowAttributes.step",
    "$.Queue.Name",
    "$.CustomerEndpoint.Address",
    "$.Nope.x",
    "$['AwsRegion']",
    "$.Channel",
]
pieces = st.one_of(st.sampled_from(REFERENCES), st.text(alphabet="$.[]' AaBb_0x-", max_size=8))
texts = st.one_of(
    st.lists(pieces, max_size=5).map("".join),
    st.sampled_from(REFERENCES).map(lambda r: f"  {r} "),
    st.text(max_size=10),
)


def a_contact(queued: bool, caller: str | None) -> ContactState:
    contact = ContactState(caller_number=caller, attributes={"case": "C-1", "a b": "x", "empty": ""})
    contact.external = {"status": {"code": "OPEN"}, "list": ["a", "b"], "n": 3}
    if queued:
        contact.queue_arn, contact.queue_name = "arn:aws:connect:queue/general", "general"
    return contact


# -- the properties ------------------------------------------------------------------------------


@given(text=texts, queued=st.booleans(), caller=st.sampled_from([None, "", "+15555550100"]))
def test_interpolating_a_parsed_template_reads_and_reports_as_the_tokenizer_did(
    text: str, queued: bool, caller: str | None
) -> None:
    """Given any text and contact, when it is interpolated from its remembered template against
    the lazy flow data, then it reads the same and reports the same references, in the same order,
    as the tokenizer run per call against the whole flow data object."""
    contact = a_contact(queued, caller)
    flow_attributes = {"step": "2"}
    built = flow_data_built(contact, flow_attributes)
    lazy = FlowData(contact, flow_attributes)
    heard_then: list[tuple[str, str]] = []
    heard_now: list[tuple[str, str]] = []
    then = interpolate_per_call(text, built, lambda ref, why: heard_then.append((ref, why)))
    now = interpolate(text, lazy, lambda ref, why: heard_now.append((ref, why)))
    assert (now, heard_now) == (then, heard_then)
    assert resolve_value(text, lazy) == resolve_value(text, built)


@given(queued=st.booleans(), caller=st.sampled_from([None, "", "+15555550100"]), empty_flow=st.booleans())
def test_the_lazy_flow_data_holds_what_the_whole_object_held(
    queued: bool, caller: str | None, empty_flow: bool
) -> None:
    """Given a contact, when its flow data is read lazily, then every namespace (and only those)
    holds what the object built as one literal held, in the same order; a name that is no
    namespace is missing from both."""
    contact = a_contact(queued, caller)
    flow_attributes = None if empty_flow else {"step": "2"}
    built = flow_data_built(contact, flow_attributes)
    lazy = FlowData(contact, flow_attributes)
    assert list(lazy) == list(built) and len(lazy) == len(built)
    assert contact.flow_data(flow_attributes) == built
    assert lazy["Attributes"] is contact.attributes  # live, as the literal's entry was
    assert "Nope" not in lazy and lookup(lazy, ["Nope"]) is None


def test_every_registry_arn_resolves_to_the_name_the_search_found() -> None:
    """Given every registry resource under the local and a deployed naming, when its ARN (or an
    ARN of another kind, or of nothing) is resolved, then the map gives what the search gave."""
    deployed = Naming(prefix="civicline-dev")
    for naming in (LOCAL, deployed):
        for kind, names in _REGISTRY.items():
            candidates = [naming.arn(k, n) for k, ns in _REGISTRY.items() for n in ns] + ["", "arn:aws:x"]
            assert set(names) <= {naming.registry_name(kind, naming.arn(kind, n)) for n in names}
            for arn in candidates:
                assert naming.registry_name(kind, arn) == registry_name_searched(naming, kind, arn)
        assert naming.registry_name("NOT_A_KIND", "x") is None


attribute_text = st.text(alphabet=st.characters(codec="utf-8"), max_size=40)
big_ascii = st.text(alphabet='a\x00"\\', min_size=1000, max_size=2000)


@given(
    attributes=st.one_of(
        st.dictionaries(attribute_text, attribute_text, max_size=8),
        st.dictionaries(st.text(alphabet="abc", min_size=1, max_size=4), big_ascii, max_size=8),
    )
)
def test_the_size_bound_never_spares_attributes_over_the_limit(attributes: dict[str, str]) -> None:
    """Given any attributes (control characters, quotes, non-ASCII text, near the limit), when the
    bound says they surely fit, then their JSON is within the 32 KB limit (otherwise they are
    measured as before)."""
    if surely_within_limit(attributes):
        assert len(json.dumps(attributes, ensure_ascii=False).encode("utf-8")) <= MAX_ATTRIBUTES_BYTES


def test_attributes_over_the_limit_or_not_text_are_measured() -> None:
    """Given attributes over the limit, or with a value that is not ASCII text, then the bound does
    not spare their measurement."""
    assert not surely_within_limit({"a": "x" * MAX_ATTRIBUTES_BYTES})
    assert not surely_within_limit({"a": "é"})
    assert not surely_within_limit({"a": 1})  # type: ignore[dict-item]
    assert surely_within_limit({"case": "C-1"})


moments = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1))
zones = st.sampled_from([None, UTC, timezone(timedelta(hours=-5)), timezone(timedelta(hours=9, minutes=30))])


@given(moment=moments, zone=zones, other_zone=zones)
def test_a_remembered_timestamp_reads_as_the_formatting(moment: datetime, zone: Any, other_zone: Any) -> None:
    """Given a moment (naive or in any zone) and the same instant in another zone, when each is
    stamped, then each reads as the formatting of that moment (a remembered equal moment is the
    same instant, or the same naive time)."""
    first = moment if zone is None else moment.replace(tzinfo=zone)
    second = first if other_zone is None or zone is None else first.astimezone(other_zone)
    for stamped in (first, second, first):
        assert timestamp(stamped) == timestamp.__wrapped__(stamped)


@given(
    words=st.lists(st.text(alphabet="aB ,.", max_size=6), max_size=4),
    entry=st.text(alphabet="aB ,.", max_size=12),
)
def test_folded_utterances_and_synonyms_match_as_folding_per_entry(words: list[str], entry: str) -> None:
    """Given an intent's utterances and synonyms, when an entry is matched against the folded
    forms remembered on the intent, then it matches as folding every word per entry did."""
    intent = Intent(
        "Pick", utterances=tuple(words), synonyms=tuple(("s", w, f"v{i}") for i, w in enumerate(words))
    )
    assert (_fold(entry) in intent.folded_utterances) == (_fold(entry) in [_fold(u) for u in words])
    padded = f" {_fold(entry.replace(',', ' ').replace('.', ' '))} "
    found = [(len(w), v) for name, w, v in intent.synonyms if name == "s" and f" {_fold(w)} " in padded]
    assert intent._synonym("s", entry) == (max(found)[1] if found else None)
    assert re.fullmatch(r"\S*( \S+)*", intent.folded_name)
