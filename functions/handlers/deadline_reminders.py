"""Lambda ``deadline_reminders`` (once a day): remind consenting citizens that a deadline on their
case nears, 7 days and 1 day before it (``REMINDER_DAYS``).

The candidates come from the cases table's sparse ``by_due_date`` index (cases and appeals that
have a deadline; keyed by the date): two queries a run, never a table scan, reading only the
attributes the index grant allows (no PIN hash). Each reminder is one notification (its own claim:
a second run the same day sends nothing twice) and goes through the same rules as a status change:
consent, STOP, quiet hours (deferred to their end). A send the channel refused is handed to the
deferred sweep, which retries it. Closed cases get no reminder. Logs carry counts only.
"""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Any

from functions.adapters import notifications as store
from functions.core.clock import now
from functions.core.observability import logger
from functions.core.settings import get_settings
from functions.domain import notifications as rules
from functions.domain.identifiers import is_valid_case_number
from functions.handlers._notify import EmitFailed, SendFailed, deliver, retry_later
from schemas.records import CaseStatus


def handler(event: Any, context: Any) -> dict[str, Any]:
    moment = now()
    today = moment.astimezone(get_settings().calendar().zone).date()
    outcomes: Counter[str] = Counter()
    for deadline, days_left in rules.reminder_dates(today).items():
        for item in store.deadlines_on(deadline):
            outcomes[_remind(item, deadline, days_left, moment)] += 1
    logger.info("deadline reminders", outcomes=dict(outcomes))
    return {"outcomes": dict(outcomes)}


def _remind(item: dict[str, Any], deadline: date, days_left: int, moment: Any) -> str:
    case_number = str(item.get("case_number") or "")
    if not is_valid_case_number(case_number) or item.get("status") == CaseStatus.CLOSED.value:
        return "NOT_APPLICABLE"
    office = item.get("office_id")
    notice = rules.reminder_notice(case_number, deadline, days_left, str(office) if office else None)
    consent = store.get_consent(case_number)
    if consent is None:
        return "NO_CONSENT"
    try:
        return deliver(notice, consent, moment)
    except SendFailed:
        return retry_later(notice, consent, moment)
    except EmitFailed:
        return "EVENT_OWED"  # sent; the claim remembers the event is owed (next run emits it)
