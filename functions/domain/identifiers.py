"""Case numbers, PINs and receipt numbers: shapes, check digits and hashes.

Case numbers are 7 digits plus a Luhn check digit, so a mistyped number is refused before any read
(no DynamoDB call, no attempt counted). PINs are stored only as salted PBKDF2 hashes; the iteration
count is modest because the hash sits on the caller's hot path and the PIN space is guarded by the
attempt limits, not by the hash cost.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from functools import cache

_CASE = re.compile(r"[0-9]{8}")
_PIN = re.compile(r"[0-9]{4,8}")
_E164 = re.compile(r"\+[1-9][0-9]{6,14}")
PIN_ITERATIONS = 20_000
_SCHEME = "pbkdf2_sha256"


def luhn_check_digit(body: str) -> int:
    """The Luhn digit that makes ``body + digit`` valid (``body`` is digits only)."""
    total = 0
    for index, char in enumerate(reversed(body)):
        digit = int(char)
        if index % 2 == 0:  # positions doubled once the check digit is appended
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return (10 - total % 10) % 10


def is_valid_case_number(value: str) -> bool:
    """Exactly 8 ASCII digits whose last one is the Luhn check digit of the first 7."""
    if not _CASE.fullmatch(value):
        return False
    return luhn_check_digit(value[:7]) == int(value[7])


def make_case_number(body: int) -> str:
    """A case number from a 7-digit body (0 <= body < 10**7)."""
    if not 0 <= body < 10**7:
        raise ValueError("case number body must have at most 7 digits")
    digits = f"{body:07d}"
    return digits + str(luhn_check_digit(digits))


def is_valid_pin(value: str) -> bool:
    return bool(_PIN.fullmatch(value))


def normalize_phone(value: str) -> str | None:
    """E.164 (``+`` then 7-15 digits) or None; separators a keypad or flow may add are dropped."""
    compact = re.sub(r"[\s\-.()]", "", value)
    if compact and compact[0] != "+" and compact.isascii() and compact.isdigit():
        compact = "+" + (compact if len(compact) > 10 else "1" + compact)
    return compact if _E164.fullmatch(compact) else None


def hash_pin(pin: str, salt: bytes, iterations: int = PIN_ITERATIONS) -> str:
    """``pbkdf2_sha256$<iterations>$<salt hex>$<hash hex>``."""
    digest = hashlib.pbkdf2_hmac("sha256", pin.encode(), salt, iterations)
    return f"{_SCHEME}${iterations}${salt.hex()}${digest.hex()}"


@cache
def dummy_pin_hash() -> str:
    """Compared against when the case does not exist, so both answers cost the same time (computed on
    first use, not at import: a cold start should not pay for a hash)."""
    return hash_pin("0000", b"civicline-dummy-salt")


def verify_pin(pin: str, stored: str) -> bool:
    """Constant-time comparison; a malformed stored hash verifies nothing."""
    try:
        scheme, iterations, salt_hex, digest_hex = stored.split("$")
        if scheme != _SCHEME:
            return False
        digest = hashlib.pbkdf2_hmac("sha256", pin.encode(), bytes.fromhex(salt_hex), int(iterations))
    except ValueError:
        return False
    return hmac.compare_digest(digest.hex(), digest_hex)


def receipt_number(prefix: str, seed: str, attempt: int = 0) -> str:
    """A receipt like ``AP-12345678`` derived from ``seed`` (contact id + step): a retried call gets
    the same receipt; ``attempt`` moves to the next candidate if one is already taken."""
    digest = hashlib.sha256(f"{seed}#{attempt}".encode()).digest()
    return f"{prefix}-{int.from_bytes(digest[:8], 'big') % 10**8:08d}"


def spoken_digits(value: str) -> str:
    """Digits separated by spaces so text-to-speech reads them one by one."""
    return " ".join(ch for ch in value if ch.isascii() and ch.isalnum())
