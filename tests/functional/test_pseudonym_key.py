"""Caller pseudonyms are keyed by the deployment's secret, read once per container."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from functions.core.errors import ConfigurationError
from functions.core.privacy import pseudonymize
from functions.core.pseudonym_key import DEVELOPMENT_KEY, pseudonym_key, reset_pseudonym_key
from functions.core.settings import reset_settings

NUMBER = "+12025550100"


@pytest.fixture
def fresh(monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    reset_settings()
    reset_pseudonym_key()
    yield monkeypatch
    monkeypatch.undo()
    reset_settings()
    reset_pseudonym_key()


def test_local_runs_use_the_published_development_key(fresh: pytest.MonkeyPatch) -> None:
    fresh.delenv("AWS_LAMBDA_FUNCTION_NAME", raising=False)
    assert pseudonym_key() == DEVELOPMENT_KEY
    assert pseudonymize(NUMBER) == pseudonymize(NUMBER, DEVELOPMENT_KEY)


def test_different_keys_give_unrelated_pseudonyms(fresh: pytest.MonkeyPatch) -> None:
    # Given the same number under two deployments' keys / Then neither pseudonym reveals the other
    first, second = pseudonymize(NUMBER, "k" * 32), pseudonymize(NUMBER, "j" * 32)
    assert first != second
    assert pseudonymize("+1 (202) 555-0100", "k" * 32) == first  # formatting does not matter


def test_inside_lambda_a_missing_key_is_an_error_not_the_public_key(fresh: pytest.MonkeyPatch) -> None:
    fresh.setenv("AWS_LAMBDA_FUNCTION_NAME", "civicline-dev-routing")
    fresh.delenv("PSEUDONYM_SECRET_ARN", raising=False)
    fresh.delenv("PSEUDONYM_KEY", raising=False)
    with pytest.raises(ConfigurationError, match="PSEUDONYM_SECRET_ARN"):
        pseudonymize(NUMBER)


def test_the_secret_is_read_from_secrets_manager_once_per_container(
    seeded: Any, fresh: pytest.MonkeyPatch
) -> None:
    # Given the stack's secret (on moto) named in the environment, as in Lambda
    from functions.core.aws import client

    secrets = client("secretsmanager")
    arn = secrets.create_secret(Name="civicline-test-pseudonym", SecretString="s" * 48)["ARN"]
    fresh.setenv("AWS_LAMBDA_FUNCTION_NAME", "civicline-dev-routing")
    fresh.setenv("PSEUDONYM_SECRET_ARN", arn)
    reset_settings()
    calls: list[str] = []
    secrets.meta.events.register("before-call.secretsmanager.*", lambda model, **_: calls.append(model.name))
    # When three callers are keyed
    keys = [pseudonymize(n) for n in (NUMBER, NUMBER, "+12025550101")]
    # Then the secret keyed them, and was fetched once
    assert keys[0] == keys[1] == pseudonymize(NUMBER, "s" * 48) != keys[2]
    assert calls == ["GetSecretValue"]


def test_an_unreadable_or_short_secret_is_reported(seeded: Any, fresh: pytest.MonkeyPatch) -> None:
    from functions.core.aws import client
    from functions.core.errors import DependencyError

    fresh.setenv(
        "PSEUDONYM_SECRET_ARN", "arn:aws:secretsmanager:us-east-1:123456789012:secret:missing-AbCdEf"
    )
    reset_settings()
    with pytest.raises(DependencyError, match="pseudonym key unavailable"):
        pseudonym_key()
    arn = client("secretsmanager").create_secret(Name="civicline-short", SecretString="short")["ARN"]
    fresh.setenv("PSEUDONYM_SECRET_ARN", arn)
    reset_settings()
    with pytest.raises(ConfigurationError, match="shorter than 16"):
        pseudonym_key()
