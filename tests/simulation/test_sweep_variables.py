"""Sweep variables that are profile fields: the virtual-hold threshold (read by the queue flow) and
status-notification uptake (fewer case-status calls: in the planning queue and in the plan)."""

from __future__ import annotations

from typing import Any

import pytest
from typer.testing import CliRunner

from civicline.cli import app
from civicline.engine import CallerScript, ContactState, Engine, QueueMetrics, StaticCenter
from civicline.sim.dayqueue import simulate_day_queue
from civicline.sim.flow_settings import flow_library, virtual_hold_threshold
from civicline.sim.profiles import load_profile
from civicline.sim.routes import Route
from civicline.sim.streams import calling_share, is_status_intent, streams
from civicline.sim.sweep import SweepSpecError, apply_setting, parse_vary
from schemas.profile import SimulationProfile

cli = CliRunner()
PROFILE = "regional-hotline-day"


def _profile(**changes: Any) -> SimulationProfile:
    return SimulationProfile.model_validate({**load_profile(PROFILE).model_dump(mode="json"), **changes})


def _offered_after(threshold: float | None, waited: float) -> bool:
    """Does the queue flow, loaded for a profile with ``threshold``, offer a callback to a caller
    whose queue's oldest contact has waited ``waited`` seconds?"""
    profile = _profile() if threshold is None else _profile(virtual_hold_threshold_seconds=threshold)
    center = StaticCenter(default_metrics=QueueMetrics(size=3, oldest_age_seconds=waited))
    engine = Engine(flow_library(profile), center=center)
    contact = ContactState(
        queue_arn="arn:aws:connect:us-east-1:1:instance/i/queue/general",
        queue_name="general",
        attributes={"language": "en"},
    )
    engine.run_queue_flow(contact, "customer-queue", CallerScript([]), max_loops=0)
    return contact.attributes.get("callbackOffered") == "true"


def test_the_queue_flow_offers_a_callback_after_the_profiles_threshold() -> None:
    # Given the committed flow: the offer comes after 120 s
    assert virtual_hold_threshold(flow_library(_profile())) == 120.0
    assert not _offered_after(None, 90) and _offered_after(None, 130)
    # When a profile sets 60 s / Then a caller behind a 90 s wait is offered one
    assert virtual_hold_threshold(flow_library(_profile(virtual_hold_threshold_seconds=60))) == 60.0
    assert _offered_after(60, 90)
    # and with 300 s a 130 s wait is not
    assert not _offered_after(300, 130)


def test_new_sweep_variables_parse_validate_and_set_the_profile_field() -> None:
    hold = parse_vary("virtual_hold_threshold=60,120,240", "full")
    assert hold.values == ("60", "120", "240")
    uptake = parse_vary("notification_uptake=0:0.6:0.2")
    assert uptake.values == ("0.0", "0.2", "0.4", "0.6")
    shaped = apply_setting(
        load_profile(PROFILE), {"virtual_hold_threshold": "60", "notification_uptake": "0.4"}
    )
    assert shaped.virtual_hold_threshold_seconds == 60.0 and shaped.notification_uptake == 0.4
    for spec, message in (
        ("notification_uptake=0.5,1.5", "out of range"),
        ("virtual_hold_threshold=0", "out of range"),
        ("virtual_hold_threshold=-5", "out of range"),
    ):
        with pytest.raises(SweepSpecError, match=message):
            parse_vary(spec, "full")
    # the planning queue has no virtual hold: the threshold is a full-day variable only
    with pytest.raises(SweepSpecError, match="only the full day models it"):
        parse_vary("virtual_hold_threshold=60,120", "planning")


def test_notification_uptake_removes_consenting_status_callers_from_the_planning_queue() -> None:
    # Given the same callers (seed 1) with no notifications and with uptake 0.6 of everyone consenting
    base = simulate_day_queue(_profile(), 1)
    notified = simulate_day_queue(_profile(notification_uptake=0.6), 1)
    half = simulate_day_queue(_profile(notification_uptake=0.6, notification_consented_share=0.5), 1)
    # Then fewer calls reach the agents, by about uptake x consent x the status share of agent calls
    profile = _profile()
    status = [i for i in profile.intents if is_status_intent(i)]
    assert [i.name for i in status] == ["case-status"]
    assert notified.offered < half.offered < base.offered
    bound_status = 0.30 * 0.15  # share x wants_agent of the case-status intent
    agent_bound = sum(
        i.share * (i.wants_agent if "{agent}" in "".join(i.keys) else 1.0) for i in profile.intents
    )
    agent_bound -= 0.12  # the office redirect is self-service
    expected = 1 - 0.6 * bound_status / agent_bound
    assert notified.offered / base.offered == pytest.approx(expected, abs=0.03)
    # and the service level can only improve on the same callers
    assert notified.service_level >= base.service_level


def test_notification_uptake_lowers_the_status_share_in_the_plans_streams() -> None:
    routes = [Route(i.name, lang, "general", 1.0) for i in _profile().intents for lang in ("en", "es")]
    before = {(s.queue, s.language): s.share for s in streams(_profile(), routes)}
    after = {(s.queue, s.language): s.share for s in streams(_profile(notification_uptake=0.5), routes)}
    profile = _profile(notification_uptake=0.5, notification_consented_share=0.8)
    status = next(i for i in profile.intents if is_status_intent(i))
    assert calling_share(profile, status) == pytest.approx(1 - 0.5 * 0.8)
    drop = before[("general", "en")] - after[("general", "en")]
    assert drop == pytest.approx(0.8 * 0.30 * 0.15 * 0.5)


def test_the_sweep_command_runs_a_notification_uptake_sweep_in_planning_mode() -> None:
    result = cli.invoke(
        app,
        ["sweep", "--vary", "notification_uptake=0,0.6", "--replications", "2", "--workers", "1", "--json"],
    )
    assert result.exit_code == 0, result.output
    assert '"notification_uptake": "0.6"' in result.stdout


def test_the_full_day_offers_callbacks_after_the_profiles_threshold() -> None:
    from civicline.sim.day import run_day

    # Given a short, understaffed hour: one agent, 40 callers
    data = _profile().model_dump(mode="json")
    data.update(close="09:00", calls=40, after_hours_share=0.0, arrivals=[{"start": "08:00", "weight": 1.0}])
    data["agents"] = [{**data["agents"][0], "count": 1, "shift": {"start": "08:00", "end": "09:00"}}]
    # When the queue flow's threshold is 20 s and when it is 900 s (longer than anyone waits)
    soon = run_day(SimulationProfile.model_validate({**data, "virtual_hold_threshold_seconds": 20}), 1)
    never = run_day(SimulationProfile.model_validate({**data, "virtual_hold_threshold_seconds": 900}), 1)
    # Then callbacks are offered with the short threshold and not with the long one
    assert soon.truth_counters.get("callbacks_offered", 0) > 0
    assert never.truth_counters.get("callbacks_offered", 0) == 0
