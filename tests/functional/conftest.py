"""Fixtures for the functional tests: seeded moto tables, a frozen clock, Connect events, AWS call
counting (botocore event hooks) and captured logs."""

from __future__ import annotations

import io
import logging
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from civicline.data.demo import DemoCase, demo_cases

#: Monday 2026-11-23 10:00 in New York: offices open, a working day
NOW = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)
CALLER = "+12025550199"


class Clock:
    """A settable clock installed into functions.core.clock for the test's duration."""

    def __init__(self, moment: datetime) -> None:
        self.moment = moment

    def __call__(self) -> datetime:
        return self.moment


@pytest.fixture
def clock() -> Iterator[Clock]:
    from functions.core.clock import set_clock

    c = Clock(NOW)
    set_clock(c)
    yield c
    set_clock(None)


@pytest.fixture
def seeded(local_aws: Any, clock: Clock) -> Any:
    """Every table on moto with the demo data set loaded at NOW."""
    from civicline.data import seed

    seed(NOW)
    return local_aws


@pytest.fixture
def cases() -> tuple[DemoCase, ...]:
    return demo_cases()


def make_event(
    params: dict[str, str],
    contact_id: str = "11111111-2222-4333-8444-555555555555",
    number: str | None = CALLER,
    queue: str | None = None,
) -> dict[str, Any]:
    """A Connect Lambda event like the engine builds (the shape of the conformance samples)."""
    return {
        "Name": "ContactFlowEvent",
        "Details": {
            "ContactData": {
                "Attributes": {},
                "Channel": "VOICE",
                "ContactId": contact_id,
                "InitialContactId": contact_id,
                "InitiationMethod": "INBOUND",
                "InstanceARN": "arn:aws:connect:us-east-1:123456789012:instance/x",
                "CustomerEndpoint": {"Address": number, "Type": "TELEPHONE_NUMBER"} if number else None,
                "SystemEndpoint": {"Address": "+18005550100", "Type": "TELEPHONE_NUMBER"},
                "Queue": {"Name": queue, "ARN": f"arn:queue/{queue}"} if queue else None,
            },
            "Parameters": params,
        },
    }


@pytest.fixture
def aws_calls(local_aws: Any) -> Iterator[list[str]]:
    """Names of every DynamoDB operation the functions' client makes (botocore before-call hook)."""
    from functions.core.aws import client

    calls: list[str] = []

    def hook(model: Any, **_: Any) -> None:
        calls.append(model.name)

    ddb = client("dynamodb")
    ddb.meta.events.register("before-call.dynamodb.*", hook)
    yield calls
    ddb.meta.events.unregister("before-call.dynamodb.*", hook)


@pytest.fixture
def captured_logs() -> Iterator[Callable[[], str]]:
    """Everything the functions' logger writes (at DEBUG), through the masking formatter."""
    from functions.core.observability import logger

    buffer = io.StringIO()
    handler = logger.registered_handler
    assert isinstance(handler, logging.StreamHandler)
    previous_stream = handler.setStream(buffer)
    previous_level = logger.log_level
    logger.setLevel("DEBUG")
    yield buffer.getvalue
    handler.setStream(previous_stream)
    logger.setLevel(previous_level)
