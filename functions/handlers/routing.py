"""Lambda ``routing``: route an intent, answer from the knowledge base, or look up an office.

Warm hot path of ``action=route``: one read (caller history), plus one write when an office handled
the call (history for repeat callers); rules and offices come from the per-container cache.
"""

from __future__ import annotations

from typing import Any

from functions.adapters import reference
from functions.adapters.cases import case_office_and_status
from functions.core.clock import now
from functions.core.connect import handle_connect
from functions.core.errors import InvalidInput
from functions.core.observability import logger
from functions.core.settings import get_settings
from functions.domain import routing
from functions.domain.identifiers import is_valid_case_number
from functions.handlers._common import caller_key
from schemas.connect_lambda import ContactData
from schemas.functions import RoutingParameters, RoutingResponse
from schemas.records import CaseStatus, Intent


def handler(event: Any, context: Any) -> dict[str, str]:
    return handle_connect(event, RoutingParameters, _route, function="routing")


def _route(contact: ContactData, params: RoutingParameters) -> RoutingResponse:
    lang = params.language
    if params.action == "knowledge":
        if not params.topic:
            raise InvalidInput("topic")
        answer = reference.knowledge(params.topic, lang)
        if answer is None:
            return RoutingResponse(result="NOT_FOUND")
        return RoutingResponse(result="FOUND", answer=answer.answer, answerId=f"{answer.topic}#{lang}")

    try:
        intent = Intent(params.intent or (Intent.REDIRECT.value if params.action == "office" else ""))
    except ValueError:
        raise InvalidInput("intent") from None
    settings = get_settings()
    moment = now()
    closed_days = reference.holidays() | settings.calendar().holidays
    rule = routing.best_rule(reference.rules(intent.value), params.topic, lang)
    rule_office = reference.office(rule.office_id) if rule and rule.office_id else None

    if params.action == "office":
        if rule_office is None:
            return RoutingResponse(result="NOT_FOUND")
        return RoutingResponse(
            result="FOUND",
            officeId=rule_office.office_id,
            officeName=routing.office_name(rule_office, lang),
            officePhone=rule_office.phone,
            officeHours=routing.hours_text(rule_office, lang),
            officeOpen="true" if routing.office_is_open(rule_office, moment, closed_days) else "false",
        )

    if params.caseNumber and not is_valid_case_number(params.caseNumber):
        raise InvalidInput("caseNumber")
    key = caller_key(contact, params.callerNumber)
    subject = routing.history_key(intent.value, params.topic)
    repeat_id = _open_case_office(params.caseNumber) or reference.last_office(
        key, subject, moment, contact.ContactId
    )
    repeat_office = reference.office(repeat_id) if repeat_id else None
    decision = routing.decide(rule, rule_office, repeat_office)
    logger.info(
        "routed",
        intent=intent.value,
        queue=decision.queue,
        reason=decision.reason,
    )
    office = decision.office
    if office is not None:
        reference.remember_office(
            key,
            subject,
            office.office_id,
            moment,
            window_days=settings.repeat_window_days,
            contact_id=contact.ContactId,
            reason=decision.reason,
        )
    return RoutingResponse(
        result="TRANSFER" if decision.transfer else "ROUTED",
        queueName=decision.queue,
        queueArn=settings.queue_arns.get(decision.queue),
        officeId=office.office_id if office else None,
        officeName=routing.office_name(office, lang) if office else None,
        officePhone=office.phone if office and decision.transfer else None,
        officeHours=routing.hours_text(office, lang) if office and decision.transfer else None,
        officeOpen=("true" if routing.office_is_open(office, moment, closed_days) else "false")
        if office
        else None,
        reason=decision.reason,
        prompt=routing.connect_prompt(decision, lang),
        callerKey=key,
    )


def _open_case_office(case_number: str) -> str | None:
    """The office owning the caller's case, when it is still open."""
    if not case_number:
        return None
    case = case_office_and_status(case_number)
    if case is None or case[1] in (CaseStatus.DECIDED, CaseStatus.CLOSED):
        return None
    return case[0]
