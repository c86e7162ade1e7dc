"""Routing rules: where a caller goes, given the intent, the menu topic, the language and history.

Pure functions over records already read (rules, offices, history). Precedence:

1. a known open case: the office that owns it (the caller's case is already there);
2. a repeat contact: the office that handled the same intent and topic within the repeat window;
3. the most specific routing rule (exact topic and language beat wildcards; then lower priority);
4. the default queue.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal
from zoneinfo import ZoneInfo

from schemas.records import OfficeEntry, RoutingRule

DEFAULT_QUEUE = "general"
Reason = Literal["RULE", "REPEAT", "DEFAULT"]


@dataclass(frozen=True)
class Decision:
    """Where to send the caller: one of our queues, or an office's public number (warm transfer)."""

    queue: str
    reason: Reason
    office: OfficeEntry | None = None
    transfer: bool = False


def history_key(intent: str, topic: str) -> str:
    """What "the same thing" means for repeat contacts: the intent and the menu topic."""
    return f"{intent}#{topic or '*'}"


def best_rule(rules: Iterable[RoutingRule], topic: str, language: str) -> RoutingRule | None:
    """The most specific rule matching ``topic`` and ``language`` (wildcards ``*`` match anything)."""
    candidates = [r for r in rules if r.topic in ("*", topic or "*") and r.language in ("*", language)]
    if not candidates:
        return None
    return min(candidates, key=lambda r: (r.topic == "*", r.language == "*", r.priority, r.queue))


def decide(
    rule: RoutingRule | None,
    rule_office: OfficeEntry | None,
    repeat_office: OfficeEntry | None,
) -> Decision:
    """Combine the candidates by precedence (see module docstring)."""
    if repeat_office is not None:
        if repeat_office.queue:
            return Decision(queue=repeat_office.queue, reason="REPEAT", office=repeat_office)
        return Decision(
            queue=rule.queue if rule else DEFAULT_QUEUE, reason="REPEAT", office=repeat_office, transfer=True
        )
    if rule is None:
        return Decision(queue=DEFAULT_QUEUE, reason="DEFAULT")
    transfer = bool(rule.warm_transfer and rule_office is not None)
    queue = (
        rule_office.queue if rule_office is not None and rule_office.queue and not transfer else rule.queue
    )
    return Decision(queue=queue, reason="RULE", office=rule_office, transfer=transfer)


def office_is_open(office: OfficeEntry, now: datetime, holidays: Collection[date] = ()) -> bool:
    """Open now in the office's own time zone, on a listed day, and not a holiday."""
    local = now.astimezone(ZoneInfo(office.time_zone))
    if local.date() in holidays:
        return False
    day = local.strftime("%A").upper()
    clock = local.strftime("%H:%M")
    return any(h.day == day and h.start <= clock < h.end for h in office.hours)


_DAYS = ("MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY")
_DAY_NAMES = {
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
    "es": ("lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo"),
}


def hours_text(office: OfficeEntry, language: str) -> str:
    """The office's weekly hours written for reading ("Monday to Friday 08:00-17:00"): a chat
    customer who cannot be transferred to the office's phone is given its number and hours instead.
    Consecutive days with the same hours are one range; no hours at all say so."""
    lang = "es" if language == "es" else "en"
    names = _DAY_NAMES[lang]
    spans: dict[str, tuple[str, str]] = {h.day: (h.start, h.end) for h in office.hours}
    runs: list[tuple[int, int, tuple[str, str]]] = []
    for index, day in enumerate(_DAYS):
        span = spans.get(day)
        if span is None:
            continue
        if runs and runs[-1][1] == index - 1 and runs[-1][2] == span:
            runs[-1] = (runs[-1][0], index, span)
        else:
            runs.append((index, index, span))
    if not runs:
        return "sin horario publicado" if lang == "es" else "no published hours"
    joiner = " a " if lang == "es" else " to "
    parts = [
        (names[first] if first == last else f"{names[first]}{joiner}{names[last]}") + f" {start}-{end}"
        for first, last, (start, end) in runs
    ]
    return "; ".join(parts)


def office_name(office: OfficeEntry, language: str) -> str:
    return office.name_es if language == "es" else office.name_en


def connect_prompt(decision: Decision, language: str) -> str:
    """What the flow says before connecting (plain text for text-to-speech)."""
    name = office_name(decision.office, language) if decision.office else None
    if language == "es":
        if decision.transfer and name:
            return f"Le transferimos a {name}."
        return f"Le comunicamos con {name}." if name else "Le comunicamos con un agente."
    if decision.transfer and name:
        return f"Transferring you to {name}."
    return f"Connecting you to {name}." if name else "Connecting you to an agent."
