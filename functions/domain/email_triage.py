"""E-mail triage, pure: what an inbound e-mail is (a citizen's message, an auto-reply, our own
acknowledgement coming back, garbage), where its content routes it, and what the acknowledgement says.

Why the screening comes first: an e-mail channel that acknowledges every message will answer an
auto-responder's "out of office" with an acknowledgement, which gets another "out of office", and so
on (a mail loop). RFC 3834 names the signals (``Auto-Submitted``), mailers add ``X-Autoreply`` and
``Precedence: bulk|auto_reply|junk``; bounces come from ``mailer-daemon``/``postmaster``. Those get no
acknowledgement and no agent. The per-sender window that stops a human's rapid repeats is stored
state (functions/adapters/email_acks.py), not decided here.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from functions.domain.email_terms import (
    ENGLISH_WORDS,
    GENERAL,
    KNOWLEDGE_TERMS,
    SPANISH_WORDS,
    TERMS_VERSION,
    TOPICS,
    EmailTopic,
)

#: the answer time promised in every acknowledgement
ANSWER_HOURS = 24
#: characters of subject + body the classifier reads (a huge message is classified on its start)
MAX_CLASSIFIED_CHARS = 20_000
#: below this score nothing is decisive: general queue, reason NO_SIGNAL
MIN_SCORE = 2
#: below this share of the total score the top topic is not clear: general queue, reason AMBIGUOUS
MIN_CONFIDENCE = 0.5
#: the tag every acknowledgement's subject carries; seeing it come back means a loop
ACK_TAG = "[CivicLine ref "
#: the header every acknowledgement carries (RFC 3834: Auto-Submitted: auto-replied)
ACK_HEADER = "X-CivicLine-Ack"

_ADDRESS = re.compile(r"^[^\s@<>,;]+@[^\s@<>,;]+\.[^\s@<>,;]+$")
_BOUNCE_SENDERS = ("mailer-daemon@", "postmaster@", "noreply@", "no-reply@", "donotreply@")
_AUTO_PRECEDENCE = frozenset({"bulk", "auto_reply", "junk", "list"})
_WORD = re.compile(r"[a-z0-9]+")


class Screen(StrEnum):
    """What the message is, before its content is read."""

    MESSAGE = "MESSAGE"  # a citizen's e-mail: acknowledge and route
    EMPTY = "EMPTY"  # no subject and no body: acknowledge (asking for details) and route to general
    AUTO_REPLY = "AUTO_REPLY"  # out-of-office, bulk, bounce: no acknowledgement, no agent
    LOOP = "LOOP"  # our own acknowledgement came back: no acknowledgement, no agent
    MALFORMED = "MALFORMED"  # no usable sender address: cannot acknowledge; an agent still sees it


@dataclass(frozen=True)
class InboundEmail:
    sender: str
    subject: str
    body: str
    headers: dict[str, str]


@dataclass(frozen=True)
class Classification:
    topic: EmailTopic
    #: RULE: terms decided; NO_SIGNAL / AMBIGUOUS: fell back to the general queue
    reason: str
    confidence: float
    language: str
    #: the terms that decided, for the agency to read ("subject:estate tax", "body:herencia")
    matched: tuple[str, ...]
    knowledge_topic: str
    truncated: bool
    version: str = TERMS_VERSION


def normalize(text: str) -> str:
    """Lower case, accents removed, words separated by single spaces (so terms match plainly)."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(_WORD.findall(plain))


def valid_sender(address: str) -> bool:
    return len(address) <= 254 and bool(_ADDRESS.match(address.strip()))


def screen(mail: InboundEmail) -> Screen:
    """The message's kind from its sender, headers and subject (RFC 3834 signals first)."""
    headers = {k.strip().lower(): v.strip().lower() for k, v in mail.headers.items()}
    sender = mail.sender.strip().lower()
    if ACK_HEADER.lower() in headers or ACK_TAG.lower() in mail.subject.lower():
        return Screen.LOOP
    if _is_automatic(headers, sender, mail.subject.lower()):
        return Screen.AUTO_REPLY
    if not valid_sender(sender):
        return Screen.MALFORMED
    if not normalize(mail.subject) and not normalize(mail.body):
        return Screen.EMPTY
    return Screen.MESSAGE


def _is_automatic(headers: dict[str, str], sender: str, subject: str) -> bool:
    auto_submitted = headers.get("auto-submitted", "no")
    if auto_submitted and auto_submitted != "no":
        return True
    if "x-autoreply" in headers or "x-autorespond" in headers:
        return True
    if headers.get("precedence", "") in _AUTO_PRECEDENCE:
        return True
    if sender.startswith(_BOUNCE_SENDERS):
        return True
    return subject.startswith(
        ("out of office", "automatic reply", "respuesta automatica", "fuera de la oficina")
    )


