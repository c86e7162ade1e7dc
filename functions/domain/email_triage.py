"""E-mail triage, pure: what an inbound e-mail is (functions/domain/email_screen.py: a citizen's
message, an auto-reply, our own acknowledgement coming back, garbage), where its content routes it,
and what the acknowledgement says.

Why the screening comes first: an e-mail channel that acknowledges every message will answer an
auto-responder's "out of office" with an acknowledgement, which gets another "out of office", and so
on (a mail loop). Those get no acknowledgement and no agent. The per-sender window that stops a
human's rapid repeats is stored state (functions/adapters/email_acks.py), not decided here. The
content is read as functions/domain/email_text.py makes it readable (HTML to text, quoted replies and
signatures cut) and matched as functions/domain/email_match.py says (inflections included).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from functions.domain.email_match import Words
from functions.domain.email_screen import (
    ACK_HEADER,
    ACK_TAG,
    Screen,
    Screening,
    screen_message,
    valid_sender,
)
from functions.domain.email_terms import (
    ENGLISH_WORDS,
    GENERAL,
    KNOWLEDGE_TERMS,
    OWN_MATTER_TERMS,
    PROGRESS_TERMS,
    REFERENCE_PROGRESS_WEIGHT,
    SPANISH_WORDS,
    STATUS,
    TERMS_VERSION,
    TOPICS,
    EmailTopic,
)
from functions.domain.email_text import new_text, normalize, readable_body, subject_topic
from functions.domain.identifiers import email_reference, quoted_references

#: the answer time promised in every acknowledgement
ANSWER_HOURS = 24
#: characters of subject + body the classifier reads (a huge message is classified on its start)
MAX_CLASSIFIED_CHARS = 20_000
#: below this score nothing is decisive: general queue, reason NO_SIGNAL
MIN_SCORE = 2
#: below this share of the total score the top topic is not clear: general queue, reason AMBIGUOUS
MIN_CONFIDENCE = 0.5
#: our acknowledgement's subject as a citizen's reply quotes it ("Re: We received your message [CivicLine
#: ref E-1234-5678]"): removed before the subject is classified
_ACK_SUBJECT_PATTERNS = ("We received your message", "Recibimos su mensaje")


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


def screen(mail: InboundEmail) -> Screen:
    """The message's kind (:func:`functions.domain.email_screen.screen_message` says why)."""
    return screening(mail).kind


def screening(mail: InboundEmail) -> Screening:
    return screen_message(mail.sender, mail.subject, mail.body, mail.headers)


def detect_language(text: str) -> str:
    """``es`` when Spanish stop words outnumber English ones, else ``en``."""
    words = text.split()
    spanish = sum(w in SPANISH_WORDS for w in words)
    english = sum(w in ENGLISH_WORDS for w in words)
    return "es" if spanish > english else "en"


#: what each repetition of a term in the body adds, as a share of its weight, and how many count
REPEAT_SHARE, MAX_REPEATS = 0.5, 2


def _status_question(text: str, subject: Words, body: Words) -> str:
    """Why the message is a status question, or blank: the sender asks how a matter is progressing
    (a progress term) and names it, by one of the agency's numbers (``case+progress``,
    ``receipt+progress``, ``email+progress``: :func:`functions.domain.identifiers.quoted_references`
    knows the formats) or as their own (``matter+progress``: "my application", "mi solicitud").
    Why: a citizen who writes "my case 17502303, any update?" or "when will my request be
    processed?" asks about that matter's status, however they word the rest."""
    if not _holds_any(PROGRESS_TERMS, subject, body):
        return ""
    kinds = quoted_references(text) or (("matter",) if _holds_any(OWN_MATTER_TERMS, subject, body) else ())
    return "+".join((*kinds, "progress")) if kinds else ""


def _holds_any(terms: tuple[str, ...], *fields: Words) -> bool:
    return any(words.may_hold(term) and term in words for term in terms for words in fields)


def _score(topic: EmailTopic, subject: Words, body: Words, asks: str = "") -> tuple[float, list[str]]:
    """The topic's score. The subject counts twice (it is what the sender chose to say first) except
    for a weight-1 hint; a term said again in the body adds half its weight (twice at most: a message
    that keeps returning to a subject is about it); a word counts for one term of a topic only (an
    English and a Spanish term with one stem, "documents" and "documentos", must not count it twice).
    A status question (``asks``, :func:`_status_question`) adds its weight to the status topic."""
    score, matched = 0.0, []
    if asks and topic.topic == STATUS:
        score, matched = float(REFERENCE_PROGRESS_WEIGHT), [f"rule:{asks}"]
    taken: dict[str, set[int]] = {"subject": set(), "body": set()}
    for term, weight in topic.terms.items():
        if not subject.may_hold(term) and not body.may_hold(term):
            continue
        for field, words, factor in (("subject", subject, 2), ("body", body, 1)):
            at = words.find(term, taken[field])
            if at >= 0:
                taken[field].add(at)
                score += (factor if weight > 1 else 1) * weight
                score += REPEAT_SHARE * weight * _repeats(term, body, taken["body"])
                matched.append(f"{field}:{term}")
                break
    return score, matched


def _repeats(term: str, body: Words, taken: set[int]) -> int:
    """How many more times (up to :data:`MAX_REPEATS`) ``term`` occurs in the body; marks them taken."""
    count = 0
    while count < MAX_REPEATS and (at := body.find(term, taken)) >= 0:
        taken.add(at)
        count += 1
    return count


