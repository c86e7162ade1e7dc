"""Masking of personal data before it reaches a log line, a trace or a metric dimension.

Callers' phone numbers, PINs and case PINs must never appear in clear in logs. Two nets:
keys known to hold secrets or identifiers are masked whatever their value, and anything in free
text that looks like a phone number (7+ digits, optional ``+``, separators) is masked too.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

#: keys (lower-cased, without ``_``/``-``) whose values are always masked
SENSITIVE_KEYS = frozenset(
    {
        "pin",
        "casepin",
        "pinhash",
        "callernumber",
        "callbacknumber",
        "phone",
        "phonenumber",
        "address",
        "customernumber",
        "customerid",
        "customerendpoint",
        "storedcustomerinput",
        "ani",
    }
)

_PHONE = re.compile(r"(?<![\w])\+?\d(?:[\s\-.()]{0,2}\d){6,}(?![\w])")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
#: keys whose values are machine timestamps or ids, never personal data
_PLAIN_KEYS = frozenset({"timestamp", "time", "cold_start", "function_request_id", "xray_trace_id"})


def mask_phone(number: str) -> str:
    """Keep only the last two digits: ``+15555550123`` -> ``***********23``."""
    digits = re.sub(r"\D", "", number)
    return "*" * max(len(digits) - 2, 1) + digits[-2:] if digits else "***"


def mask_text(text: str) -> str:
    """Mask every phone-number-like run of digits inside free text."""
    return _PHONE.sub(lambda m: m.group(0) if _DATE.fullmatch(m.group(0)) else mask_phone(m.group(0)), text)


def _is_sensitive(key: str) -> bool:
    return key.lower().replace("_", "").replace("-", "") in SENSITIVE_KEYS


def mask_pii(value: Any, key: str = "") -> Any:
    """Return a copy of ``value`` with sensitive keys and phone-like text masked."""
    if key and _is_sensitive(key) and value not in (None, ""):
        return "***"
    if isinstance(value, dict):
        return {k: mask_pii(v, str(k)) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [mask_pii(v) for v in value]
    if isinstance(value, str):
        return value if key in _PLAIN_KEYS else mask_text(value)
    return value


def pseudonymize(value: str, key: str | None = None) -> str:
    """A stable key for a phone number (rate limits, repeat-caller history), keyed by a secret.

    The raw number is never stored; the same number always maps to the same key so that attempts
    and repeat contacts can be counted. Without the deployment's secret key
    (:func:`functions.core.pseudonym_key.pseudonym_key`), which this uses by default, a pseudonym
    cannot be turned back into a number by trying every number.
    """
    return _keyed_hash(re.sub(r"\D", "", value), key)


def pseudonymize_id(value: str, key: str | None = None) -> str:
    """A stable key for an identifier that is not a phone number (a signed-in customer's id): the
    whole text is hashed (letters too), with the same secret as :func:`pseudonymize`."""
    return _keyed_hash("id:" + value, key)


def _keyed_hash(text: str, key: str | None) -> str:
    if key is None:
        from functions.core.pseudonym_key import pseudonym_key

        key = pseudonym_key()
    return hashlib.blake2b(text.encode(), key=key.encode()[:64], digest_size=12).hexdigest()
