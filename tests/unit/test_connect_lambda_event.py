"""The Connect Lambda event contract against every real sample and against malformed input."""

from __future__ import annotations

import copy

import pytest

from schemas.codec import ContractError
from schemas.connect_lambda import parse_event
from tests.conftest import conformance_files, load_json

LAMBDA_SAMPLES = conformance_files("events", "lambda__")


def test_there_are_lambda_samples() -> None:
    assert len(LAMBDA_SAMPLES) >= 5


@pytest.mark.parametrize("path", LAMBDA_SAMPLES, ids=lambda p: p.stem)
def test_every_real_sample_parses_unchanged(path) -> None:
    # Given a Lambda event published by AWS or a public project
    raw = load_json(path)
    # When it is parsed
    event = parse_event(raw)
    # Then the contact id and parameters are read as sent
    assert event.contact.ContactId == raw["Details"]["ContactData"]["ContactId"]
    assert event.parameters == (raw["Details"].get("Parameters") or {})


def test_queue_may_be_a_string_an_object_or_null() -> None:
    by_name = {p.stem: parse_event(load_json(p)) for p in LAMBDA_SAMPLES}
    assert by_name["lambda__awsdocs-admin-guide-archived__queue-as-string"].contact.queue_name == (
        "QueueName"
    )
    assert by_name["lambda__aws-powertools__connectContactFlowEventAll"].contact.queue_name
    minimal = by_name["lambda__aws-powertools__connectContactFlowEventMin"].contact
    assert minimal.Queue is None
    assert minimal.caller_number is None


def _sample() -> dict:
    return load_json(LAMBDA_SAMPLES[0])


def test_missing_details_is_a_validation_error() -> None:
    with pytest.raises(ContractError, match="Details"):
        parse_event({"Name": "ContactFlowEvent"})


def test_wrong_types_are_a_validation_error() -> None:
    event = _sample()
    event["Details"]["Parameters"] = {"caseNumber": {"nested": "object"}}
    with pytest.raises(ContractError, match="Parameters"):
        parse_event(event)


@pytest.mark.parametrize("bad", [None, [], "text", 42])
def test_non_object_event_is_a_validation_error(bad) -> None:
    with pytest.raises(ContractError):
        parse_event(bad)


def test_a_one_megabyte_attribute_is_refused_with_a_clear_message() -> None:
    # Given an event whose attributes exceed Connect's 32 KB
    event = copy.deepcopy(_sample())
    event["Details"]["ContactData"]["Attributes"] = {"blob": "x" * 1_048_576}
    # Then validation says so
    with pytest.raises(ContractError, match="32 KB"):
        parse_event(event)


def test_unknown_fields_are_ignored() -> None:
    # Given an event with a field newer deployments add / Then it still parses, the field is not read
    event = _sample()
    event["Details"]["ContactData"]["FutureInsights"] = {"x": {"ValueString": "y"}}
    parsed = parse_event(event)
    assert not hasattr(parsed.contact, "FutureInsights")
    assert parsed.contact.ContactId == event["Details"]["ContactData"]["ContactId"]