def classified_text(subject: str, body: str, content_type: str = "") -> tuple[str, str]:
    """(subject, body) as the classifier reads them: the subject without reply/forward prefixes or our
    acknowledgement's subject; the body as text (HTML converted), only what the sender wrote now
    (quoted replies, signatures and footers cut; the whole text when nothing but quotation is left)."""
    topic_subject = subject_topic(subject, _ACK_SUBJECT_PATTERNS)
    readable = readable_body(body, content_type)
    return topic_subject, new_text(readable) or readable


def classify(subject: str, body: str, content_type: str = "") -> Classification:
    """Route by content: the highest-scoring topic when it is clear, else the general queue."""
    subject, body = classified_text(subject, body, content_type)
    truncated = len(subject) + len(body) + 1 > MAX_CLASSIFIED_CHARS
    subject_text = normalize(subject[:MAX_CLASSIFIED_CHARS])
    body_text = normalize(body[: max(0, MAX_CLASSIFIED_CHARS - len(subject))])
    language = detect_language(f"{subject_text} {body_text}")
    subject_words, body_words = Words(subject_text), Words(body_text)
    asks = _status_question(
        f"{subject}\n{body[: MAX_CLASSIFIED_CHARS - len(subject)]}", subject_words, body_words
    )
    scored = sorted(
        ((*_score(t, subject_words, body_words, asks), t) for t in TOPICS), key=lambda s: s[0], reverse=True
    )
    best_score, best_terms, best = scored[0]
    total = sum(s for s, _, _ in scored)
    confidence = round(best_score / total, 2) if total else 0.0
    knowledge = _knowledge_topic(Words(f"{subject_text} {body_text}"))
    general = next(t for t in TOPICS if t.topic == GENERAL)
    if best_score < MIN_SCORE:
        return Classification(general, "NO_SIGNAL", confidence, language, (), knowledge, truncated)
    if confidence < MIN_CONFIDENCE:
        return Classification(
            general, "AMBIGUOUS", confidence, language, tuple(best_terms), knowledge, truncated
        )
    return Classification(best, "RULE", confidence, language, tuple(best_terms), knowledge, truncated)


def without_text(found: Classification) -> Classification:
    """A message with a subject and no body (attachments only, or blank) that its subject does not
    route: reason NO_TEXT, so the contact says why it reached the general queue (not NO_SIGNAL, which
    means text was read and matched nothing)."""
    if found.reason != "NO_SIGNAL":
        return found
    return Classification(found.topic, "NO_TEXT", found.confidence, found.language, (), "", found.truncated)


def unrouted(found: Classification) -> Classification:
    """The same message sent to the general queue (a suspect message must not reach a specialist)."""
    general = next(t for t in TOPICS if t.topic == GENERAL)
    return Classification(general, "SUSPECT", 0.0, found.language, (), "", found.truncated)


def _knowledge_topic(words: Words) -> str:
    for topic, terms in KNOWLEDGE_TERMS.items():
        if any(term in words for term in terms):
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
#: a message with no text: Connect gives the flow no signal for attachments (no flow attribute or
#: Lambda input field names them), so the text cannot tell an attachments-only message from an empty
#: one and says what is true of both
_EMPTY_TEXT = {
    "en": (
        "We found no text in your message. If you sent attachments, they arrived with it. Please reply "
        "with a line saying what you are asking so that we can help."
    ),
    "es": (
        "No encontramos texto en su mensaje. Si envió archivos adjuntos, llegaron con él. Responda con "
        "una línea que diga qué consulta para que podamos ayudarle."
    ),
}
#: a message whose text the flow could not load (Get stored content's error branch)
_UNREAD_TEXT = {
    "en": "Your message is with our staff, who will read it in full.",
    "es": "Su mensaje está con nuestro personal, que lo leerá completo.",
}
_ANSWER_INTRO = {
    "en": "In the meantime, this may answer your question:",
    "es": "Mientras tanto, esto puede responder a su consulta:",
}


def acknowledgement(  # noqa: PLR0917 - one acknowledgement's facts
    reference: str, due: str, language: str, empty: bool, answer: str | None, unread: bool = False
) -> tuple[str, str]:
    """(subject, body) of the acknowledgement; the subject carries :data:`ACK_TAG` for loop detection.
    ``unread``: the body could not be loaded, so it is never called empty."""
    lang = language if language in _ACK_TEXT else "en"
    parts = [_ACK_TEXT[lang].format(ref=reference, hours=ANSWER_HOURS, due=due)]
    if unread:
        parts.append(_UNREAD_TEXT[lang])
    elif empty:
        parts.append(_EMPTY_TEXT[lang])
    if answer:
        parts.extend((_ANSWER_INTRO[lang], answer))
    subject = {"en": "We received your message", "es": "Recibimos su mensaje"}[lang]
    return f"{subject} {ACK_TAG}{reference}]", "\n\n".join(parts)


def reference_number(contact_id: str) -> str:
    """A short reference the citizen can quote (:func:`functions.domain.identifiers.email_reference`)."""
    return email_reference(contact_id)


#: the screening names stay importable from here (the handler, the commands and the tests use them)
__all__ = [
    "ACK_HEADER",
    "ACK_TAG",
    "ANSWER_HOURS",
    "MAX_CLASSIFIED_CHARS",
    "Classification",
    "InboundEmail",
    "Screen",
    "Screening",
    "acknowledgement",
    "answer_deadline",
    "classified_text",
    "classify",
    "detect_language",
    "normalize",
    "reference_number",
    "screen",
    "screening",
    "unrouted",
    "valid_sender",
    "without_text",
]
