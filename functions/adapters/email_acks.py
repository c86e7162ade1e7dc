"""One acknowledgement per sender per window, claimed with a conditional write (state table).

Why conditional and stored: Connect may start several e-mail contacts from one sender at once (a
client retrying, a burst of messages); a read-then-write check lets parallel deliveries each see
"no acknowledgement yet" and each send one. A single UpdateItem whose condition is "no claim, or the
last claim is older than the window" lets exactly one of them win (docs/decisions.md).
"""

from __future__ import annotations

from botocore.exceptions import ClientError

from functions.adapters.dynamo import ddb, is_conditional_failure, key, table

#: how long one acknowledgement covers a sender's further messages
ACK_WINDOW_SECONDS = 600
_SK = "email-ack"


def _pk(sender_key: str) -> str:
    return f"email-ack#{sender_key}"


def claim(sender_key: str, moment: int, window: int = ACK_WINDOW_SECONDS) -> bool:
    """True when this message may be acknowledged (the claim is stored); False inside the window."""
    try:
        ddb().update_item(
            TableName=table("state"),
            Key=key(_pk(sender_key), _SK),
            UpdateExpression="SET acked_at = :now, expires_at = :expires",
            ConditionExpression="attribute_not_exists(pk) OR acked_at <= :cutoff",
            ExpressionAttributeValues={
                ":now": {"N": str(moment)},
                ":cutoff": {"N": str(moment - window)},
                ":expires": {"N": str(moment + 2 * window)},
            },
        )
    except ClientError as exc:
        if is_conditional_failure(exc):
            return False
        raise
    return True


def release(sender_key: str, moment: int) -> None:
    """Give back our own claim (the send failed), so the next message from the sender is acknowledged."""
    try:
        ddb().delete_item(
            TableName=table("state"),
            Key=key(_pk(sender_key), _SK),
            ConditionExpression="acked_at = :now",
            ExpressionAttributeValues={":now": {"N": str(moment)}},
        )
    except ClientError as exc:
        if not is_conditional_failure(exc):
            raise
