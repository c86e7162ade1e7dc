"""The service calendar: weekly opening hours, their time zone, and the days the service is closed.

One definition, read by everything that asks "are we open?" or "is this a working day?":
CheckHoursOfOperation in the local engine (``ContactCenterView.is_open``), the functions (callback
windows, appeal deadlines, routing) and the CDK hours of operation with their holiday overrides.
The data comes from :mod:`infra.registry` (``HOURS``, the public ``HOLIDAYS``) plus what an
environment adds (``infra/environments/<env>.yaml``: its time zone, weekly hours, extra closures),
which the stack hands to the functions as ``TIME_ZONE`` and ``HOLIDAYS``. Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

WEEKDAYS = ("MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY")


def _clock(text: str) -> time:
    hours, minutes = (int(part) for part in text.split(":"))
    return time(hours, minutes)


@dataclass(frozen=True)
class Calendar:
    """``weekly``: weekday name -> (opening, closing) local ``HH:MM``; ``holidays``: closed all day."""

    time_zone: str
    weekly: Mapping[str, tuple[str, str]]
    holidays: frozenset[date] = field(default_factory=frozenset)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    def local(self, moment: datetime) -> datetime:
        return moment.astimezone(self.zone)

    def is_working_day(self, day: date) -> bool:
        """Open at some time that day: a weekday with hours, and not a holiday."""
        return WEEKDAYS[day.weekday()] in self.weekly and day not in self.holidays

    def is_open(self, moment: datetime) -> bool:
        """Open at ``moment`` (timezone-aware), in the calendar's own time zone, as Connect's
        CheckHoursOfOperation evaluates hours with their overrides."""
        local = self.local(moment)
        if not self.is_working_day(local.date()):
            return False
        opening, closing = self.weekly[WEEKDAYS[local.weekday()]]
        return _clock(opening) <= local.time().replace(tzinfo=None) < _clock(closing)

    def next_working_day(self, after: date) -> date:
        current = after + timedelta(days=1)
        for _ in range(366):
            if self.is_working_day(current):
                return current
            current += timedelta(days=1)
        raise ValueError("no working day within a year: the calendar has no opening hours")

    def with_holidays(self, more: Iterable[date]) -> Calendar:
        return Calendar(self.time_zone, self.weekly, self.holidays | frozenset(more))


def service_calendar(
    hours: str = "main",
    *,
    time_zone: str | None = None,
    weekly: Mapping[str, tuple[str, str]] | None = None,
    holidays: Iterable[date] = (),
) -> Calendar:
    """The calendar of a registry hours of operation: registry weekly hours and time zone unless
    an environment overrides them, closed on the registry's public holidays and ``holidays``."""
    from infra.registry import HOLIDAYS, HOURS_BY_NAME

    spec = HOURS_BY_NAME[hours]
    return Calendar(
        time_zone or spec.time_zone,
        dict(weekly or spec.weekly),
        frozenset(day for day, _ in HOLIDAYS) | frozenset(holidays),
    )
