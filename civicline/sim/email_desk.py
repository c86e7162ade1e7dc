"""The e-mail desk against the 24-hour answer deadline across days: the level a plan needs, and a
check of a level over the plan's day and the next working day.

Why across days: the deployed flow promises an answer 24 h after receipt (``answerDeadline``), so
an e-mail received at 15:00 is in time when an agent takes it before 15:00 the next day. A desk
that must clear everything by closing (the one-day rule, ``by: closing``) is staffed for the
afternoon's mail as if it were due at once, which over-staffs a steady multi-day operation.

The days are the service calendar's (:func:`functions.domain.calendar.service_calendar`: its time
zone, weekly days and holidays, the one definition the flows' hours and the functions read); the
desk works the profile's opening hours on each working day. An e-mail whose deadline falls while
the desk is closed (mail received on the afternoon before a weekend or a holiday) must be answered
before the desk closes, so such a day plans like the one-day rule.

The level (``email_deadline_level``): the desk is level through the opening hours; e-mails are
taken oldest deadline first (the simulator's and Connect's routing: first in, first out); the next
working day is staffed alike and starts with what this day leaves (steady state: a multi-day
operation plans every day the same way). A fluid model on a one-minute grid gives each e-mail's
answer time; the level is the fewest agents with (1) at least the target share of the day's
received e-mails and the carried-in backlog answered by their deadline, and (2) the day's hours
doing at least the day's own work, so the backlog at closing is no larger than the one carried in
(else it would grow day after day). The check (``deadline_check``) runs the
same desk as a discrete-event queue on the simulator's own e-mail draws (arrival times, handle times,
auto-replies: :func:`civicline.sim.email_day.email_plan`), for the randomness the fluid leaves out.
"""

from __future__ import annotations

import heapq
import math
from dataclasses import dataclass
from datetime import date, timedelta

from civicline.sim.email_curve import email_rates, expected_night
from functions.domain.calendar import Calendar, service_calendar
from schemas.profile import SimulationProfile, clock_seconds

#: the answer deadline after receipt (the flow's promise), seconds
DEADLINE = 24 * 3600.0
#: resolution of the fluid model, seconds
GRID = 60.0
DAY = 86400.0


def profile_calendar(profile: SimulationProfile) -> Calendar:
    """The service calendar in the profile's time zone (its weekly days and holidays)."""
    return service_calendar("main", time_zone=profile.time_zone)


@dataclass(frozen=True)
class DeskDays:
    """The plan's day and the next working day: the desk's open windows (seconds after the plan
    day's midnight) and where the next day starts."""

    windows: tuple[tuple[float, float], tuple[float, float]]

    @property
    def horizon(self) -> float:
        return self.windows[1][1]

    def open_at(self, t: float) -> bool:
        return any(a <= t < b for a, b in self.windows)


def desk_days(profile: SimulationProfile, calendar: Calendar | None = None) -> DeskDays:
    """The desk's hours today and on the calendar's next working day."""
    calendar = calendar or profile_calendar(profile)
    opening, closing = clock_seconds(profile.open), clock_seconds(profile.close)
    following: date = calendar.next_working_day(profile.day)
    offset = (following - profile.day) / timedelta(days=1) * DAY
    return DeskDays(((opening, closing), (offset + opening, offset + closing)))


@dataclass(frozen=True)
class Mail:
    """E-mails that arrive together: when, how many, and when they are due."""

    arrival: float
    count: float
    due: float


def day_mail(profile: SimulationProfile) -> list[Mail]:
    """The carried-in backlog at opening, then the night's and the day's real e-mails per grid step
    (the curve of :func:`civicline.sim.email_curve.email_rates`: the night before the desk opens and
    its hours; auto-replies are never answered and not counted)."""
    spec = profile.email
    opening = clock_seconds(profile.open)
    out = []
    if spec.carried_in:
        out.append(
            Mail(opening, float(spec.carried_in), opening - spec.carried_in_age_hours * 3600.0 + DEADLINE)
        )
    real = 1.0 - spec.auto_reply_share
    for start, end, rate in email_rates(profile, spec.emails):
        t = start
        while t < end:
            step = min(GRID, end - t)
            out.append(Mail(t, rate * step * real, t + DEADLINE))
            t += step
    return out


