"""Names of where Amazon Connect stores inbound e-mail messages: one definition for the stack
(:mod:`infra.constructs.email_storage`) and for local runs (civicline/local/email_store.py puts each
local message in the same bucket and prefix on moto). Kept free of aws_cdk so local runs need not
import it.
"""

from __future__ import annotations

#: the prefix the storage configuration gives Connect (S3Config.BucketPrefix: 1-128 characters)
EMAIL_MESSAGES_PREFIX = "connect/email-messages"


def email_messages_bucket_name(resource_prefix: str, account: str) -> str:
    """The bucket's name: the environment's prefix and the account keep it globally unique
    (``account`` may be a CloudFormation token, so it is not changed)."""
    return f"{resource_prefix.lower()}-email-messages-{account}"
