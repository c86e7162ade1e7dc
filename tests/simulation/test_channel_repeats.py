"""Chat repeat contacts: a chat carries no phone number, so the routing function keys a signed-in
customer's chat by the ``customerId`` contact attribute the chat starts with (StartChatContact
Attributes); their repeat chats are then counted by the aggregator's own repeat-contact rules. A
chat without one stays keyed by its own contact, as before."""

from __future__ import annotations

from typing import Any

import pytest

from civicline.sim.day import DayResult, run_day
from civicline.sim.profiles import load_profile, parse_profile
from civicline.sim.summary import summarize
from functions.handlers.routing import handler
from schemas.profile import SimulationProfile


def _chat_event(contact_id: str, attributes: dict[str, str]) -> dict[str, Any]:
    """A Connect Lambda event of a chat contact (no customer phone endpoint, as a chat has none)."""
    return {
        "Name": "ContactFlowEvent",
        "Details": {
            "ContactData": {
                "Attributes": attributes,
                "Channel": "CHAT",
                "ContactId": contact_id,
                "InitialContactId": contact_id,
                "InitiationMethod": "API",
                "InstanceARN": "arn:aws:connect:us-east-1:123456789012:instance/x",
                "CustomerEndpoint": None,
                "SystemEndpoint": None,
                "Queue": None,
            },
            "Parameters": {"action": "route", "intent": "CONSULTATION"},
        },
    }


@pytest.fixture
def routed() -> Any:
    from datetime import UTC, datetime

    from civicline.data import seed_demo
    from civicline.local.aws import LocalAws
    from functions.core.clock import set_clock

    moment = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)
    with LocalAws(prefix="chatkey"):
        seed_demo(moment)
        set_clock(lambda: moment)
        try:
            yield lambda cid, attrs: handler(_chat_event(cid, attrs), None)["callerKey"]
        finally:
            set_clock(None)


def test_a_signed_in_customers_chats_share_one_pseudonymous_key(routed: Any) -> None:
    # Given two chats of the same signed-in customer, one of another, and anonymous chats
    first = routed("11111111-0000-4000-8000-000000000001", {"customerId": "portal-5550123"})
    again = routed("11111111-0000-4000-8000-000000000002", {"customerId": "portal-5550123"})
    other = routed("11111111-0000-4000-8000-000000000003", {"customerId": "portal-5550124"})
    anonymous = routed("11111111-0000-4000-8000-000000000004", {})
    malformed = routed("11111111-0000-4000-8000-000000000005", {"customerId": "portal 1; drop"})
    # Then the customer's chats share one key that carries no part of the id, others differ
    assert first == again != other
    assert first.startswith("customer-") and "5550123" not in first
    # And an anonymous chat, or one with an id that is not well formed, is keyed by its own contact
    assert anonymous.startswith("contact-") and malformed.startswith("contact-")
    assert anonymous != malformed


def test_the_customer_id_is_masked_in_logs() -> None:
    from functions.core.privacy import mask_pii

    # Given a log record holding the contact's attributes, Then the portal id is masked
    assert mask_pii({"Attributes": {"customerId": "portal-5550123", "intent": "APPEAL"}}) == {
        "Attributes": {"customerId": "***", "intent": "APPEAL"}
    }


def _chatty(signed_in: float) -> SimulationProfile:
    """The demo day's morning with many unresolved chat customers who come back within the hour."""
    data = load_profile("regional-hotline-day").model_dump(mode="json")
    data["chat"] = {**data["chat"], "contacts": 600, "signed_in_share": signed_in}
    data["survey"] = {**data["survey"], "resolved_first_time": 0.2}
    data["repeat_callers"] = {"share_of_unresolved": 0.9, "delay_minutes": 20}
    return parse_profile(data)


def _day(signed_in: float) -> tuple[DayResult, dict[str, Any]]:
    profile = _chatty(signed_in)
    result = run_day(profile, 4, calls=60, hours=2)
    return result, summarize(result, profile)


@pytest.mark.slow
@pytest.mark.xdist_group("simulation-day")
def test_repeat_chats_of_signed_in_customers_are_counted_by_the_aggregators_rules() -> None:
    # Given a morning where chat customers come back, once all signed in and once all anonymous
    signed, signed_summary = _day(1.0)
    anonymous, anonymous_summary = _day(0.0)
    chat = signed_summary["channels"]["CHAT"]
    # Then the signed-in customers' repeat chats are repeat contacts, per the aggregator and the truth
    assert signed.truth.counts["chat_arrivals"] > 0 and signed.truth.counts["repeat_calls"] > 0
    assert chat.get("repeat_contacts", 0) > 0
    assert signed_summary["reconciliation"] == {}
    # And anonymous chats stay first contacts (keyed by their own contact), truth == metrics too
    assert anonymous_summary["channels"]["CHAT"].get("repeat_contacts", 0) == 0
    assert anonymous_summary["reconciliation"] == {}
    # And signing in changes nobody's arrival: the same chats arrive (their draws are their own stream)
    assert signed.truth.counts["chat_arrivals"] == anonymous.truth.counts["chat_arrivals"]
