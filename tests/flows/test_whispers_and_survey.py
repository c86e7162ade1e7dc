"""The whispers and the post-call survey (disconnect flow)."""

from __future__ import annotations

import pytest

from civicline.engine.arns import local_arn
from tests.flows.conftest import Caller, ContractLambdas, assert_path

AFTER_CALL = {
    "language": "en",
    "intent": "APPEAL",
    "queueArn": local_arn("QUEUE", "appeals"),
    "officeId": "appeals-office",
    "routingProfile": "appeals-team",
}
FCR = ["2", "1", "1"]  # called twice; all answered; avoids another call
DRIVERS = ["5", "4", "5", "3", "4", "5", "5", "4"]
DRIVER_KEYS = [
    "satisfaction",
    "trust",
    "effectiveness",
    "ease",
    "efficiency",
    "transparency",
    "humanity",
    "employeeHelpfulness",
]


def surveys(lambdas: ContractLambdas) -> list[dict[str, str]]:
    return [params for function, params in lambdas.received if function == "survey"]


# --- whispers ----------------------------------------------------------------------------------


def test_agent_whisper_speaks_intent_language_and_case(call: Caller) -> None:
    result = call(
        "agent-whisper", attributes={"intent": "CASE_STATUS", "language": "es", "caseNumber": "12345674"}
    )
    assert result.prompts == ["Caller intent: CASE_STATUS. Language: es. Verified case number: 12345674."]
    assert result.path == ["has-case", "whisper-case", "end"]
    assert result.ended["how"] == "END"


def test_agent_whisper_without_a_case(call: Caller) -> None:
    result = call("agent-whisper", attributes={"intent": "TIER2", "language": "en"})
    assert result.prompts == ["Caller intent: TIER2. Language: en."]
    assert result.ended["how"] == "END"


@pytest.mark.parametrize(
    ("language", "start"),
    [("en", "Hello, this is CivicLine"), ("es", "Hola, le llama CivicLine"), ("", "Hello")],
)
def test_outbound_whisper_tells_the_callee_it_is_their_callback(
    call: Caller, language: str, start: str
) -> None:
    result = call(
        "callback-outbound-whisper", attributes={"language": language}, initiation_method="CALLBACK"
    )
    assert len(result.prompts) == 1
    assert result.prompts[0].startswith(start)
    assert result.ended["how"] == "END"


# --- post-call survey --------------------------------------------------------------------------


def test_full_survey_is_one_lambda_call_with_every_answer(call: Caller, lambdas: ContractLambdas) -> None:
    # Given a finished contact's attributes / When the caller accepts and answers all 11 questions
    result = call(
        "post-call-survey", ["1", *FCR, *DRIVERS], attributes=AFTER_CALL, initiation_method="DISCONNECT"
    )
    # Then ONE survey call carries every answer plus queue, office, intent, routing profile, language
    assert surveys(lambdas) == [
        {
            "fcrTimesCalled": "2",
            "fcrAllAnswered": "1",
            "fcrAvoidsCall": "1",
            **dict(zip(DRIVER_KEYS, DRIVERS, strict=True)),
            "queueArn": local_arn("QUEUE", "appeals"),
            "officeId": "appeals-office",
            "intent": "APPEAL",
            "routingProfile": "appeals-team",
            "language": "en",
        }
    ]
    assert result.lambda_calls[0]["result"] == {"result": "COMPLETE", "answered": "11"}
    assert "Including today, how many times have you called us about this issue?" in result.prompts[1]
    assert sum("strongly agree" in p for p in result.prompts) == 1  # the 1-5 scale is explained once
    assert "strongly agree" in result.prompts[4]
    assert result.prompts[-1] == "Thank you for your time. Goodbye."
    assert result.ended["how"] == "DISCONNECT"
    # survey answers stay in flow attributes, never on the contact record
    assert result.attributes == AFTER_CALL


@pytest.mark.parametrize("keys", [["2"], [], ["7", "8"]], ids=["declined", "silence", "wrong-keys"])
def test_declined_survey_is_recorded_as_declined(
    call: Caller, lambdas: ContractLambdas, keys: list[str]
) -> None:
    result = call("post-call-survey", keys, attributes=AFTER_CALL, initiation_method="DISCONNECT")
    sent = surveys(lambdas)
    assert len(sent) == 1
    assert all(sent[0][k] == "" for k in ["fcrTimesCalled", "fcrAllAnswered", "fcrAvoidsCall", *DRIVER_KEYS])
    assert result.lambda_calls[0]["result"]["result"] == "DECLINED"
    assert result.path[-3:] == ["submit", "thanks", "hangup"]


def test_unanswered_questions_are_left_blank_not_timeout(call: Caller, lambdas: ContractLambdas) -> None:
    # Given a caller who answers the first question and skips the next two (timeouts)
    result = call("post-call-survey", ["1", "3", "", "", *DRIVERS], attributes=AFTER_CALL)
    sent = surveys(lambdas)[0]
    assert sent["fcrTimesCalled"] == "3"
    assert sent["fcrAllAnswered"] == "" and sent["fcrAvoidsCall"] == ""
    assert result.lambda_calls[0]["result"]["result"] == "PARTIAL"
    assert_path(
        result,
        ["q-fcr-all-answered", "q-fcr-all-answered-check", "q-fcr-avoids-call-channel", "q-fcr-avoids-call"],
    )
    assert_path(
        result,
        ["q-fcr-avoids-call", "q-fcr-avoids-call-check", "scale", "q-satisfaction-channel", "q-satisfaction"],
    )


def test_long_entries_keep_one_key(call: Caller, lambdas: ContractLambdas) -> None:
    call("post-call-survey", ["1", "12", *["1"] * 10], attributes=AFTER_CALL)
    assert surveys(lambdas)[0]["fcrTimesCalled"] == "1"


@pytest.mark.parametrize("fault", ["error", "timeout"])
def test_survey_lambda_failure_still_thanks_the_caller(call: Caller, fault: str) -> None:
    result = call("post-call-survey", ["1", *FCR, *DRIVERS], attributes=AFTER_CALL, fault=lambda n, a: fault)
    assert result.lambda_calls[0]["error"] == fault.upper()
    assert result.prompts[-1] == "Thank you for your time. Goodbye."
    assert result.ended["how"] == "DISCONNECT"


def test_zero_in_the_survey_reaches_the_operator(call: Caller) -> None:
    result = call("post-call-survey", ["0"], attributes=AFTER_CALL)
    assert result.ended["how"] == "QUEUE"
    assert result.ended["queue"] == "operator"


def test_spanish_survey(call: Caller, lambdas: ContractLambdas) -> None:
    result = call("post-call-survey", ["1", *FCR, *DRIVERS], attributes={**AFTER_CALL, "language": "es"})
    assert result.prompts[0].startswith("Antes de terminar")
    assert "Contando hoy" in result.prompts[1]
    assert surveys(lambdas)[0]["language"] == "es"
    assert result.prompts[-1] == "Gracias por su tiempo. Adiós."


def test_a_customer_who_hung_up_is_not_recorded_as_declining_the_survey(
    call: Caller, lambdas: ContractLambdas
) -> None:
    # Given a disconnect flow run after the customer ended the call (nobody on the line)
    result = call(
        "post-call-survey",
        [],
        attributes=AFTER_CALL,
        initiation_method="DISCONNECT",
        disconnect_reason="CUSTOMER_DISCONNECT",
    )
    # Then the consent prompt fails (no participant), no survey row is sent, and the flow ends
    assert surveys(lambdas) == []
    assert "submit" not in result.path
    assert result.path[-2:] == ["sorry", "hangup"]
