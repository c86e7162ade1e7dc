"""The secret key behind caller pseudonyms, read once per container.

A pseudonym is a keyed hash of a phone number. Phone numbers are few enough to enumerate, so a key
anyone can read (one in this open-source code) would let anyone with table access turn pseudonyms
back into numbers. A deployment keeps its key in Secrets Manager (created by the stack, encrypted
with the tables' key) and names it in ``PSEUDONYM_SECRET_ARN``; the functions read it on first use and
keep it for the life of the container (one call on a cold start, none after).

The same secret keys the PIN hashes and the attempt tokens, never directly: :func:`derived_key`
gives each purpose its own sub-key (HMAC-SHA256 of the secret over the purpose's label), so a
leaked PIN pepper or token key says nothing about the pseudonym key or about each other.

Outside AWS (tests, the local engine, the simulator) ``PSEUDONYM_KEY`` or, failing that, the
published development key is used. Inside Lambda, a missing key is a configuration error, never a
silent fall-back to the public key.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from functools import cache

from functions.core.errors import ConfigurationError, DependencyError
from functions.core.settings import get_settings

#: the key of local runs and tests only; never used inside Lambda
DEVELOPMENT_KEY = "civicline-development-key"
#: labels of the sub-keys derived from the secret (changing one invalidates what it keyed)
PIN_PEPPER = "civicline/pin-pepper/v1"
ATTEMPT_TOKEN = "civicline/attempt-token/v1"  # noqa: S105 - a label, not a secret


def pseudonym_key() -> str:
    settings = get_settings()
    return _resolve(settings.pseudonym_secret_arn, settings.pseudonym_key)


@cache
def _resolve(secret_arn: str, key: str) -> str:
    if secret_arn:
        return _from_secrets_manager(secret_arn)
    if key:
        return key
    if os.environ.get("AWS_LAMBDA_FUNCTION_NAME"):
        raise ConfigurationError("no pseudonym key: set PSEUDONYM_SECRET_ARN (the stack does)")
    return DEVELOPMENT_KEY


def _from_secrets_manager(secret_arn: str) -> str:
    from botocore.exceptions import BotoCoreError, ClientError

    from functions.core.aws import client

    try:
        value = client("secretsmanager").get_secret_value(SecretId=secret_arn).get("SecretString", "")
    except (BotoCoreError, ClientError) as exc:
        raise DependencyError(f"pseudonym key unavailable: {type(exc).__name__}") from exc
    if len(value) < 16:
        raise ConfigurationError("the pseudonym key secret is shorter than 16 characters")
    return str(value)


def derived_key(purpose: str) -> bytes:
    """The sub-key of the deployment secret for ``purpose`` (:data:`PIN_PEPPER`, :data:`ATTEMPT_TOKEN`)."""
    return _derive(pseudonym_key(), purpose)


@cache
def _derive(secret: str, purpose: str) -> bytes:
    return hmac.new(secret.encode(), purpose.encode(), hashlib.sha256).digest()


def reset_pseudonym_key() -> None:
    """Forget the cached key (tests change the environment and the secret)."""
    _resolve.cache_clear()
    _derive.cache_clear()
