"""Blended groups (VOICE and CHAT in one routing profile) are planned for the calls and the chats
they take, by Connect's cross-channel rules (civicline.sim.blended), and the plan meets both
targets through full simulated days."""

from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from civicline.sim.confidence import estimate
from civicline.sim.erlang import ClassDemand, erlang_a_forecast, pooled_service_levels
from civicline.sim.plan_check import desk_figures
from civicline.sim.profiles import load_profile, parse_profile
from civicline.sim.scaling import apply_plan
from civicline.sim.staffing_plan import DeskTargets, PlanError, plan_for_profile
from schemas.profile import SimulationProfile
from schemas.staffing_plan import PlanTarget, StaffingPlan

TARGET = 0.8
CHAT = DeskTargets(chat=PlanTarget(service_level=TARGET, seconds=60))
BLENDED = ("general-en", "bilingual")


def blended_morning(*, cross: bool, chats: int = 120, chat_desk: bool = True) -> SimulationProfile:
    """The demo day's busy two-hour morning (every group on 08:00-10:00, 230 calls, ``chats``
    chats, no e-mail) with the English and the bilingual groups blended: VOICE and two chats at once."""
    data: dict[str, Any] = load_profile("regional-hotline-day").model_dump(mode="json")
    data.update(
        name="blended-morning",
        close="10:00",
        calls=230,
        after_hours_share=0.0,
        arrivals=[{"start": "08:00", "weight": 1.0}, {"start": "09:00", "weight": 1.3}],
        repeat_callers={"share_of_unresolved": 0.35, "delay_minutes": 30},
    )
    data["chat"] = {**data["chat"], "contacts": chats}
    data["email"] = {**data["email"], "emails": 0}
    for group in data["agents"]:
        group["shift"] = {"start": "08:00", "end": "10:00"}
        if group["name"] in BLENDED:
            group["channels"] = {"VOICE": 1, "CHAT": 2}
            group["cross_channel"] = cross
    if not chat_desk:
        data["agents"] = [g for g in data["agents"] if g["name"] != "chat-desk"]
    return parse_profile(data)


def blended_agents(plan: StaffingPlan) -> int:
    return sum((i.groups or {}).get(name, 0) for i in plan.intervals for name in BLENDED)


# -- the queue model ------------------------------------------------------------------------------


@settings(max_examples=40, deadline=None)
@given(
    rate=st.floats(1.0, 400.0),
    busy=st.floats(30.0, 900.0),
    patience=st.floats(20.0, 900.0),
    extra=st.integers(0, 6),
    seconds=st.sampled_from([0.0, 20.0, 60.0]),
)
def test_one_class_in_the_pooled_queue_is_erlang_a(
    rate: float, busy: float, patience: float, extra: int, seconds: float
) -> None:
    # Given one class of contacts and enough agents for a stable queue
    agents = max(1, int(rate * busy / 3600.0)) + extra
    # Then the pooled model's service level is Erlang A's, and splitting the class in two equal
    # halves changes nothing
    single = erlang_a_forecast(rate, busy, agents, patience, seconds).service_level
    one = pooled_service_levels([ClassDemand(rate, busy, patience, seconds)], agents)
    half = ClassDemand(rate / 2, busy, patience, seconds)
    assert one[0] == pytest.approx(single, abs=1e-9)
    assert pooled_service_levels([half, half], agents) == pytest.approx([single, single], abs=1e-9)


def test_in_one_pool_the_more_patient_class_is_answered_in_time_more_often() -> None:
    # Given calls (patience 240 s) and chats (patience 60 s) served by the same 10 agents
    calls, chats = ClassDemand(60, 300, 240, 60), ClassDemand(40, 300, 60, 60)
    voice, chat = pooled_service_levels([calls, chats], 10)
    # Then the impatient chats abandon before their answer more often: a lower service level
    assert chat < voice < 1.0


# -- the plan -------------------------------------------------------------------------------------


def test_a_blended_group_is_staffed_for_its_chats_as_well_as_its_calls() -> None:
    # Given the morning with blended groups, with chats and without
    with_chats = plan_for_profile(blended_morning(cross=False), TARGET, 60, desks=CHAT)
    without = plan_for_profile(blended_morning(cross=False, chats=0), TARGET, 60, desks=CHAT)
    # Then chats take agents off the phones, so the blended groups get more agents for them, and
    # the plan says it was made for both channels and carries the chat target
    assert blended_agents(with_chats) > blended_agents(without)
    assert with_chats.model == "erlang-a-blended" and with_chats.chat_target is not None
    assert all(i.chats and i.forecast_chat_service_level for i in with_chats.intervals)
    assert all((i.forecast_chat_service_level or 0) >= TARGET for i in with_chats.intervals)
    assert all((i.forecast_service_level or 0) >= TARGET for i in with_chats.intervals)


def test_with_cross_channel_concurrency_a_blended_group_needs_fewer_agents() -> None:
    # Given the same morning, once without and once with cross-channel concurrency
    exclusive = plan_for_profile(blended_morning(cross=False), TARGET, 60, desks=CHAT)
    concurrent = plan_for_profile(blended_morning(cross=True), TARGET, 60, desks=CHAT)
    # Then agents who may take a call while chatting are planned with fewer heads
    assert blended_agents(concurrent) < blended_agents(exclusive)


def test_without_a_chat_target_the_blended_chats_are_planned_at_the_calls_target() -> None:
    # Given no desk targets at all
    plan = plan_for_profile(blended_morning(cross=False), TARGET, 45)
    # Then the blended groups still take their chats, planned at the calls' target
    assert plan.chat_target == PlanTarget(service_level=TARGET, seconds=45)


def test_chats_in_a_queue_no_chat_group_takes_are_refused_with_the_queue() -> None:
    # Given blended groups without tier2 / identity-theft skills and no chat desk
    profile = blended_morning(cross=False, chat_desk=False)
    # Then the plan names the chats nobody can take instead of planning them away
    with pytest.raises(PlanError, match=r"takes (tier2|identity_theft|appeals) chats"):
        plan_for_profile(profile, TARGET, 60, desks=CHAT)


# -- through full days ----------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("cross", [False, True], ids=["current-channel-only", "any-channel"])
def test_a_blended_plan_meets_both_targets_through_full_days(cross: bool) -> None:
    # Given the blended morning planned for 80 % in 60 s on calls and on chats
    profile = blended_morning(cross=cross)
    staffed = apply_plan(profile, plan_for_profile(profile, TARGET, 60, desks=CHAT))
    # When three full days (seeds 1-3) run through the flows with the plan's staff, side by side
    with ProcessPoolExecutor(max_workers=3, mp_context=get_context("spawn")) as pool:
        days = list(pool.map(desk_figures, [staffed.model_dump(mode="json")] * 3, [1, 2, 3]))
    # Then metrics == truth each day, and calls and chats meet the target within the 95 % CI
    assert all(d["reconciled"] == 1.0 for d in days)
    voice = estimate([d["VOICE:answered_within_threshold_rate"] for d in days])
    chat = estimate([d["CHAT:answered_within_threshold_rate"] for d in days])
    print({"voice": [voice.mean, voice.low, voice.high], "chat": [chat.mean, chat.low, chat.high]})
    assert voice.high >= TARGET and chat.high >= TARGET, (voice, chat, days)
