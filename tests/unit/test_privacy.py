"""No personal data reaches the logs."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from functions.core.privacy import mask_phone, mask_pii, pseudonymize


@given(st.from_regex(r"\+1[2-9][0-9]{9}", fullmatch=True))
def test_phone_numbers_in_free_text_are_masked(number: str) -> None:
    masked = mask_pii({"message": f"caller {number} asked"})
    assert number not in json.dumps(masked)
    assert masked["message"].endswith(number[-2:] + " asked")


def test_sensitive_keys_are_masked_whatever_their_value() -> None:
    masked = mask_pii({"pin": "1234", "Details": {"Parameters": {"callbackNumber": "12"}}})
    assert masked == {"pin": "***", "Details": {"Parameters": {"callbackNumber": "***"}}}


def test_timestamps_are_not_mistaken_for_phone_numbers() -> None:
    assert mask_pii({"timestamp": "2026-11-23 10:34:34,928"})["timestamp"].startswith("2026")


def test_pseudonyms_are_stable_and_ignore_formatting() -> None:
    assert pseudonymize("+1 (555) 555-0100") == pseudonymize("15555550100")
    assert "5550100" not in pseudonymize("+15555550100")
    assert mask_phone("+15555550100") == "*********00"


def test_logger_masks_its_output(capsys) -> None:
    from functions.core.observability import logger

    logger.warning("call from +15555550123", extra={"pin": "9876"})
    out = capsys.readouterr().out + capsys.readouterr().err
    assert "+15555550123" not in out and "9876" not in out
