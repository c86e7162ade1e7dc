"""The EventBridge contact-event model: real samples, casing, unknown types."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from schemas.contact_events import ContactEvent, ContactEventType, camel_key
from tests.conftest import conformance_files, load_json

SAMPLES = conformance_files("events", "eventbridge__")


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.stem)
def test_every_real_sample_parses(path) -> None:
    raw = load_json(path)
    event = ContactEvent.model_validate(raw)
    assert event.is_contact_event
    assert event.detail.contactId == raw["detail"].get("contactId")
    assert event.detail.kind is not ContactEventType.UNKNOWN


def test_pascal_case_and_arn_suffixes_are_read() -> None:
    raw = load_json(next(p for p in SAMPLES if "2021" in p.stem))
    detail = ContactEvent.model_validate(raw).detail
    assert detail.instanceArn and detail.instanceArn.startswith("arn:aws:connect")
    assert detail.agentInfo is not None
    assert detail.agentInfo.agentArn == "arn"
    assert detail.channel == "VOICE"


def test_missing_queue_and_agent_info_are_none() -> None:
    raw = load_json(next(p for p in SAMPLES if "minimal" in p.stem))
    detail = ContactEvent.model_validate(raw).detail
    assert detail.queueInfo is None
    assert detail.agentInfo is None


def test_an_unknown_event_type_is_kept_not_rejected() -> None:
    raw = load_json(SAMPLES[0])
    raw["detail"]["eventType"] = "SOMETHING_NEW"
    detail = ContactEvent.model_validate(raw).detail
    assert detail.kind is ContactEventType.UNKNOWN
    assert detail.eventType == "SOMETHING_NEW"


def test_tags_keep_their_keys() -> None:
    raw = load_json(next(p for p in SAMPLES if "disconnected-outbound" in p.stem))
    detail = ContactEvent.model_validate(raw).detail
    assert detail.tags["Dept"] == "Finance"


def test_missing_contact_id_is_a_validation_error() -> None:
    raw = load_json(SAMPLES[0])
    del raw["detail"]["contactId"]
    with pytest.raises(ValidationError, match="contactId"):
        ContactEvent.model_validate(raw)


@given(st.from_regex(r"[a-z][a-zA-Z]{0,20}", fullmatch=True))
def test_camel_key_is_idempotent(key: str) -> None:
    assert camel_key(camel_key(key)) == camel_key(key)
    if any(c.islower() for c in key[1:]):
        assert camel_key(key[0].upper() + key[1:]) == camel_key(key)
