"""E-mail text as it really arrives, made readable: the subject decoded, the sender's bare address,
HTML turned into text, and the part the sender wrote *now* (quoted replies and signatures cut).

Why this is separate from the classifier: real mail carries old text. A reply quotes the message it
answers ("On Monday the office wrote: ... your appeal rights ..."), signatures carry company names and
legal notices, an HTML-only message is tags around the words, and a subject can arrive as RFC 2047
encoded-words (``=?UTF-8?B?...?=``). Routing on any of that sends a message to the office an older
message was about. Forwarded mail is the exception: what a citizen forwards ("this letter came, is it
a scam?") is what they are asking about, so a forwarded part is kept.

Everything here is pure and total: any string in, a string out, never an exception (property tests in
tests/channels/test_email_text.py).
"""

from __future__ import annotations

import html
import re
import unicodedata
from email.errors import HeaderParseError
from email.header import decode_header, make_header
from email.utils import parseaddr
from html.parser import HTMLParser

#: RFC 5322 line limit for a subject; longer ones are cut (Connect's InboundRawMessage allows 998)
MAX_SUBJECT_CHARS = 998

_ENCODED_WORD = re.compile(r"=\?[^?\s]+\?[bBqQ]\?[^?\s]*\?=")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SPACES = re.compile(r"\s+")
#: reply and forward prefixes of common mailers, English and Spanish (and a few others seen in mail)
_SUBJECT_PREFIX = re.compile(
    r"^\s*(?:(?:re|r|fw|fwd|rv|tr|aw|wg|sv|vs|reenv(?:iar|iado)?|resp(?:uesta)?)\s*(?:\[\d+\]|\(\d+\))?\s*[:：]\s*)+",
    re.IGNORECASE,
)
_HTML_HINT = re.compile(r"<\s*(?:html|body|div|p|br|span|table|td|font|blockquote)\b[^>]*>", re.IGNORECASE)
_BLOCK_TAGS = frozenset(
    {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "table", "ul", "ol", "hr", "pre"}
)
_SKIPPED_TAGS = frozenset({"script", "style", "head", "title"})
_WORD = re.compile(r"[a-z0-9]+")
_TAG = re.compile(r"\[[^\]]{0,80}\]")


#: contractions written out, so "didn't file" matches "did not file" (with or without the apostrophe)
_CONTRACTIONS = (
    (re.compile(r"\b(can)[\u2019']?t\b"), r"\1 not"),
    (re.compile(r"\bwon[\u2019']?t\b"), "will not"),
    (re.compile(r"\b(do|does|did|is|are|was|were|have|has|had|could|would|should)n[\u2019']?t\b"), r"\1 not"),
    (re.compile(r"\b(i|you|we|they)[\u2019']ve\b"), r"\1 have"),
    (re.compile(r"\bi[\u2019']m\b"), "i am"),
)


def normalize(text: str) -> str:
    """Lower case, accents removed, contractions written out, words separated by single spaces (so
    terms match plainly)."""
    lowered = text.lower()
    for pattern, replacement in _CONTRACTIONS:
        lowered = pattern.sub(replacement, lowered)
    decomposed = unicodedata.normalize("NFKD", lowered)
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(_WORD.findall(plain))


def decode_subject(raw: str) -> str:
    """The subject as a reader sees it: encoded-words decoded, folded lines joined, control characters
    removed, blank when only whitespace, at most :data:`MAX_SUBJECT_CHARS` characters."""
    text = raw or ""
    if _ENCODED_WORD.search(text):
        text = _decode_words(text)
    text = _SPACES.sub(" ", _CONTROL.sub("", text)).strip()
    return text[:MAX_SUBJECT_CHARS]


def _decode_words(text: str) -> str:
    try:
        decoded = str(make_header(decode_header(text)))
    except (HeaderParseError, LookupError, UnicodeError, ValueError):
        return text  # an unknown charset or a broken word: keep the text as it came
    return decoded if decoded.strip() else text  # a word that decodes to nothing: the subject is not lost


def sender_address(raw: str) -> str:
    """The bare address of a sender written with or without a display name (``"Ana" <ana@x.org>``)."""
    text = _CONTROL.sub("", raw or "").strip()
    if "<" in text or '"' in text or "(" in text:
        _, address = parseaddr(text)
        return address.strip()
    return text


def looks_like_html(body: str) -> bool:
    return bool(_HTML_HINT.search(body[:5000]))


def readable_body(body: str, content_type: str = "") -> str:
    """Plain text of the body: HTML (by its content type, or by its tags when none is given) to text."""
    text = body or ""
    kind = content_type.strip().lower()
    if "html" in kind or (not kind.startswith("text/plain") and looks_like_html(text)):
        text = html_to_text(text)
    return _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


