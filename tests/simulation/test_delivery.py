"""Handing events to the aggregator directly gives the same rollups as the deployed bus path."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from civicline.engine import ContactState
from civicline.engine.arns import local_arn
from civicline.engine.events import contact_event, timestamp
from civicline.sim.day import publish_and_aggregate, read_metrics
from civicline.sim.delivery import KnownQueues


def _contacts() -> list[dict[str, Any]]:
    start = datetime(2026, 3, 10, 14, 0, tzinfo=UTC)
    events: list[dict[str, Any]] = []
    for i in range(6):
        at = start + timedelta(minutes=7 * i)
        state = ContactState(contact_id=f"c-{i}", initiated_at=at)
        events.append(contact_event("INITIATED", state, now=at))
        if i % 2:
            state.queue_arn, state.queue_name, state.enqueued_at = (
                local_arn("QUEUE", "general"),
                "general",
                at,
            )
            events.append(contact_event("QUEUED", state, now=at))
            agent = {"agentArn": "a", "connectedToAgentTimestamp": timestamp(at + timedelta(seconds=40))}
            events.append(contact_event("CONNECTED_TO_AGENT", state, now=at, agentInfo=agent))
            end = at + timedelta(minutes=5)
            events.append(
                contact_event(
                    "DISCONNECTED", state, now=end, agentInfo=agent, disconnectReason="AGENT_DISCONNECT"
                )
            )
        else:
            end = at + timedelta(minutes=1)
            events.append(
                contact_event("DISCONNECTED", state, now=end, disconnectReason="CONTACT_FLOW_DISCONNECT")
            )
    return events


def test_direct_delivery_equals_the_event_bus_path() -> None:
    from civicline.local.aws import LocalAws

    # Given the same contact events delivered through the bus and directly, on fresh tables
    rollups = []
    for via_bus in (True, False):
        with LocalAws(prefix=f"delivery-{via_bus}".lower()) as aws:
            dead = publish_and_aggregate(aws, _contacts(), via_bus=via_bus)
            assert dead == 0
            found, day_rows, _, _ = read_metrics(datetime(2026, 3, 10, 18, tzinfo=UTC))
            rollups.append(found)
            # And the queues read without a table scan are exactly those a scan lists
            from civicline.metrics.queries import open_store

            assert set(KnownQueues(open_store()).rollup_queues()) == set(open_store().rollup_queues())
            total = next(r.rollup for r in day_rows if r.rollup.queue == "ALL")
            # Then the aggregator counted six inbound contacts, three answered after 40 s
            assert total.inbound_contacts == 6
            assert total.answered == 3
            assert total.answer_time_sum_ms == 3 * 40_000
    # And both paths produce identical rollups
    assert rollups[0] == rollups[1]
