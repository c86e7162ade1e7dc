"""``civicline test`` end to end: cases run on the engine with the real functions on moto; wrong
expectations fail naming the observation; malformed files are ERROR with a reason and a JSON path;
the JSON, JUnit and coverage outputs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

import pytest
from typer.testing import CliRunner

from civicline.cli import app
from civicline.conntest.suite import SuiteResult, run_paths
from tests.conntest.builders import (
    check,
    dtmf,
    end_test,
    event,
    message,
    mock_error,
    mock_hours,
    mock_lambda,
    observation,
    override,
    request,
    sequence,
    started,
)

LANG = "For English, press 1"
MENU = "For answers to general questions, press 1"
CASE_PROMPT = "Please enter your 8 digit case number"
PIN_PROMPT = "Now enter the PIN you received"


def run(tmp_path: Path, *documents: dict[str, Any], flow: str | None = None) -> SuiteResult:
    for index, document in enumerate(documents):
        (tmp_path / f"case-{index}.json").write_text(json.dumps(document), encoding="utf-8")
    return run_paths([tmp_path], flow=flow)


def only(suite: SuiteResult) -> tuple[str, str]:
    (result,) = suite.results
    return result.status, result.reason


def test_a_mocked_route_reaches_the_asserted_queue(tmp_path: Path) -> None:
    routed = {"result": "ROUTED", "queueName": "tier2", "queueArn": "%QUEUE_TIER2%", "reason": "RULE"}
    doc = sequence(
        observation("start", event("TestInitiated"), [mock_lambda("%LAMBDA_ROUTING%", routed)]),
        observation("lang", message(LANG), [dtmf("1")]),
        observation("menu", message("For a complex question, press 6"), [dtmf("6")]),
        observation(
            "queued",
            started("TransferContactToQueue"),
            [
                check("$.Attributes.intent", "Equals", "TIER2"),
                check("$.Queue.ARN", "TextEndsWith", "/tier2"),
                end_test(),
            ],
        ),
    )
    assert only(run(tmp_path, doc)) == ("PASSED", "4 observation match(es)")


def test_a_wrong_expectation_fails_naming_the_observation_and_what_was_heard(tmp_path: Path) -> None:
    doc = sequence(
        observation("lang", message(LANG), [dtmf("1")]),
        observation("menu", message("To renew a passport, press 7"), [dtmf("7")]),
    )
    status, reason = only(run(tmp_path, doc))
    assert status == "FAILED"
    assert reason.startswith(
        "observation 'menu' (MessageReceived Inclusion 'To renew a passport, press 7') matched 0"
    )
    assert "For answers to general questions" in reason  # the transcript excerpt


def test_a_wrong_assert_fails_naming_the_value_seen(tmp_path: Path) -> None:
    doc = sequence(
        observation("lang", message(LANG), [dtmf("1")]),
        observation("menu", message(MENU), [check("$.Attributes.language", "Equals", "es")]),
    )
    status, reason = only(run(tmp_path, doc))
    assert status == "FAILED"
    assert "assert 'check-0': $.Attributes.language is 'en', expected Equals 'es'" in reason


def test_the_real_case_status_function_reads_the_demo_case_and_overrides_are_consumed_in_order(
    tmp_path: Path,
) -> None:
    # Given a first lookup mocked NOT_FOUND, the second one runs the real function on the demo data
    doc = sequence(
        observation("start", event("TestInitiated"), [mock_lambda("case_status", {"result": "NOT_FOUND"})]),
        observation("case", message(CASE_PROMPT), [dtmf("17502303#")], Type="Exactly", Times=2),
        observation("pin", message(PIN_PROMPT), [dtmf("4404#")], Type="Exactly", Times=2),
        observation("status", message("The status of your case is: received"), [end_test()]),
    )
    assert only(run(tmp_path, doc, flow="case-status"))[0] == "PASSED"


def test_a_lambda_answering_after_its_time_limit_takes_the_error_branch(tmp_path: Path) -> None:
    late = mock_lambda("%LAMBDA_CASE_STATUS%", {"result": "FOUND"}, delay=6)  # the flow allows 5 s
    doc = sequence(
        observation("start", event("TestInitiated"), [late]),
        observation("case", message(CASE_PROMPT), [dtmf("12345678#")]),
        observation("pin", message(PIN_PROMPT), [dtmf("1234#")]),
        observation("error", message("case status is not available right now"), [end_test()]),
    )
    assert only(run(tmp_path, doc, flow="case-status"))[0] == "PASSED"


def test_the_queue_flow_runs_on_the_local_clock_until_the_callback_offer(tmp_path: Path) -> None:
    # Given a caller queued for tier 2 whom no agent answers
    doc = sequence(
        observation("lang", message(LANG), [dtmf("1")]),
        observation("menu", message(MENU), [dtmf("6")]),
        observation("position", message("Callers ahead of you: 0"), Type="AtLeast", Times=1),
        # Then after more than two minutes of loop prompts (60 s each) the offer comes
        observation(
            "offer",
            message("The wait is longer than usual"),
            [check("$.Attributes.callbackOffered", "Equals", "true"), end_test()],
        ),
    )
    suite = run(tmp_path, doc)
    assert only(suite)[0] == "PASSED"
    assert suite.results[0].flows[-1] == "customer-queue"


def test_end_test_stops_the_contact(tmp_path: Path) -> None:
    doc = sequence(observation("greeting", message("Thank you for calling CivicLine"), [end_test()]))
    suite = run(tmp_path, doc)
    assert only(suite)[0] == "PASSED"
    # it went no further (the Compare on $.Channel before the menu: the chat twin is not taken)
    assert [step for _, step in suite.results[0].steps][-1] == "language-menu-channel"


def test_hours_mocked_out_of_hours_then_in_hours_are_consumed_once_each(tmp_path: Path) -> None:
    doc = sequence(
        observation("start", event("TestInitiated"), [mock_hours("OutOfHours")]),
        observation("lang", message(LANG), [dtmf("1")]),
        observation("closed", message("Our offices are closed now"), [end_test()]),
    )
    assert only(run(tmp_path, doc))[0] == "PASSED"


def test_log_data_is_reported(tmp_path: Path) -> None:
    log = {
        "Identifier": "log",
        "Type": "TestControl",
        "Parameters": {
            "ActionType": "TestControl",
            "Command": {"Type": "LogData", "Properties": {"Expressions": {"lang": "$.Attributes.language"}}},
        },
    }
    doc = sequence(
        observation("lang", message(LANG), [dtmf("2")]),
        observation("menu", message("Para"), [log, end_test()]),
    )
    suite = run(tmp_path, doc)
    assert suite.results[0].logged == [{"lang": "es"}]


@pytest.mark.parametrize(
    ("content", "reason", "path"),
    [
        ("{not json", "not JSON: Expecting property name enclosed in double quotes at line 1 column 2", "$"),
        ('{"Version": "2019-10-30"}', "missing Observations", "$"),
        (
            json.dumps(sequence(observation("a", event("CallQueued")))),
            "unknown event type 'CallQueued'",
            "$.Observations[0].Event.Type",
        ),
        (
            json.dumps(
                sequence(
                    observation(
                        "a",
                        event("TestInitiated"),
                        [
                            override(
                                "GetParticipantInput",
                                {},
                                {"Type": "SubstituteResource", "SubstituteArn": "x"},
                            )
                        ],
                    )
                )
            ),
            "action type GetParticipantInput cannot be overridden",
            "$.Observations[0].Actions[0].Parameters.Behavior.Properties.ActionType",
        ),
    ],
)
def test_malformed_cases_are_errors_with_a_reason_and_a_path(
    tmp_path: Path, content: str, reason: str, path: str
) -> None:
    (tmp_path / "bad.json").write_text(content, encoding="utf-8")
    outcome = CliRunner().invoke(app, ["test", str(tmp_path / "bad.json")])
    assert outcome.exit_code == 1
    first = outcome.stdout.splitlines()[0]
    assert first.startswith("ERROR  bad (")
    assert reason in first
    assert first.endswith(f"at {path}")
    assert "Traceback" not in outcome.output


def test_json_junit_and_coverage_outputs(tmp_path: Path) -> None:
    cases = tmp_path / "cases"
    cases.mkdir()
    good = sequence(observation("greeting", message("Thank you for calling"), [end_test()]))
    bad = sequence(observation("greeting", message("Welcome to the DMV")))
    (cases / "good.json").write_text(json.dumps(request(good, name="good case")), encoding="utf-8")
    (cases / "bad.json").write_text(json.dumps(bad), encoding="utf-8")
    (cases / "broken.json").write_text("[]", encoding="utf-8")
    junit = tmp_path / "out" / "junit.xml"
    outcome = CliRunner().invoke(app, ["test", str(cases), "--json", "--coverage", "--junit", str(junit)])
    assert outcome.exit_code == 1
    data = json.loads(outcome.stdout)
    assert [(r["name"], r["status"]) for r in data["results"]] == [
        ("bad", "FAILED"),
        ("broken", "ERROR"),
        ("good case", "PASSED"),
    ]
    assert (data["passed"], data["failed"]) == (1, 2)
    assert {"name", "file", "status", "reason"} <= set(data["results"][0])
    assert (
        0
        < data["coverage"]["flows"]["main-inbound"]["actions"][0]
        < data["coverage"]["flows"]["main-inbound"]["actions"][1]
    )
    suite = ET.parse(junit).getroot()
    assert (suite.get("tests"), suite.get("failures"), suite.get("errors")) == ("3", "1", "1")


def test_all_passing_exits_zero_with_a_summary_and_coverage_table(tmp_path: Path) -> None:
    doc = sequence(observation("greeting", message("Thank you for calling"), [end_test()]))
    (tmp_path / "a.json").write_text(json.dumps(doc), encoding="utf-8")
    outcome = CliRunner().invoke(app, ["test", str(tmp_path), "--coverage"])
    assert outcome.exit_code == 0
    lines = outcome.stdout.splitlines()
    assert lines[0].startswith("PASSED a (")
    assert lines[1] == "1 case(s): 1 passed, 0 failed, 0 error(s)"
    assert any(line.startswith("main-inbound") for line in lines)


def test_a_missing_path_is_a_usage_error(tmp_path: Path) -> None:
    outcome = CliRunner().invoke(app, ["test", str(tmp_path / "nope")])
    assert outcome.exit_code == 2


def test_an_error_response_mock_on_the_queue_takes_the_capacity_branch(tmp_path: Path) -> None:
    doc = sequence(
        observation(
            "start", event("TestInitiated"), [mock_error("TransferContactToQueue", {}, "QueueAtCapacity")]
        ),
        observation("lang", message(LANG), [dtmf("1")]),
        observation("menu", message(MENU), [dtmf("6")]),
        observation("full", message("all our lines are busy"), [end_test()]),
    )
    assert only(run(tmp_path, doc))[0] == "PASSED"


def test_a_substituted_function_runs_in_place_of_the_flows_one(tmp_path: Path) -> None:
    # Given the case-status lookup substituted by the (real) routing function, which refuses its input
    swap = override(
        "InvokeLambdaFunction",
        {"LambdaFunctionARN": "%LAMBDA_CASE_STATUS%"},
        {
            "Type": "SubstituteResource",
            "SubstituteArn": "arn:aws:lambda:us-east-1:111122223333:function:civicline-dev-routing",
        },
    )
    doc = sequence(
        observation("start", event("TestInitiated"), [swap]),
        observation("case", message(CASE_PROMPT), [dtmf("17502303#")]),
        observation("pin", message(PIN_PROMPT), [dtmf("4404#")]),
        # Then the routing function answered in its place, and the flow read its answer
        observation(
            "answer",
            message("We could not verify that case number and PIN"),
            [check("$.External.result", "Equals", "INVALID_INPUT"), end_test()],
        ),
    )
    assert only(run(tmp_path, doc, flow="case-status"))[0] == "PASSED"


def test_the_entry_flow_may_be_a_deployed_shaped_arn(tmp_path: Path) -> None:
    arn = "arn:aws:connect:us-east-1:111122223333:instance/abc/contact-flow/civicline-dev-case-status"
    doc = request(sequence(observation("case", message(CASE_PROMPT), [end_test()])), flow=arn)
    assert only(run(tmp_path, doc))[0] == "PASSED"


def test_an_unknown_entry_flow_is_an_error_not_a_traceback(tmp_path: Path) -> None:
    doc = request(sequence(observation("case", message(CASE_PROMPT))), flow="no-such-flow")
    status, reason = only(run(tmp_path, doc))
    assert status == "ERROR"
    # a clear reason, not a Python exception's name ("KeyError: no flow ...", as it was)
    assert reason.startswith("the entry flow 'no-such-flow' is not in the library (have: ")


BOT = "arn:aws:lex:us-east-1:111122223333:bot-alias/BOT1/ALIAS1"


def _lex_library() -> Any:
    from tests.engine.conftest import act, doc, library_of

    return library_of(
        **{
            "main-inbound": doc(
                act(
                    "ask",
                    "ConnectParticipantWithLexBot",
                    {"Text": "How can we help?", "LexV2Bot": {"AliasArn": BOT}},
                    conditions=[("Equals", "Appeal", "appeal"), ("Equals", "Status", "status")],
                    errors={"NoMatchingCondition": "other", "NoMatchingError": "failed"},
                ),
                act("appeal", "MessageParticipant", {"Text": "Appeals it is."}, nxt="bye"),
                act("status", "MessageParticipant", {"Text": "Status it is."}, nxt="bye"),
                act("other", "MessageParticipant", {"Text": "Something else."}, nxt="bye"),
                act("failed", "MessageParticipant", {"Text": "The bot failed."}, nxt="bye"),
                act("bye", "DisconnectParticipant", {}),
            )
        }
    )


@pytest.mark.parametrize(
    ("strategy", "heard"),
    [
        (
            {
                "Type": "MockResponse",
                "Response": {
                    "Type": "ExecutionResult",
                    "ExecutionResult": {"LoadedData": '{"IntentName": "Appeal"}'},
                },
            },
            "Appeals it is.",
        ),
        (
            {"Type": "MockResponse", "Response": {"Type": "Error", "Error": {"Value": "TimeLimitExceeded"}}},
            "The bot failed.",
        ),
    ],
)
def test_a_lex_bot_mocked_by_alias(tmp_path: Path, strategy: dict[str, Any], heard: str) -> None:
    mock = override("ConnectParticipantWithLexBot", {"LexV2Bot": {"AliasArn": BOT}}, strategy)
    doc = sequence(
        observation("start", event("TestInitiated"), [mock]),
        observation("asked", started("ConnectParticipantWithLexBot", LexV2Bot={"AliasArn": BOT})),
        observation("answer", message(heard), [end_test()]),
    )
    (tmp_path / "lex.json").write_text(json.dumps(doc), encoding="utf-8")
    from civicline.conntest.suite import run_paths

    suite = run_paths([tmp_path], library=_lex_library())
    assert only(suite) == ("PASSED", "3 observation match(es)")
