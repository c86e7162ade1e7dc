"""Fixtures for running the handlers as the synthesized stack deploys them (dev and prod).

``deployed`` is the environment's :class:`~civicline.local.deployed.DeployedStack` (one synthesis
per content hash, kept on disk); ``deployed_aws`` is a fresh moto holding its tables under their
deployed-shaped names, seeded with the demo data set the way an operator seeds a deployment (the
functions never see those table variables: each runs under ``as_function``).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager
from datetime import datetime
from typing import Any

import pytest

from civicline.local.deployed import DeployedStack
from civicline.local.environment import environment
from tests.functional.conftest import NOW, Clock

ENVIRONMENTS = ("dev", "prod")

pytestmark = [pytest.mark.infra]


@pytest.fixture(scope="session", params=ENVIRONMENTS)
def deployed(request: pytest.FixtureRequest) -> DeployedStack:
    return DeployedStack.for_env(str(request.param))


def as_operator(stack: DeployedStack) -> AbstractContextManager[None]:
    """An operator's shell for this deployment: its table names and its pseudonym-key secret (the
    demo PIN hashes are keyed with it, as the functions read it); settings and clients fresh."""
    values = stack.table_environment()
    secret = stack.function_environment("case_status").get("PSEUDONYM_SECRET_ARN")
    if secret:
        values["PSEUDONYM_SECRET_ARN"] = secret
    return environment(values)


def seed_demo_data(now: datetime) -> None:
    """The demo data set (reference data and demo cases) on these (moto) tables."""
    from civicline.data import seed_demo

    seed_demo(now)


@pytest.fixture
def deployed_aws(deployed: DeployedStack, clock: Clock) -> Iterator[Any]:
    """moto with the stack's tables and secret, the demo data loaded at NOW; calls recorded afresh."""
    from civicline.local.aws import LocalAws

    with LocalAws(prefix="unused") as aws:
        deployed.create_resources(aws)
        with as_operator(deployed):
            seed_demo_data(NOW)
        deployed.calls.clear()
        yield aws
    deployed.calls.clear()


@pytest.fixture
def clock() -> Iterator[Clock]:
    from functions.core.clock import set_clock

    c = Clock(NOW)
    set_clock(c)
    yield c
    set_clock(None)
