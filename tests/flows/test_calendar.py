"""One service calendar (functions/domain/calendar.py) for CheckHoursOfOperation locally, the
functions and the CDK hours of operation with their holiday overrides (SEAMS C, issue 11 item 4)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from typing import Any

from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from civicline.cli import app
from functions.domain.calendar import WEEKDAYS, Calendar, service_calendar
from infra.calendar import environment_calendar
from infra.config import load_config
from infra.registry import HOLIDAYS


def _call(*args: str) -> dict[str, Any]:
    result = CliRunner().invoke(app, ["call", "--json", "--flow", "main-inbound", *args])
    assert result.exit_code == 0, result.output
    data: dict[str, Any] = json.loads(result.output)
    return data


def _after_hours_check(transcript: dict[str, Any]) -> str:
    path: list[str] = transcript["path"]
    return path[path.index("check-hours") + 1]


def test_christmas_morning_takes_the_closed_branch_because_of_the_holiday() -> None:
    # Given the service calendar (Mon-Fri 08:00-18:00 New York, closed on public holidays)
    # When a caller rings at 10:00 on Friday 25 December 2026 / Then CheckHoursOfOperation is False
    assert _after_hours_check(_call("--at", "2026-12-25T10:00", "--dtmf", "1 _ _ _")) == "closed-message"
    # and the same hour of the working day before is open
    assert _after_hours_check(_call("--at", "2026-12-24T10:00", "--dtmf", "1 0")) == "after-language"


def test_hours_are_evaluated_in_the_calendars_time_zone() -> None:
    # 13:30 UTC on a Thursday is 08:30 in New York (open); 12:30 UTC is 07:30 (closed)
    assert _after_hours_check(_call("--at", "2026-12-03T13:30+00:00", "--dtmf", "1 0")) == "after-language"
    assert (
        _after_hours_check(_call("--at", "2026-12-03T12:30+00:00", "--dtmf", "1 _ _ _")) == "closed-message"
    )


def test_closed_remains_a_shortcut_and_a_bad_moment_is_refused() -> None:
    assert _after_hours_check(_call("--closed", "--dtmf", "1 _ _ _")) == "closed-message"
    result = CliRunner().invoke(app, ["call", "--flow", "main-inbound", "--at", "next tuesday"])
    assert result.exit_code == 2 and "ISO date-time" in result.output


def test_the_cdk_overrides_close_exactly_the_calendars_holidays() -> None:
    # Given an environment / Then its hours of operation close on the registry's public holidays
    # and the environment's own closures, the days the functions and the engine close on
    config = load_config("dev")
    calendar = environment_calendar(config)
    assert calendar.holidays == {d for d, _ in HOLIDAYS} | set(config.holidays)
    assert calendar.time_zone == config.weekly_hours("main")[0]


def test_functions_close_on_the_public_holidays_without_the_reference_table() -> None:
    # Given no HOLIDAYS configured (callback has no grant on the reference table)
    from functions.core.settings import Settings

    calendar = Settings().calendar()
    # Then Thanksgiving (a registry holiday) is no working day, and the next one is the Friday
    thanksgiving = date(2026, 11, 26)
    assert not calendar.is_working_day(thanksgiving)
    assert calendar.next_working_day(date(2026, 11, 25)) == date(2026, 11, 27)


@given(st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2027, 12, 31), timezones=st.just(UTC)))
def test_open_only_on_a_working_day_within_its_hours(moment: datetime) -> None:
    # Property: open <=> a working weekday, not a holiday, local time in [opening, closing)
    calendar = service_calendar()
    local = calendar.local(moment)
    day = WEEKDAYS[local.weekday()]
    expected = (
        day in calendar.weekly
        and local.date() not in calendar.holidays
        and calendar.weekly[day][0] <= local.strftime("%H:%M") < calendar.weekly[day][1]
    )
    assert calendar.is_open(moment) == expected


@given(st.dates(min_value=date(2026, 1, 1), max_value=date(2027, 12, 1)))
def test_next_working_day_is_the_first_open_day_after(day: date) -> None:
    calendar = service_calendar()
    following = calendar.next_working_day(day)
    assert following > day and calendar.is_working_day(following)
    assert not any(calendar.is_working_day(day + timedelta(days=n)) for n in range(1, (following - day).days))


def test_a_calendar_without_hours_says_so() -> None:
    import pytest

    with pytest.raises(ValueError, match="no working day"):
        Calendar("UTC", {}).next_working_day(date(2026, 1, 1))
