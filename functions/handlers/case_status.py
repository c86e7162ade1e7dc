"""Lambda ``case_status``: a case's status after PIN verification, with attempt limits that bind.

Every lookup, in this order: reserve one attempt on each counter that applies (the case, and the
caller or, for a withheld number, the contact and the shared withheld bucket: one conditional
TransactWriteItems for all of them); read the case's PIN hash only (one GetItem with a projection);
run one KDF. A correct PIN reads the case (one GetItem) and gives the reservations back (one
TransactWriteItems); a wrong PIN or an unknown case keeps them and reads the counters a count left
unknown (one consistent BatchGetItem, for the attempts left), so the two are indistinguishable by
answer, by AWS calls, by the bytes read (a hash or nothing) and by KDF work. A Connect retry of the
same attempt (same contact, case and PIN) is recognised by its token and counted once. A right PIN
is four calls (one reservation, two reads, one give-back; it was five, and six before that); which
of a counter's two writes is tried first follows what the container last saw of it, so a counter in
an open window usually takes one round, not two (:mod:`functions.adapters.cases`).
"""

from __future__ import annotations

from typing import Any

from functions.adapters import cases
from functions.core.clock import now
from functions.core.connect import handle_connect
from functions.core.errors import InvalidInput, Locked
from functions.core.observability import logger
from functions.core.privacy import pseudonymize
from functions.core.pseudonym_key import ATTEMPT_TOKEN, PIN_PEPPER, derived_key
from functions.core.settings import get_settings
from functions.domain import case_status as rules
from functions.domain.dates import spoken_date
from functions.domain.identifiers import attempt_token, is_current_hash, is_valid_case_number, is_valid_pin
from functions.handlers._common import caller_number
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
    moment = int(now().timestamp())
    token = attempt_token(derived_key(ATTEMPT_TOKEN), contact.ContactId, params.caseNumber, params.pin)
    held = cases.reserve_attempts(_limits(contact, params), token, moment, settings.lockout_seconds)
    if held is None:
        logger.info("verification refused: attempt limit reached")
        raise Locked("too many attempts")
    stored = cases.pin_hash_of(params.caseNumber)
    if stored and not is_current_hash(stored):
        logger.warning("case PIN hash in an old format: re-issue the PIN (docs/data.md)")
    case = (
        cases.get_case(params.caseNumber)
        if rules.pin_matches(stored, params.pin, derived_key(PIN_PEPPER))
        else None
    )
    if case is not None:
        _give_back(held, token)
        logger.info("case verified", status=case.status.value)
        return _found(case, params.language)
    left = rules.attempts_left(cases.with_states(held), moment)
    logger.info("verification failed", attempts_left=left, counted=all(r.counted for r in held))
    if left == 0:
        raise Locked("too many attempts")
    return CaseStatusResponse(result="NOT_FOUND", attemptsLeft=str(left))


def _give_back(held: tuple[rules.Reservation, ...], token: str) -> None:
    """Return a verified caller's reservations. Best effort: the PIN was proven, so a failed give-back
    costs that caller one attempt until the window closes; it must not turn the answer into an error."""
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        cases.release_attempts(held, token)
    except (BotoCoreError, ClientError) as exc:
        logger.warning("attempt not given back", error=type(exc).__name__)


def _limits(contact: ContactData, params: CaseStatusParameters) -> tuple[rules.AttemptLimit, ...]:
    """Who this attempt counts against. The number is the contact's own (its endpoint), never a flow
    parameter: what the attempt is counted against must not depend on what a flow passes."""
    settings = get_settings()
    number = caller_number(contact)
    subjects = rules.counted_subjects(
        params.caseNumber,
        pseudonymize(number) if number else None,
        pseudonymize(contact.ContactId),
    )
    return rules.attempt_limits(subjects, settings.max_verify_attempts, settings.withheld_verify_attempts)


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
