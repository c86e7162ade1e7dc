"""PIN hashes and attempt tokens are keyed by sub-keys of the deployment secret, at one KDF cost."""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

import pytest

from functions.core.pseudonym_key import (
    ATTEMPT_TOKEN,
    DEVELOPMENT_KEY,
    PIN_PEPPER,
    derived_key,
    reset_pseudonym_key,
)
from functions.core.settings import reset_settings
from functions.domain import identifiers
from functions.domain.identifiers import PIN_KDF, hash_pin, is_current_hash, verify_pin

PEPPER = b"q" * 32


def test_a_hash_verifies_only_its_pin_and_only_with_its_pepper() -> None:
    stored = hash_pin("4404", b"salt-salt-salt!!", PEPPER)
    assert stored.startswith(f"hmac-scrypt-v1${PIN_KDF.label()}$")
    assert "4404" not in stored.split("$", 2)[2]
    assert verify_pin("4404", stored, PEPPER)
    assert not verify_pin("4405", stored, PEPPER)
    # a copy of the table without the secret is useless: another pepper verifies nothing
    assert not verify_pin("4404", stored, b"r" * 32)


def test_a_hash_of_another_cost_or_format_fails_closed() -> None:
    other = identifiers.KdfParams(n=2**10, r=8, p=1)
    cheaper = hash_pin("4404", b"salt-salt-salt!!", PEPPER, other)
    salt = b"s" * 16
    legacy = f"pbkdf2_sha256$20000${salt.hex()}${hashlib.pbkdf2_hmac('sha256', b'4404', salt, 20_000).hex()}"
    for stored in (cheaper, legacy):
        assert not is_current_hash(stored)
        assert not verify_pin("4404", stored, PEPPER)


def test_short_salts_are_refused() -> None:
    with pytest.raises(ValueError, match="salt"):
        hash_pin("4404", b"short", PEPPER)


def test_sub_keys_are_distinct_from_the_secret_and_from_each_other(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PSEUDONYM_KEY", raising=False)
    monkeypatch.delenv("PSEUDONYM_SECRET_ARN", raising=False)
    reset_settings()
    reset_pseudonym_key()
    pepper, token_key = derived_key(PIN_PEPPER), derived_key(ATTEMPT_TOKEN)
    assert pepper != token_key
    assert DEVELOPMENT_KEY.encode() not in (pepper, token_key)
    assert pepper == hmac.new(DEVELOPMENT_KEY.encode(), PIN_PEPPER.encode(), hashlib.sha256).digest()
    # another deployment secret gives other sub-keys
    monkeypatch.setenv("PSEUDONYM_KEY", "another-deployment-secret")
    reset_settings()
    reset_pseudonym_key()
    try:
        assert derived_key(PIN_PEPPER) != pepper
    finally:
        monkeypatch.delenv("PSEUDONYM_KEY")
        reset_settings()
        reset_pseudonym_key()


def test_demo_cases_are_hashed_with_the_local_secret(seeded: Any, cases: Any) -> None:
    # Given the demo data seeded locally / Then each stored hash verifies its PIN with the local pepper
    item = seeded.client("dynamodb").get_item(
        TableName=seeded.table("cases"),
        Key={"pk": {"S": f"CASE#{cases[0].case_number}"}, "sk": {"S": "CASE"}},
    )["Item"]
    stored = item["pin_hash"]["S"]
    assert verify_pin(cases[0].pin, stored, derived_key(PIN_PEPPER))
    assert not verify_pin(cases[0].pin, stored, hmac.new(b"other", PIN_PEPPER.encode(), "sha256").digest())
