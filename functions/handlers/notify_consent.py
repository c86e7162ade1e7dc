"""Lambda ``notify_consent``: record consent to status notifications, or a STOP.

Called from a case-status path once the case is verified (a consent names a case, so it must come
from someone who proved they hold it). For SMS and CALL the destination is the contact's own number
from the contact data (Contract C), never a flow parameter. A STOP needs no case: it withdraws
every notification to that phone or address. The destination is stored with the consent (it must
be, to send) and never logged.
"""

from __future__ import annotations

from typing import Any

from functions.adapters import notifications as store
from functions.core.clock import now
from functions.core.connect import handle_connect
from functions.core.errors import InvalidInput
from functions.core.observability import logger
from functions.domain.email_triage import valid_sender
from functions.domain.identifiers import is_valid_case_number
from functions.domain.notifications import Channel, Consent
from functions.handlers._common import caller_number
from schemas.connect_lambda import ContactData
from schemas.functions import NotifyConsentParameters, NotifyConsentResponse


def handler(event: Any, context: Any) -> dict[str, str]:
    return handle_connect(event, NotifyConsentParameters, _record, function="notify_consent")


def _destination(contact: ContactData, params: NotifyConsentParameters, channel: Channel) -> str:
    if channel is Channel.EMAIL:
        address = params.destination.strip()
        if not valid_sender(address):
            raise InvalidInput("destination")
        return address
    # Contract C: an SMS or a call goes to the contact's own number, from the contact data; a
    # number a flow passes is not used (a flow must not be able to point notifications elsewhere)
    number = caller_number(contact)
    if not number:
        raise InvalidInput("destination")
    return number


def _record(contact: ContactData, params: NotifyConsentParameters) -> NotifyConsentResponse:
    moment = int(now().timestamp())
    if params.action == "stop":
        channel = Channel(params.channel) if params.channel else Channel.SMS
        store.opt_out(_destination(contact, params, channel), moment)
        logger.info("notifications stopped", channel=channel.value)
        return NotifyConsentResponse(result="STOPPED", channel=channel.value)
    if not is_valid_case_number(params.caseNumber):
        raise InvalidInput("caseNumber")
    if not params.channel:
        raise InvalidInput("channel")
    channel = Channel(params.channel)
    consent = Consent(channel, _destination(contact, params, channel), params.language)
    store.put_consent(params.caseNumber, consent, moment)
    logger.info("notification consent recorded", channel=channel.value)
    return NotifyConsentResponse(result="RECORDED", channel=channel.value)
