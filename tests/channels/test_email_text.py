"""Mail text made readable, term matching with inflections, and screening with its signal: pure
functions, tested on the shapes real mailers produce (built with Python's email package) and with
hypothesis for totality (any input gives a defined answer, never an exception)."""

from __future__ import annotations

from email.header import Header
from email.utils import formataddr

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from functions.domain.email_match import MIN_STEM, Words, stem
from functions.domain.email_screen import ACK_HEADER, Screen, screen_message
from functions.domain.email_text import (
    MAX_SUBJECT_CHARS,
    decode_subject,
    html_to_text,
    new_text,
    normalize,
    readable_body,
    sender_address,
    subject_topic,
)
from functions.domain.email_triage import acknowledgement, classify, valid_sender

ACK_SUBJECT, ACK_BODY = acknowledgement("E-AB12-CD34", "2026-12-03 10:00 UTC", "en", empty=False, answer=None)


# --- subjects and senders --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("charset", "text"),
    [
        ("utf-8", "Renovación de pasaporte"),
        ("iso-8859-1", "Pregunta sobre el avalúo"),
        ("utf-8", "Ünïcødé ✓"),
    ],
)
def test_an_encoded_word_subject_is_decoded(charset: str, text: str) -> None:
    # Given a subject as a mailer writes it on the wire (RFC 2047 encoded-words)
    wire = Header(text, charset).encode()
    assert wire.startswith("=?")
    # Then the reader's text comes back
    assert decode_subject(wire) == text


def test_a_broken_or_unknown_encoded_word_is_kept_as_it_came() -> None:
    assert decode_subject("=?x-unknown?B?SGVsbG8=?=") == "=?x-unknown?B?SGVsbG8=?="
    assert decode_subject("=?utf-8?B?####?=")  # not raised, something readable returned


def test_blank_whitespace_folded_and_huge_subjects() -> None:
    assert decode_subject("   \t \r\n ") == ""
    assert decode_subject("Passport\r\n renewal\x00") == "Passport renewal"
    assert len(decode_subject("x" * 50_000)) == MAX_SUBJECT_CHARS


@pytest.mark.parametrize(
    ("written", "bare"),
    [
        (formataddr(("Ana María Pérez", "Ana.Maria@Example.ORG")), "Ana.Maria@Example.ORG"),
        ('"Pérez, Ana" <ana@example.org>', "ana@example.org"),
        ("ana@example.org (Ana)", "ana@example.org"),
        ("O'Brien+tax@sub.example.co.uk", "O'Brien+tax@sub.example.co.uk"),
        ("  JOSE@EJEMPLO.ES ", "JOSE@EJEMPLO.ES"),
    ],
)
def test_a_sender_with_a_display_name_or_unusual_case_is_its_valid_bare_address(
    written: str, bare: str
) -> None:
    assert sender_address(written) == bare
    assert valid_sender(sender_address(written))


def test_our_acknowledgement_and_reply_prefixes_leave_the_subject() -> None:
    assert subject_topic(f"RE: Re: {ACK_SUBJECT}", ("We received your message",)) == ""
    assert subject_topic("Fwd: RV: Re[2]: estate tax", ()) == "estate tax"


# --- bodies -------------------------------------------------------------------------------------


def test_an_html_only_body_is_read_as_its_text_and_its_blockquote_as_quotation() -> None:
    markup = (
        "<html><head><style>p {color: red}</style></head><body><p>My passport expired &amp; I travel"
        "</p><br><div>soon.</div><blockquote>On Monday you wrote: appeal rights</blockquote></body></html>"
    )
    text = readable_body(markup)
    assert "color" not in text
    assert "My passport expired & I travel" in text
    assert "> On Monday you wrote: appeal rights" in text
    assert "appeal" not in new_text(text)


def test_a_plain_text_body_that_mentions_tags_is_not_treated_as_html() -> None:
    assert readable_body("I typed <p> by mistake", "text/plain") == "I typed <p> by mistake"


def test_gmail_style_reply_keeps_only_the_new_text() -> None:
    body = (
        "Has my application been processed?\n\nOn Mon, Oct 5, 2026 at 9:14 AM Benefits Portal"
        " <portal@agency.example>\nwrote:\n> You may file an appeal within 30 days."
    )
    assert new_text(body) == "Has my application been processed?"


def test_outlook_style_reply_keeps_only_the_new_text() -> None:
    body = (
        "I still want to appeal.\n\n________________________________\nFrom: Help <help@agency.example>\n"
        "Sent: Friday, October 9, 2026 3:02 PM\nTo: Carl\nSubject: RE: denial\n\nYour passport is ready."
    )
    assert new_text(body) == "I still want to appeal."


def test_spanish_reply_and_signatures_are_cut() -> None:
    body = (
        "Quiero apelar.\n--\nLucía Fernández\nAbogada\n\nEl lun, 12 oct 2026, Oficina escribió:\n"
        "> Su pasaporte está listo"
    )
    assert new_text(body) == "Quiero apelar."
    assert new_text("Necesito ayuda\n\nEnviado desde mi Samsung Galaxy") == "Necesito ayuda"
    assert new_text("Help\n\nCONFIDENTIALITY NOTICE: passport appeal fraud") == "Help"


