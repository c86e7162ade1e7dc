"""The observer seam (SEAMS.md B): every action is seen, any action can be mocked, prompts reach it."""

from __future__ import annotations

from collections.abc import Callable

from civicline.engine import (
    ActionStarted,
    CallerScript,
    CallResult,
    Engine,
    NoObserver,
    Outcome,
    error_outcome,
    lambda_outcome,
)
from civicline.engine.arns import local_arn
from tests.engine.conftest import act, doc, library_of

LAMBDA = local_arn("LAMBDA", "case_status")


def _flow() -> dict[str, object]:
    return doc(
        act("greet", "MessageParticipant", {"Text": "Hello $.Attributes.who"}, nxt="lookup"),
        act(
            "lookup",
            "InvokeLambdaFunction",
            {
                "LambdaFunctionARN": LAMBDA,
                "InvocationTimeLimitSeconds": "3",
                "LambdaInvocationAttributes": {"caller": "$.Attributes.who"},
            },
            nxt="say",
            errors={"NoMatchingError": "sorry"},
        ),
        act("say", "MessageParticipant", {"Text": "Status $.External.status"}, nxt="bye"),
        act("sorry", "MessageParticipant", {"Text": "Sorry."}, nxt="bye"),
        act("bye", "DisconnectParticipant"),
    )


class Recorder(NoObserver):
    """Records what the engine reports; mocks the Lambda with ``answer``."""

    def __init__(self, answer: Outcome | None) -> None:
        self.answer = answer
        self.started: list[ActionStarted] = []
        self.messages: list[tuple[str, str]] = []
        self.ended: list[CallResult] = []

    def action_started(self, event: ActionStarted) -> None:
        self.started.append(event)

    def override(self, event: ActionStarted) -> Outcome | None:
        return self.answer if event.type == "InvokeLambdaFunction" else None

    def message(self, text: str, event: ActionStarted) -> None:
        self.messages.append((event.identifier, text))

    def contact_ended(self, result: CallResult) -> None:
        self.ended.append(result)


def test_a_mocked_lambda_sets_external_like_a_real_call(make_engine: Callable[..., Engine]) -> None:
    # Given an observer that answers the Lambda with {"status": "OPEN"}
    observer = Recorder(lambda_outcome({"status": "OPEN"}))
    engine = make_engine(library_of(main=_flow()), observer=observer)
    # When a contact runs
    result = engine.run_contact("main", CallerScript(), attributes={"who": "Ana"})
    # Then the observer saw each action with its parameters as written and resolved
    assert [e.identifier for e in observer.started] == ["greet", "lookup", "say", "bye"]
    lookup = observer.started[1]
    assert lookup.flow == "main" and lookup.flow_type == "CONTACT_FLOW"
    assert lookup.flow_arn == local_arn("FLOW", "main")
    assert lookup.parameters["LambdaInvocationAttributes"] == {"caller": "$.Attributes.who"}
    assert lookup.resolved["LambdaInvocationAttributes"] == {"caller": "Ana"}
    # And the mock's response became $.External, read by the next prompt
    assert observer.messages == [("greet", "Hello Ana"), ("say", "Status OPEN")]
    assert result.contact.external == {"status": "OPEN"}
    assert observer.ended == [result]


def test_a_mocked_response_breaking_string_map_takes_the_error_branch(
    make_engine: Callable[..., Engine],
) -> None:
    # Given a mock whose response is not a STRING_MAP (a nested value)
    observer = Recorder(lambda_outcome({"status": {"nested": "x"}}))
    engine = make_engine(library_of(main=_flow()), observer=observer)
    # When a contact runs, then the call fails like a real invalid response and $.External is empty
    result = engine.run_contact("main", CallerScript(), attributes={"who": "Ana"})
    assert result.path == ["greet", "lookup", "sorry", "bye"]
    assert result.contact.external == {}


def test_error_outcome_takes_the_named_branch(make_engine: Callable[..., Engine]) -> None:
    # Given a mock saying the Lambda took NoMatchingError
    observer = Recorder(error_outcome("NoMatchingError"))
    result = make_engine(library_of(main=_flow()), observer=observer).run_contact("main", CallerScript())
    # Then the flow follows the error branch, and the step says it was mocked
    assert result.path == ["greet", "lookup", "sorry", "bye"]
    assert "mocked" in result.steps[1].detail
    # and $.External is left empty, as after a real failed call
    assert result.contact.external == {}


def test_an_unrelated_error_type_falls_back_to_no_matching_error(
    make_engine: Callable[..., Engine],
) -> None:
    observer = Recorder(error_outcome("QueueAtCapacity"))
    result = make_engine(library_of(main=_flow()), observer=observer).run_contact("main", CallerScript())
    assert result.path == ["greet", "lookup", "sorry", "bye"]


def test_no_observer_runs_as_before(make_engine: Callable[..., Engine]) -> None:
    # Without an observer the real (unknown here: no handler) function runs; nothing is mocked
    result = make_engine(library_of(main=_flow())).run_contact("main", CallerScript())
    assert all("mocked" not in step.detail for step in result.steps)


class Sequence(NoObserver):
    """Answers the Lambda calls in turn with ``answers``."""

    def __init__(self, *answers: Outcome) -> None:
        self.answers = list(answers)

    def override(self, event: ActionStarted) -> Outcome | None:
        return self.answers.pop(0) if event.type == "InvokeLambdaFunction" else None


def test_a_mocked_failure_empties_external_like_a_real_failed_call(
    make_engine: Callable[..., Engine],
) -> None:
    # Given a flow that calls the Lambda twice: it answers, then fails
    first = _flow()
    first["Actions"][2]["Transitions"] = {"NextAction": "again"}
    first["Actions"].append(
        {
            "Identifier": "again",
            "Type": "InvokeLambdaFunction",
            "Parameters": {"LambdaFunctionARN": LAMBDA, "InvocationTimeLimitSeconds": "3"},
            "Transitions": {
                "NextAction": "say2",
                "Errors": [{"ErrorType": "NoMatchingError", "NextAction": "say2"}],
            },
        }
    )
    first["Actions"].append(
        {
            "Identifier": "say2",
            "Type": "MessageParticipant",
            "Parameters": {"Text": "Now [$.External.status]"},
            "Transitions": {"NextAction": "bye"},
        }
    )
    observer = Sequence(lambda_outcome({"status": "OPEN"}), error_outcome())
    result = make_engine(library_of(main=first), observer=observer).run_contact("main", CallerScript())
    # Then the second prompt no longer sees the first answer
    assert result.prompts[-2:] == ["Status OPEN", "Now []"]
    assert result.contact.external == {}
