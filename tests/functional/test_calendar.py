"""The callback function closes on the service calendar's holidays (issue 11 item 4)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from functions.handlers.callback import handler
from tests.functional.conftest import make_event


def test_a_callback_booked_the_day_before_a_holiday_skips_it(seeded: Any, clock: Any) -> None:
    # Given Wednesday 25 November 2026, 15:00 New York, and Thanksgiving the next day
    clock.moment = datetime(2026, 11, 25, 20, 0, tzinfo=UTC)
    # When the caller asks for tomorrow morning (window 1)
    result = handler(make_event({"mode": "SCHEDULED", "queueName": "general", "window": "1"}, "cb-hol"), None)
    # Then the window is Friday morning, never the holiday (callback used to ignore it)
    assert result["result"] == "CREATED"
    assert result["windowStart"].startswith("2026-11-27T14:00")
