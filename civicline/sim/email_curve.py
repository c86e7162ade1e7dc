"""When the day's e-mails arrive: the desk's hours, and the night before the desk opens.

Why a curve of its own: mail, unlike calls, keeps arriving while the desk is closed, and a real
morning starts with it. A profile's ``email.arrivals`` is the e-mail curve over the whole day: an
interval runs until the next one starts; the last one until closing when it starts before closing,
else until midnight. Intervals (or their parts) before opening or from closing on are the closed
hours. The day's ``email.emails`` arrive in the desk's hours, spread by weight and duration (a
Poisson day, piecewise-constant rate); the closed hours add mail at the same rate per unit of
weight, over the 24 hours that end at the profile's closing: the part from closing to midnight is
the previous evening's (``seconds - 86400``: a day like this one, the evening before), the part
from midnight to opening this night's. Both are waiting when the desk opens
(:func:`civicline.sim.email_day.email_plan`), beside what the profile gives as carried in
(``email.carried_in``, received ``carried_in_age_hours`` before opening).

A curve inside the desk's hours only, or none (the calls' curve, which describes calls and stays
inside the hours), gives exactly the rates it gave before (:func:`civicline.sim.callers.arrival_rates`);
a night never changes the hours' rates, and is drawn from streams of its own, so adding one leaves
the day's own e-mails as they were.
"""

from __future__ import annotations

import math
import random

from civicline.sim.callers import arrival_rates
from schemas.profile import SimulationProfile, clock_seconds

DAY = 86400.0

#: a piece of the curve: (start, end, e-mails per second), seconds after the day's local midnight
Piece = tuple[float, float, float]


def _in_hours_profile(profile: SimulationProfile) -> SimulationProfile:
    spec = profile.email
    curve = spec.arrivals or profile.arrivals
    return profile.model_copy(update={"arrivals": curve, "after_hours_share": 0.0})


def closed_pieces(profile: SimulationProfile) -> list[tuple[float, float, float]]:
    """(start, end, weight x duration) of the e-mail curve while the desk is closed, in the 24 hours
    before closing: the evening before (negative seconds) and this night, in time order."""
    curve = profile.email.arrivals
    if not curve:
        return []
    open_s, close_s = clock_seconds(profile.open), clock_seconds(profile.close)
    starts = [clock_seconds(a.start) for a in curve]
    out = []
    for i, interval in enumerate(curve):
        start = starts[i]
        end = starts[i + 1] if i + 1 < len(curve) else (close_s if start < close_s else DAY)
        for a, b, shift in ((start, min(end, open_s), 0.0), (max(start, close_s), end, -DAY)):
            if b > a and interval.weight > 0:
                out.append((a + shift, b + shift, interval.weight * (b - a)))
    return sorted(out)


def _hours_pieces(profile: SimulationProfile) -> list[tuple[float, float, float]]:
    """(start, end, weight x duration) of the curve's intervals inside the desk's hours."""
    open_s, close_s = clock_seconds(profile.open), clock_seconds(profile.close)
    curve = profile.email.arrivals or []
    starts = [clock_seconds(a.start) for a in curve]
    out = []
    for i, interval in enumerate(curve):
        start = max(starts[i], open_s)
        end = min(starts[i + 1] if i + 1 < len(curve) else close_s, close_s)
        if end > start and interval.weight > 0:
            out.append((start, end, interval.weight * (end - start)))
    return out


def hours_rates(profile: SimulationProfile, emails: int) -> list[Piece]:
    """The e-mail arrival rate inside the desk's hours for ``emails`` expected there."""
    if not closed_pieces(profile):  # exactly the rates of a day without a night
        return arrival_rates(_in_hours_profile(profile), emails)
    hours = _hours_pieces(profile)
    mass = math.fsum(w for _, _, w in hours)
    return [(a, b, emails * w / mass / (b - a)) for a, b, w in hours]


def night_rates(profile: SimulationProfile, emails: int) -> list[Piece]:
    """The e-mail arrival rate while the desk is closed, in the 24 hours before closing (the evening
    before, negative seconds, and this night): the curve's weight there at the rate per unit of
    weight of the desk's hours (``emails`` expected there). None without weight in the hours."""
    mass = math.fsum(w for _, _, w in _hours_pieces(profile))
    if mass <= 0:
        return []
    return [(a, b, emails * w / mass / (b - a)) for a, b, w in closed_pieces(profile)]


def email_rates(profile: SimulationProfile, emails: int) -> list[Piece]:
    """Every piece of the 24 hours up to closing, in time order: the night's, then the hours'."""
    return sorted([*night_rates(profile, emails), *hours_rates(profile, emails)])


def email_arrival_times(profile: SimulationProfile, emails: int, rng: random.Random) -> list[float]:
    """Arrival instants of a Poisson day of ``emails`` over the desk's hours (seconds after local
    midnight), in time order."""
    return _draw(hours_rates(profile, emails), rng)


def night_arrival_times(profile: SimulationProfile, emails: int, rng: random.Random) -> list[float]:
    """Arrival instants of the night before (:func:`night_rates`; the evening before is negative)."""
    return _draw(night_rates(profile, emails), rng)


def _draw(pieces: list[Piece], rng: random.Random) -> list[float]:
    times: list[float] = []
    for start, end, rate in pieces:
        t = start + rng.expovariate(rate)
        while t < end:
            times.append(t)
            t += rng.expovariate(rate)
    return sorted(times)


def expected_night(profile: SimulationProfile, emails: int) -> float:
    """E-mails the curve expects while the desk is closed (the evening before and this night)."""
    return math.fsum((b - a) * r for a, b, r in night_rates(profile, emails))


__all__ = [
    "closed_pieces",
    "email_arrival_times",
    "email_rates",
    "expected_night",
    "hours_rates",
    "night_arrival_times",
    "night_rates",
]
