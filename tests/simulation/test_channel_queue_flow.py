"""The queue flow for chats in the simulated day (``chat.queue_flow``): a waiting chat reads the
customer-queue flow as ``civicline call --channel chat`` runs it, and a customer who accepts
callbacks types "callback" and their number once their wait passed the virtual-hold threshold; the
booked callback is dialed by the real dispatcher. Off (the default), a chat waits without the flow."""

from __future__ import annotations

from typing import Any

import pytest

from civicline.sim.day import DayResult, run_day
from civicline.sim.profiles import load_profile, parse_profile
from civicline.sim.summary import summarize

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("simulation-day")]


def _busy_chat_morning(queue_flow: bool) -> tuple[DayResult, dict[str, Any]]:
    """The demo day's morning with far more chats than its one chat agent (three slots) can take."""
    data = load_profile("regional-hotline-day").model_dump(mode="json")
    data["chat"] = {**data["chat"], "contacts": 4000, "queue_flow": queue_flow}
    for group in data["agents"]:
        if group["name"] == "chat-desk":
            group["count"] = 1
    profile = parse_profile(data)
    result = run_day(profile, 5, calls=80, hours=2)
    return result, summarize(result, profile)


def test_waiting_chats_book_callbacks_through_the_queue_flow_and_metrics_match() -> None:
    # Given a busy chat morning, once with the queue flow for chats and once without
    on, on_summary = _busy_chat_morning(True)
    off, off_summary = _busy_chat_morning(False)
    # Then with the flow some waiting chat customers booked a callback by typing "callback" and
    # their number (the callback function's SCHEDULED booking), and it was dialed
    chat_on = on_summary["channels"]["CHAT"]
    assert chat_on.get("callbacks_accepted", 0) > 0
    assert on.truth.counts["scheduled_dialed"] > off.truth.counts.get("scheduled_dialed", 0)
    # And without it no chat books a callback, and the same chats arrive (their plan is unchanged)
    assert off_summary["channels"]["CHAT"].get("callbacks_accepted", 0) == 0
    assert on.truth.counts["chat_arrivals"] == off.truth.counts["chat_arrivals"]
    # And the metrics equal the truth either way, and no chat was dropped without service
    assert on_summary["reconciliation"] == {} and off_summary["reconciliation"] == {}
    assert on.truth.counts.get("dropped", 0) == 0
