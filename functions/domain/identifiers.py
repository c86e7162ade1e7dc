"""Case numbers, PINs, receipt and e-mail reference numbers: shapes, check digits and hashes.

Case numbers are 7 digits plus a Luhn check digit, so a mistyped number is refused before any read
(no DynamoDB call, no attempt counted). PINs are stored only as salted, peppered scrypt hashes
(docs/decisions.md): the pepper, a sub-key of the deployment's secret, is what makes a copied table
useless for cracking a 4-digit PIN; the scrypt cost guards the PIN if the secret leaks too, at a cost
measured to fit the caller's hot path. The attempt limits guard the PIN space online.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass

_CASE = re.compile(r"[0-9]{8}")
_PIN = re.compile(r"[0-9]{4,8}")
_E164 = re.compile(r"\+[1-9][0-9]{6,14}")


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


@dataclass(frozen=True)
class KdfParams:
    """scrypt's cost: ``n`` (CPU and memory, a power of two), ``r`` (block size), ``p`` (lanes).

    Memory is ``128 * n * r`` bytes: 16 MiB for the current cost, well inside a 256 MB function.
    """

    n: int
    r: int
    p: int

    def label(self) -> str:
        return f"n={self.n},r={self.r},p={self.p}"


#: the one cost every stored hash and the dummy use (measured by ``make bench``: benchmarks/bench_pin_kdf.py)
PIN_KDF = KdfParams(n=2**14, r=8, p=1)
#: scheme of the current format: scrypt over HMAC-SHA256(pepper, PIN); the version is the name
PIN_SCHEME = "hmac-scrypt-v1"
_SALT_BYTES = 16
_DUMMY_SALT = b"civicline-dummy-salt"


def _digest(pin: str, salt: bytes, pepper: bytes, params: KdfParams) -> bytes:
    keyed = hmac.new(pepper, pin.encode(), hashlib.sha256).digest()
    memory = 128 * params.n * params.r * (params.p + 1)
    return hashlib.scrypt(keyed, salt=salt, n=params.n, r=params.r, p=params.p, maxmem=memory, dklen=32)


def hash_pin(pin: str, salt: bytes, pepper: bytes, params: KdfParams = PIN_KDF) -> str:
    """``hmac-scrypt-v1$n=..,r=..,p=..$<salt hex>$<hash hex>``.

    The PIN is first keyed with the deployment's pepper (a sub-key of its secret), so a copy of the
    table alone cannot be cracked offline, however small the PIN space; scrypt's cost protects the
    PIN if the secret leaks too.
    """
    if len(salt) < 8:
        raise ValueError("the salt must have at least 8 bytes")
    digest = _digest(pin, salt, pepper, params)
    return f"{PIN_SCHEME}${params.label()}${salt.hex()}${digest.hex()}"


def new_salt() -> bytes:
    return secrets.token_bytes(_SALT_BYTES)


def is_current_hash(stored: str, params: KdfParams = PIN_KDF) -> bool:
    """True when ``stored`` is in the current format and cost (the only one :func:`verify_pin` accepts)."""
    parts = stored.split("$")
    return len(parts) == 4 and parts[0] == PIN_SCHEME and parts[1] == params.label()


def verify_pin(pin: str, stored: str, pepper: bytes, params: KdfParams = PIN_KDF) -> bool:
    """Constant-time comparison after exactly one KDF of ``params``, whatever ``stored`` holds.

    No hash (``""``: the case does not exist), a hash in another format or cost (the old unpeppered
    ``pbkdf2_sha256``) or a malformed one verifies nothing, but a dummy salt is hashed instead with
    the same parameters: an unknown case, a wrong PIN and an unusable hash cost the same time.
    """
    parts = stored.split("$")
    try:
        salt, expected = bytes.fromhex(parts[2]), bytes.fromhex(parts[3])
    except (ValueError, IndexError):
        salt, expected = b"", b""
    if not is_current_hash(stored, params) or len(salt) < 8 or len(expected) != 32:
        _digest(pin, _DUMMY_SALT, pepper, params)
        return False
    return hmac.compare_digest(_digest(pin, salt, pepper, params), expected)


def attempt_token(key: bytes, contact_id: str, case_number: str, pin: str) -> str:
    """Identifies one verification attempt (contact, case, PIN) so a retried call counts once.

    An HMAC with the deployment's token sub-key: the contact id is in every log line, so an unkeyed
    hash would give the mistyped PINs back to anyone who reads the table and the logs.
    """
    message = f"{contact_id}#verify#{case_number}#{pin}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()[:32]


def receipt_number(prefix: str, seed: str, attempt: int = 0) -> str:
    """A receipt like ``AP-12345678`` derived from ``seed`` (contact id + step): a retried call gets
    the same receipt; ``attempt`` moves to the next candidate if one is already taken."""
    digest = hashlib.sha256(f"{seed}#{attempt}".encode()).digest()
    return f"{prefix}-{int.from_bytes(digest[:8], 'big') % 10**8:08d}"


#: receipt prefixes by what was registered (an appeal, an identity-theft report)
RECEIPT_PREFIXES = ("AP", "IT")
#: the prefix of the reference every e-mail acknowledgement gives (``E-1A2B-3C4D``)
EMAIL_REFERENCE_PREFIX = "E"
#: a case number as people write it: 8 digits, or two groups of 4 with a space, dash or dot between
#: (not a date's 4-2-2, not part of a longer number)
_WRITTEN_CASE = re.compile(r"(?<![0-9A-Za-z.\-])[0-9]{4}[ .\-]?[0-9]{4}(?![0-9A-Za-z]|[.\-][0-9])")
_RECEIPT = re.compile(
    rf"(?<![0-9A-Za-z])(?:{'|'.join(RECEIPT_PREFIXES)})[ \-]?[0-9]{{8}}(?![0-9A-Za-z])", re.IGNORECASE
)
_EMAIL_REFERENCE = re.compile(
    rf"(?<![0-9A-Za-z]){EMAIL_REFERENCE_PREFIX}-[0-9A-Z]{{4}}-[0-9A-Z]{{4}}(?![0-9A-Za-z])", re.IGNORECASE
)


def email_reference(contact_id: str) -> str:
    """The reference an e-mail acknowledgement gives (``E-1A2B-3C4D``): from the contact id, not
    personal data, short enough to quote."""
    digits = "".join(ch for ch in contact_id.upper() if ch.isalnum())
    prefix = EMAIL_REFERENCE_PREFIX
    return f"{prefix}-{digits[:4]}-{digits[4:8]}" if len(digits) >= 8 else f"{prefix}-{digits or '0000'}"


def quoted_references(text: str) -> tuple[str, ...]:
    """The agency's numbers quoted in ``text``, in its own kinds: ``case`` (a case number whose Luhn
    digit checks, as written with or without group separators), ``receipt`` (an appeal or
    identity-theft receipt) and ``email`` (an acknowledgement's reference). Kinds only, never the
    numbers: what the classifier needs, and nothing to log by mistake."""
    kinds = []
    if any(is_valid_case_number(re.sub(r"[ .\-]", "", m.group())) for m in _WRITTEN_CASE.finditer(text)):
        kinds.append("case")
    if _RECEIPT.search(text):
        kinds.append("receipt")
    if _EMAIL_REFERENCE.search(text):
        kinds.append("email")
    return tuple(kinds)


def spoken_digits(value: str) -> str:
    """Digits separated by spaces so text-to-speech reads them one by one."""
    return " ".join(ch for ch in value if ch.isascii() and ch.isalnum())
