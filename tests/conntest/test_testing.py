"""The Python entry point for agencies (docs/testing.md): a Scenario runs like a JSON case."""

from __future__ import annotations

from pathlib import Path

import pytest

from civicline.conntest import load_case
from civicline.conntest.testing import Scenario, case_files, check_file

HERE = Path(__file__).resolve().parents[1] / "connect"


def complex_question() -> Scenario:
    return (
        Scenario("complex question goes to tier 2")
        .mock_lambda(
            "routing",
            {"result": "ROUTED", "queueName": "tier2", "queueArn": "%QUEUE_TIER2%", "reason": "RULE"},
        )
        .hears("For English, press 1")
        .press("1")
        .hears("For a complex question, press 6")
        .press("6")
        .never_hears("all our lines are busy")
        .sees("TransferContactToQueue")
        .expect("$.Attributes.intent", "Equals", "TIER2")
        .end_test()
    )


def test_the_documented_scenario_passes() -> None:
    result = complex_question().check()
    assert result.status == "PASSED"


def test_a_scenario_with_a_wrong_expectation_raises_naming_it() -> None:
    wrong = Scenario("wrong").hears("For English, press 1").press("1").hears("press 9 for the moon")
    with pytest.raises(
        AssertionError, match=r"observation '02' \(MessageReceived Inclusion 'press 9 for the moon'\)"
    ):
        wrong.check()


def test_a_saved_scenario_is_a_create_test_case_file(tmp_path: Path) -> None:
    path = complex_question().save(tmp_path / "complex.json")
    case = load_case(path)
    assert (case.name, case.flow, case.shape) == (
        "complex question goes to tier 2",
        "main-inbound",
        "CreateTestCase",
    )
    assert [o.usage.type for o in case.document.observations] == [
        "Exactly",
        "Exactly",
        "Exactly",
        "AtMost",
        "Exactly",
    ]
    check_file(path)


def test_actions_need_an_observation() -> None:
    with pytest.raises(ValueError, match="start an observation"):
        Scenario("x").press("1")


@pytest.mark.parametrize("path", case_files(HERE / "case-status")[:2], ids=lambda p: p.stem)
def test_case_files_parametrize_pytest(path: Path) -> None:
    check_file(path)
