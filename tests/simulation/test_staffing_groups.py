"""The per-group staffing model: streams per queue and language, repeat calls, home groups and the
split of shared streams among the groups that may answer them (civicline/sim/streams.py,
civicline/sim/group_staffing.py)."""

from __future__ import annotations

import math
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from civicline.sim.group_staffing import IntervalTarget, staff_interval, stream_loads
from civicline.sim.profiles import load_profile
from civicline.sim.routes import Route
from civicline.sim.staffing import agents_needed
from civicline.sim.staffing_plan import PlanError, plan_for_profile
from civicline.sim.streams import Stream, expected_offered, home_group, offered_curve, streams
from schemas.profile import SimulationProfile, clock_seconds

TARGET = IntervalTarget(0.8, 60.0, 300.0)


def _profile(**changes: Any) -> SimulationProfile:
    data = load_profile("regional-hotline-day").model_dump(mode="json")
    data.update(changes)
    return SimulationProfile.model_validate(data)


def _group(name: str, skills: list[str], languages: list[str], acw: float = 30.0) -> dict[str, Any]:
    return {
        "name": name,
        "count": 5,
        "skills": skills,
        "languages": languages,
        "shift": {"start": "08:00", "end": "18:00"},
        "after_call_work_seconds": acw,
    }


def test_a_stream_is_the_routed_agent_bound_share_of_calls_with_its_mean_handle_time() -> None:
    # Given two intents routed to one queue, one of them only for callers who still want an agent
    profile = _profile(
        languages={"en": 0.75, "es": 0.25},
        intents=[
            {"name": "a", "share": 0.6, "keys": ["1", "{agent}"], "wants_agent": 0.5, "aht_seconds": 200},
            {"name": "b", "share": 0.4, "keys": ["6"], "aht_seconds": 500},
        ],
    )
    routes = [Route(i, lang, "general", 1.0) for i in ("a", "b") for lang in ("en", "es")]
    # When split into streams
    by_key = {(s.queue, s.language): s for s in streams(profile, routes)}
    # Then each language's stream carries its share of agent-bound calls and their mean handle time
    en = by_key[("general", "en")]
    assert en.share == pytest.approx(0.75 * (0.6 * 0.5 + 0.4))
    assert en.handle_seconds == pytest.approx((0.3 * 200 + 0.4 * 500) / 0.7)
    assert by_key[("general", "es")].share == pytest.approx(0.25 * 0.7)


def test_the_home_group_ranks_the_skill_highest_and_speaks_the_language() -> None:
    profile = _profile(
        agents=[
            _group("wide", ["general", "tier2"], ["en", "es"]),
            _group("tier2-first", ["tier2", "general"], ["en"]),
        ]
    )
    assert home_group(profile, "tier2", "en") == 1
    assert home_group(profile, "tier2", "es") == 0  # the only one speaking Spanish
    assert home_group(profile, "general", "en") == 0
    assert home_group(profile, "appeals", "en") is None


def test_without_repeat_calls_the_offered_curve_is_the_first_call_curve() -> None:
    profile = _profile(repeat_callers={"share_of_unresolved": 0.0, "delay_minutes": 60})
    curve = offered_curve(profile)
    open_s, close_s = clock_seconds(profile.open), clock_seconds(profile.close)
    inside = expected_offered(curve, open_s, close_s)
    assert inside == pytest.approx(profile.calls * (1 - profile.after_hours_share), rel=1e-9)


@settings(max_examples=30, deadline=None)
@given(st.floats(0.0, 1.0), st.floats(0.0, 1.0), st.floats(5.0, 240.0))
def test_repeat_calls_add_at_most_q_plus_q_squared_of_the_first_calls(
    unresolved_share: float, resolved: float, delay: float
) -> None:
    # Given callers unresolved with 1 - resolved who call again with unresolved_share
    profile = _profile(
        repeat_callers={"share_of_unresolved": unresolved_share, "delay_minutes": delay},
        survey={"response_rate": 0.3, "satisfied": 0.75, "resolved_first_time": resolved},
    )
    q = (1 - resolved) * unresolved_share
    base = _profile(repeat_callers={"share_of_unresolved": 0.0, "delay_minutes": delay})
    start, close = 0.0, clock_seconds(profile.close)
    without = expected_offered(offered_curve(base), start, close)
    with_repeats = expected_offered(offered_curve(profile), start, close)
    # Then the repeats add calls, never more than q + q^2 of the first calls (some land after closing)
    assert without - 1e-9 <= with_repeats <= without * (1 + q + q * q) + 1e-9


def test_groups_with_no_shared_streams_get_exactly_erlang_a_for_their_own_calls() -> None:
    # Given two groups with disjoint skills
    profile = _profile(
        agents=[_group("g", ["general"], ["en"]), _group("t", ["tier2"], ["en"], acw=60)],
        languages={"en": 1.0},
    )
    loads = stream_loads(profile, [Stream("general", "en", 0.3, 300), Stream("tier2", "en", 0.1, 600)])
    # When one interval of 200 calls an hour is staffed
    agents, forecast = staff_interval(profile, loads, 200.0, TARGET)
    # Then each group gets the fewest agents Erlang A says for its own stream
    assert agents == [
        agents_needed(60.0, 330.0, 0.8, 60, 300).agents,
        agents_needed(20.0, 660.0, 0.8, 60, 300).agents,
    ]
    assert forecast >= 0.8


def test_a_group_that_also_answers_a_shared_queue_is_planned_for_the_calls_it_takes() -> None:
    # Given tier2 agents who may also take appeals calls, and an appeals group
    profile = _profile(
        agents=[_group("appeals", ["appeals"], ["en"]), _group("tier2", ["tier2", "appeals"], ["en"])],
        languages={"en": 1.0},
    )
    loads = stream_loads(profile, [Stream("appeals", "en", 0.3, 400), Stream("tier2", "en", 0.1, 500)])
    # When staffed for 200 calls an hour
    agents, forecast = staff_interval(profile, loads, 200.0, TARGET)
    # Then the tier2 group has more than its own queue alone would need (it answers appeals too)
    alone = agents_needed(20.0, 530.0, 0.8, 60, 300).agents
    assert agents[1] > alone
    # and the total is no more than planning the two queues separately and adding tier2's share
    separate = agents_needed(60.0, 430.0, 0.8, 60, 300).agents + alone
    assert sum(agents) <= separate + 1
    assert forecast >= 0.8 and math.isfinite(forecast)


def test_a_stream_no_group_can_answer_is_a_one_line_plan_error() -> None:
    # Given Spanish callers and only English agents
    profile = _profile(agents=[_group("en-only", ["general"], ["en"])])
    routes = [Route("consultation", "es", "general", 1.0), Route("consultation", "en", "general", 1.0)]
    with pytest.raises(PlanError, match="takes general calls in 'es'"):
        plan_for_profile(profile, 0.8, 60, routes=routes)
