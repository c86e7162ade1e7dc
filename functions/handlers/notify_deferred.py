"""Lambda ``notify_deferred`` (every 5 minutes): send the notifications that waited for quiet hours
to end, and the sends a channel refused.

Each due notice is checked again at send time: a STOP given meanwhile wins (OPTED_OUT); a status
change the case has since moved past is not sent (SKIPPED, SUPERSEDED: the newer change has its
own notification); otherwise it goes through the same claim-send-emit as the notifier, so it is
sent exactly once. A refused send stays stored and is tried on the next run, and is given up as
FAILED after ``MAX_ATTEMPTS`` runs. Logs carry counts only.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from typing import Any

from functions.adapters import notifications as store
from functions.core.clock import now
from functions.core.observability import logger
from functions.core.settings import get_settings
from functions.domain import notifications as rules
from functions.handlers._notify import EmitFailed, SendFailed, event, send_now


def handler(event_: Any, context: Any) -> dict[str, Any]:
    moment = now()
    today = moment.astimezone(get_settings().calendar().zone).date()
    outcomes: Counter[str] = Counter()
    for deferred in store.due([today - timedelta(days=1), today], int(moment.timestamp())):
        try:
            outcomes[_release(deferred, moment)] += 1
        except EmitFailed:
            outcomes["EVENT_OWED"] += 1  # kept: the next run emits what is owed
    logger.info("deferred notifications", outcomes=dict(outcomes))
    return {"outcomes": dict(outcomes)}


def _superseded(notice: rules.Notice) -> bool:
    if notice.kind is not rules.Kind.STATUS_CHANGE or notice.status is None:
        return False
    return store.current_change(notice.case_number) != (notice.status.value, notice.at)


def _release(deferred: store.Deferred, moment: datetime) -> str:
    notice = deferred.notice
    consent = store.get_consent(notice.case_number)
    if consent is None:
        store.settle(deferred)
        return "NO_CONSENT"
    if consent.opted_out:
        event(notice, consent.channel, rules.Outcome.OPTED_OUT, moment, "STOP")
        store.settle(deferred)
        return rules.Outcome.OPTED_OUT.value
    if _superseded(notice):
        event(notice, consent.channel, rules.Outcome.SKIPPED, moment, "SUPERSEDED")
        store.settle(deferred)
        return rules.Outcome.SKIPPED.value
    try:
        outcome = send_now(notice, consent, moment)
    except SendFailed:
        if deferred.attempts + 1 >= rules.MAX_ATTEMPTS:
            event(notice, consent.channel, rules.Outcome.FAILED, moment, "SEND_FAILED")
            store.settle(deferred)
            return rules.Outcome.FAILED.value
        store.count_attempt(deferred)
        return "RETRY"
    store.settle(deferred)
    return outcome
