"""E-mail channel fixtures: the functional suite's seeded moto, plus SES with the agency's identity."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from civicline.engine import FlowLibrary
from tests.flows.conftest import FLOWS_DIR
from tests.functional.conftest import (  # noqa: F401 - fixtures re-used by name
    Clock,
    captured_logs,
    cases,
    clock,
    seeded,
    shared_aws,
)


@pytest.fixture
def ses(seeded: Any) -> Iterator[list[Any]]:  # noqa: F811 - the imported fixture, by name
    """The agency's address verified in moto's SES; yields moto's list of messages SES accepted."""
    from moto.core.models import DEFAULT_ACCOUNT_ID
    from moto.ses.models import ses_backends

    from civicline.commands.email import _verify_sender_identity

    backend = ses_backends[DEFAULT_ACCOUNT_ID]["us-east-1"]
    backend.sent_messages.clear()
    _verify_sender_identity()
    yield backend.sent_messages
    backend.sent_messages.clear()


@pytest.fixture
def outcomes(seeded: Any, aws_faults: Any) -> Callable[[], list[dict[str, Any]]]:  # noqa: F811
    """``outcomes()``: the Contract N outcome details the functions put so far, as EventBridge got
    them (recorded at botocore; a faulted PutEvents is not counted). Fault PutEvents through
    ``outcomes.faults`` (the recorder itself), so the recorder knows which calls failed."""
    import json

    faults = aws_faults("events")

    def recorded() -> list[dict[str, Any]]:
        return [
            json.loads(entry["Detail"])
            for operation, params, faulted in faults.calls
            if operation == "PutEvents" and not faulted
            for entry in params["Entries"]
        ]

    recorded.faults = faults  # type: ignore[attr-defined]
    return recorded


@pytest.fixture
def texts(seeded: Any) -> Iterator[list[dict[str, Any]]]:  # noqa: F811
    """End User Messaging SMS accepting every send (moto has no such service): what it accepted."""
    from tests.deployed.scenarios import sms_accepts

    sent: list[dict[str, Any]] = []
    with sms_accepts(sent):
        yield sent


@pytest.fixture(scope="module")
def library() -> FlowLibrary:
    """The committed flows, loaded once per module."""
    return FlowLibrary.from_directory(FLOWS_DIR)


@pytest.fixture
def local() -> Iterator[Any]:
    """A fresh local AWS (moto) with the demo data: the functions run for real."""
    from civicline.data import seed_demo
    from civicline.local.aws import LocalAws

    with LocalAws() as aws:
        seed_demo(datetime.now(UTC))
        yield aws
