"""The e-mail backlog a simulated day opens with: the night before (from the profile's own e-mail
curve outside the desk's hours) and what the profile gives as carried in, through the real flow at
each e-mail's own arrival, worked first in first out with the day's mail, and measured from that
arrival by the aggregator and the truth alike."""

from __future__ import annotations

import math
import random
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from civicline.sim import email_curve, email_day
from civicline.sim.callers import arrival_rates
from civicline.sim.day import run_day
from civicline.sim.email_desk import day_mail, received
from civicline.sim.profiles import load_profile, parse_profile
from civicline.sim.summary import channel_rows, summarize
from schemas.profile import SimulationProfile, clock_seconds
from schemas.records import Grain

HOURS = [
    {"start": "08:00", "weight": 1.2},
    {"start": "10:00", "weight": 1.0},
    {"start": "12:00", "weight": 0.9},
    {"start": "14:00", "weight": 1.0},
    {"start": "16:00", "weight": 0.8},
]
NIGHT_BEFORE = [{"start": "00:00", "weight": 0.1}, {"start": "06:00", "weight": 0.4}]
EVENING = [{"start": "18:00", "weight": 0.5}, {"start": "21:00", "weight": 0.2}]


def regional(**email: Any) -> SimulationProfile:
    """The demo profile with its e-mail settings changed (no carried-in backlog unless given), validated."""
    data = load_profile("regional-hotline-day").model_dump(mode="json")
    data["email"] = {**data["email"], "carried_in": 0, **email}
    return parse_profile(data)


# -- the curve (no day needed) ---------------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(8, 17), st.floats(0.0, 5.0)), min_size=1, max_size=6, unique_by=lambda t: t[0]
    )
)
def test_a_curve_inside_the_hours_has_the_rates_and_draws_it_had_before(
    pieces: list[tuple[int, float]],
) -> None:
    """Given any e-mail curve whose intervals start inside the desk's hours (08:00-18:00)
    When its rates and a day's draws are computed
    Then they are the calls' piecewise rates exactly (the day as before the night was modelled), and
    it has no night."""
    curve = [{"start": f"{h:02d}:00", "weight": w} for h, w in sorted(pieces)]
    if not any(w > 0 for _, w in pieces):
        curve[0]["weight"] = 1.0
    profile = regional(arrivals=curve)
    day = profile.model_copy(update={"arrivals": profile.email.arrivals, "after_hours_share": 0.0})
    assert email_curve.hours_rates(profile, 250) == arrival_rates(day, 250)
    assert email_curve.night_rates(profile, 250) == []
    assert email_day.run_start(profile) == 0.0


def test_a_night_leaves_the_hours_rates_and_adds_mail_at_their_rate_per_weight() -> None:
    """Given the demo's e-mail curve, then the same with weights before opening and after closing
    When the rates are computed
    Then the hours' rates are unchanged, the night's pieces lie in the 24 hours before closing (the
    evening before negative) with the hours' rate per unit of weight, and the expected night is
    their weight's share."""
    day = regional(arrivals=HOURS)
    night = regional(arrivals=[*NIGHT_BEFORE, *HOURS, *EVENING])
    assert email_curve.hours_rates(night, 250) == email_curve.hours_rates(day, 250)
    pieces = email_curve.night_rates(night, 250)
    assert [(a, b) for a, b, _ in pieces] == [
        (18 * 3600 - 86400, 21 * 3600 - 86400),
        (21 * 3600 - 86400, 0.0),
        (0.0, 6 * 3600),
        (6 * 3600, 8 * 3600),
    ]
    per_weight = 250 / (2 * 3600 * (1.2 + 1.0 + 0.9 + 1.0 + 0.8))
    for (_, _, rate), weight in zip(pieces, (0.5, 0.2, 0.1, 0.4), strict=True):
        assert math.isclose(rate, per_weight * weight)
    expected = 250 * (3 * 0.5 + 3 * 0.2 + 6 * 0.1 + 2 * 0.4) / (2 * 4.9)
    assert math.isclose(email_curve.expected_night(night, 250), expected)
    assert email_day.run_start(night) == 18 * 3600 - 86400


def test_the_plan_keeps_the_day_s_own_mail_and_adds_the_night_and_the_carried_in() -> None:
    """Given the demo profile, then with a night and 12 e-mails carried in (received 22 h before
    opening)
    When the day's e-mails are planned for one seed
    Then the day's own e-mails are the same plans, the night's arrive between the previous closing
    and this opening, the carried-in ones at opening - 22 h, every sender is distinct, and the
    plan is in arrival order."""
    base = regional(arrivals=HOURS)
    opens = regional(arrivals=[*NIGHT_BEFORE, *HOURS, *EVENING], carried_in=12, carried_in_age_hours=22)
    day = email_day.email_plan(base, 5, 250)
    plan = email_day.email_plan(opens, 5, 250)
    own = {m.contact_id: (m.arrival, m.notes["subject"], m.aht_seconds) for m in day}
    assert {
        m.contact_id: (m.arrival, m.notes["subject"], m.aht_seconds) for m in plan if m.arrival >= 8 * 3600
    } == own
    before = [m for m in plan if m.arrival < 8 * 3600]
    carried = [m for m in before if m.arrival == 8 * 3600 - 22 * 3600]
    assert len(carried) == 12
    night = [m for m in before if m not in carried]
    assert night and all(18 * 3600 - 86400 <= m.arrival < 8 * 3600 for m in night)
    assert [m.arrival for m in plan] == sorted(m.arrival for m in plan)
    assert len({m.number for m in plan}) == len(plan) == len({m.contact_id for m in plan})


