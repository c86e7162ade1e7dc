"""Erlang B/C/A formulas against published values and closed-form identities."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from civicline.sim.erlang import erlang_a_forecast, erlang_b, erlang_c, erlang_c_forecast, forecast
from civicline.sim.staffing import agents_needed


def test_erlang_b_matches_the_published_table() -> None:
    # Given the classic Erlang B table values (10 erlangs on 10 trunks; 5 erlangs on 8)
    # When computed / Then they match to four decimals
    assert erlang_b(10, 10.0) == pytest.approx(0.2146, abs=5e-5)
    assert erlang_b(8, 5.0) == pytest.approx(0.0700, abs=5e-5)
    assert erlang_b(0, 3.0) == 1.0


def test_erlang_c_matches_the_published_worked_example() -> None:
    # Given the Call Centre Helper worked example: 100 calls per 30 minutes, AHT 180 s, 20 s target
    # When forecast with 14 agents
    f = erlang_c_forecast(200, 180, 14, 20)
    # Then P(wait) 17.4 %, ASA 7.8 s, service level 88.8 %, occupancy 71.4 %
    assert f.p_wait == pytest.approx(0.1741, abs=5e-4)
    assert f.asa == pytest.approx(7.84, abs=0.01)
    assert f.service_level == pytest.approx(0.8883, abs=5e-4)
    assert f.occupancy == pytest.approx(10 / 14)
    # And C(11 agents, 10 erlangs) is the textbook 0.6821
    assert erlang_c(11, 10.0) == pytest.approx(0.6821, abs=5e-5)


def test_erlang_c_reports_an_overloaded_queue_as_never_answering_in_time() -> None:
    # Given more load than agents / When forecast / Then everyone waits forever
    f = erlang_c_forecast(400, 180, 10, 20)
    assert f.p_wait == 1.0
    assert math.isinf(f.asa)
    assert f.service_level == 0.0
    assert erlang_c(10, 10.0) == 1.0


def test_erlang_a_with_patience_equal_to_handle_time_is_the_infinite_server_queue() -> None:
    # Given theta == mu, the number in system is Poisson(load) (M/M/infinity)
    load, n = 100 * 300 / 3600, 8
    poisson = [math.exp(-load + k * math.log(load) - math.lgamma(k + 1)) for k in range(400)]
    # When forecast with Erlang A
    f = erlang_a_forecast(100, 300, n, 300, 20)
    # Then P(wait) = P(N >= n) and abandonment = E[(N - n)+] / load
    assert f.p_wait == pytest.approx(math.fsum(poisson[n:]), rel=1e-9)
    assert f.abandonment == pytest.approx(math.fsum((k - n) * poisson[k] for k in range(n, 400)) / load)
    # And occupancy = answered share * load / n
    assert f.occupancy == pytest.approx((1 - f.abandonment) * load / n, rel=1e-9)


def test_erlang_a_tends_to_erlang_c_when_nobody_hangs_up() -> None:
    # Given a stable queue and a very long mean patience
    c = erlang_c_forecast(360, 240, 28, 20)
    a = erlang_a_forecast(360, 240, 28, 1e8, 20)
    # Then the figures agree
    assert a.p_wait == pytest.approx(c.p_wait, rel=1e-4)
    assert a.asa == pytest.approx(c.asa, rel=1e-3)
    assert a.service_level == pytest.approx(c.service_level, rel=1e-4)
    assert a.abandonment < 1e-6


def test_erlang_a_stays_finite_when_overloaded() -> None:
    # Given 1.5x more load than agents but impatient callers
    f = erlang_a_forecast(540, 300, 30, 120, 30)
    # Then the queue is stable: a third of callers abandon, occupancy near 1
    assert 0.25 < f.abandonment < 0.45
    assert 0.95 < f.occupancy <= 1.0
    assert math.isfinite(f.asa)


@settings(max_examples=40, deadline=None)
@given(
    rate=st.floats(min_value=10, max_value=600),
    aht=st.floats(min_value=60, max_value=900),
    extra=st.integers(min_value=0, max_value=15),
    patience=st.floats(min_value=20, max_value=1200),
)
def test_erlang_a_figures_are_probabilities_and_conserve_flow(
    rate: float, aht: float, extra: int, patience: float
) -> None:
    # Given any load and staffing
    load = rate * aht / 3600
    n = max(1, math.floor(load) + extra - 5)
    f = erlang_a_forecast(rate, aht, n, patience, 30)
    # Then every share is a probability, and answered work equals busy agents (flow conservation)
    for share in (f.p_wait, f.service_level, f.abandonment, f.occupancy):
        assert -1e-9 <= share <= 1 + 1e-9
    assert f.occupancy * n == pytest.approx((1 - f.abandonment) * load, rel=1e-6)
    # And answered-in-time can never exceed answered
    assert f.service_level <= 1 - f.abandonment + 1e-9


@settings(max_examples=30, deadline=None)
@given(rate=st.floats(min_value=20, max_value=500), aht=st.floats(min_value=60, max_value=600))
def test_more_agents_never_hurt(rate: float, aht: float) -> None:
    # Given a load / When one agent is added / Then service level rises and ASA falls (Erlang C)
    n = math.floor(rate * aht / 3600) + 1
    low, high = forecast(rate, aht, n), forecast(rate, aht, n + 1)
    assert high.service_level >= low.service_level
    assert high.asa <= low.asa


def test_staffing_finds_the_smallest_team_meeting_the_target() -> None:
    # Given the worked example's load and an 80 % in 20 s target
    answer = agents_needed(200, 180, 0.8, 20)
    # Then 14 agents are needed (13 give 79.6 %)
    assert answer.agents == 14
    assert answer.met
    assert forecast(200, 180, 13, None, 20).service_level < 0.8


def test_staffing_with_patience_needs_fewer_agents_and_respects_an_abandonment_cap() -> None:
    # Given impatient callers (Erlang A)
    plain = agents_needed(600, 300, 0.8, 60)
    patient = agents_needed(600, 300, 0.8, 60, patience_seconds=180)
    capped = agents_needed(600, 300, 0.8, 60, patience_seconds=180, max_abandonment=0.01)
    # Then abandonment lets fewer agents reach the target, and a cap adds agents back
    assert patient.agents <= plain.agents
    assert capped.agents >= patient.agents
    assert capped.forecast.abandonment <= 0.01


def test_staffing_rejects_impossible_targets_and_reports_a_cap() -> None:
    with pytest.raises(ValueError, match="target_sl"):
        agents_needed(100, 100, 1.0, 20)
    with pytest.raises(ValueError, match="target_seconds"):
        agents_needed(100, 100, 0.8, -1)
    answer = agents_needed(3600, 3600, 0.99, 0, max_agents=5)
    assert not answer.met
    assert answer.agents == 5


def test_invalid_rates_are_refused() -> None:
    with pytest.raises(ValueError, match="aht_seconds"):
        erlang_c_forecast(10, 0, 1)
    with pytest.raises(ValueError, match="patience"):
        erlang_a_forecast(10, 100, 1, 0)
    with pytest.raises(ValueError, match="agents"):
        erlang_a_forecast(10, 100, 0, 10)
    assert erlang_a_forecast(0, 100, 1, 10).service_level == 1.0
