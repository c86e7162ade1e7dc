"""What an inbound e-mail is, before its content is read: a citizen's message (new, or a reply to our
acknowledgement), an automatic message (out-of-office, vacation, bounce, mailing list), our own
acknowledgement coming back, a message SES marked as spam or virus, or one without a usable sender.

Why these signals, and why several: an e-mail channel that acknowledges every message answers an
auto-responder's "out of office" with an acknowledgement, which gets another "out of office" (a mail
loop). RFC 3834 names the header (``Auto-Submitted``) and says not to answer mailing-list mail
(``List-Id``, RFC 2919) or mail with a null return path; delivery reports are ``multipart/report``
(RFC 3464). But an Amazon Connect e-mail contact carries few headers (InboundRawMessage: only
References, Message-ID, In-Reply-To and the SES spam and virus verdicts), and Connect "does not
natively detect or suppress NDR or out-of-office messages" (email-capabilities.html, "Prevent automated
email loops": filter on the sender address - mailer-daemon, postmaster, noreply, no-reply, bounces+ -
and on bounce subjects). So the headers are used when present and the sender, the subject and the
machine-written fields of a delivery report are always checked.

A reply to our acknowledgement (its subject keeps our ``[CivicLine ref ...]`` tag, as the
acknowledgement asks) is a citizen's MESSAGE when the citizen wrote something and nothing says it is
automatic: it is routed, and not acknowledged again (docs/decisions.md: the thread already has its
reference and deadline, and two auto-acknowledging systems can then never answer each other).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from functions.domain.email_text import new_text, normalize, readable_body, sender_address

#: the tag every acknowledgement's subject carries, with the reference: "[CivicLine ref E-1234-5678]"
ACK_TAG = "[CivicLine ref "
#: the header every acknowledgement carries (kept by a mailer that returns it whole)
ACK_HEADER = "X-CivicLine-Ack"

_ADDRESS = re.compile(r"^[^\s@<>,;]+@[^\s@<>,;]+\.[^\s@<>,;]+$")
_REFERENCE = re.compile(r"\[CivicLine ref (E-[0-9A-Z]{1,4}(?:-[0-9A-Z]{1,4})?)\]", re.IGNORECASE)
_AUTOMATED_LOCAL = re.compile(
    r"^(?:mailer-daemon|postmaster|no[-_.]?reply|do[-_.]?not[-_.]?reply|bounces?(?:[+\-=].*)?)$",
    re.IGNORECASE,
)
_AUTO_PRECEDENCE = frozenset({"bulk", "auto_reply", "junk", "list"})
_AUTORESPONDER_HEADERS = ("x-autoreply", "x-autorespond", "x-autoresponder")
_LIST_HEADERS = ("list-id", "list-unsubscribe", "list-post")
_VERDICT_HEADERS = {"x-ses-spam-verdict": "SPAM_VERDICT", "x-ses-virus-verdict": "VIRUS_VERDICT"}
#: machine-written fields of a delivery status notification (RFC 3464), at a line start
_DSN_FIELD = re.compile(
    r"^(?:reporting-mta|final-recipient|original-recipient|diagnostic-code|x-postfix-queue-id)\s*:",
    re.IGNORECASE | re.MULTILINE,
)
#: subjects of out-of-office and vacation replies (accents and case folded), at the subject's start
_AUTO_REPLY_SUBJECTS = (
    "out of office",
    "out of the office",
    "automatic reply",
    "auto reply",
    "autoreply",
    "auto response",
    "automatic response",
    "vacation reply",
    "vacation response",
    "respuesta automatica",
    "respuesta de ausencia",
    "fuera de la oficina",
    "fuera de oficina",
    "ausente de la oficina",
    "ausencia de la oficina",
    "mensaje automatico",
    "estoy de vacaciones",
    "reponse automatique",
    "automatische antwort",
)
#: subjects of bounces (non-delivery reports), English and Spanish
_BOUNCE_SUBJECTS = (
    "undeliverable",
    "undelivered mail",
    "delivery status notification",
    "mail delivery failed",
    "mail delivery failure",
    "delivery failure",
    "returned mail",
    "failure notice",
    "mail delivery subsystem",
    "no se puede entregar",
    "no se pudo entregar",
    "mensaje no entregado",
    "correo no entregado",
    "error de entrega",
    "notificacion de estado de entrega",
)
#: our acknowledgement's text (normalized) from its first sentence on: the acknowledgement and its
#: knowledge answer always end our message, so what is left before it is what the sender wrote
_OUR_TEXT = re.compile(
    r"(?:we received your message your reference number is"
    r"|recibimos su mensaje su numero de referencia es).*$"
)


class Screen(StrEnum):
    """What the message is, before its content is read."""

    MESSAGE = "MESSAGE"  # a citizen's e-mail: acknowledge and route
    EMPTY = "EMPTY"  # no subject and no body: acknowledge (asking for details) and route to general
    AUTO_REPLY = "AUTO_REPLY"  # out-of-office, bulk, list, bounce: no acknowledgement, no agent
    LOOP = "LOOP"  # our own acknowledgement came back: no acknowledgement, no agent
    MALFORMED = "MALFORMED"  # no usable sender address: cannot acknowledge; an agent still sees it
    SUSPECT = "SUSPECT"  # SES says spam or virus: routed for an agent to see, never acknowledged


@dataclass(frozen=True)
class Screening:
    kind: Screen
    #: the signal that decided (``AUTO_SUBMITTED``, ``MAILING_LIST``, ``FOLLOW_UP``...); blank for a
    #: plain new message
    signal: str = ""
    #: the reference of our acknowledgement this message answers ("E-1234-5678"), if it does
    replies_to: str = ""


@dataclass(frozen=True)
class _Facts:
    headers: dict[str, str]
    sender: str
    subject: str
    body: str


def valid_sender(address: str) -> bool:
    text = address.strip()
    return len(text) <= 254 and bool(_ADDRESS.match(text))


def header_map(headers: dict[str, str]) -> dict[str, str]:
    """Header names lower case with hyphens (Connect writes ``IN_REPLY_TO``, mail ``In-Reply-To``)."""
    return {k.strip().lower().replace("_", "-"): str(v).strip().lower() for k, v in headers.items()}


def replies_to(subject: str) -> str:
    found = _REFERENCE.search(subject)
    return found.group(1).upper() if found else ""


def screen_message(sender: str, subject: str, body: str, headers: dict[str, str]) -> Screening:
    """The message's kind and the signal that decided it (RFC 3834 signals first, then the rest)."""
    facts = _Facts(header_map(headers), sender_address(sender).lower(), normalize(subject), body)
    reference = replies_to(subject)
    if ACK_HEADER.lower() in facts.headers:
        return Screening(Screen.LOOP, "OUR_HEADER", reference)
    automatic = _automatic_signal(facts)
    if automatic:
        if reference:
            return Screening(Screen.LOOP, f"OUR_ACK_{automatic}", reference)
        return Screening(Screen.AUTO_REPLY, automatic)
    suspect = _verdict_signal(facts.headers)
    if suspect:
        return Screening(Screen.SUSPECT, suspect, reference)
    if not valid_sender(facts.sender):
        return Screening(Screen.MALFORMED, "NO_SENDER" if not facts.sender else "INVALID_SENDER", reference)
    return _citizen(facts, reference)