def test_the_planner_reads_the_same_night() -> None:
    """Given a profile with a night before and carried-in e-mails
    When the deadline plan's mail is laid out
    Then it holds the carried-in backlog, the night's real mail before opening and the day's, and
    the received count the target is of is carried + night + day."""
    profile = regional(arrivals=[*NIGHT_BEFORE, *HOURS, *EVENING], carried_in=12)
    mail = day_mail(profile)
    real = 1.0 - profile.email.auto_reply_share
    night = email_curve.expected_night(profile, profile.email.emails)
    before = math.fsum(m.count for m in mail if m.arrival < clock_seconds(profile.open))
    assert math.isclose(before, night * real, rel_tol=1e-9)
    total = math.fsum(m.count for m in mail)
    assert math.isclose(total, 12 + (night + profile.email.emails) * real, rel_tol=1e-9)
    assert math.isclose(received(profile), 12 + night + profile.email.emails)


def test_carried_in_needs_the_day_s_mail_and_a_valid_age() -> None:
    """Given a carried-in age over the schema's 240 h
    When the profile is read
    Then it is refused with the field named."""
    with pytest.raises(ValueError, match="carried_in_age_hours"):
        regional(carried_in=3, carried_in_age_hours=300)
    assert email_day.run_start(regional(emails=0, carried_in=3)) == 0.0


def test_the_draws_are_poisson_over_the_night() -> None:
    """Given a night of about 160 e-mails expected
    When 40 seeds are drawn
    Then the mean count is within 4 standard errors of the expectation (not a fixed count)."""
    profile = regional(arrivals=[*NIGHT_BEFORE, *HOURS, *EVENING], emails=400)
    expected = email_curve.expected_night(profile, 400)
    counts = [len(email_curve.night_arrival_times(profile, 400, random.Random(s))) for s in range(40)]
    assert abs(sum(counts) / len(counts) - expected) < 4 * math.sqrt(expected / len(counts))
    assert len(set(counts)) > 1


# -- a simulated day that opens with a backlog -------------------------------------------------------


@pytest.mark.slow
@pytest.mark.xdist_group("simulation-day")
def test_a_day_opening_with_a_backlog_works_it_first_and_measures_it_from_its_arrival() -> None:
    """Given the demo profile on a short day with an e-mail night before and 6 e-mails carried in
    that arrived 30 h before opening (their 24 h deadline passed before the desk opens)
    When the day runs through the real flows, functions and aggregator
    Then the truth reconciles with the aggregated metrics (in total, per channel, and the backlog
    at the end), the run's rollups span the evening before, the desk opened with the night's and the
    carried-in mail waiting, the oldest of them 30 h old, and the carried-in ones, answered first,
    count as answered but not within 24 h."""
    profile = regional(
        arrivals=[*NIGHT_BEFORE, *HOURS, *EVENING], emails=600, carried_in=225, carried_in_age_hours=30
    )
    result = run_day(profile, 3, calls=40, hours=2.0)
    summary = summarize(result, profile)
    assert summary["reconciliation"] == {}
    truth = result.truth.counts
    periods = {key[2] for key in result.rollups if key[1] == Grain.DAY.value}
    assert periods == {"2026-03-09", "2026-03-10"}
    email = summary["channels"]["EMAIL"]
    assert email["emails_received"] == truth["email_arrivals"]
    # 600 x 40 / 1500 calls: 16 e-mails in the hours, the night's in proportion, 15 x 16 / 600 carried in
    plan = email_day.email_plan(profile, 3, 16)
    before = [m for m in plan if m.arrival < clock_seconds(profile.open)]
    screened = sum(1 for m in before if m.notes.get("auto"))
    assert truth["email_backlog_at_open"] == len(before) - screened
    assert truth["email_backlog_age_at_open_seconds"] == 30 * 3600
    answered = email["emails_answered"]
    assert answered >= 6  # the 6 carried in (225 x 16 / 600), first in line
    assert email["emails_answered_within_24h"] <= answered - 6
    labels = dict(channel_rows(summary)[1])
    assert "E-mail backlog at opening" in labels


@pytest.mark.slow
@pytest.mark.xdist_group("simulation-day")
def test_the_desk_takes_the_oldest_e_mail_first() -> None:
    """Given one e-mail agent (who cannot clear it), general mail only (one queue: across queues the
    routing profile's priority decides, as in Connect), a night before and two e-mails carried in
    20 h old
    When a short day runs
    Then the e-mails still waiting at the end are the newest ones: the oldest of them is the first
    queued e-mail after the ones answered, in arrival order (first in, first out: the carried-in
    and the night's mail before the day's)."""
    labels = {s["label"] for s in email_day.email_samples()}
    raw = regional(
        arrivals=[*NIGHT_BEFORE, *HOURS, *EVENING],
        emails=2000,
        carried_in=100,
        carried_in_age_hours=20,
        topics={label: float(label == "general") for label in labels},
        auto_reply_share=0.0,
    )
    data = raw.model_dump(mode="json")
    data["agents"] = [{**g, "count": 1} if g["channels"] == {"EMAIL": 1} else g for g in data["agents"]]
    profile = parse_profile(data)
    result = run_day(profile, 4, calls=30, hours=1.5)
    assert summarize(result, profile)["reconciliation"] == {}
    truth = result.truth.counts
    scaled = max(1, round(profile.email.emails * 30 / profile.calls))
    queued = sorted(m.arrival for m in email_day.email_plan(profile, 4, scaled) if not m.notes.get("auto"))
    close = clock_seconds(profile.open) + 1.5 * 3600
    queued = [t for t in queued if t < close]
    answered = truth["email_answered"]
    assert 0 < answered < len(queued) and truth["email_backlog"] == len(queued) - answered
    assert abs(truth["email_backlog_age_seconds"] - (close - queued[answered])) <= 1
