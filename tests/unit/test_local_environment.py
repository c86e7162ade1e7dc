"""civicline.local.environment: a block's environment, seen by the functions' cached settings and
clients, and undone afterwards even when the block raises."""

from __future__ import annotations

import os
from typing import Any

import pytest

from civicline.local.environment import environment
from functions.core import pseudonym_key
from functions.core.aws import client
from functions.core.settings import get_settings


class _BodyFailed(Exception):
    pass


def test_the_block_sees_its_environment_through_fresh_settings_and_clients(local_aws: Any) -> None:
    # Given settings and a dynamodb client already cached from the outer environment
    outer_cases = get_settings().tables["cases"]
    outer_client = client("dynamodb")
    # When a block sets another cases table and removes the reference table's variable
    with environment({"CASES_TABLE": "inner-cases"}, remove=["REFERENCE_TABLE"]):
        # Then inside it the functions read the new environment, not the cached one
        assert os.environ["CASES_TABLE"] == "inner-cases"
        assert "REFERENCE_TABLE" not in os.environ
        assert get_settings().tables["cases"] == "inner-cases"
        assert "reference" not in get_settings().tables
        assert client("dynamodb") is not outer_client
    # and after it the outer environment is back, settings read from it again
    assert get_settings().tables["cases"] == outer_cases != "inner-cases"


def test_the_environment_and_caches_are_restored_when_the_block_raises(local_aws: Any) -> None:
    # Given the outer environment, and a key set only inside the block
    before = dict(os.environ)
    assert "PSEUDONYM_KEY" not in before
    inner_client: list[object] = []

    def body() -> None:
        with environment({"CASES_TABLE": "inner-cases", "PSEUDONYM_KEY": "inner-key-0123456789"}):
            assert pseudonym_key.pseudonym_key() == "inner-key-0123456789"
            inner_client.append(client("dynamodb"))
            raise _BodyFailed

    # When the block caches settings, a client and the pseudonym key, then raises
    with pytest.raises(_BodyFailed):
        body()
    # Then the environment is exactly the one before (nothing added, nothing lost)
    assert dict(os.environ) == before
    # and nothing cached inside the block survives it: settings, client and key come from outside
    assert get_settings().tables["cases"] != "inner-cases"
    assert client("dynamodb") is not inner_client[0]
    assert pseudonym_key.pseudonym_key() != "inner-key-0123456789"
