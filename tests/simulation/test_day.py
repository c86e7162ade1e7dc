"""The day runner end to end: real flows, handlers, tables, events and aggregator (on moto).

Small days (a few hours, a few dozen callers, a short-staffed center so queues, abandonment and
virtual-hold offers happen) keep this suite fast; the runs are shared by module fixtures.
"""

from __future__ import annotations

from typing import Any

import pytest

from civicline.sim.day import DayResult, run_day
from civicline.sim.faults import parse_inject
from civicline.sim.profiles import load_profile, parse_profile
from civicline.sim.summary import apply_variant, drift, headline, summarize
from schemas.profile import SimulationProfile

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("simulation-day")]
SEED = 11


def _small_day() -> SimulationProfile:
    """Two busy morning hours with a third of the agents: queues build, callers abandon."""
    base = load_profile("regional-hotline-day")
    short = apply_variant(apply_variant(base, "agents=x0.25"), "calls=550")
    return parse_profile({**short.model_dump(mode="json"), "after_hours_share": 0.05})


@pytest.fixture(scope="module")
def profile() -> SimulationProfile:
    return _small_day()


@pytest.fixture(scope="module")
def baseline(profile: SimulationProfile) -> DayResult:
    return run_day(profile, SEED, hours=2)


def test_the_aggregated_metrics_agree_with_what_happened(
    baseline: DayResult, profile: SimulationProfile
) -> None:
    # Given a short-staffed morning run through the real pipeline
    truth = baseline.truth.counts
    metrics = headline(baseline)
    summary = summarize(baseline, profile)
    # Then every registry counter the aggregator computed equals the truth counted with the same rules
    assert truth["inbound"] > 40
    assert summary["reconciliation"] == {}
    assert metrics["inbound_contacts"] == truth["inbound"]
    assert truth["queued"] == metrics["offered"]
    assert metrics["abandoned"] > 0, "a short-staffed morning should lose some callers"
    # And the ASA the aggregator computes is the simulator's measured wait
    asa_truth = baseline.truth.answer_wait_sum / metrics["answered"]
    assert metrics["asa_seconds"] == pytest.approx(asa_truth, abs=0.01)
    # And self-service, virtual hold and the survey took place through the flows and Lambdas
    assert metrics["self_service_contained"] > 0
    assert metrics["callbacks_offered"] > 0
    assert metrics["survey_responses"] > 0
    # And occupancy is a share of staffed time; the survey only reached customers still on the line
    assert 0 <= summary["truth"]["occupancy"] <= 1
    assert metrics["survey_responses"] <= truth["surveys_offerable"]
    # And nobody was dropped, no callback was lost, no event was dead-lettered
    assert truth["dropped"] == 0, baseline.truth.dropped
    assert truth["callbacks_lost"] == 0, baseline.truth.lost_callbacks
    assert truth["dead_letters"] == 0


def test_the_summary_is_complete_and_json_ready(baseline: DayResult, profile: SimulationProfile) -> None:
    import json

    summary = summarize(baseline, profile)
    text = json.dumps(summary, default=str)
    for key in ("level_of_service", "asa_seconds", "service_level", "containment_rate", "a11_trust_mean"):
        assert key in summary["metrics"]
    assert summary["drill"]["dropped_without_service"] == 0
    assert summary["performance"]["events"] > summary["performance"]["contacts"]
    assert "NaN" not in text and "Infinity" not in text
    assert "<svg" in baseline.dashboard_html


def test_same_seed_same_results(baseline: DayResult, profile: SimulationProfile) -> None:
    # Given the same day and seed run again / Then every rollup is identical
    again = run_day(profile, SEED, hours=2)
    assert drift(baseline.rollups, again.rollups) == {"cells_differing": 0, "absolute_difference": 0}
    assert again.truth.counts == baseline.truth.counts


def test_duplicated_and_shuffled_events_do_not_move_the_metrics(
    baseline: DayResult, profile: SimulationProfile
) -> None:
    # Given the same day with EventBridge delivering events twice and out of order
    drilled = run_day(profile, SEED, hours=2, faults=parse_inject("duplicate-events=0.3,shuffle-events"))
    # Then more events were delivered, yet the rollups are exactly the fault-free ones
    assert drilled.delivered_events > len(drilled.events)
    assert drift(baseline.rollups, drilled.rollups) == {"cells_differing": 0, "absolute_difference": 0}


