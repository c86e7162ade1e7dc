"""The DES kernel, the caller plan, profiles and fault parsing (pure: no AWS)."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from civicline.sim.callers import CallerFactory, DemoCredential, arrival_times, lognormal
from civicline.sim.faults import FaultInjector, FaultPlan, parse_inject
from civicline.sim.kernel import TIMED_OUT, ProcessGen, Signal, Simulation, Wait
from civicline.sim.planning import stream
from civicline.sim.profiles import ProfileError, built_in_names, load_profile, parse_profile
from civicline.sim.summary import apply_variant, drift

CREDS = [DemoCredential("12345674", "1234"), DemoCredential("76543210", "9876")]


# --- kernel ----------------------------------------------------------------------------------------
@settings(max_examples=50, deadline=None)
@given(st.lists(st.floats(min_value=0, max_value=1e6, allow_nan=False), min_size=1, max_size=60))
def test_events_run_in_time_order_and_ties_in_scheduling_order(times: list[float]) -> None:
    # Given events scheduled in any order / When the simulation runs
    sim = Simulation()
    ran: list[tuple[float, int]] = []
    for i, t in enumerate(times):
        sim.at(t, lambda t=t, i=i: ran.append((t, i)))
    sim.run()
    # Then they ran sorted by time, equal times in the order they were scheduled
    assert ran == sorted(ran)
    assert sim.events_run == len(times)


def test_cancelled_events_do_not_run_and_the_past_is_refused() -> None:
    sim = Simulation()
    ran: list[str] = []
    keep = sim.at(5, lambda: ran.append("kept"))
    drop = sim.at(3, lambda: ran.append("dropped"))
    drop.cancel()
    assert sim.pending() == 1
    sim.run(until=4)
    # Then the clock stops at the horizon and the later event waits
    assert sim.now == 4
    assert ran == []
    sim.run()
    assert ran == ["kept"]
    assert not keep.cancelled
    with pytest.raises(ValueError, match="past"):
        sim.at(1, lambda: None)


def test_a_process_waits_for_delays_and_for_a_signal_or_its_time_out() -> None:
    # Given a process that waits 5 s, then for a signal with a 10 s time-out, twice
    sim = Simulation()
    seen: list[tuple[float, object]] = []
    first, second = Signal(), Signal()

    def process() -> ProcessGen:
        yield 5
        seen.append((sim.now, "woke"))
        value = yield Wait(first, timeout=10)
        seen.append((sim.now, value))
        value = yield Wait(second, timeout=10)
        seen.append((sim.now, value))

    sim.start(process())
    # When the first signal fires at 8 s and the second never does
    sim.at(8, lambda: first.fire("answered"))
    sim.run()
    # Then the process resumed with the signal's value, then with TIMED_OUT after 10 s
    assert seen == [(5, "woke"), (8, "answered"), (18, TIMED_OUT)]
    # And the time-out it no longer needed was cancelled, not left to run
    assert sim.pending() == 0


def test_a_signal_and_a_time_out_at_the_same_instant_wake_the_process_once() -> None:
    # Given a process waiting with a 3 s time-out and a signal fired at exactly 3 s
    sim = Simulation()
    wakes: list[object] = []
    signal = Signal()

    def process() -> ProcessGen:
        wakes.append((yield Wait(signal, timeout=3)))
        yield 100

    sim.start(process())
    sim.at(3, lambda: signal.fire("late"))
    sim.run()
    # Then it woke exactly once (whichever came first in scheduling order), and ran on
    assert len(wakes) == 1
    assert sim.now == 103


# --- profiles --------------------------------------------------------------------------------------
def test_built_in_profiles_load_and_are_documented() -> None:
    # Given the built-in profiles / Then both required ones exist and validate
    assert {"regional-hotline-day", "tax-agency-peak-day"} <= set(built_in_names())
    for name in built_in_names():
        profile = load_profile(name)
        status = next(i for i in profile.intents if i.name == "case-status")
        share = status.share / sum(i.share for i in profile.intents)
        assert 0.25 <= share <= 0.4  # "about 30 % status inquiries"
    docs = Path(__file__).resolve().parents[2] / "docs" / "simulation.md"
    text = docs.read_text(encoding="utf-8")
    for name in built_in_names():
        assert name in text


def test_a_profile_file_in_json_is_accepted_and_errors_name_the_problem(tmp_path: Path) -> None:
    # Given a valid profile as JSON
    data = json.loads(json.dumps(load_profile("regional-hotline-day").model_dump(mode="json")))
    good = tmp_path / "mine.json"
    good.write_text(json.dumps({**data, "name": "my-agency"}), encoding="utf-8")
    assert load_profile(good).name == "my-agency"
    # When a skill names no queue / Then the error says which
    data["agents"][0]["skills"] = ["nowhere"]
    with pytest.raises(ProfileError, match="unknown skills"):
        parse_profile(data)
    # When a key is misspelt / Then it is refused (strict)
    with pytest.raises(ProfileError, match="extra"):
        parse_profile({**data, "calss": 3})
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: [unclosed", encoding="utf-8")
    with pytest.raises(ProfileError, match="YAML"):
        load_profile(bad)
    with pytest.raises(ProfileError, match="no profile"):
        load_profile("no-such-profile")


def test_profile_rules_refuse_inconsistent_days() -> None:
    data = load_profile("regional-hotline-day").model_dump(mode="json")
    with pytest.raises(ProfileError, match="close must be after open"):
        parse_profile({**data, "open": "18:00", "close": "08:00"})
    with pytest.raises(ProfileError, match="increasing"):
        parse_profile({**data, "arrivals": list(reversed(data["arrivals"]))})
    intents = [{**data["intents"][0], "keys": ["{bogus}"]}]
    with pytest.raises(ProfileError, match="unknown token"):
        parse_profile({**data, "intents": intents})


def test_variants_change_only_what_they_name() -> None:
    base = load_profile("regional-hotline-day")
    assert not apply_variant(base, "virtual-hold=off").callbacks.virtual_hold
    more = apply_variant(base, "agents=+2")
    assert [g.count for g in more.agents] == [g.count + 2 for g in base.agents]
    assert apply_variant(base, "calls=x2").calls == base.calls * 2
    assert apply_variant(base, "patience=90").patience.mean_seconds == 90
    for bad in ("virtual-hold=maybe", "colour=blue", "agents"):
        with pytest.raises(ValueError, match=r"virtual-hold|unknown|NAME=VALUE"):
            apply_variant(base, bad)


# --- callers ---------------------------------------------------------------------------------------
def test_the_caller_plan_follows_the_profile_and_the_seed() -> None:
    # Given the regional day / When six days' worth of callers are drawn
    profile = load_profile("regional-hotline-day")
    callers, notified = CallerFactory(profile, 5, CREDS).first_calls(profile.calls * 6)
    assert notified == []  # the profile has no notification uptake
    # Then the volume is Poisson around the target, the mix matches, status ~30 %
    assert abs(len(callers) - profile.calls * 6) < 4 * (profile.calls * 6) ** 0.5
    mix = Counter(c.intent for c in callers)
    total = sum(i.share for i in profile.intents)
    for intent in profile.intents:
        assert mix[intent.name] / len(callers) == pytest.approx(intent.share / total, abs=0.015)
    spanish = sum(c.language == "es" for c in callers) / len(callers)
    assert spanish == pytest.approx(0.2, abs=0.015)
    # And status callers key their case number and PIN; the script starts with the language
    status = next(c for c in callers if c.intent == "case-status")
    assert status.script[0] in ("1", "2")
    assert status.keys[1].endswith("#")
    # And a caller who answers the survey keys its consent and every question; one who declines
    # presses 2 at the offer; one who drops out leaves before the last question
    by_choice = {c.survey_choice: c for c in callers}
    assert len(by_choice["ANSWER"].survey_keys) == 12
    assert by_choice["DECLINE"].survey_keys == ["2"]
    assert 1 <= len(by_choice["DROP"].survey_keys) < 12
    # And the same seed gives the same callers
    again, _ = CallerFactory(profile, 5, CREDS).first_calls(profile.calls * 6)
    assert [(c.contact_id, c.arrival, c.keys) for c in again] == [
        (c.contact_id, c.arrival, c.keys) for c in callers
    ]


def test_notified_status_callers_stay_away_and_everyone_else_is_the_same_caller() -> None:
    # Given the regional day with and without notifications (half the status callers consented,
    # all of those who consented are kept from calling)
    profile = load_profile("regional-hotline-day")
    notifying = profile.model_copy(update={"notification_uptake": 1.0, "notification_consented_share": 0.5})
    base, none = CallerFactory(profile, 5, CREDS).first_calls(profile.calls * 4)
    calling, notified = CallerFactory(notifying, 5, CREDS).first_calls(profile.calls * 4)
    # Then only case-status callers stay away, about half of them
    assert none == [] and notified
    assert {c.intent for c in notified} == {"case-status"}
    status = sum(c.intent == "case-status" for c in base)
    assert len(notified) / status == pytest.approx(0.5, abs=0.05)
    # And every other caller is exactly the same caller in both runs (common random numbers)
    away = {c.contact_id for c in notified}
    key = [(c.contact_id, c.arrival, c.keys, c.aht_seconds) for c in calling]
    assert key == [(c.contact_id, c.arrival, c.keys, c.aht_seconds) for c in base if c.contact_id not in away]


def test_arrivals_follow_the_interval_weights() -> None:
    profile = load_profile("regional-hotline-day").model_copy(update={"after_hours_share": 0.0})
    times = arrival_times(profile, 60_000, stream(1, "t"))
    nine = sum(9 * 3600 <= t < 10 * 3600 for t in times)
    five = sum(17 * 3600 <= t < 18 * 3600 for t in times)
    assert nine / five == pytest.approx(1.6 / 0.3, rel=0.1)
    assert all(8 * 3600 <= t < 18 * 3600 for t in times)


def test_lognormal_durations_have_the_requested_mean() -> None:
    rng = stream(2, "h")
    values = [lognormal(rng, 300, 0.8) for _ in range(40_000)]
    assert sum(values) / len(values) == pytest.approx(300, rel=0.03)
    assert lognormal(rng, 120, 0) == 120


def test_the_plan_needs_seeded_cases() -> None:
    with pytest.raises(ValueError, match="seeded case"):
        CallerFactory(load_profile("regional-hotline-day"), 1, [])


# --- faults ----------------------------------------------------------------------------------------
def test_inject_specs_parse_and_reject_nonsense() -> None:
    plan = parse_inject(
        "lambda-errors=0.2,lambda-timeouts=0.05,ddb-throttle=0.1,duplicate-events=0.1,shuffle-events"
    )
    assert plan == FaultPlan(0.2, 0.05, 0.1, 0.1, True)
    assert plan.active and plan.changes_outcomes
    assert not parse_inject("duplicate-events=0.5").changes_outcomes
    assert not parse_inject(None).active
    assert "shuffle-events" in plan.describe()
    for bad, message in (
        ("gremlins=1", "unknown"),
        ("lambda-errors=2", "between"),
        ("ddb-throttle=x", "probability"),
    ):
        with pytest.raises(ValueError, match=message):
            parse_inject(bad)


def test_delivery_duplicates_and_shuffles_but_never_loses_an_event() -> None:
    events = [{"n": i} for i in range(500)]
    injector = FaultInjector(FaultPlan(duplicate_events=0.2, shuffle_events=True), seed=4)
    delivered = injector.deliver(events)
    assert {e["n"] for e in delivered} == set(range(500))
    assert 60 < len(delivered) - 500 < 140
    assert [e["n"] for e in delivered] != sorted(e["n"] for e in delivered)
    assert injector.injected["duplicate-events"] == len(delivered) - 500


def test_lambda_faults_happen_at_their_rates() -> None:
    injector = FaultInjector(FaultPlan(lambda_errors=0.2, lambda_timeouts=0.05), seed=9)
    draws = Counter(injector.lambda_fault("routing", 1) for _ in range(20_000))
    assert draws["error"] / 20_000 == pytest.approx(0.2, abs=0.01)
    assert draws["timeout"] / 20_000 == pytest.approx(0.05, abs=0.01)
    injector.enabled = False
    assert injector.lambda_fault("routing", 1) is None


def test_drift_counts_every_differing_cell() -> None:
    a = {("ALL", "day", "d"): {"offered": 3, "answered": 2}}
    b = {("ALL", "day", "d"): {"offered": 4, "answered": 2}, ("x", "day", "d"): {"offered": 1}}
    assert drift(a, a) == {"cells_differing": 0, "absolute_difference": 0}
    assert drift(a, b) == {"cells_differing": 2, "absolute_difference": 2}
