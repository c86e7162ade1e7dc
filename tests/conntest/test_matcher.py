"""The observation matcher on its own (no engine): order through transitions, Usage counts, message
criteria, flow actions by type and parameters, overrides FIFO per resource, Assert operators."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from civicline.conntest.checks import SIMILARITY_THRESHOLD, check_assertion, similarity, text_matches
from civicline.conntest.matcher import Matcher
from civicline.conntest.model import Assertion, Override
from civicline.conntest.parser import parse_document
from civicline.engine.arns import local_arn
from tests.conntest.builders import (
    check,
    dtmf,
    end_test,
    event,
    message,
    mock_lambda,
    observation,
    sequence,
    started,
)


def matcher_of(document: dict[str, Any], data: dict[str, Any] | None = None) -> Matcher:
    found = Matcher(parse_document(document))
    found.data = lambda: data or {}
    found.start()
    return found


def test_observations_are_matched_in_order_through_their_transitions() -> None:
    # Given a menu, then a sub-menu
    m = matcher_of(
        sequence(observation("menu", message("main menu")), observation("sub", message("sub menu")))
    )
    # When the sub-menu plays before the main menu, it is not awaited yet
    m.message("this is the sub menu")
    m.message("this is the main menu")
    # Then only the main menu matched: the sub-menu is still expected
    status, reason = m.verdict()
    assert status == "FAILED"
    assert "observation 'sub'" in reason
    m.message("the sub menu again")
    assert m.verdict()[0] == "PASSED"


def test_the_failure_names_the_observation_and_what_was_seen_instead() -> None:
    m = matcher_of(sequence(observation("greeting", message("welcome to civicline"))))
    m.message("Thank you for calling")
    m.complete()
    status, reason = m.verdict()
    assert status == "FAILED"
    assert "'greeting' (MessageReceived Inclusion 'welcome to civicline') matched 0 of 1" in reason
    assert "Thank you for calling" in reason


def test_unconnected_observations_match_in_any_order() -> None:
    doc = {
        "Version": "2019-10-30",
        "Observations": [observation("a", message("alpha")), observation("b", message("beta"))],
    }
    m = matcher_of(doc)
    m.message("beta")
    m.message("alpha")
    assert m.verdict()[0] == "PASSED"


def test_dtmf_sent_at_a_prompt_is_the_next_input() -> None:
    m = matcher_of(sequence(observation("menu", message("press 1"), [dtmf("1"), dtmf("#")])))
    assert m.take_keys() == ""
    m.message("press 1 for English")
    assert m.take_keys() == "1#"
    assert m.take_keys() == ""


@pytest.mark.parametrize(
    ("usage", "times_seen", "status"),
    [
        ({"Type": "Exactly", "Times": 2}, 1, "FAILED"),
        ({"Type": "Exactly", "Times": 2}, 2, "PASSED"),
        ({"Type": "Exactly", "Times": 2}, 3, "PASSED"),  # a third is no longer watched
        ({"Type": "AtLeast", "Times": 2}, 1, "FAILED"),
        ({"Type": "AtLeast", "Times": 2}, 5, "PASSED"),
        ({"Type": "AtMost", "Times": 1}, 1, "PASSED"),
        ({"Type": "AtMost", "Times": 1}, 2, "FAILED"),
        ({"Type": "AtMost", "Times": 0}, 0, "PASSED"),
        ({"Type": "Always"}, 0, "PASSED"),
        ({"Type": "Always"}, 4, "PASSED"),
    ],
)
def test_usage_counts(usage: dict[str, Any], times_seen: int, status: str) -> None:
    m = matcher_of(sequence(observation("retry", message("please try again"), **usage)))
    for _ in range(times_seen):
        m.message("Sorry. Please try again.")
    m.complete()
    assert m.verdict()[0] == status


def test_flow_action_started_by_type_and_resource_in_any_spelling() -> None:
    doc = sequence(observation("lookup", started("InvokeLambdaFunction", LambdaFunctionARN="case_status")))
    m = matcher_of(doc)
    m.action("InvokeLambdaFunction", {"LambdaFunctionARN": local_arn("LAMBDA", "routing")})
    assert m.verdict()[0] == "FAILED"
    m.action("InvokeLambdaFunction", {"LambdaFunctionARN": local_arn("LAMBDA", "case_status")})
    assert m.verdict()[0] == "PASSED"


@pytest.mark.parametrize(
    "spelling",
    [
        "%QUEUE_TIER2%",
        "tier2",
        "civicline-dev-tier2",
        "arn:aws:connect:us-east-1:111122223333:instance/abc/queue/tier2",
    ],
)
def test_a_queue_named_three_ways_is_the_same_queue(spelling: str) -> None:
    m = matcher_of(sequence(observation("q", started("UpdateContactTargetQueue", QueueId=spelling))))
    m.action("UpdateContactTargetQueue", {"QueueId": local_arn("QUEUE", "tier2")})
    assert m.verdict()[0] == "PASSED"


def test_overrides_are_consumed_once_first_in_first_out_per_resource() -> None:
    first = mock_lambda("%LAMBDA_CASE_STATUS%", {"result": "NOT_FOUND"}, "first")
    second = mock_lambda("case_status", {"result": "FOUND"}, "second")
    other = mock_lambda("%LAMBDA_ROUTING%", {"result": "ROUTED"}, "other")
    m = matcher_of(sequence(observation("start", event("TestInitiated"), [first, second, other])))
    arn = local_arn("LAMBDA", "case_status")
    taken = [m.take_override("InvokeLambdaFunction", arn) for _ in range(3)]
    assert [o.identifier if o else None for o in taken] == ["first-0", "second-1", None]
    routing = m.take_override("InvokeLambdaFunction", local_arn("LAMBDA", "routing"))
    assert routing is not None
    assert routing.identifier == "other-2"


def test_an_override_without_a_resource_applies_to_the_next_action_of_its_type() -> None:
    mock = mock_lambda("x", {"result": "A"})
    mock["Parameters"]["Behavior"]["Properties"]["ActionParameters"] = {}
    m = matcher_of(sequence(observation("start", event("TestInitiated"), [mock])))
    assert isinstance(m.take_override("InvokeLambdaFunction", local_arn("LAMBDA", "appeals")), Override)


def test_a_failing_assert_fails_the_case_and_ends_the_test() -> None:
    doc = sequence(
        observation("q", message("hold"), [check("$.Attributes.intent", "Equals", "TIER2"), end_test()])
    )
    m = matcher_of(doc, {"Attributes": {"intent": "CONSULTATION"}})
    m.message("please hold")
    assert m.ended
    status, reason = m.verdict()
    assert status == "FAILED"
    assert "$.Attributes.intent is 'CONSULTATION', expected Equals 'TIER2'" in reason
    assert m.take_keys() == "hangup"


def test_end_test_ends_the_test_and_test_completed_matches_at_the_end() -> None:
    doc = {
        "Version": "2019-10-30",
        "Observations": [
            observation("menu", message("menu"), [end_test()]),
            observation("done", event("TestCompleted"), [check("$.Attributes.language", "Exists")]),
        ],
    }
    m = matcher_of(doc, {"Attributes": {"language": "en"}})
    m.message("main menu")
    assert m.ended
    m.message("menu again")  # after the end nothing more is matched
    m.complete()
    assert m.verdict() == ("PASSED", "2 observation match(es)")


DATA = {
    "Attributes": {"n": "12", "word": "Appeals", "user name": "Ana"},
    "Queue": {"Name": "tier2"},
    "Empty": "",
}


@pytest.mark.parametrize(
    ("namespace", "operator", "operand", "holds"),
    [
        ("$.Queue.Name", "Equals", "tier2", True),
        ("$.Queue.Name", "Equals", "Tier2", False),
        ("$.Attributes.n", "Equals", "12.0", True),
        ("$.Attributes.word", "TextStartsWith", "App", True),
        ("$.Attributes.word", "TextEndsWith", "als", True),
        ("$.Attributes.word", "TextContains", "ppea", True),
        ("$.Attributes.word", "TextContains", "zz", False),
        ("$.Attributes.n", "NumberGreaterThan", "11", True),
        ("$.Attributes.n", "NumberGreaterThan", "12", False),
        ("$.Attributes.n", "NumberGreaterOrEqualTo", "12", True),
        ("$.Attributes.n", "NumberLessThan", "13", True),
        ("$.Attributes.n", "NumberLessOrEqualTo", "11", False),
        ("$.Attributes.word", "NumberLessThan", "3", False),
        ("$.Attributes['user name']", "Equals", "Ana", True),
        ("$.Attributes.['user name']", "Equals", "Ana", True),
        ("$['Queue']['Name']", "Equals", "tier2", True),
        ("$.Attributes.missing", "Equals", "x", False),
        ("$.Empty", "Exists", None, True),
        ("$.Attributes.missing", "Exists", None, False),
    ],
)
def test_every_documented_assert_operator(
    namespace: str, operator: str, operand: str | None, holds: bool
) -> None:
    problem = check_assertion(Assertion("a", namespace, operator, operand), DATA)
    assert (problem is None) == holds, problem


def test_similarity_is_deterministic_and_tolerates_small_differences() -> None:
    prompt = "For English, press 1. Para español, oprima 2. For an operator, press 0."
    assert text_matches("For English press one", prompt, "Similarity")  # a digit spelled out
    assert text_matches("for english, press 1", prompt, "Similarity")
    assert text_matches("For Englsh, press 1", prompt, "Similarity")  # a typo
    assert not text_matches("To file an appeal, press 4", prompt, "Similarity")
    assert text_matches("press 0", prompt, "Inclusion")
    assert not text_matches("press 9", prompt, "Inclusion")


words = st.lists(st.from_regex(r"[a-z]{1,8}", fullmatch=True), min_size=1, max_size=12)


@given(words, words, words)
def test_an_expectation_inside_a_longer_message_is_similar(
    before: list[str], said: list[str], after: list[str]
) -> None:
    text = " ".join(said)
    assert similarity(text, " ".join([*before, *said, *after])) == 1.0
    assert similarity(text, text) == 1.0
    assert 0.0 <= similarity(" ".join(before), text) <= 1.0


@given(st.lists(st.integers(min_value=0, max_value=9), min_size=1, max_size=8, unique=True), st.data())
def test_a_chain_passes_only_when_every_prompt_plays_in_order(labels: list[int], data: st.DataObject) -> None:
    # Given observations awaiting prompt-<label> one after another
    doc = sequence(*[observation(f"o{n}", message(f"prompt-{n}")) for n in labels])
    m = matcher_of(doc)
    # When the prompts play in order, but one may be left out
    skipped = data.draw(st.sampled_from([None, *labels]))
    for n in labels:
        if n != skipped:
            m.message(f"now prompt-{n} plays")
    m.complete()
    status, reason = m.verdict()
    # Then the case passes exactly when nothing was skipped, else it names the skipped one
    if skipped is None:
        assert status == "PASSED"
    else:
        assert status == "FAILED"
        assert f"observation 'o{skipped}'" in reason


@given(st.lists(st.sampled_from(["case_status", "routing", "appeals"]), min_size=1, max_size=10))
def test_overrides_come_back_in_the_order_given_per_function(functions: list[str]) -> None:
    mocks = [mock_lambda(f, {"result": str(i)}, f"m{i}") for i, f in enumerate(functions)]
    m = matcher_of(sequence(observation("start", event("TestInitiated"), mocks)))
    for function in ("case_status", "routing", "appeals"):
        expected = [f"m{i}-{i}" for i, f in enumerate(functions) if f == function]
        got = []
        while (found := m.take_override("InvokeLambdaFunction", local_arn("LAMBDA", function))) is not None:
            got.append(found.identifier)
        assert got == expected


def test_similarity_threshold_is_stated() -> None:
    assert SIMILARITY_THRESHOLD == 0.8


def test_expected_text_may_read_the_contact_data() -> None:
    m = matcher_of(
        sequence(observation("receipt", message("receipt number is $.Attributes.spoken"))),
        {"Attributes": {"spoken": "A P 1"}},
    )
    m.message("Your receipt number is A P 2.")
    assert m.verdict()[0] == "FAILED"
    m.message("Your receipt number is A P 1.")
    assert m.verdict()[0] == "PASSED"
