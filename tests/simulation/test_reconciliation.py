"""Property: on any (small) simulated day the aggregator's figures are exactly the ground truth.

The truth is counted with the measure registry's own rules over what the simulator knows happened
(civicline.sim.truth), so any difference is a bug in the events, the aggregator or the simulator.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from civicline.sim.day import run_day
from civicline.sim.profiles import load_profile
from civicline.sim.summary import apply_variant, summarize

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("simulation-day")]


@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    name=st.sampled_from(["regional-hotline-day", "tax-agency-peak-day"]),
    seed=st.integers(0, 10_000),
    calls=st.integers(15, 60),
    agents=st.sampled_from(["x0.25", "x0.5", "x1"]),
    virtual_hold=st.sampled_from(["on", "off"]),
)
def test_any_small_day_reconciles_exactly(
    name: str, seed: int, calls: int, agents: str, virtual_hold: str
) -> None:
    # Given a random small day (profile, staffing, virtual hold, seed)
    profile = apply_variant(
        apply_variant(load_profile(name), f"agents={agents}"), f"virtual-hold={virtual_hold}"
    )
    # When it runs through the real flows, functions and aggregator
    result = run_day(profile, seed, calls=calls, hours=3)
    summary = summarize(result, profile)
    # Then every shared measure agrees exactly, and occupancy is a share
    assert summary["reconciliation"] == {}
    occupancy = summary["truth"]["occupancy"]
    assert occupancy is None or 0 <= occupancy <= 1
