"""Reading test cases: both file shapes, every documented spelling folded into one, malformed cases as
one-line reasons with their JSON path (devguide testing-language-* pages, API_CreateTestCase)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from civicline.conntest import CaseError, load_case, parse_case
from civicline.conntest.model import Assertion, Override, SendInstruction, TestControl
from civicline.conntest.parser import parse_document
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

EXAMPLE_INSTANCE = "arn:aws:connect:us-west-2:123456789012:instance/abc123"
#: the APIReference example page (testing-language-example.html) with its missing comma restored
AWS_EXAMPLE: dict[str, Any] = {
    "Version": "2025-06-21",
    "Metadata": {},
    "Observations": [
        {
            "Identifier": "TriggerHoursCheck",
            "Event": {
                "Identifier": "Unique identifer",
                "Type": "TestInitiated",
                "Actor": "System",
                "Properties": {},
            },
            "Usage": {"Type": "EXACTLY"},
            "Actions": [
                override(
                    "CheckHoursOfOperation",
                    {"HoursOfOperationId": f"{EXAMPLE_INSTANCE}/flow/BasicHours"},
                    {
                        "Type": "SubstituteResource",
                        "SubstituteArn": f"{EXAMPLE_INSTANCE}/flow/AlwaysOnHours",
                    },
                    "ActionId",
                )
                | {"Transitions": {"NextAction": ""}}
            ],
            "Transitions": {"NextObservations": ["Welcome Message"]},
        },
        {
            "Identifier": "Welcome Message",
            "Event": {
                "Identifier": "Unique identifer",
                "Type": "MessageReceived",
                "Actor": "System",
                "Properties": {"Text": "Press 1 to be connected to an agent"},
                "MatchingCriteria": "Similarity",
            },
            "Usage": {"Type": "EXACTLY"},
            "Actions": [dtmf("1", "pressone")],
            "Transitions": {"NextObservations": ["Queue"]},
        },
        {
            "Identifier": "Queue",
            "Event": {
                "Identifier": "Unique identifer",
                "Type": "FlowActionStarted",
                "Actor": "System",
                "Properties": {"ActionType": "TransferContactToQueue ", "ActionParameters": {}},
            },
            "Actions": [
                {
                    "Identifier": "assertqueue",
                    "Type": "Assert",
                    "Parameters": {
                        "Namespace": "$.Queue.Name",
                        "Operator": "Equals",
                        "Operand": "Basic Queue",
                    },
                    "Transitions": {"NextAction": "endthetest"},
                },
                end_test("endthetest"),
            ],
            "Transitions": {"NextObservations": []},
        },
    ],
}


def test_the_aws_example_document_reads_with_its_own_spellings() -> None:
    # Given the published example (Version 2025-06-21, Usage EXACTLY without Times, MatchingCriteria a
    # string beside Properties, a trailing space in an action type)
    document = parse_document(AWS_EXAMPLE)
    # Then it is one canonical model
    first, welcome, queue = document.observations
    assert document.version == "2025-06-21"
    assert (first.usage.type, first.usage.times) == ("Exactly", 1)
    assert welcome.event.message is not None
    assert welcome.event.message.criteria == "Similarity"
    assert welcome.actions == (SendInstruction("pressone", "DtmfInput", "1"),)
    assert queue.event.flow_action is not None
    assert queue.event.flow_action.action_type == "TransferContactToQueue"
    assert [type(a) for a in queue.actions] == [Assertion, TestControl]
    assert isinstance(first.actions[0], Override)
    assert first.actions[0].strategy == "SubstituteResource"
    assert [o.identifier for o in document.roots()] == ["TriggerHoursCheck"]


def test_a_create_test_case_request_gives_name_entry_flow_and_attributes() -> None:
    document = sequence(observation("menu", message("press 1")))
    data = request(document, name="status menu", flow="%FLOW_CASE_STATUS%")
    data["InitializationData"] = json.dumps({"language": "es", "intent": "CASE_STATUS"})
    data["EntryPoint"]["VoiceCallEntryPointParameters"]["SourcePhoneNumber"] = "+15555550142"
    case = parse_case(data)
    assert (case.name, case.flow, case.channel, case.shape) == (
        "status menu",
        "%FLOW_CASE_STATUS%",
        "VOICE",
        "CreateTestCase",
    )
    assert case.attributes == {"language": "es", "intent": "CASE_STATUS"}
    assert case.source_number == "+15555550142"


def test_a_cloudformation_resource_and_a_chat_entry_point_are_read_too() -> None:
    body = request(sequence(observation("hello", message("hello"))), name="chat")
    body["EntryPoint"] = {"Type": "CHAT", "ChatEntryPointParameters": {"FlowId": "main-inbound"}}
    case = parse_case({"Type": "AWS::Connect::TestCase", "Properties": body})
    assert (case.channel, case.flow, case.name) == ("CHAT", "main-inbound", "chat")


def test_initialization_data_may_wrap_the_attributes() -> None:
    data = request(sequence(observation("m", message("x"))))
    data["InitializationData"] = json.dumps({"Attributes": {"language": "en"}})
    assert parse_case(data).attributes == {"language": "en"}


@pytest.mark.parametrize(
    ("usage", "expected"),
    [
        ({"Type": "EXACTLY"}, ("Exactly", 1)),
        ({"Type": "Exactly", "Times": 2}, ("Exactly", 2)),
        ({"Type": "AtLeast", "Times": 1}, ("AtLeast", 1)),
        ({"Type": "AT_MOST", "Times": 0}, ("AtMost", 0)),
        ({"Type": "ANY"}, ("Always", 1)),
        ({"Type": "Always"}, ("Always", 1)),
    ],
)
def test_usage_spellings_fold_into_one(usage: dict[str, Any], expected: tuple[str, int]) -> None:
    document = parse_document(sequence(observation("m", message("x"), **usage)))
    got = document.observations[0].usage
    assert (got.type, got.times) == expected


@pytest.mark.parametrize("kind", ["Assert", "Assertion", "ASSERT"])
def test_assert_and_assertion_are_one_action(kind: str) -> None:
    action = check("$.Attributes.intent", "equals", "TIER2") | {"Type": kind}
    document = parse_document(sequence(observation("m", message("x"), [action])))
    assert document.observations[0].actions[0] == Assertion(
        "check-0", "$.Attributes.intent", "Equals", "TIER2"
    )


def test_dequeue_and_transfer_is_the_flow_language_dequeue_action() -> None:
    action = mock_error("DequeueAndTransferToQueue", {"QueueId": "%QUEUE_OPERATOR%"}, "QueueAtCapacity")
    document = parse_document(sequence(observation("s", event("TestInitiated"), [action])))
    found = document.observations[0].actions[0]
    assert isinstance(found, Override)
    assert found.action_type == "DequeueContactAndTransferToQueue"
    assert (found.resource, found.value) == ("%QUEUE_OPERATOR%", "QueueAtCapacity")


@pytest.mark.parametrize(
    "holder",
    [
        {"Properties": {"Text": "hi", "MatchingCriteria": {"Type": "Similarity"}}},
        {"Properties": {"Text": "hi", "MatchingCriteria": "similarity"}},
        {"Properties": {"Text": "hi"}, "MatchingCriteria": {"Type": "Similarity"}},
    ],
)
def test_matching_criteria_inside_or_beside_properties(holder: dict[str, Any]) -> None:
    ev = {"Identifier": "e", "Type": "MessageReceived", "Actor": "System", **holder}
    found = parse_document(sequence(observation("m", ev))).observations[0].event.message
    assert found is not None
    assert found.criteria == "Similarity"


def test_matching_criteria_defaults_to_inclusion() -> None:
    ev = event("MessageReceived", Text="hi")
    found = parse_document(sequence(observation("m", ev))).observations[0].event.message
    assert found is not None
    assert found.criteria == "Inclusion"


@pytest.mark.parametrize(("kind", "value"), [("DtmfInput", 5), ("Utterance", "yes"), ("TextInput", "yes")])
def test_instruction_spellings(kind: str, value: Any) -> None:
    action = dtmf("x")
    action["Parameters"]["Instruction"] = {"Type": kind, "Properties": {"Value": value}}
    found = parse_document(sequence(observation("m", message("x"), [action]))).observations[0].actions[0]
    assert isinstance(found, SendInstruction)
    assert found.value == str(value)


def test_end_test_as_an_action_type_and_log_data() -> None:
    log = {
        "Identifier": "log",
        "Type": "TestControl",
        "Parameters": {
            "ActionType": "TestControl",
            "Command": {"Type": "LogData", "Properties": {"Expressions": {"queue": "$.Queue.Name"}}},
        },
    }
    actions = [log, {"Identifier": "stop", "Type": "EndTest"}]
    found = parse_document(sequence(observation("m", message("x"), actions))).observations[0].actions
    assert found == (
        TestControl("log-0", "LogData", {"queue": "$.Queue.Name"}),
        TestControl("stop-1", "EndTest"),
    )


def test_actions_run_in_next_action_order_not_array_order() -> None:
    first, second = dtmf("1", "a"), dtmf("2", "b")
    second["Transitions"] = {"NextAction": "a"}
    doc = sequence(observation("m", message("x")))
    doc["Observations"][0]["Actions"] = [first, second]
    found = parse_document(doc).observations[0].actions
    assert [a.identifier for a in found] == ["b", "a"]


def test_hours_mock_values_in_hours_and_out_of_hours() -> None:
    found = (
        parse_document(
            sequence(
                observation("s", event("TestInitiated"), [mock_hours("OutOfHours"), mock_hours("InHours")])
            )
        )
        .observations[0]
        .actions
    )
    assert [a.value for a in found if isinstance(a, Override)] == ["OutOfHours", "InHours"]


def _error(data: Any) -> CaseError:
    with pytest.raises(CaseError) as caught:
        parse_case(data)
    return caught.value


def test_not_json_is_an_error_with_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text('{"Version": "2019-10-30"\n "Observations": []}', encoding="utf-8")
    with pytest.raises(CaseError) as caught:
        load_case(path)
    assert caught.value.reason.startswith("not JSON: Expecting ',' delimiter at line 2")
    assert caught.value.path == "$"


def test_content_that_is_not_json_names_content() -> None:
    error = _error({"Name": "x", "Content": "{nope"})
    assert error.path == "$.Content"
    assert error.reason.startswith("not JSON")


def test_missing_observations() -> None:
    error = _error({"Version": "2019-10-30", "Metadata": {}})
    assert "missing Observations" in error.reason


def test_missing_observations_inside_content() -> None:
    error = _error(request({"Version": "2019-10-30"}))
    assert (error.reason, error.path) == ("missing Observations", "$.Content")


def test_unknown_event_type_names_its_path() -> None:
    doc = sequence(observation("a", message("x")), observation("b", event("AgentConnected")))
    error = _error(doc)
    assert error.path == "$.Observations[1].Event.Type"
    assert "unknown event type 'AgentConnected'" in error.reason


def test_override_of_an_action_type_that_cannot_be_overridden() -> None:
    bad = override("MessageParticipant", {}, {"Type": "SubstituteResource", "SubstituteArn": "x"})
    error = _error(sequence(observation("s", event("TestInitiated"), [bad])))
    assert error.path == "$.Observations[0].Actions[0].Parameters.Behavior.Properties.ActionType"
    assert "MessageParticipant cannot be overridden" in error.reason


@pytest.mark.parametrize(
    ("action", "needle"),
    [
        (
            mock_error("InvokeLambdaFunction", {"LambdaFunctionARN": "x"}, "QueueAtCapacity"),
            "cannot be mocked",
        ),
        (mock_hours("Sometimes"), "InHours or OutOfHours"),
        (check("$.Attributes.x", "Matches", "a"), "unknown Assert operator"),
        (check("Attributes.x", "Equals", "a"), "JSONPath"),
        (check("$.Attributes.x", "Equals"), "missing Operand"),
        ({"Identifier": "z", "Type": "ObserveEvent", "Parameters": {}}, "unknown action type"),
        (mock_lambda("x", {}) | {"Transitions": {"NextAction": "nowhere"}}, "NextAction 'nowhere'"),
        (
            override(
                "TransferContactToQueue",
                {"QueueId": "q"},
                {"Type": "MockResponse", "Response": {"Type": "ExecutionResult", "ExecutionResult": {}}},
            ),
            "only be mocked with an Error",
        ),
    ],
)
def test_malformed_actions(action: dict[str, Any], needle: str) -> None:
    error = _error(sequence(observation("s", event("TestInitiated"), [action])))
    assert needle in error.reason
    assert error.path.startswith("$.Observations[0].Actions[0]")


def test_unknown_next_observation_and_duplicate_identifiers() -> None:
    assert "no observation 'ghost'" in _error(sequence(observation("a", message("x"), nxt=["ghost"]))).reason
    twice = sequence(observation("a", message("x")), observation("a", message("y")))
    assert "used twice" in _error(twice).reason


def test_flow_action_started_needs_a_flow_language_type() -> None:
    error = _error(sequence(observation("a", started("InvokeLambda"))))
    assert "unknown flow action type 'InvokeLambda'" in error.reason


def test_message_received_needs_exactly_one_source() -> None:
    error = _error(sequence(observation("a", event("MessageReceived", Text="a", SSML="<speak>a</speak>"))))
    assert "exactly one of Text, PromptId, SSML or Media" in error.reason


def test_unknown_version() -> None:
    doc = sequence(observation("a", message("x"))) | {"Version": "2020-01-01"}
    assert _error(doc).path == "$.Version"
