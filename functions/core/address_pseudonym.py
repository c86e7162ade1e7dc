"""A keyed pseudonym for an e-mail address or phone number as typed (the raw value is never stored).

Not :func:`functions.core.privacy.pseudonymize`: that one keeps the digits of a phone number only,
which would give every e-mail address without digits the same key.
"""

from __future__ import annotations

import hashlib

from functions.core.pseudonym_key import pseudonym_key


def address_pseudonym(address: str) -> str:
    normalized = address.strip().lower().encode()
    return hashlib.blake2b(normalized, key=pseudonym_key().encode()[:64], digest_size=12).hexdigest()
