"""Survey refusals in the simulated day: a customer who hears the offer declines it (presses or
types 2) or leaves mid-survey inside the post-call-survey flow as rendered, and the metrics'
offered/response counts are the customers' own choices."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from civicline.sim.callers import CallerFactory, DemoCredential
from civicline.sim.day import DayResult, run_day
from civicline.sim.profiles import ProfileError, load_profile, parse_profile
from civicline.sim.summary import summarize
from schemas.profile import SimulationProfile

CREDENTIALS = [DemoCredential("12345678", "4321"), DemoCredential("87654321", "1234")]


def _survey(profile: SimulationProfile, **survey: Any) -> SimulationProfile:
    data = profile.model_dump(mode="json")
    data["survey"] = {**data["survey"], **survey}
    return parse_profile(data)


def _plan(profile: SimulationProfile, channel: str = "VOICE", seed: int = 5) -> list[Any]:
    calling, _ = CallerFactory(profile, seed, CREDENTIALS, channel=channel).first_calls(400)
    return calling


# -- the customers' plan (no day needed) -----------------------------------------------------------


@pytest.mark.parametrize("channel", ["VOICE", "CHAT"])
def test_refusals_off_plan_every_customer_as_before(channel: str) -> None:
    # Given the demo profile with and without refusals
    base = load_profile("regional-hotline-day")
    off = _survey(base, refusal={"declined": 0, "dropped": 0}, refusal_by_channel={})
    # When the same seed plans the day's customers
    with_refusals, without = _plan(base, channel), _plan(off, channel)
    # Then without refusals everyone who stays for the offer answers every question
    assert {c.survey_choice for c in without} == {"ANSWER"}
    assert all(len(c.survey_keys) == 12 for c in without)
    # And refusals change nothing else about any customer (their draws have a stream of their own)
    for a, b in zip(with_refusals, without, strict=True):
        strip = {"survey_choice": "ANSWER", "survey_keys": []}
        assert dataclasses.replace(a, **strip) == dataclasses.replace(b, **strip)
        if a.survey_choice == "ANSWER":
            assert a.survey_keys == b.survey_keys


def test_refusal_shares_follow_the_profile_per_channel_and_are_seeded() -> None:
    # Given the demo profile (voice: 55 % decline, 15 % drop out; chat: 60 % and 20 %)
    profile = load_profile("regional-hotline-day")
    for channel, declined, dropped in (("VOICE", 0.55, 0.15), ("CHAT", 0.6, 0.2)):
        plan = _plan(profile, channel)
        # Then the shares are those of the profile, within sampling error of 400-odd customers
        choices = [c.survey_choice for c in plan]
        assert choices.count("DECLINE") / len(plan) == pytest.approx(declined, abs=0.07)
        assert choices.count("DROP") / len(plan) == pytest.approx(dropped, abs=0.05)
        # And a decline is the offer's skip choice; a drop-out consents, then stops before the end
        for caller in plan:
            if caller.survey_choice == "DECLINE":
                assert caller.survey_keys == ["2"]
            if caller.survey_choice == "DROP":
                assert caller.survey_keys[0] == "1" and 1 <= len(caller.survey_keys) < 12
        # And the same seed plans the same choices
        assert [c.survey_choice for c in _plan(profile, channel)] == choices


def test_more_than_everyone_refusing_is_rejected() -> None:
    with pytest.raises(ProfileError, match="at most 1"):
        _survey(load_profile("regional-hotline-day"), refusal={"declined": 0.7, "dropped": 0.4})


# -- the day through the flows ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def surveyed() -> tuple[DayResult, SimulationProfile]:
    # everybody still on the line stays for the offer, so each choice happens often in a short day
    profile = _survey(load_profile("regional-hotline-day"), response_rate=1.0)
    return run_day(profile, 3, calls=400, hours=3), profile


@pytest.mark.slow
@pytest.mark.xdist_group("simulation-day")
def test_declines_and_drop_outs_are_counted_as_the_customers_chose(
    surveyed: tuple[DayResult, SimulationProfile],
) -> None:
    # Given a short demo day in which every customer still on the line hears the survey offer
    result, profile = surveyed
    truth = result.truth.counts
    summary = summarize(result, profile)
    # Then customers answered, declined and left mid-survey, on voice and on chat
    for channel in ("voice", "chat"):
        for choice in ("answer", "decline", "drop"):
            assert truth.get(f"{channel}_surveys_customer_{choice}", 0) > 0, (channel, choice)
    # And the survey function stored a declined survey for each decline, nothing for a drop-out
    assert truth["surveys_declined"] == truth["surveys_customer_decline"]
    assert truth.get("surveys_none", 0) == truth["surveys_customer_drop"]
    # And the aggregator's offered and responses are the customers' choices, in total and per channel
    metrics = summary["metrics"]
    assert metrics["surveys_offered"] == truth["surveys_customer_answer"] + truth["surveys_customer_decline"]
    assert metrics["survey_responses"] == truth["surveys_customer_answer"]
    for channel, measures in summary["channels"].items():
        p = channel.lower()
        answered = truth.get(f"{p}_surveys_customer_answer", 0)
        assert measures.get("surveys_offered", 0) == answered + truth.get(f"{p}_surveys_customer_decline", 0)
        assert measures.get("survey_responses", 0) == answered
    # And the response rate is below 100 %, and metrics == truth
    assert 0 < metrics["survey_response_rate"] < 1
    assert summary["reconciliation"] == {}
