"""Statutory due dates and how dates and times are spoken.

A due date is ``days`` after the registration date, counted in calendar days or in working days
(Monday-Friday, skipping configured holidays). Spoken forms are plain text for Connect's
text-to-speech in English and Spanish.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, datetime, timedelta
from typing import Literal

DueRule = Literal["CALENDAR_DAYS", "WORKING_DAYS"]

_MONTHS_EN = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
_MONTHS_ES = [
    "enero",
    "febrero",
    "marzo",
    "abril",
    "mayo",
    "junio",
    "julio",
    "agosto",
    "septiembre",
    "octubre",
    "noviembre",
    "diciembre",
]
_DAYS_EN = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
_DAYS_ES = ["lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo"]


def is_working_day(day: date, holidays: Collection[date]) -> bool:
    return day.weekday() < 5 and day not in holidays


def due_date(start: date, days: int, rule: DueRule, holidays: Collection[date] = ()) -> date:
    """``days`` calendar days after ``start``, or the ``days``-th working day after it."""
    if days < 1:
        raise ValueError("days must be positive")
    if rule == "CALENDAR_DAYS":
        return start + timedelta(days=days)
    current, counted = start, 0
    while counted < days:
        current += timedelta(days=1)
        if is_working_day(current, holidays):
            counted += 1
    return current


def next_working_day(after: date, holidays: Collection[date] = ()) -> date:
    current = after + timedelta(days=1)
    while not is_working_day(current, holidays):
        current += timedelta(days=1)
    return current


def spoken_date(day: date, language: str) -> str:
    """``Friday, March 6, 2026`` / ``viernes 6 de marzo de 2026``."""
    if language == "es":
        return f"{_DAYS_ES[day.weekday()]} {day.day} de {_MONTHS_ES[day.month - 1]} de {day.year}"
    return f"{_DAYS_EN[day.weekday()]}, {_MONTHS_EN[day.month - 1]} {day.day}, {day.year}"


def spoken_time(moment: datetime, language: str) -> str:
    """``2:30 PM`` / ``14:30`` (Spanish uses the 24-hour clock)."""
    if language == "es":
        return f"{moment.hour}:{moment.minute:02d}"
    hour = moment.hour % 12 or 12
    return f"{hour}:{moment.minute:02d} {'AM' if moment.hour < 12 else 'PM'}"


def spoken_moment(moment: datetime, language: str) -> str:
    joiner = " a las " if language == "es" else " at "
    return spoken_date(moment.date(), language) + joiner + spoken_time(moment, language)
