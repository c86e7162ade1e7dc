"""Small helpers the Connect-facing handlers share (caller identity, languages)."""

from __future__ import annotations

import re

from functions.core.privacy import pseudonymize, pseudonymize_id
from functions.domain.identifiers import normalize_phone
from schemas.connect_lambda import ContactData


def caller_number(contact: ContactData, given: str = "") -> str | None:
    """The caller's E.164 number: the flow's parameter when given, else the contact's endpoint."""
    for candidate in (given, contact.caller_number or ""):
        number = normalize_phone(candidate) if candidate else None
        if number:
            return number
    return None


#: the contact attribute naming a signed-in customer (a chat started from the agency's portal
#: session: StartChatContact's Attributes, set by whoever starts the chat, never typed by the customer)
CUSTOMER_ID_ATTRIBUTE = "customerId"
_CUSTOMER_ID = re.compile(r"^[A-Za-z0-9_-]{1,128}$")


def customer_id(contact: ContactData) -> str | None:
    """The signed-in customer's id from the contact's attributes, when it is a well-formed one."""
    value = (contact.Attributes or {}).get(CUSTOMER_ID_ATTRIBUTE) or ""
    return value if _CUSTOMER_ID.fullmatch(value) else None


def caller_key(contact: ContactData, given: str = "") -> str:
    """Pseudonymous key of the caller for repeat-caller history and callbacks. A contact without a
    number (a chat) but with a signed-in customer id is keyed by that id, so the customer's repeat
    chats share a history; otherwise a withheld number is keyed by the contact itself, so anonymous
    callers never share a history. (Case-status attempts count withheld numbers differently:
    functions.domain.case_status.counted_subjects.)"""
    number = caller_number(contact, given)
    if number:
        return pseudonymize(number)
    customer = customer_id(contact)
    if customer:
        return "customer-" + pseudonymize_id(customer)
    return "contact-" + pseudonymize(contact.ContactId)