def test_a_forwarded_message_is_kept_because_it_is_what_the_sender_asks_about() -> None:
    body = (
        "Is this a scam?\n\n---------- Forwarded message ---------\nFrom: Servicio <x@y.example>\n"
        "Subject: urgente\n\nIngrese su contraseña."
    )
    kept = new_text(body)
    assert "Is this a scam?" in kept
    assert "Ingrese su contraseña." in kept


def test_a_quoted_acknowledgement_does_not_route_the_reply() -> None:
    # Given a citizen's reply quoting our acknowledgement, whose knowledge answer mentions case status
    quoted = "\n".join(f"> {line}" for line in ACK_BODY.split("\n"))
    body = f"ok thanks, what is your fax number?\n\nOn Tue, help@civicline.example wrote:\n{quoted}"
    body += "\n> check your case status online"
    # Then the classifier reads only the new question
    assert classify(f"Re: {ACK_SUBJECT}", body).topic.topic == "general"


# --- matching -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("term", "text"),
    [
        ("appeal", "i appealed last week"),
        ("stole my identity", "someone stolen my identity"),
        ("i did not file", normalize("I didn't file this year")),
        ("i did not file", normalize("i didnt file")),
        ("case number", "two cases numbers"),
        ("mi solicitud", "sobre mi solicitudes"),
        ("negaron", "me negaron la ayuda"),
    ],
)
def test_inflections_and_contractions_match_the_terms(term: str, text: str) -> None:
    assert term in Words(text)


def test_only_the_last_word_of_a_phrase_is_a_prefix() -> None:
    # "mi caso" must not match "mientras caso" (the phrase's first word is a word, not a stem)
    assert "mi caso" not in Words("mientras caso")
    assert "mi caso" in Words("mi casos")


def test_one_word_counts_once_for_a_topic_in_both_languages() -> None:
    found = classify("travel document", "I need an emergency travel document.")
    assert found.topic.topic == "passports"


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=20))
def test_a_stem_is_a_prefix_of_its_word_never_shorter_than_the_floor(word: str) -> None:
    stemmed = stem(word)
    assert word.startswith(stemmed)
    assert len(stemmed) >= min(len(word), MIN_STEM)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(alphabet="abcdefgh", min_size=1, max_size=8), min_size=1, max_size=30), st.data())
def test_every_phrase_taken_from_a_text_is_found_in_it(words: list[str], data: st.DataObject) -> None:
    start = data.draw(st.integers(0, len(words) - 1))
    end = data.draw(st.integers(start + 1, min(len(words), start + 3)))
    assert " ".join(words[start:end]) in Words(" ".join(words))


# --- screening ----------------------------------------------------------------------------------


def screened(
    sender: str = "ana@example.org", subject: str = "hi", body: str = "question", **headers: str
) -> tuple[str, str]:
    result = screen_message(sender, subject, body, dict(headers))
    return result.kind.value, result.signal


@pytest.mark.parametrize(
    ("arguments", "expected"),
    [
        ({"subject": "Respuesta automática: Consulta"}, ("AUTO_REPLY", "AUTO_REPLY_SUBJECT")),
        ({"subject": "Fuera de la oficina hasta el lunes"}, ("AUTO_REPLY", "AUTO_REPLY_SUBJECT")),
        ({"subject": "RESPUESTA AUTOMATICA"}, ("AUTO_REPLY", "AUTO_REPLY_SUBJECT")),
        ({"subject": "Undeliverable: Passport"}, ("AUTO_REPLY", "BOUNCE_SUBJECT")),
        ({"subject": "No se puede entregar: Consulta"}, ("AUTO_REPLY", "BOUNCE_SUBJECT")),
        ({"sender": "bounces+12345@mail.example.com"}, ("AUTO_REPLY", "AUTOMATED_SENDER")),
        ({"sender": "Mail Delivery System <MAILER-DAEMON@mx.example>"}, ("AUTO_REPLY", "AUTOMATED_SENDER")),
        ({"sender": "do-not-reply@bank.example"}, ("AUTO_REPLY", "AUTOMATED_SENDER")),
        ({"List-Id": "<news.city.example>"}, ("AUTO_REPLY", "MAILING_LIST")),
        ({"List-Unsubscribe": "<mailto:leave@city.example>"}, ("AUTO_REPLY", "MAILING_LIST")),
        ({"Return-Path": "<>"}, ("AUTO_REPLY", "NULL_RETURN_PATH")),
        (
            {"Content-Type": "multipart/report; report-type=delivery-status"},
            ("AUTO_REPLY", "DELIVERY_REPORT"),
        ),
        (
            {"body": "Reporting-MTA: dns; mx.example\nFinal-Recipient: rfc822; x@y"},
            ("AUTO_REPLY", "DELIVERY_REPORT"),
        ),
        ({"X_SES_SPAM_VERDICT": "FAIL"}, ("SUSPECT", "SPAM_VERDICT")),
        ({"X-SES-VIRUS-VERDICT": "FAIL"}, ("SUSPECT", "VIRUS_VERDICT")),
        ({"X-SES-SPAM-VERDICT": "PASS"}, ("MESSAGE", "")),
        # a citizen mentioning these words is still a citizen
        ({"subject": "My out of office hours question", "body": "I was on vacation"}, ("MESSAGE", "")),
        ({"body": "I wrote to you last week about my auto reply"}, ("MESSAGE", "")),
        ({"subject": f"Re: {ACK_SUBJECT}", "body": "Thanks, one more thing"}, ("MESSAGE", "FOLLOW_UP")),
        ({"subject": f"Automatic reply: {ACK_SUBJECT}"}, ("LOOP", "OUR_ACK_AUTO_REPLY_SUBJECT")),
        ({"subject": ACK_SUBJECT, "body": ACK_BODY}, ("LOOP", "OUR_ACK_RETURNED")),
        ({"subject": "   ", "body": " "}, ("EMPTY", "EMPTY")),
        ({"sender": ""}, ("MALFORMED", "NO_SENDER")),
        ({"sender": "ana at example"}, ("MALFORMED", "INVALID_SENDER")),
    ],
)
def test_every_shape_of_mail_gets_a_kind_and_the_signal_that_decided(
    arguments: dict[str, str], expected: tuple[str, str]
) -> None:
    assert screened(**arguments) == expected


