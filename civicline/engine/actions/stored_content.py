"""``LoadContactContent`` (adminguide get-stored-content.html, block "Get stored content").

What the page says, and the engine does:
* ``Parameters: {"ContentType": "EmailMessage"}`` (the one documented value), ``Transitions`` with
  ``NextAction`` and one ``NoMatchingError`` branch, no conditions;
* the block "will download the plain text version of the email message present in your S3 bucket and
  store it on the ``$.Email.EmailMessage.Plaintext`` flow attribute", at most 32 KB "due to the maximum
  size of flow attributes limits";
* the Error branch when the plain text is more than 32 KB, when it cannot be downloaded (bucket
  policy, access), or when "there is no email message in plaintext format available on the contact"
  (an HTML-only message, or a contact that is not an e-mail);
* channels: e-mail only (Voice, Chat, Task: "No"); flow types: inbound, customer queue, customer
  hold, customer whisper, outbound whisper, agent hold, agent whisper, transfer to agent, transfer to
  queue and disconnect flows (a disconnect flow is a CONTACT_FLOW here).

UNCONFIRMED on the page, with the choice made: 32 KB is read as 32 * 1024 bytes of UTF-8 (the contact
attributes limit, :data:`schemas.connect_lambda.MAX_ATTRIBUTES_BYTES`); a failed download leaves
``$.Email`` as it was (nothing half-loaded); flow modules are not listed, so the validator refuses
the block there; bytes that are not UTF-8 are replaced, not an error.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from civicline.engine.actions.spec import (
    AH,
    AT,
    AW,
    CF,
    CH,
    CQ,
    CW,
    NO_MATCHING_ERROR,
    OW,
    QT,
    ActionSpec,
    Problem,
    action,
    fixed,
)
from civicline.engine.contact import StoredEmail
from civicline.engine.outcome import Outcome
from schemas.connect_lambda import MAX_ATTRIBUTES_BYTES
from schemas.flow_language import FlowAction

if TYPE_CHECKING:
    from civicline.engine.interpreter import Run

#: the ContentType values the page documents
CONTENT_TYPES = frozenset({"EmailMessage"})
#: the most plain text the block loads (get-stored-content.html: 32 KB)
MAX_PLAINTEXT_BYTES = MAX_ATTRIBUTES_BYTES


_UNREADABLE = "the stored e-mail could not be downloaded"


def _check(act: FlowAction) -> Iterable[Problem]:
    content_type = act.Parameters.get("ContentType")
    if content_type not in CONTENT_TYPES:
        yield Problem(f"ContentType {content_type!r} is not one of {', '.join(sorted(CONTENT_TYPES))}")


@action(
    ActionSpec(
        "LoadContactContent",
        "interactions",
        "get-stored-content",
        flow_types=frozenset({CF, CQ, CH, CW, OW, AH, AW, AT, QT}),
        channels=frozenset({"EMAIL"}),
        errors=fixed(NO_MATCHING_ERROR),
        static=frozenset({"ContentType"}),
        operators=frozenset(),
        check=_check,
    )
)
def load_contact_content(run: Run, act: FlowAction) -> Outcome:
    stored = run.contact.email_message
    if stored is None or stored.key is None:
        return Outcome.fail(detail="no e-mail message in plain text is stored for this contact")
    body = _download(stored)
    if isinstance(body, str):
        return Outcome.fail(detail=body)
    if len(body) > MAX_PLAINTEXT_BYTES:
        return Outcome.fail(detail=f"the plain text is {len(body)} bytes; the block loads at most 32 KB")
    plaintext = body.decode("utf-8", errors="replace")
    run.contact.email_content = {"EmailMessage": {"Plaintext": plaintext}}
    run.note(f"stored e-mail loaded: {len(body)} bytes of plain text")
    return Outcome.ok()


def _download(stored: StoredEmail) -> bytes | str:
    """The object's bytes, or why it could not be read (S3 GetObject; faults at botocore count)."""
    from botocore.exceptions import BotoCoreError, ClientError

    from functions.core.aws import client

    try:
        answer: dict[str, Any] = client("s3").get_object(Bucket=stored.bucket, Key=stored.key)
        data = answer["Body"].read()
    except ClientError as exc:
        return f"{_UNREADABLE}: {exc.response.get('Error', {}).get('Code', 'error')}"
    except BotoCoreError as exc:
        return f"{_UNREADABLE}: {type(exc).__name__}"
    return bytes(data)
