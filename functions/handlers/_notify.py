"""Giving one notification, shared by the notifier, the deferred sweep and the deadline reminders.

The order is the guarantee: consent and STOP first; in quiet hours the notice is stored for the
end of quiet hours (DEFERRED); otherwise the notification is claimed (one conditional put: a
redelivery is not sent twice), sent, and only once the channel accepted it is SENT emitted
(Contract N) and the claim marked emitted. A refused send gives the claim back and raises
:class:`SendFailed`; a refused event raises :class:`EmitFailed` with the claim kept, so the retry
emits the owed event without sending again.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from botocore.exceptions import BotoCoreError, ClientError

from functions.adapters import notification_channels as channels
from functions.adapters import notifications as store
from functions.adapters.notification_channels import EmitFailed
from functions.core.observability import logger
from functions.core.settings import get_settings
from functions.domain import notifications as rules

__all__ = ["EmitFailed", "SendFailed", "deliver", "send_now"]


class SendFailed(Exception):
    """The channel refused or timed out: nothing was sent, the notification is owed."""


#: each channel's send: the id the channel accepted the notification under (errors propagate)
_SENDERS: dict[rules.Channel, Callable[[rules.Notice, str, str], str]] = {
    rules.Channel.EMAIL: channels.send_email,
    rules.Channel.SMS: channels.send_sms,
    rules.Channel.CALL: channels.send_call,
}


def event(
    notice: rules.Notice,
    channel: rules.Channel,
    outcome: rules.Outcome,
    moment: datetime,
    reason: str | None = None,
) -> None:
    channels.emit([rules.outcome_detail(notice, channel, outcome, moment, reason)])


def deliver(notice: rules.Notice, consent: rules.Consent | None, moment: datetime) -> str:
    """Decide and act for ``notice`` now; the outcome name (for logs, never personal data)."""
    time_zone = get_settings().calendar().time_zone
    decision = rules.decide(consent, moment, time_zone)
    if consent is None or decision is rules.Decision.NO_CONSENT:
        return "NO_CONSENT"  # nobody asked: not a notification, no event
    if decision is rules.Decision.OPTED_OUT:
        event(notice, consent.channel, rules.Outcome.OPTED_OUT, moment, "STOP")
        return rules.Outcome.OPTED_OUT.value
    if decision is rules.Decision.QUIET_HOURS:
        if store.handled(notice.key):
            return "ALREADY_SENT"  # a redelivery of a change sent in the day: nothing to defer
        return defer(notice, consent, moment, rules.quiet_hours_end(moment, time_zone), "QUIET_HOURS")
    return send_now(notice, consent, moment)


def defer(
    notice: rules.Notice, consent: rules.Consent, moment: datetime, release: datetime, reason: str
) -> str:
    """Store ``notice`` for ``release`` (then DEFERRED); a notice it replaces is SKIPPED."""
    local = release.astimezone(get_settings().calendar().zone)
    replaced = store.defer(notice, local.date(), int(release.timestamp()))
    details = [rules.outcome_detail(notice, consent.channel, rules.Outcome.DEFERRED, moment, reason)]
    if replaced is not None:
        details.append(
            rules.outcome_detail(replaced, consent.channel, rules.Outcome.SKIPPED, moment, "SUPERSEDED")
        )
    channels.emit(details)
    return rules.Outcome.DEFERRED.value


def send_now(notice: rules.Notice, consent: rules.Consent, moment: datetime) -> str:
    """Claim, send, then emit SENT: exactly once per notification, even when redelivered."""
    if not store.claim(notice.key, int(moment.timestamp()), "SENT"):
        if store.unemitted(notice.key):
            event(notice, consent.channel, rules.Outcome.SENT, moment)
            store.mark_emitted(notice.key)
        return "ALREADY_SENT"
    try:
        _SENDERS[consent.channel](notice, consent.destination, consent.language)
    except (ClientError, BotoCoreError) as exc:
        store.release(notice.key)
        logger.warning("notification not sent", channel=consent.channel.value, error=type(exc).__name__)
        raise SendFailed from exc
    event(notice, consent.channel, rules.Outcome.SENT, moment)
    store.mark_emitted(notice.key)
    return rules.Outcome.SENT.value


def retry_later(notice: rules.Notice, consent: rules.Consent, moment: datetime, minutes: int = 5) -> str:
    """A send the channel refused outside the stream (reminders): hand it to the sweep."""
    return defer(notice, consent, moment, moment + timedelta(minutes=minutes), "SEND_FAILED")