def _citizen(facts: _Facts, reference: str) -> Screening:
    """A message with a usable sender and no automatic signal: new, a follow-up, ours returned, empty."""
    own = normalize(new_text(readable_body(facts.body)))
    if reference:
        if not _OUR_TEXT.sub(" ", own).split():
            return Screening(Screen.LOOP, "OUR_ACK_RETURNED", reference)
        return Screening(Screen.MESSAGE, "FOLLOW_UP", reference)
    if not normalize(readable_body(facts.body)):
        # nothing but a subject (or nothing): what an attachments-only message looks like, since no
        # attachment signal reaches the flow (docs/channels.md, "Attachments")
        return Screening(Screen.MESSAGE, "NO_BODY") if facts.subject else Screening(Screen.EMPTY, "EMPTY")
    return Screening(Screen.MESSAGE)


def _automatic_signal(facts: _Facts) -> str:
    """Why the message was written by a machine, or blank."""
    headers = facts.headers
    if headers.get("auto-submitted", "no") not in {"", "no"}:
        return "AUTO_SUBMITTED"
    if any(name in headers for name in _AUTORESPONDER_HEADERS):
        return "AUTORESPONDER_HEADER"
    if headers.get("precedence", "") in _AUTO_PRECEDENCE:
        return "PRECEDENCE"
    if any(name in headers for name in _LIST_HEADERS):
        return "MAILING_LIST"
    if headers.get("return-path", "").replace(" ", "") == "<>":
        return "NULL_RETURN_PATH"
    if "multipart/report" in headers.get("content-type", "") or _DSN_FIELD.search(facts.body[:20_000]):
        return "DELIVERY_REPORT"
    if _AUTOMATED_LOCAL.match(facts.sender.partition("@")[0]):
        return "AUTOMATED_SENDER"
    return _subject_signal(facts.subject)


def _subject_signal(subject: str) -> str:
    if subject.startswith(_AUTO_REPLY_SUBJECTS):
        return "AUTO_REPLY_SUBJECT"
    if subject.startswith(_BOUNCE_SUBJECTS):
        return "BOUNCE_SUBJECT"
    return ""


def _verdict_signal(headers: dict[str, str]) -> str:
    for name, signal in _VERDICT_HEADERS.items():
        if headers.get(name, "") == "fail":
            return signal
    return ""
