"""A status question is recognised by what it is, not by its wording: the sender quotes one of the
agency's numbers (a case number whose check digit holds, a receipt, an acknowledgement's reference)
or names their own matter, and asks how it is progressing. The examples here are written for these
tests (never taken from the held-out file)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from functions.domain.email_triage import classify, reference_number
from functions.domain.identifiers import is_valid_case_number, make_case_number, quoted_references


@given(
    st.integers(0, 10**7 - 1), st.sampled_from(["", " ", "-", "."]), st.sampled_from(["", "Case ", "no. "])
)
def test_a_case_number_is_found_however_it_is_grouped(body: int, sep: str, before: str) -> None:
    """Given any valid case number, written whole or as 4 + 4 with a space, dash or dot
    When the text is searched for the agency's numbers
    Then it is found as a case number (kind only), and with its check digit changed it is not."""
    number = make_case_number(body)
    written = f"{number[:4]}{sep}{number[4:]}"
    assert quoted_references(f"Hello, {before}{written}, thanks") == ("case",)
    wrong = number[:7] + str((int(number[7]) + 1) % 10)
    assert not is_valid_case_number(wrong)
    assert quoted_references(f"Hello, {before}{wrong[:4]}{sep}{wrong[4:]}, thanks") == ()


def test_dates_phone_numbers_and_longer_numbers_are_not_case_numbers() -> None:
    """Given a date, a phone number and a 10-digit account number around a valid case number's digits
    When searched
    Then none is taken for a case number."""
    assert make_case_number(1750230) == "17502303"
    for text in ("on 1750-23-03", "call 202-555-0143", "account 9917502303", "1750-2303-99", "x17502303"):
        assert quoted_references(text) == (), text


def test_receipts_and_our_references_are_found() -> None:
    """Given an appeal receipt, an identity-theft receipt and an acknowledgement's reference
    When searched
    Then each is found by its kind."""
    ref = reference_number("0b6f1c2e-93aa-4c4e-9b7e-1f0c2d3e4f5a")
    assert quoted_references("receipt AP-12345678") == ("receipt",)
    assert quoted_references("it 12345678 was my report number, IT-87654321") == ("receipt",)
    assert quoted_references(f"your reference {ref}") == ("email",)
    assert quoted_references("APX-12345678 or AP-1234") == ()


def test_a_quoted_case_number_with_a_progress_question_goes_to_status() -> None:
    """Given messages in English and Spanish that quote a case number and ask about progress, with
    no status term of the table
    When classified
    Then they go to the status queue by the rule, which the decision names."""
    for subject, body in (
        ("17502303", "Hello, any news about this one? It has been six weeks."),
        ("Question", "Is there an update for 1750 2303? Thank you."),
        ("Consulta", "Buenos dias, ¿cuándo sale lo del 1750-2303? Gracias."),
        ("hola", "Mi referencia es AP-12345678, ¿todavía está pendiente?"),
    ):
        found = classify(subject, body)
        assert found.topic.topic == "status", (subject, body, found)
        assert found.reason == "RULE" and any(
            m.startswith("rule:") and m.endswith("+progress") for m in found.matched
        )


def test_the_sender_s_own_matter_with_a_progress_question_goes_to_status() -> None:
    """Given messages naming the sender's own request or application and asking when, without a number
    When classified
    Then they go to status by the rule."""
    for subject, body in (
        ("Hello", "I sent my request in October. When will someone look at it?"),
        ("Pregunta", "Envié mi solicitud hace un mes y no sé cuándo me contestan."),
    ):
        found = classify(subject, body)
        assert found.topic.topic == "status" and "rule:matter+progress" in found.matched, found


def test_without_a_progress_question_or_a_matter_nothing_changes() -> None:
    """Given a case number without a progress question, and a progress question about nothing of the
    sender's
    When classified
    Then the rule does not fire (no signal: the general queue)."""
    for subject, body in (
        ("Hello", "My number is 17502303. I moved to a new address."),
        ("Question", "When are you open on Saturdays?"),
    ):
        found = classify(subject, body)
        assert not any(m.startswith("rule:") for m in found.matched), found


def test_another_office_s_matter_named_more_strongly_still_goes_there() -> None:
    """Given an appeal request that quotes a case number and asks when
    When classified
    Then the appeal terms outweigh the rule: appeals."""
    found = classify("Appeal", "I want to appeal the decision on case 17502303. When can I file the appeal?")
    assert found.topic.topic == "appeals", found


def test_a_number_in_quoted_old_text_does_not_count() -> None:
    """Given a reply whose only number is in the quoted message below it
    When classified
    Then the quotation is cut before the rule reads the text: no rule."""
    body = "When?\n\nOn Mon, 9 Mar 2026, Agency <help@example.gov> wrote:\n> Your case 17502303 was received."
    found = classify("Re: hello", body)
    assert not any(m.startswith("rule:") for m in found.matched), found
