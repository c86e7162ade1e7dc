"""Lambda ``routing``: route an intent, answer from the knowledge base, or look up an office.

Warm hot path of ``action=route``: one AWS call for most callers (the conditional write of their
history, which a caller who already has one in the window is refused, getting that record back: a
repeat then costs one more write), one read where no office handles the call; rules and offices come
from the per-container cache.
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
from schemas.records import CaseStatus, Intent, OfficeEntry, RoutingRule


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
    history = reference.CallerHistory(key, subject, moment, contact.ContactId, settings.repeat_window_days)
    decision = _decide(history, rule, rule_office, params.caseNumber)
    logger.info(
        "routed",
        intent=intent.value,
        queue=decision.queue,
        reason=decision.reason,
    )
    office = decision.office
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


def _decide(
    history: reference.CallerHistory,
    rule: RoutingRule | None,
    rule_office: OfficeEntry | None,
    case_number: str | None,
) -> routing.Decision:
    """The decision, with the caller's history written for it when an office handles the call.

    An open case steers the call to its office without reading the history. Otherwise, when the rule
    names an office, the history is written for it in one conditional put that only a caller with no
    history in the window passes (most callers: one call where a read and a put were two); a caller it
    refuses gets the record back, and a repeat is decided and remembered as before.
    """
    case_office = _open_case_office(case_number) if case_number else None
    if case_office:
        return _remembered(history, routing.decide(rule, rule_office, reference.office(case_office)))
    first = routing.decide(rule, rule_office, None)
    if first.office is None:
        prior = history.prior_office()
    else:
        found = history.remember_first(first.office.office_id, first.reason)
        if found is None:
            return first
        prior = reference.prior_office(found, history.moment, history.contact_id)
    repeat_office = reference.office(prior) if prior else None
    return _remembered(history, routing.decide(rule, rule_office, repeat_office))


def _remembered(history: reference.CallerHistory, decision: routing.Decision) -> routing.Decision:
    if decision.office is not None:
        history.remember(decision.office.office_id, decision.reason)
    return decision


def _open_case_office(case_number: str) -> str | None:
    """The office owning the caller's case, when it is still open."""
    if not case_number:
        return None
    case = case_office_and_status(case_number)
    if case is None or case[1] in (CaseStatus.DECIDED, CaseStatus.CLOSED):
        return None
    return case[0]