def test_failing_lambdas_and_a_throttled_table_drop_no_caller_and_lose_no_callback(
    profile: SimulationProfile,
) -> None:
    # Given Lambda errors and timeouts and DynamoDB throttling
    plan = parse_inject("lambda-errors=0.2,lambda-timeouts=0.05,ddb-throttle=0.1")
    drilled = run_day(profile, SEED, hours=2, faults=plan)
    injected: dict[str, Any] = drilled.injected
    # Then faults really happened
    assert injected.get("lambda-errors", 0) > 0
    assert injected.get("lambda-timeouts", 0) > 0
    assert injected.get("ddb-throttle", 0) > 0
    # And the flows' error branches still served every caller, and every callback was honoured
    assert drilled.truth.counts["dropped"] == 0, drilled.truth.dropped
    assert drilled.truth.counts["callbacks_lost"] == 0, drilled.truth.lost_callbacks
    assert drilled.truth.counts["dead_letters"] == 0
    # And what the aggregator reports is still exactly what happened on that drill day
    assert summarize(drilled, profile)["reconciliation"] == {}


def test_whatif_compares_two_runs_and_writes_both(tmp_path: Any) -> None:
    import json

    from typer.testing import CliRunner

    from civicline.cli import app

    # Given a small day and a variant with fewer agents
    result = CliRunner().invoke(
        app,
        ["whatif", "--variant", "agents=-2", "--calls", "60", "--seed", "4", "--json", f"--out={tmp_path}"],
    )
    # Then both runs are reported, with the same callers (common random numbers)
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["change"] == "agents=-2"
    assert data["baseline"]["truth"]["agents"] > data["variant"]["truth"]["agents"]
    first = data["baseline"]["metrics"]["inbound_contacts"]
    assert abs(first - data["variant"]["metrics"]["inbound_contacts"]) <= 0.2 * first  # repeats may differ
    # And each run's summary, metrics and dashboard are written
    for run in ("baseline", "variant"):
        for name in ("summary.json", "metrics.json", "metrics.csv", "dashboard.html"):
            assert (tmp_path / run / name).stat().st_size > 0


def test_whatif_notifications_on_replaces_status_calls_and_shows_the_effect() -> None:
    import json

    from typer.testing import CliRunner

    from civicline.cli import app

    # Given a small day, without and with status notifications (the default uptake)
    args = ["whatif", "--variant", "notifications=on", "--calls", "80", "--seed", "4", "--json"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    base, notified = data["baseline"], data["variant"]
    # Then some case-status callers no longer call, every contact the day had is still served,
    # and the aggregator's figures still agree with what happened in both runs
    avoided = notified["truth"]["status_calls_avoided_by_notifications"]
    assert base["truth"]["status_calls_avoided_by_notifications"] == 0 < avoided
    assert notified["truth"]["status_first_calls"] + avoided == base["truth"]["status_first_calls"]
    assert notified["metrics"]["inbound_contacts"] < base["metrics"]["inbound_contacts"]
    assert base["reconciliation"] == notified["reconciliation"] == {}
    assert notified["drill"]["dropped_without_service"] == 0


def test_a_notifications_variant_is_on_off_or_a_share() -> None:
    base = load_profile("regional-hotline-day")
    assert apply_variant(base, "notifications=on").notification_uptake == 0.5
    assert apply_variant(base, "notifications=0.3").notification_uptake == 0.3
    assert apply_variant(base, "notifications=off").notification_uptake == 0.0
    for bad in ("notifications=maybe", "notifications=1.5"):
        with pytest.raises(ValueError, match="notifications=on"):
            apply_variant(base, bad)


def test_the_progress_bar_covers_the_aggregation_too(profile: SimulationProfile) -> None:
    from civicline.sim.day import SIMULATE_SHARE

    # Given a small day whose progress is recorded
    seen: list[float] = []
    run_day(profile, SEED, calls=30, hours=1, progress=seen.append)
    # Then it only moves forward, passes the simulated day into the aggregation, and ends at 100 %
    assert seen == sorted(seen)
    assert any(SIMULATE_SHARE < value < 1.0 for value in seen)
    assert seen[-1] == 1.0


def test_the_progress_bar_never_reads_below_zero_while_the_evening_before_runs() -> None:
    from civicline.sim.day import run_start
    from civicline.sim.profiles import load_profile

    # Given the regional day, which opens with the night's mail (its run starts before midnight)
    regional = load_profile("regional-hotline-day")
    assert run_start(regional) < 0
    seen: list[float] = []
    # When a short run of it records its progress
    run_day(regional, SEED, calls=30, hours=1, progress=seen.append)
    # Then the bar starts at 0 %, only moves forward and ends at 100 %
    assert seen[0] == 0.0 and seen == sorted(seen) and seen[-1] == 1.0