class _TextExtractor(HTMLParser):
    """Text of an HTML body; a ``<blockquote>`` (how mailers quote in HTML) comes out as ``> `` lines."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0
        self.quoting = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIPPED_TAGS:
            self.skipping += 1
        elif tag == "blockquote" or (tag == "div" and _is_quote_div(attrs)):
            self.quoting += 1
            self.parts.append("\n")
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED_TAGS:
            self.skipping = max(0, self.skipping - 1)
        elif tag == "blockquote":
            self.quoting = max(0, self.quoting - 1)
            self.parts.append("\n")
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if self.skipping:
            return
        if self.quoting:
            data = "\n".join(f"> {line}" for line in data.split("\n"))
        self.parts.append(data)


def _is_quote_div(attrs: list[tuple[str, str | None]]) -> bool:
    classes = " ".join(value or "" for name, value in attrs if name == "class")
    return "gmail_quote" in classes or "yahoo_quoted" in classes


def html_to_text(markup: str) -> str:
    parser = _TextExtractor()
    try:
        parser.feed(markup)
        parser.close()
    except (AssertionError, ValueError):  # a parser refusal on broken markup: fall back to stripping tags
        return html.unescape(re.sub(r"<[^>]*>", " ", markup))
    lines = (_SPACES.sub(" ", line).strip() for line in "".join(parser.parts).split("\n"))
    return "\n".join(line for line in lines if line)


# --- what the sender wrote now -------------------------------------------------------------------

#: "On Mon, 5 Oct 2026 at 09:14, Ana <ana@x.org> wrote:" / "El lun, 5 oct 2026, Ana escribió:" /
#: "Ana wrote:" (the colon is required: "I wrote to you" is the sender's own text)
_ATTRIBUTION = re.compile(r"^\s*\S.{0,300}\s(?:wrote|escribi[oó])\s*:\s*$", re.IGNORECASE)
_ORIGINAL = re.compile(
    r"^\s*-{2,}\s*(?:original message|mensaje original|original|respuesta original)\s*-{2,}\s*$",
    re.IGNORECASE,
)
_HEADER_LINE = re.compile(
    r"^\s*\*?(from|de|sent|enviado(?: el)?|date|fecha|to|para|subject|asunto)\*?\s*:", re.I
)
_FORWARD = re.compile(
    r"^\s*(?:-{2,}\s*(?:forwarded message|mensaje reenviado|original message forwarded)\s*-{2,}"
    r"|begin forwarded message:|inicio del mensaje reenviado:)\s*$",
    re.IGNORECASE,
)
_SIGNATURE_DELIMITER = re.compile(r"^(?:--|__+|—)\s*$")
_DEVICE_LINE = re.compile(
    r"^\s*(?:sent from my|sent from (?:outlook|mail)|get outlook for"
    r"|enviado desde mi|enviado desde (?:outlook|correo)|obtener outlook para)\b",
    re.IGNORECASE,
)
_NOTICE = re.compile(
    r"^\s*(?:confidentiality notice"
    r"|this e-?mail (?:and any attachments )?(?:is|are) (?:confidential|intended)"
    r"|aviso de confidencialidad|este (?:correo|mensaje) (?:es|y sus anexos) (?:confidencial|para uso))",
    re.IGNORECASE,
)


def new_text(body: str) -> str:
    """The lines the sender wrote in this message: quoted lines (``>``) and their attribution ("On ...
    wrote:") are skipped, so text written below a quotation stays; an unquoted original after an
    attribution, an Outlook-style quoted original, a signature and device or legal footers end it; a
    forwarded part is kept (it is what the sender asks about). Blank when the message is only quotation."""
    lines = body.split("\n")
    kept: list[str] = []
    index = 0
    while index < len(lines):
        line = lines[index]
        if _FORWARD.match(line):
            kept.extend(_unquoted(lines[index + 1 :]))
            break
        attribution = _attribution_lines(lines, index)
        if attribution and not _quotation_follows(lines, index + attribution):
            break  # the original follows unquoted: nothing after it is the sender's
        if not attribution and _ends_own_text(lines, index):
            break
        if not attribution and not line.lstrip().startswith(">") and not _DEVICE_LINE.match(line):
            kept.append(line)
        index += attribution or 1
    return "\n".join(kept).strip()


def _unquoted(lines: list[str]) -> list[str]:
    return [line for line in lines if not line.lstrip().startswith(">")]


def _attribution_lines(lines: list[str], index: int) -> int:
    """1 or 2 when an attribution ("On Mon, Ana <a@x> wrote:", maybe wrapped) starts here, else 0."""
    line = lines[index]
    if _ATTRIBUTION.match(line):
        return 1
    wrapped = index + 1 < len(lines) and line.strip().lower().startswith(("on ", "el "))
    return 2 if wrapped and _ATTRIBUTION.match(f"{line} {lines[index + 1]}") else 0


def _quotation_follows(lines: list[str], index: int) -> bool:
    rest = next((line for line in lines[index:] if line.strip()), "")
    return rest.lstrip().startswith(">")


def _ends_own_text(lines: list[str], index: int) -> bool:
    """Whether the sender's own text ends at ``lines[index]`` (a signature, a footer or an unquoted
    original starts)."""
    line = lines[index]
    if _SIGNATURE_DELIMITER.match(line) or _NOTICE.match(line) or _ORIGINAL.match(line):
        return True
    return _outlook_header_block(lines, index)


def _outlook_header_block(lines: list[str], index: int) -> bool:
    """``From: ...`` then, within a few lines, ``Sent:``/``Date:`` and ``Subject:``: a quoted original."""
    first = _HEADER_LINE.match(lines[index])
    if not first or first.group(1).lower() not in {"from", "de"}:
        return False
    names = {m.group(1).lower() for line in lines[index : index + 6] if (m := _HEADER_LINE.match(line))}
    return bool(names & {"sent", "date", "enviado", "enviado el", "fecha"}) and bool(
        names & {"subject", "asunto"}
    )


def subject_topic(subject: str, acknowledgement_subjects: tuple[str, ...] = ()) -> str:
    """The words of a subject that say what the message is about: reply and forward prefixes and our
    own acknowledgement's subject (a citizen replying to it) removed."""
    text = decode_subject(subject)
    for ours in acknowledgement_subjects:
        text = re.sub(re.escape(ours), " ", text, flags=re.IGNORECASE)
    text = _TAG.sub(" ", text)  # "[CivicLine ref E-1234-5678]", "[Ticket #12]": no topic in a tag
    return _SUBJECT_PREFIX.sub("", _SPACES.sub(" ", text)).strip()
