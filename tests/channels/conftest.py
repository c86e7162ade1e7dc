"""E-mail channel fixtures: the functional suite's seeded moto, plus SES with the agency's identity."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

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
