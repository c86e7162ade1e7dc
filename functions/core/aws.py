"""Lazily created boto3 clients whose timeouts fit inside a flow's Lambda time limit.

botocore's defaults (60 s connect and read timeouts, legacy retries) would let one slow DynamoDB call
outlive Connect's 1-8 s budget. Clients are built on first use with ~1 s timeouts and standard-mode
retries, and cached for the life of the container. ``AWS_ENDPOINT_URL`` (honoured by botocore)
points them at a moto server or any other endpoint.
"""

from __future__ import annotations

from functools import cache
from typing import Any


@cache
def client(service: str) -> Any:
    """A cached client for ``service`` with flow-friendly timeouts and retries.

    Built with botocore directly: ``boto3.client`` returns the very same botocore client, but importing
    boto3 also imports s3transfer and the resource layer, which roughly doubles a cold start that
    Connect's caller hears (benchmarks/bench_handlers.py; docs/decisions.md).
    """
    from botocore.config import Config

    from functions.core.settings import get_settings

    settings = get_settings()
    config = Config(
        connect_timeout=settings.aws_timeout_seconds,
        read_timeout=settings.aws_timeout_seconds,
        retries={"max_attempts": settings.aws_max_attempts, "mode": "standard"},
        tcp_keepalive=True,
    )
    return _session().create_client(service, config=config)


@cache
def _session() -> Any:
    """One botocore session for every client of the process.

    Why: ``botocore.session.get_session()`` builds a new session, and each session loads its own copy
    of botocore's endpoint data (about 7 MB of Python objects) and of each service model; a process
    with five clients held five copies (docs/decisions.md, "Simulation: peak memory ..."). Clients
    of one session are independent (each has its own copy of the event hooks).
    """
    from botocore.session import get_session

    return get_session()


def reset_clients() -> None:
    """Drop cached clients and their session (tests switch moto contexts, endpoints and credentials,
    which a session caches)."""
    client.cache_clear()
    _session.cache_clear()