def received(profile: SimulationProfile) -> float:
    """The e-mails a plan answers for (auto-replies included, as the metrics count received mail):
    the carried-in backlog, the night's expected mail and the day's."""
    spec = profile.email
    return spec.carried_in + expected_night(profile, spec.emails) + spec.emails


def _answered_in_time(mail: list[Mail], days: DeskDays, agents: int, work: float) -> float:
    """Mail answered by its deadline (fluid, oldest deadline first) when ``agents`` work ``work``
    agent-seconds per e-mail during the desk's hours."""
    queue = sorted(mail, key=lambda m: m.due)
    waiting: list[list[float]] = []  # [due, count] of arrived, unanswered mail, by due
    arrived, in_time = 0, 0.0
    t = days.windows[0][0]
    while t < days.horizon and (arrived < len(queue) or waiting):
        while arrived < len(queue) and queue[arrived].arrival <= t:
            waiting.append([queue[arrived].due, queue[arrived].count])
            arrived += 1
        waiting.sort()
        capacity = agents * GRID / work if days.open_at(t) else 0.0
        while capacity > 1e-12 and waiting:
            due, count = waiting[0]
            taken = min(count, capacity)
            if t <= due:
                in_time += taken
            capacity -= taken
            if taken >= count - 1e-12:
                waiting.pop(0)
            else:
                waiting[0][1] = count - taken
        t += GRID
    return in_time


def email_deadline_level(profile: SimulationProfile, work: float, answered_share: float) -> int:
    """Fewest level agents meeting the target by deadline and doing the day's work within the day
    (module docstring); ``work``: agent-seconds per e-mail (handle, after-contact work, occupancy)."""
    mail = day_mail(profile)
    total = math.fsum(m.count for m in mail)
    if total <= 0:
        return 0
    days = desk_days(profile)
    hours = days.windows[0][1] - days.windows[0][0]
    today = total - profile.email.carried_in
    agents = max(0, math.ceil(today * work / hours - 1e-9))
    needed = answered_share * received(profile)  # as the metrics: of received
    while _answered_in_time(mail, days, agents, work) < needed - 1e-6:
        agents += 1
    return agents


@dataclass(frozen=True)
class DeadlineCheck:
    """A desk level over the plan's day and the next working day, discrete: the day's received
    e-mails (auto-replies included, as the metrics count them) and those answered by their deadline."""

    received: int
    answered_in_time: int

    @property
    def share(self) -> float:
        return self.answered_in_time / self.received if self.received else 1.0


def deadline_check(profile: SimulationProfile, agents: int, acw: float, seed: int) -> DeadlineCheck:
    """``agents`` on the desk through the opening hours of the plan's day and the next working day,
    serving the simulator's e-mail draws for ``seed`` oldest deadline first (module docstring)."""
    from civicline.sim.email_day import email_plan

    days = desk_days(profile)
    mails = email_plan(profile, seed, profile.email.emails)  # the carried-in backlog and the night too
    opening = days.windows[0][0]
    due = sorted((m.arrival + DEADLINE, m.aht_seconds) for m in mails if not m.notes.get("auto"))
    free = [opening] * agents
    heapq.heapify(free)
    in_time = 0
    for deadline, handle in due:  # oldest deadline first: the order the desk takes them
        if not free:
            break
        agent = heapq.heappop(free)
        start = _next_open(days, max(agent, deadline - DEADLINE))
        if start is None:  # not before the next working day's closing: not answered in the horizon
            heapq.heappush(free, agent)
            continue
        in_time += start <= deadline
        heapq.heappush(free, _finish(days, start, handle + acw))
    return DeadlineCheck(len(mails), in_time)


def _next_open(days: DeskDays, t: float) -> float | None:
    for a, b in days.windows:
        if t < b:
            return max(t, a)
    return None


def _finish(days: DeskDays, start: float, seconds: float) -> float:
    """When work of ``seconds`` started at ``start`` ends, pausing while the desk is closed."""
    left, t = seconds, start
    for a, b in days.windows:
        if t >= b:
            continue
        t = max(t, a)
        if t + left <= b:
            return t + left
        left -= b - t
        t = b
    return math.inf
