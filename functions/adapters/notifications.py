"""Notification consent (cases table, beside the case), opt-outs and sent markers (state table).

Consent sits with the case it is about (pk ``CASE#<n>``, sk ``NOTIFY``) because the notifier reads
it for that case's change; an opt-out is keyed by the destination's pseudonym because a STOP reply
names the phone or address, not the case. A change is claimed (conditional put) before it is sent
and the claim is removed if the send fails, so a stream retry sends it and nothing is counted as
sent that was not.
"""

from __future__ import annotations

from botocore.exceptions import ClientError

from functions.adapters.dynamo import ddb, from_item, is_conditional_failure, key, table, to_item
from functions.core.address_pseudonym import address_pseudonym
from functions.domain.notifications import Channel, Consent

_CONSENT_SK = "NOTIFY"


def put_consent(case_number: str, consent: Consent, moment: int) -> None:
    ddb().put_item(
        TableName=table("cases"),
        Item=to_item(
            {
                "pk": f"CASE#{case_number}",
                "sk": _CONSENT_SK,
                "channel": consent.channel.value,
                "destination": consent.destination,
                "language": consent.language,
                "consented_at": moment,
            }
        ),
    )
    # a new consent given in a verified contact lifts an earlier STOP from the same destination
    ddb().delete_item(TableName=table("state"), Key=key(_optout_pk(consent.destination), "OPTOUT"))


def get_consent(case_number: str) -> Consent | None:
    item = ddb().get_item(TableName=table("cases"), Key=key(f"CASE#{case_number}", _CONSENT_SK)).get("Item")
    if not item:
        return None
    data = from_item(item)
    destination = str(data["destination"])
    opted = ddb().get_item(TableName=table("state"), Key=key(_optout_pk(destination), "OPTOUT")).get("Item")
    return Consent(Channel(str(data["channel"])), destination, str(data.get("language", "en")), bool(opted))


def opt_out(destination: str, moment: int) -> None:
    ddb().put_item(
        TableName=table("state"),
        Item=to_item({"pk": _optout_pk(destination), "sk": "OPTOUT", "at": moment}),
    )


def claim(notification_key: str, moment: int, outcome: str) -> bool:
    """True when this change was not handled before (the marker is stored now)."""
    try:
        ddb().put_item(
            TableName=table("state"),
            Item=to_item(
                {"pk": f"notified#{notification_key}", "sk": "NOTIFIED", "at": moment, "outcome": outcome}
            ),
            ConditionExpression="attribute_not_exists(pk)",
        )
    except ClientError as exc:
        if is_conditional_failure(exc):
            return False
        raise
    return True


def release(notification_key: str) -> None:
    ddb().delete_item(TableName=table("state"), Key=key(f"notified#{notification_key}", "NOTIFIED"))


def _optout_pk(destination: str) -> str:
    return f"optout#{address_pseudonym(destination)}"
