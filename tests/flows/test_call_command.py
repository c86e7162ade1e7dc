"""`civicline call` on our flows: the command a person uses to try a branch (seeded demo data)."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from civicline.cli import app
from civicline.data.demo import KNOWLEDGE, demo_cases


def call(*args: str) -> dict:
    result = CliRunner().invoke(app, ["call", "--json", *args])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_call_main_inbound_to_a_queue() -> None:
    # Given the demo data / When a Spanish caller reports identity theft / Then the JSON transcript
    # shows the receipt read back and the identity-theft queue
    transcript = call("--flow", "main-inbound", "--dtmf", "2 5")
    assert transcript["ended"]["how"] == "QUEUE"
    assert transcript["ended"]["queue"] == "identity_theft"
    assert transcript["flows"] == ["main-inbound"]
    assert transcript["path"][0] == "logging-on"
    receipt = next(c for c in transcript["lambda_calls"] if c["function"] == "appeals")["result"]
    assert any(receipt["receiptSpoken"] in p for p in transcript["prompts"])


def test_call_consultation_hears_the_knowledge_answer() -> None:
    transcript = call("--flow", "main-inbound", "--dtmf", "1 1 3")
    expected = next(k.answer for k in KNOWLEDGE if k.topic == "3" and k.language == "en")
    assert expected in transcript["prompts"]
    assert transcript["ended"]["how"] == "DISCONNECT"
    assert transcript["attributes"]["selfService"] == "true"


def test_call_after_hours_books_a_callback() -> None:
    transcript = call("--flow", "main-inbound", "--dtmf", "1 2", "--closed")
    booked = transcript["lambda_calls"][-1]
    assert booked["function"] == "callback"
    assert booked["result"]["result"] == "CREATED"
    assert booked["result"]["windowSpoken"] in transcript["prompts"][-1]


def test_call_case_status_with_a_demo_case() -> None:
    case = demo_cases()[1]
    transcript = call("--flow", "case-status", "--dtmf", f"{case.case_number}# {case.pin}# 1")
    assert transcript["lambda_calls"][0]["result"]["result"] == "FOUND"
    assert transcript["attributes"]["caseNumber"] == case.case_number
    assert transcript["ended"]["how"] == "QUEUE"


@pytest.mark.infra
def test_call_as_deployed_runs_the_rendered_flows_with_deployed_names() -> None:
    # Given the dev environment as `make synth ENV=dev` renders it / When a caller asks for tier 2
    transcript = call("--env", "dev", "--at", "2026-12-01T10:00", "--flow", "main-inbound", "--dtmf", "1 6")
    # Then the routing function ran under its own role and the queue is named as deployed
    assert transcript["ended"]["queue"] == "civicline-dev-tier2"
    assert transcript["lambda_calls"][0]["result"]["result"] == "ROUTED"
    assert "/queue/tier2" not in transcript["attributes"]["queueArn"]


@pytest.mark.infra
def test_call_as_deployed_closes_on_the_environments_holiday() -> None:
    transcript = call(
        "--env", "dev", "--at", "2026-12-25T10:00", "--flow", "main-inbound", "--dtmf", "1 _ _ _"
    )
    assert transcript["path"][transcript["path"].index("check-hours") + 1] == "closed-message"


def test_call_with_an_unknown_environment_is_refused() -> None:
    result = CliRunner().invoke(app, ["call", "--env", "nope", "--dtmf", "1"])
    assert result.exit_code == 2
    assert "no environment 'nope'" in result.output