def test_a_reply_to_our_acknowledgement_names_the_reference_it_answers() -> None:
    result = screen_message("ana@example.org", f"Re: {ACK_SUBJECT}", "and my case number?", {})
    assert (result.kind, result.replies_to) == (Screen.MESSAGE, "E-AB12-CD34")


_HEADER_NAMES = st.sampled_from(
    [
        "Auto-Submitted",
        "auto_submitted",
        "Precedence",
        "List-Id",
        "X-Autoreply",
        "Return-Path",
        "Subject",
        "X-Other",
    ]
)


@settings(max_examples=300, deadline=None)
@given(
    st.text(max_size=80),
    st.text(max_size=200),
    st.text(max_size=400),
    st.dictionaries(st.one_of(_HEADER_NAMES, st.text(max_size=20)), st.text(max_size=30), max_size=6),
)
def test_screening_is_total_and_an_automatic_message_is_never_a_citizen_message(
    sender: str, subject: str, body: str, headers: dict[str, str]
) -> None:
    result = screen_message(sender, subject, body, headers)
    assert isinstance(result.kind, Screen)
    submitted = {k.strip().lower().replace("_", "-"): v.strip().lower() for k, v in headers.items()}
    if submitted.get("auto-submitted", "no") not in {"", "no"}:
        assert result.kind in {Screen.AUTO_REPLY, Screen.LOOP}
    if any(k.strip().lower().replace("_", "-") == ACK_HEADER.lower() for k in headers):
        assert result.kind is Screen.LOOP


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=600), st.sampled_from(["", "text/plain", "text/html", "TEXT/HTML; charset=utf-8"]))
def test_body_reading_is_total_and_new_text_only_keeps_lines_of_the_body(
    body: str, content_type: str
) -> None:
    readable = readable_body(body, content_type)
    own = new_text(readable)
    assert isinstance(own, str)
    lines = {line.strip() for line in readable.split("\n")}
    assert all(line.strip() in lines for line in own.split("\n") if line.strip())
    assert isinstance(html_to_text(body), str)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_subject_decoding_is_total_one_line_and_bounded(raw: str) -> None:
    decoded = decode_subject(raw)
    assert "\n" not in decoded and "\r" not in decoded
    assert len(decoded) <= MAX_SUBJECT_CHARS
    assert isinstance(sender_address(raw), str)
    assert normalize(normalize(raw)) == normalize(raw)


def test_text_written_below_a_quotation_is_the_senders_and_an_unquoted_original_is_not() -> None:
    # Given a bottom-posted reply (the quotation first, the new text under it)
    bottom = "On Mon, Oct 5, 2026, help@civicline.example wrote:\n> We received your message.\n\n"
    bottom += "My passport expired."
    assert new_text(bottom) == "My passport expired."
    # and a reply whose mailer put the original after the attribution without quoting it
    unquoted = (
        "I want to appeal.\n\nOn Mon, Oct 5, 2026, help@civicline.example wrote:\nYour passport is ready."
    )
    assert new_text(unquoted) == "I want to appeal."


def test_a_bottom_posted_reply_to_our_acknowledgement_is_a_follow_up_not_a_loop() -> None:
    quoted = "\n".join(f"> {line}" for line in ACK_BODY.split("\n"))
    body = f"On Mon, help@civicline.example wrote:\n{quoted}\n\nAnd my appeal, is it received?"
    assert screened(subject=f"Re: {ACK_SUBJECT}", body=body) == ("MESSAGE", "FOLLOW_UP")
