"""The definitions module: period keys, quarters, ratios, and the documentation that mirrors it."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from functions.domain.metrics import (
    Rules,
    derived,
    federal_fiscal_quarter,
    parse_quarter,
    period_key,
    period_start,
    queue_from_arn,
    to_ms,
    zone,
)
from functions.domain.metrics_registry import COUNTERS, RATIOS

ROOT = Path(__file__).resolve().parents[2]
NY = zone("America/New_York")


@pytest.mark.parametrize(
    ("moment", "grain", "key"),
    [
        (datetime(2026, 11, 23, 14, 14, 59, tzinfo=UTC), "15m", "2026-11-23T14:00:00Z"),
        (datetime(2026, 11, 23, 14, 15, tzinfo=UTC), "15m", "2026-11-23T14:15:00Z"),
        (datetime(2026, 11, 24, 3, 0, tzinfo=UTC), "day", "2026-11-23"),  # 22:00 in New York
        (datetime(2027, 1, 1, 2, 0, tzinfo=UTC), "quarter", "2026Q4"),  # still 2026 in New York
        (datetime(2027, 1, 1, 6, 0, tzinfo=UTC), "quarter", "2027Q1"),
    ],
)
def test_period_keys_use_utc_slots_and_local_days_and_quarters(
    moment: datetime, grain: str, key: str
) -> None:
    # Given a moment, When its period key is taken, Then slots are UTC and days/quarters local
    assert period_key(to_ms(moment), grain, NY) == key
    assert period_start(key, grain, NY) <= moment


def test_quarters_and_the_federal_fiscal_year() -> None:
    assert parse_quarter("2026q4") == (2026, 4)
    assert federal_fiscal_quarter("2026Q4") == "FY2027 Q1"
    assert federal_fiscal_quarter("2027Q3") == "FY2027 Q4"
    for bad in ("2026Q5", "26Q1", "2026-4", ""):
        with pytest.raises(ValueError, match="quarter"):
            parse_quarter(bad)


def test_unknown_time_zone_falls_back_to_utc_and_queue_names_come_from_arns() -> None:
    assert str(zone("Mars/Olympus")) == "UTC"
    assert Rules(time_zone="nowhere").tz == zone("UTC")
    arn = "arn:aws:connect:us-east-1:1:instance/i/queue/abc-123"
    assert queue_from_arn(arn) == "abc-123"
    assert queue_from_arn(arn, {arn: "general"}) == "general"
    assert queue_from_arn(None) is None


def test_ratios_follow_their_formulas_and_are_none_without_a_denominator() -> None:
    # Given counters computed by hand
    counters = {
        "offered": 10,
        "answered": 6,
        "abandoned": 2,
        "busy_or_courtesy_disconnected": 2,
        "answer_time_sum_ms": 180_000,
        "answer_time_count": 6,
        "removed_within_threshold": 7,
        "answered_within_threshold": 5,
        "callbacks_offered": 4,
        "callbacks_accepted": 2,
        "callbacks_connected": 1,
        "inbound_contacts": 20,
        "self_service_contained": 5,
        "fcr_survey_yes": 3,
        "fcr_survey_responses": 4,
        "first_contacts": 9,
        "repeat_contacts": 1,
        "driver_sum|trust": 9,
        "driver_count|trust": 2,
    }
    ratios = derived(counters)
    # Then each derived measure is what docs/metrics.md says
    assert ratios["level_of_service"] == 0.6
    assert ratios["asa_seconds"] == 30.0
    assert ratios["service_level"] == 0.7
    assert ratios["answered_within_threshold_rate"] == 0.5
    assert ratios["abandonment_rate"] == 0.2
    assert ratios["callback_acceptance_rate"] == 0.5
    assert ratios["callback_success_rate"] == 0.5
    assert ratios["containment_rate"] == 0.25
    assert ratios["fcr_survey_rate"] == 0.75
    assert ratios["fcr_repeat_rate"] == 0.9
    assert ratios["a11_trust_mean"] == 4.5
    assert ratios["a11_ease_mean"] is None
    assert all(value is None for value in derived({}).values())


def test_docs_define_every_measure() -> None:
    text = (ROOT / "docs" / "metrics.md").read_text(encoding="utf-8")
    for measure in (*COUNTERS, *RATIOS):
        assert f"`{measure.name}`" in text, measure.name
    for section in (
        "## Deployment contract",
        "Connect's service level is not level of service",
        "## A-11 export",
    ):
        assert section in text


def test_docs_table_is_the_code_definitions() -> None:
    # docs/metrics.md's measure tables are generated from the registry: regenerating changes nothing
    from civicline.metrics.docs import DOC, render

    text = DOC.read_text(encoding="utf-8")
    assert render(text) == text, "run python -m civicline.metrics.docs"


def _contact(*facts: dict[str, object], volumes: bool = False) -> dict[str, int]:
    """The registry counters of one contact (the per-channel and A-11 volume keys only when
    ``volumes``)."""
    from functions.domain.metrics import contact_flags, view

    flags = contact_flags(view("c", {str(i): dict(f) for i, f in enumerate(facts)}), Rules())
    return {k: v for k, v in flags.items() if volumes or "|" not in k}


def test_every_inbound_contact_is_an_a11_customer_of_its_service_and_channel() -> None:
    # Given an inbound chat about case status, and an inbound call that never named an intent
    chat = {"kind": "event", "type": "INITIATED", "contact": "c", "method": "INBOUND", "init": 1}
    chat = {**chat, "channel": "CHAT", "attrs": {"intent": "case_status"}}
    call = {"kind": "event", "type": "INITIATED", "contact": "c", "method": "INBOUND", "init": 1}
    transfer = {**call, "method": "TRANSFER"}
    # Then each is one customer of its service (intent, upper case; else GENERAL) on its channel
    assert _contact(chat, volumes=True)["a11v|customers|CASE_STATUS|CHAT"] == 1
    assert _contact(call, volumes=True)["a11v|customers|GENERAL|VOICE"] == 1
    # And a transferred-in contact is not a new customer (it is not an inbound contact)
    assert not any(k.startswith("a11v|") for k in _contact(transfer, volumes=True))


def test_redirect_to_an_office_is_a_transfer_not_containment() -> None:
    # Given an INBOUND contact the flow sent to another office's number (engine: flow disconnect)
    start = {"kind": "event", "type": "INITIATED", "contact": "c", "method": "INBOUND", "init": 1}
    attrs = {
        "kind": "event",
        "type": "CONTACT_DATA_UPDATED",
        "contact": "c",
        "method": "INBOUND",
        "attrs": {"intent": "REDIRECT", "officeId": "dmv"},
    }
    end = {**start, "type": "DISCONNECTED", "reason": "CONTACT_FLOW_DISCONNECT", "disc": 9}
    # Then it is a transfer and not self-service contained
    assert _contact(start, attrs, end) == {"inbound_contacts": 1, "transfers": 1}
    # And without the redirect marks the same flow disconnect is containment
    assert _contact(start, end) == {"inbound_contacts": 1, "self_service_contained": 1}
    # And selfService=false (asked for more) is never containment, whatever else says true
    said = [{**attrs, "attrs": {"selfService": v}} for v in ("true", "false")]
    assert _contact(start, *said, end) == {"inbound_contacts": 1}


def test_a_chat_contact_counts_under_its_channel_as_well_as_in_total() -> None:
    # Given an inbound chat queued and answered by an agent
    base = {"kind": "event", "contact": "c", "method": "INBOUND", "channel": "CHAT", "init": 1}
    queued = {**base, "type": "QUEUED", "queue": "general", "enq": 1_000}
    agent = {
        **base,
        "type": "CONNECTED_TO_AGENT",
        "queue": "general",
        "enq": 1_000,
        "agent": True,
        "agt": 31_000,
    }
    flags = _contact(base | {"type": "INITIATED"}, queued, agent, volumes=True)
    # Then each counter is there in total and again under CHAT, never under VOICE
    for name in ("inbound_contacts", "offered", "answered", "answered_within_threshold"):
        assert flags[name] == flags[f"ch|CHAT|{name}"] == 1
    assert flags["ch|CHAT|answer_time_sum_ms"] == 30_000
    assert not any(k.startswith("ch|VOICE|") for k in flags)
