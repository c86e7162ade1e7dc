"""Lambda ``case_status``: a case's status after PIN verification, with attempt limits.

Hot path of a successful lookup: ONE read (BatchGetItem: the case and both attempt counters).
Attempt counters are written only on failure, one conditional update each, idempotent per contact,
step and input (a Connect retry does not count twice).
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

from functions.adapters import cases
from functions.core.clock import now
from functions.core.connect import handle_connect
from functions.core.errors import InvalidInput, Locked
from functions.core.observability import logger
from functions.core.settings import get_settings
from functions.domain import case_status as rules
from functions.domain.dates import spoken_date
from functions.domain.identifiers import is_valid_case_number, is_valid_pin
from functions.handlers._common import caller_key
from schemas.connect_lambda import ContactData
from schemas.functions import CaseStatusParameters, CaseStatusResponse
from schemas.records import Case


def handler(event: Any, context: Any) -> dict[str, str]:
    return handle_connect(event, CaseStatusParameters, _lookup, function="case_status")


def _lookup(contact: ContactData, params: CaseStatusParameters) -> CaseStatusResponse:
    if not is_valid_case_number(params.caseNumber):
        raise InvalidInput("caseNumber")
    if not is_valid_pin(params.pin):
        raise InvalidInput("pin")
    settings = get_settings()
    moment = now()
    key = caller_key(contact, params.callerNumber)
    case, by_caller, by_case = cases.lookup(params.caseNumber, key)
    if rules.is_locked((by_caller, by_case), moment, settings.max_verify_attempts):
        raise Locked("too many attempts")
    if rules.pin_matches(case, params.pin) and case is not None:
        logger.info("case verified", status=case.status.value)
        return _found(case, params.language)
    return _failed(contact.ContactId, key, params, moment)


def _found(case: Case, language: str) -> CaseStatusResponse:
    from functions.adapters.reference import office

    entry = office(case.office_id)
    name = (entry.name_es if language == "es" else entry.name_en) if entry else None
    return CaseStatusResponse(
        result="FOUND",
        status=case.status.value,
        statusText=rules.status_text(case.status, language),
        nextStep=rules.next_step(case, language),
        dueDate=case.due_date.isoformat() if case.due_date else None,
        dueDateSpoken=spoken_date(case.due_date, language) if case.due_date else None,
        officeName=name,
    )


def _failed(contact_id: str, key: str, params: CaseStatusParameters, moment: datetime) -> CaseStatusResponse:
    """Count the failure for the caller and for the case; the same answer whether the case exists."""
    settings = get_settings()
    # the token identifies this attempt (contact, step, input) without storing the PIN
    token = hashlib.sha256(f"{contact_id}#verify#{params.caseNumber}#{params.pin}".encode()).hexdigest()[:24]
    expires = int(moment.timestamp()) + settings.lockout_seconds
    counters = (
        cases.record_failure(cases.caller_counter_pk(key), token, expires),
        cases.record_failure(cases.case_counter_pk(params.caseNumber), token, expires),
    )
    left = rules.attempts_left(counters, moment, settings.max_verify_attempts)
    logger.info("verification failed", caller_key=key, attempts_left=left)
    if left == 0:
        raise Locked("too many attempts")
    return CaseStatusResponse(result="NOT_FOUND", attemptsLeft=str(left))
