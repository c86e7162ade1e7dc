"""Fixtures for the functional tests: seeded moto tables, a frozen clock, Connect events, AWS call
counting (botocore event hooks) and captured logs."""

from __future__ import annotations

import io
import logging
import os
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from civicline.data.demo import DemoCase, demo_cases
from civicline.engine.arns import local_arn

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


@pytest.fixture(scope="session")
def shared_aws() -> Iterator[Any]:
    """One moto (tables, bus) per test process, made active only during the tests that use it.

    Creating the tables costs far more than emptying them. Between tests the mock is stopped
    without removing data and the environment restored, so other suites' per-test ``LocalAws``
    (which reset moto) stay isolated; when they wipe our tables, ``_reset`` recreates them.
    """
    from civicline.local.aws import LocalAws

    aws = LocalAws(prefix="functional")
    saved = dict(os.environ)
    aws.__enter__()
    aws.session_env = {k: v for k, v in os.environ.items() if saved.get(k) != v}
    aws._mock.stop(remove_data=False)
    _restore_env(saved)
    yield aws
    aws._mock.start(reset=False)
    os.environ.update(aws.session_env)
    aws.__exit__(None, None, None)
    _restore_env(saved)


def _restore_env(saved: dict[str, str]) -> None:
    for key in [k for k in os.environ if k not in saved]:
        del os.environ[key]
    os.environ.update(saved)


#: tables emptied before every test (reference items are rewritten by the seed; cases never are,
#: so the cases table is emptied too and the demo cases put back)
_EMPTIED = ("state", "callbacks", "surveys", "cases")


def _reset(aws: Any) -> None:
    """Recreate missing tables (a test may delete one, or a nested moto may reset them), then empty
    what tests write (cases included: a seed never overwrites a case)."""
    ddb = aws.client("dynamodb")
    existing = set(ddb.list_tables()["TableNames"])
    if any(aws.table(t) not in existing for t in (*_EMPTIED, "reference")):
        aws.create_resources()
    for logical in _EMPTIED:
        name = aws.table(logical)
        keys = [
            {"pk": i["pk"], "sk": i["sk"]}
            for page in ddb.get_paginator("scan").paginate(TableName=name, ProjectionExpression="pk, sk")
            for i in page["Items"]
        ]
        for start in range(0, len(keys), 25):
            ddb.batch_write_item(
                RequestItems={name: [{"DeleteRequest": {"Key": k}} for k in keys[start : start + 25]]}
            )


@pytest.fixture
def seeded(shared_aws: Any, clock: Clock) -> Iterator[Any]:
    """Every table on moto, emptied, with the demo data set loaded at NOW; fresh settings and clients."""
    from civicline.data import seed_demo
    from functions.core.aws import reset_clients
    from functions.core.settings import reset_settings

    saved = dict(os.environ)
    os.environ.update(shared_aws.session_env)
    shared_aws._mock.start(reset=False)
    reset_settings()
    reset_clients()
    try:
        _reset(shared_aws)
        seed_demo(NOW)
        yield shared_aws
    finally:
        shared_aws._mock.stop(remove_data=False)
        _restore_env(saved)
        reset_settings()
        reset_clients()


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
                "Queue": {"Name": queue, "ARN": local_arn("QUEUE", queue)} if queue else None,
            },
            "Parameters": params,
        },
    }


@pytest.fixture
def aws_calls(seeded: Any) -> Iterator[list[str]]:
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
