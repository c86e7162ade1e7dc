"""Where a seed would write: tables on this machine (local) or a deployment's.

Demo data must never reach citizens by accident, so every seed asks this first. "Local" is decided
positively, from where the functions' DynamoDB client sends its calls: moto inside this process, or
an endpoint on this machine's loopback interface (a moto server). Anything else (AWS's own endpoint,
any other host) is a deployment, whatever the table names look like.
"""

from __future__ import annotations

import ipaddress
import sys
from dataclasses import dataclass
from urllib.parse import urlparse


class SeedRefused(Exception):
    """A seed that would put demo data where it must not go, or could not be checked; says why."""


@dataclass(frozen=True)
class SeedTarget:
    local: bool
    where: str


def seed_target() -> SeedTarget:
    """The target of the functions' DynamoDB client (the client every seed writes through)."""
    from functions.adapters import dynamo

    endpoint = str(dynamo.ddb().meta.endpoint_url)
    if _moto_in_process():
        return SeedTarget(True, "moto in this process")
    host = urlparse(endpoint).hostname or ""
    if _is_loopback(host):
        return SeedTarget(True, f"a DynamoDB on this machine ({endpoint})")
    return SeedTarget(False, f"the deployed tables at {endpoint}")


def _moto_in_process() -> bool:
    """True while moto's in-process mock intercepts botocore (only if moto was imported at all)."""
    models = sys.modules.get("moto.core.models")
    stubber = getattr(models, "botocore_stubber", None)
    return bool(getattr(stubber, "enabled", False))


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
