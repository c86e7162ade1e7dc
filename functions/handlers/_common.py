"""Small helpers the Connect-facing handlers share (caller identity, languages)."""

from __future__ import annotations

from functions.core.privacy import pseudonymize
from functions.domain.identifiers import normalize_phone
from schemas.connect_lambda import ContactData


def caller_number(contact: ContactData, given: str = "") -> str | None:
    """The caller's E.164 number: the flow's parameter when given, else the contact's endpoint."""
    for candidate in (given, contact.caller_number or ""):
        number = normalize_phone(candidate) if candidate else None
        if number:
            return number
    return None


def caller_key(contact: ContactData, given: str = "") -> str:
    """Pseudonymous key of the caller for repeat-caller history and callbacks; a withheld number is
    keyed by the contact itself, so anonymous callers never share a history. (Case-status attempts
    count withheld numbers differently: functions.domain.case_status.counted_subjects.)"""
    number = caller_number(contact, given)
    return pseudonymize(number) if number else "contact-" + pseudonymize(contact.ContactId)
