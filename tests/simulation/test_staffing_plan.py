"""Staffing plans: ``civicline staffing --profile`` (Erlang A per interval), the plan file schema,
applying a plan to a profile, ``--scale`` / ``--calls``, and the plan checked through simulated days."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from civicline.cli import app
from civicline.sim.group_staffing import stream_loads
from civicline.sim.profiles import load_profile
from civicline.sim.routes import probe_routes
from civicline.sim.scaling import agent_hours, apply_plan, parse_scale, scale_profile, total_agents
from civicline.sim.staffing_plan import DeskTargets, load_plan, plan_for_profile
from civicline.sim.streams import streams
from schemas.profile import clock_seconds
from schemas.staffing_plan import EmailTarget, PlanInterval, PlanTarget, StaffingPlan

cli = CliRunner()
PROFILE = "regional-hotline-day"


@pytest.fixture(scope="module")
def plan_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("plan") / "plan.yaml"
    result = cli.invoke(
        app,
        [
            "staffing",
            "--profile",
            PROFILE,
            "--target-sl",
            "0.8",
            "--target-seconds",
            "60",
            "--out",
            str(path),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "agent-hours planned" in result.output
    return path


def test_the_plan_covers_the_opening_hours_with_agents_per_group_meeting_the_target(plan_file: Path) -> None:
    # Given the plan the command wrote / When read back through the schema
    plan = load_plan(plan_file)
    profile = load_profile(PROFILE)
    # Then it covers 08:00-18:00 in half hours, per group of the profile, as plan_for_profile makes it
    assert (plan.intervals[0].start, plan.intervals[-1].end, len(plan.intervals)) == ("08:00", "18:00", 20)
    assert plan.model == "erlang-a-per-group" and plan.target is not None and plan.target.service_level == 0.8
    # (the command sizes the desks too: chat for the calls' target, e-mail 90 % within 24 h of receipt)
    desks = DeskTargets(
        PlanTarget(service_level=0.8, seconds=60), EmailTarget(answered_within_24h=0.9, by="deadline")
    )
    assert plan == plan_for_profile(profile, 0.8, 60, desks=desks)
    loads = stream_loads(profile, streams(profile, probe_routes(profile)))
    for interval in plan.intervals:
        assert interval.groups is not None and sum(interval.groups.values()) == interval.agents
        assert interval.forecast_service_level is not None and interval.forecast_service_level >= 0.8
        # and every stream has an agent who may answer it
        for load in loads:
            assert any(interval.groups[profile.agents[g].name] > 0 for g in load.eligible), load
    # and the busy morning needs more agents than the quiet evening
    assert plan.intervals[2].agents > plan.intervals[-1].agents


def test_applying_a_plan_keeps_the_skill_mix_and_the_planned_agent_hours(plan_file: Path) -> None:
    plan = load_plan(plan_file)
    base = load_profile(PROFILE)
    staffed = apply_plan(base, plan)
    planned_hours = (
        sum(i.agents * (clock_seconds(i.end) - clock_seconds(i.start)) for i in plan.intervals) / 3600
    )
    assert agent_hours(staffed) == pytest.approx(planned_hours)
    skills = {tuple(g.skills) for g in staffed.agents}
    assert skills <= {tuple(g.skills) for g in base.agents}
    assert len(skills) >= 3
    # and every group has exactly the plan's agents for it in every interval
    for interval in plan.intervals:
        mid = (clock_seconds(interval.start) + clock_seconds(interval.end)) / 2
        assert interval.groups is not None
        for group in base.agents:
            on = sum(
                g.count
                for g in staffed.agents
                if g.name.startswith(group.name[:28] + "-")
                and clock_seconds(g.shift.start) <= mid < clock_seconds(g.shift.end)
            )
            assert on == interval.groups[group.name], (interval.start, group.name)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=30), min_size=1, max_size=20))
def test_a_applied_plan_has_exactly_the_planned_agents_on_duty_in_every_interval(counts: list[int]) -> None:
    # Given any plan of hourly intervals from 08:00 with at least one agent somewhere
    if not any(counts):
        counts = [*counts[:-1], 1]
    counts = counts[:10]
    intervals = [
        PlanInterval(start=f"{8 + i:02d}:00", end=f"{9 + i:02d}:00", agents=n) for i, n in enumerate(counts)
    ]
    plan = StaffingPlan(profile=PROFILE, intervals=intervals)
    # When applied
    staffed = apply_plan(load_profile(PROFILE), plan)
    # Then at every interval's midpoint exactly the planned number of agents is on shift
    for interval in intervals:
        mid = (clock_seconds(interval.start) + clock_seconds(interval.end)) / 2
        on = sum(
            g.count
            for g in staffed.agents
            if clock_seconds(g.shift.start) <= mid < clock_seconds(g.shift.end)
        )
        assert on == interval.agents


def test_scale_multiplies_calls_and_every_group_and_parses_the_usual_spellings() -> None:
    base = load_profile(PROFILE)
    six = scale_profile(base, parse_scale("6x"))
    assert six.calls == 9000 and total_agents(six) == 6 * total_agents(base)
    assert [parse_scale(t) for t in ("6x", "x6", "6", "1.5x")] == [6, 6, 6, 1.5]
    for bad in ("0", "-2x", "six", "", "2000x"):
        with pytest.raises(ValueError, match="--scale"):
            parse_scale(bad)


def _write(tmp_path: Path, text: str, name: str = "plan.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _good() -> dict[str, object]:
    return {
        "profile": PROFILE,
        "intervals": [
            {"start": "08:00", "end": "13:00", "agents": 10},
            {"start": "13:00", "end": "18:00", "agents": 8},
        ],
    }


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"profile": "tax-agency-peak-day"}, "the plan is for profile 'tax-agency-peak-day'"),
        ({"agnets": 3}, "agnets: Extra inputs are not permitted"),
        ({"intervals": []}, "intervals: List should have at least 1 item"),
        (
            {
                "intervals": [
                    {"start": "08:00", "end": "12:00", "agents": 5},
                    {"start": "13:00", "end": "18:00", "agents": 5},
                ]
            },
            "intervals must be contiguous",
        ),
        (
            {"intervals": [{"start": "09:00", "end": "18:00", "agents": 5}]},
            "covers 09:00-18:00 but the profile is open",
        ),
        (
            {"intervals": [{"start": "08:00", "end": "18:00", "agents": -1}]},
            "agents: Input should be greater than",
        ),
        (
            {"intervals": [{"start": "8am", "end": "18:00", "agents": 1}]},
            "start: String should match pattern",
        ),
        ({"intervals": [{"start": "08:00", "end": "18:00", "agents": 0}]}, "the plan staffs no agent"),
        (
            {"intervals": [{"start": "08:00", "end": "18:00", "agents": 5, "groups": {"tier2": 4}}]},
            "the groups' agents sum to 4, not 5",
        ),
        (
            {"intervals": [{"start": "08:00", "end": "18:00", "agents": 2, "groups": {"tier3": 2}}]},
            "staffs agent groups ['tier3'] that profile 'regional-hotline-day' does not have",
        ),
    ],
)
def test_bad_plan_files_are_one_line_errors_with_exit_2(
    tmp_path: Path, change: dict[str, object], message: str
) -> None:
    path = _write(tmp_path, yaml.safe_dump({**_good(), **change}))
    result = cli.invoke(app, ["simulate", "--profile", PROFILE, "--plan", str(path)])
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert "Traceback" not in result.output and len(result.output.strip().splitlines()) <= 2


def test_unreadable_and_missing_plan_files_are_one_line_errors(tmp_path: Path) -> None:
    cases = [
        (_write(tmp_path, "intervals: [", "broken.yaml"), "not valid YAML"),
        (_write(tmp_path, "{", "broken.json"), "not valid JSON"),
        (tmp_path / "absent.yaml", "no such plan file"),
    ]
    for path, message in cases:
        result = cli.invoke(app, ["simulate", "--plan", str(path)])
        assert result.exit_code == 2, result.output
        assert message in result.output


def test_a_json_plan_is_accepted_by_the_sweep(tmp_path: Path) -> None:
    import json

    path = _write(tmp_path, json.dumps(_good()), "plan.json")
    result = cli.invoke(app, ["sweep", "--plan", str(path), "--replications", "2", "--workers", "1"])
    assert result.exit_code == 0, result.output
    assert "27 -> 10 agents" in result.output and "staffing from plan plan.json" in result.output


def test_the_plan_function_refuses_odd_intervals() -> None:
    with pytest.raises(ValueError, match="15, 30 or 60"):
        plan_for_profile(load_profile(PROFILE), 0.8, 60, 20)


def test_simulate_plan_runs_the_full_day_with_the_planned_staff(tmp_path: Path) -> None:
    # Given a plan for a tenth of the regional day (150 calls) / When checked through the full day
    plan = tmp_path / "small.yaml"
    made = cli.invoke(app, ["staffing", "--profile", PROFILE, "--scale", "0.1x", "--out", str(plan)])
    assert made.exit_code == 0, made.output
    result = cli.invoke(
        app,
        ["simulate", "--profile", PROFILE, "--scale", "0.1x", "--plan", str(plan), "--json", "--seed", "3"],
    )
    assert result.exit_code == 0, result.output
    import json

    summary = json.loads(result.stdout)
    # and it said what the options did to volume and staff (on stderr: stdout is the JSON)
    assert "1,500 -> 150 calls; 27 -> " in result.stderr and "staffing from plan small.yaml" in result.stderr
    # Then the day ran through the flows with the plan's agents and served its callers
    staffed = apply_plan(scale_profile(load_profile(PROFILE), 0.1), load_plan(plan))
    assert summary["truth"]["agents"] == total_agents(staffed)
    assert summary["drill"]["dropped_without_service"] == 0
    assert summary["metrics"]["answered"] > 0
    # and it reports each plan interval's measured service level beside the plan
    checks = summary["plan_check"]
    written = load_plan(plan)
    assert [(c["start"], c["agents"]) for c in checks] == [(i.start, i.agents) for i in written.intervals]
    offered = sum(c["offered"] for c in checks)
    assert 0 < offered <= summary["metrics"]["offered"]
    for c in checks:
        if c["offered"]:
            assert c["service_level"] == pytest.approx(c["answered_within"] / c["offered"])
    # and each queue's day from the aggregator, the whole day (ALL) last and equal to the summary
    queues = summary["plan_check_queues"]
    assert queues[-1]["queue"] == "ALL" and queues[-1]["offered"] == summary["metrics"]["offered"]
    assert sum(q["offered"] for q in queues[:-1]) == queues[-1]["offered"]
    # (the day's e-mails also reach the status queue: routing by content)
    queues_seen = {q["queue"] for q in queues[:-1]}
    assert queues_seen <= {"general", "operator", "appeals", "identity_theft", "tier2", "status"}


def test_staffing_profile_json_is_a_valid_plan_and_single_queue_options_are_refused() -> None:
    import json

    result = cli.invoke(app, ["staffing", "--profile", PROFILE, "--interval-minutes", "60", "--json"])
    assert result.exit_code == 0, result.output
    plan = StaffingPlan.model_validate(json.loads(result.stdout))
    assert len(plan.intervals) == 10
    mixed = cli.invoke(app, ["staffing", "--profile", PROFILE, "--aht-seconds", "300"])
    assert mixed.exit_code == 2
    assert "from the profile" in mixed.output
    missing = cli.invoke(app, ["staffing", "--aht-seconds", "300"])
    assert missing.exit_code == 2
    assert "--profile" in missing.output


def test_staffing_with_calls_says_the_plan_staffs_that_volume_and_plans_more_agents(
    plan_file: Path, tmp_path: Path
) -> None:
    # Given the regional day's plan at its own volume (plan_file: the command's defaults, 80 % in
    # 60 s) and the plan the command writes for twice the volume
    out = tmp_path / "double.yaml"
    double = cli.invoke(app, ["staffing", "--profile", PROFILE, "--calls", "3000", "--out", str(out)])
    assert double.exit_code == 0, double.output
    # Then the command says what --calls does to staffing: the plan staffs the new volume
    assert "1,500 -> 3,000 calls; the plan below staffs this volume" in double.output
    assert "is not used" in double.output
    # and the plan for twice the calls has more agents in every busy interval
    one, two = load_plan(plan_file), load_plan(out)
    assert sum(i.agents for i in two.intervals) > sum(i.agents for i in one.intervals)
    assert all(b.agents >= a.agents for a, b in zip(one.intervals, two.intervals, strict=True))