def detect_language(text: str) -> str:
    """``es`` when Spanish stop words outnumber English ones, else ``en``."""
    words = text.split()
    spanish = sum(w in SPANISH_WORDS for w in words)
    english = sum(w in ENGLISH_WORDS for w in words)
    return "es" if spanish > english else "en"


def _matches(term: str, text: str) -> bool:
    """A stem matches a word it starts; a phrase matches its words in order at word starts."""
    return f" {term}" in f" {text}"


def _score(topic: EmailTopic, subject: str, body: str) -> tuple[int, list[str]]:
    score, matched = 0, []
    for term, weight in topic.terms.items():
        if _matches(term, subject):
            score += 2 * weight  # the subject is what the sender chose to say first
            matched.append(f"subject:{term}")
        elif _matches(term, body):
            score += weight
            matched.append(f"body:{term}")
    return score, matched


def classify(subject: str, body: str) -> Classification:
    """Route by content: the highest-scoring topic when it is clear, else the general queue."""
    raw = f"{subject}\n{body}"
    truncated = len(raw) > MAX_CLASSIFIED_CHARS
    subject_text = normalize(subject[:MAX_CLASSIFIED_CHARS])
    body_text = normalize(body[: max(0, MAX_CLASSIFIED_CHARS - len(subject))])
    language = detect_language(f"{subject_text} {body_text}")
    scored = sorted(
        ((*_score(t, subject_text, body_text), t) for t in TOPICS), key=lambda s: s[0], reverse=True
    )
    best_score, best_terms, best = scored[0]
    total = sum(s for s, _, _ in scored)
    confidence = round(best_score / total, 2) if total else 0.0
    knowledge = _knowledge_topic(f"{subject_text} {body_text}")
    general = next(t for t in TOPICS if t.topic == GENERAL)
    if best_score < MIN_SCORE:
        return Classification(general, "NO_SIGNAL", confidence, language, (), knowledge, truncated)
    if confidence < MIN_CONFIDENCE:
        return Classification(
            general, "AMBIGUOUS", confidence, language, tuple(best_terms), knowledge, truncated
        )
    return Classification(best, "RULE", confidence, language, tuple(best_terms), knowledge, truncated)


def _knowledge_topic(text: str) -> str:
    for topic, terms in KNOWLEDGE_TERMS.items():
        if any(_matches(term, text) for term in terms):
            return topic
    return ""


def answer_deadline(received: datetime) -> datetime:
    """When the answer is due: :data:`ANSWER_HOURS` after the message arrived (calendar hours)."""
    return received + timedelta(hours=ANSWER_HOURS)


_ACK_TEXT = {
    "en": (
        "We received your message. Your reference number is {ref}. We will answer within {hours} hours, "
        "by {due}. Please keep the reference number in the subject if you write again."
    ),
    "es": (
        "Recibimos su mensaje. Su número de referencia es {ref}. Le responderemos en un plazo de {hours} "
        "horas, antes del {due}. Si vuelve a escribir, mantenga el número de referencia en el asunto."
    ),
}
_EMPTY_TEXT = {
    "en": "Your message arrived empty: please reply with your question so that we can help.",
    "es": "Su mensaje llegó vacío: responda con su consulta para que podamos ayudarle.",
}
_ANSWER_INTRO = {
    "en": "In the meantime, this may answer your question:",
    "es": "Mientras tanto, esto puede responder a su consulta:",
}


def acknowledgement(
    reference: str, due: str, language: str, empty: bool, answer: str | None
) -> tuple[str, str]:
    """(subject, body) of the acknowledgement; the subject carries :data:`ACK_TAG` for loop detection."""
    lang = language if language in _ACK_TEXT else "en"
    parts = [_ACK_TEXT[lang].format(ref=reference, hours=ANSWER_HOURS, due=due)]
    if empty:
        parts.append(_EMPTY_TEXT[lang])
    if answer:
        parts.extend((_ANSWER_INTRO[lang], answer))
    subject = {"en": "We received your message", "es": "Recibimos su mensaje"}[lang]
    return f"{subject} {ACK_TAG}{reference}]", "\n\n".join(parts)


def reference_number(contact_id: str) -> str:
    """A short reference the citizen can quote: derived from the contact id (not personal data)."""
    digits = "".join(ch for ch in contact_id.upper() if ch.isalnum())
    return f"E-{digits[:4]}-{digits[4:8]}" if len(digits) >= 8 else f"E-{digits or '0000'}"
