"""Local e-mail contacts store their message where Connect stores it: an S3 object (on moto) in the
bucket and prefix of the stack's ``EMAIL_MESSAGES`` storage configuration
(:mod:`infra.email_messages`), referenced by the contact, so the engine's
``LoadContactContent`` downloads it as Connect's ``Get stored content`` block does.

The object key layout Connect uses inside its prefix is not documented (UNCONFIRMED); the key here
is ``<prefix>/<contact id>/plaintext.txt``. Nothing reads the layout but the contact's reference.
"""

from __future__ import annotations

from civicline.engine.arns import ACCOUNT
from civicline.engine.contact import StoredEmail
from infra.email_messages import EMAIL_MESSAGES_PREFIX, email_messages_bucket_name

#: the local environment's resource prefix (the local tables' prefix too)
LOCAL_PREFIX = "civicline-local"
LOCAL_BUCKET = email_messages_bucket_name(LOCAL_PREFIX, ACCOUNT)


def message_key(contact_id: str) -> str:
    return f"{EMAIL_MESSAGES_PREFIX}/{contact_id}/plaintext.txt"


def store_message(contact_id: str, plaintext: str | None, *, bucket: str = LOCAL_BUCKET) -> StoredEmail:
    """Put the message's plain text in S3 and return the contact's reference to it. ``plaintext``
    None: the message has no plain-text version (HTML only), so nothing is stored and the reference
    names no object (the block's error branch)."""
    if plaintext is None:
        return StoredEmail(bucket, None)
    from functions.core.aws import client

    s3 = client("s3")
    key = message_key(contact_id)
    try:
        s3.put_object(Bucket=bucket, Key=key, Body=plaintext.encode("utf-8"), ContentType="text/plain")
    except s3.exceptions.NoSuchBucket:
        s3.create_bucket(Bucket=bucket)  # the first message of a fresh local AWS
        s3.put_object(Bucket=bucket, Key=key, Body=plaintext.encode("utf-8"), ContentType="text/plain")
    return StoredEmail(bucket, key)
