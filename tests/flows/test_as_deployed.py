"""The rendered flows of the synthesized template, end to end through the functions as the stack
configures them (issue 11 items 3 and 4): deployed queue names and opaque ARNs, each handler with
only its template environment, tables and role (civicline.local.deployed, SEAMS A).

The queue-name bug this guards: in Connect ``$.Queue.Name`` is ``civicline-dev-tier2``, the name the
stack gives the queue; the callback function used to accept only registry names, so no virtual-hold
or queue-full callback was ever created in a deployment, and survey rows were keyed by a name the
contact-event rollups never use.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from civicline.engine import CallerScript, Engine, LambdaInvoker, QueueMetrics, StaticCenter
from civicline.local.as_deployed import AsDeployed, running_as_deployed
from functions.core.clock import set_clock
from tests.functional.conftest import Clock

pytestmark = [pytest.mark.infra]

#: Monday 23 November 2026, 10:00 in New York: open, and a working morning for callbacks
NOW = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)
LONG_WAIT = QueueMetrics(size=6, oldest_age_seconds=400, expected_wait_seconds=400, agents_available=0)
SURVEY = ["1", "2", "1", "1", "5", "4", "5", "3", "4", "5", "5", "4"]


@pytest.fixture
def dev() -> Iterator[AsDeployed]:
    set_clock(Clock(NOW))
    try:
        with running_as_deployed("dev", seed_at=NOW) as run:
            yield run
    finally:
        set_clock(None)


def _engine(run: AsDeployed, **center: Any) -> Engine:
    view = StaticCenter(clock=NOW, calendars=run.calendars, default_metrics=LONG_WAIT, **center)
    return Engine(run.library, invoker=LambdaInvoker(around=run.around), center=view)


def _items(run: AsDeployed, table: str) -> list[dict[str, Any]]:
    name = run.stack.table_names()[table]
    items: list[dict[str, Any]] = run.aws.client("dynamodb").scan(TableName=name)["Items"]
    return items


def test_the_flows_run_are_the_rendered_content_with_deployed_names(dev: AsDeployed) -> None:
    # Given the synthesized dev template / Then its flows carry deployed ARNs, no placeholder,
    # the environment's wait threshold, and the engine reports Connect's queue names
    text = dev.library.get("customer-queue").raw_text
    assert "%" not in text.replace("%%", "")
    assert "function:civicline-dev-callback" in text
    assert "/queue/general" not in text  # an opaque id, as Connect gives it, never the name
    result = _engine(dev).run_contact("main-inbound", CallerScript.parse("1 6"))
    assert result.ended["how"] == "QUEUE"
    assert result.ended["queue"] == "civicline-dev-tier2"


def test_virtual_hold_callback_is_created_with_the_deployed_queue_names(dev: AsDeployed) -> None:
    engine = _engine(dev)
    # Given an English caller queued for tier 2, as deployed
    queued = engine.run_contact("main-inbound", CallerScript.parse("1 6"))
    assert queued.contact.queue_name == "civicline-dev-tier2"
    # When the queue flow offers to keep their place (a long wait) and they press 1
    held = engine.run_queue_flow(queued, "customer-queue", CallerScript(["1"]), max_loops=2)
    # Then the callback function, running with only its own environment and role, stored the request
    [call] = [c for c in held.lambda_calls if c["function"] == "callback"]
    assert call["result"]["result"] == "CREATED", call
    assert held.ended["how"] == "CALLBACK"
    [item] = [i for i in _items(dev, "callbacks") if i["pk"]["S"].startswith("CALLBACK#")]
    assert item["queue"]["S"] == "tier2"  # the registry key, mapped from the ARN in one place
    assert not [c for c in dev.stack.calls if not c.allowed]


def test_queue_full_callback_is_created_with_the_deployed_queue_names(dev: AsDeployed) -> None:
    # Given tier 2 at capacity / When the caller accepts the callback
    result = _engine(dev, full_queues=frozenset({"tier2"})).run_contact(
        "main-inbound", CallerScript.parse("1 6 1")
    )
    [call] = [c for c in result.lambda_calls if c["function"] == "callback"]
    assert call["result"]["result"] == "CREATED", call
    [item] = [i for i in _items(dev, "callbacks") if i["pk"]["S"].startswith("CALLBACK#")]
    assert item["queue"]["S"] == "tier2"


def test_the_survey_is_stored_under_the_queue_key_the_rollups_use(dev: AsDeployed) -> None:
    engine = _engine(dev)
    # Given a contact that was queued for tier 2, as deployed
    queued = engine.run_contact("main-inbound", CallerScript.parse("1 6"))
    # When the post-call survey runs on it and the caller answers everything
    survey = engine.run_contact(
        "post-call-survey",
        CallerScript(SURVEY),
        contact_id=queued.contact.contact_id,
        attributes=queued.attributes,
        initiation_method="DISCONNECT",
        disconnect_reason="AGENT_DISCONNECT",  # the agent hung up: the caller is there to answer
    )
    [call] = [c for c in survey.lambda_calls if c["function"] == "survey"]
    assert call["result"] == {"result": "COMPLETE", "answered": "11"}, call
    # Then the stored row names the queue by its registry key, as contact-event rollups do
    [row] = _items(dev, "surveys")
    assert row["queue"]["S"] == "tier2"


def test_a_simulated_day_runs_as_deployed() -> None:
    # Given the dev environment / When a short day is simulated through its rendered flows, with
    # every flow-invoked function under its own environment and role
    from civicline.local.as_deployed import run_day_as_deployed
    from civicline.sim.profiles import load_profile

    result = run_day_as_deployed("dev", load_profile("regional-hotline-day"), 3, calls=15)
    # Then callers reach agents through the deployed queue names (mapped to the registry's queues)
    from infra.registry import QUEUES_BY_NAME

    assert result.truth.counts["queued"] > 0
    # before: queued under a deployed name no agent serves (the registry's "answered" counter)
    assert result.truth_counters["answered"] > 0
    assert not result.truth.dropped
    # and the rollups are keyed by registry queues, never by a deployed name or an opaque id
    assert {key[0] for key in result.rollups} <= set(QUEUES_BY_NAME) | {"ALL", "IVR"}
