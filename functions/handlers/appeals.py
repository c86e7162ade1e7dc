"""Lambda ``appeals``: register an official appeal or an identity-theft report.

Returns a receipt (``AP-########`` or ``IT-########``) and the statutory due date. Idempotent on
ContactId + step: the receipt is derived from them, and the appeal is one conditional put; a retried
call finds its own appeal and answers with it (same receipt, same due date).
"""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from functions.adapters import cases, reference
from functions.core.clock import now
from functions.core.connect import handle_connect
from functions.core.errors import DependencyError, InvalidInput
from functions.core.observability import logger
from functions.core.privacy import pseudonymize
from functions.core.settings import get_settings
from functions.domain.dates import DueRule, due_date, spoken_date
from functions.domain.identifiers import is_valid_case_number, normalize_phone, receipt_number, spoken_digits
from functions.handlers._common import caller_number
from schemas.connect_lambda import ContactData
from schemas.functions import AppealParameters, AppealResponse
from schemas.records import Appeal, AppealCategory

PREFIX = {AppealCategory.APPEAL: "AP", AppealCategory.IDENTITY_THEFT: "IT"}
#: the office that takes appeals when the flow does not name one
DEFAULT_OFFICE = "central"
MAX_RECEIPT_TRIES = 5


def handler(event: Any, context: Any) -> dict[str, str]:
    return handle_connect(event, AppealParameters, _register, function="appeals")


def _register(contact: ContactData, params: AppealParameters) -> AppealResponse:
    category = AppealCategory(params.category or AppealCategory.APPEAL.value)
    if params.caseNumber and not is_valid_case_number(params.caseNumber):
        raise InvalidInput("caseNumber")
    # a number typed by the caller must be valid; without one, the number the caller is calling from
    number = normalize_phone(params.callbackNumber) if params.callbackNumber else caller_number(contact)
    if number is None:
        raise InvalidInput("callbackNumber")
    office_id = params.officeId or DEFAULT_OFFICE
    if reference.office(office_id) is None:
        raise InvalidInput("officeId")
    settings = get_settings()
    moment = now()
    rule: DueRule = "WORKING_DAYS" if settings.appeal_working_days else "CALENDAR_DAYS"
    local_day = moment.astimezone(ZoneInfo(settings.time_zone)).date()
    holidays = reference.holidays() | settings.calendar().holidays
    seed = f"{contact.ContactId}#appeal#{category.value}"
    for attempt in range(MAX_RECEIPT_TRIES):
        appeal = Appeal(
            receipt=receipt_number(PREFIX[category], seed, attempt),
            contact_id=contact.ContactId,
            category=category,
            office_id=office_id,
            case_number=params.caseNumber or None,
            callback_key=pseudonymize(number),
            registered_at=moment,
            due_date=due_date(local_day, settings.appeal_due_days, rule, holidays),
            due_rule=rule,
            due_days=settings.appeal_due_days,
            language=params.language,
        )
        existing = cases.put_appeal(appeal)
        logger.info(
            "appeal registered",
            receipt=appeal.receipt,
            office_id=office_id,
            callback_number=number,
            replay=existing is not None,
        )
        if existing is None:
            return _response(appeal, params.language)
        if existing.contact_id == contact.ContactId and existing.category is category:
            return _response(existing, params.language)  # a retried call: same receipt, same date
    raise DependencyError("no free receipt number after several tries")


def _response(appeal: Appeal, language: str) -> AppealResponse:
    return AppealResponse(
        result="REGISTERED",
        receipt=appeal.receipt,
        receiptSpoken=spoken_digits(appeal.receipt),
        dueDate=appeal.due_date.isoformat(),
        dueDateSpoken=spoken_date(appeal.due_date, language),
        dueDays=str(appeal.due_days),
        category=appeal.category.value,
    )
