"""``civicline flows validate`` and ``civicline call`` end to end (typer's runner, no subprocess)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from civicline.cli import app
from tests.conftest import ROOT, conformance_files, load_json
from tests.engine.conftest import act, doc

runner = CliRunner()

GOOD = doc(
    act(
        "hello",
        "MessageParticipant",
        {"Text": "Hello $.CustomerEndpoint.Address."},
        nxt="menu",
        errors={"NoMatchingError": "menu"},
    ),
    act(
        "menu",
        "GetParticipantInput",
        {"Text": "Press 1.", "StoreInput": "False", "InputTimeLimitSeconds": "5"},
        nxt="bye",
        errors={"InputTimeLimitExceeded": "bye", "NoMatchingCondition": "bye", "NoMatchingError": "bye"},
        conditions=[("Equals", "1", "set")],
    ),
    act(
        "set",
        "UpdateContactAttributes",
        {"Attributes": {"choice": "one"}},
        nxt="bye",
        errors={"NoMatchingError": "bye"},
    ),
    act(
        "bye", "MessageParticipant", {"Text": "Goodbye."}, nxt="hangup", errors={"NoMatchingError": "hangup"}
    ),
    act("hangup", "DisconnectParticipant"),
)


@pytest.fixture
def good(tmp_path: Path) -> Path:
    path = tmp_path / "good.json"
    path.write_text(json.dumps(GOOD), encoding="utf-8")
    return path


def test_validate_ok_and_failing(good: Path, tmp_path: Path) -> None:
    ok = runner.invoke(app, ["flows", "validate", str(good)])
    assert ok.exit_code == 0, ok.output
    assert "1 file(s): 1 valid, 0 invalid; 0 error(s)" in ok.output
    bad_doc = dict(GOOD, StartAction="missing")
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(bad_doc), encoding="utf-8")
    failed = runner.invoke(app, ["flows", "validate", str(good), str(bad)])
    assert failed.exit_code == 1
    assert f"{bad}: -: error: StartAction 'missing' is not an action identifier" in failed.output


def test_validate_refuses_the_old_format() -> None:
    old = next(p for p in conformance_files("flows") if "modules" in load_json(p))
    result = runner.invoke(app, ["flows", "validate", str(old)])
    assert result.exit_code == 1
    assert "legacy console export format" in result.output


def test_validate_defaults_to_our_flows() -> None:
    if not list((ROOT / "flows").glob("*.json")):
        pytest.skip("no flows yet")
    count = len(list((ROOT / "flows").glob("*.json")))
    result = runner.invoke(app, ["flows", "validate", "--errors-only"])
    assert f"{count} file(s): " in result.output
    assert result.exit_code == (1 if ": error: " in result.output else 0)


def test_call_json_with_scripted_input(good: Path) -> None:
    result = runner.invoke(
        app, ["call", "--flow", str(good), "--dtmf", "1", "--json", "--caller", "+15555550111"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["path"] == ["hello", "menu", "set", "bye", "hangup"]
    assert data["prompts"] == ["Hello +15555550111.", "Press 1.", "Goodbye."]
    assert data["inputs"] == ["1"]
    assert data["attributes"] == {"choice": "one"}
    assert data["ended"]["how"] == "DISCONNECT"
    assert data["lambda_calls"] == []
    assert data["flows"] == ["good"]


def test_call_transcript_and_interactive_input(good: Path) -> None:
    result = runner.invoke(app, ["call", "--flow", str(good)], input="1\n")
    assert result.exit_code == 0, result.output
    assert "Goodbye." in result.output
    assert "choice" in result.output
    assert "DISCONNECT" in result.output


def test_call_unknown_flow_exits_2() -> None:
    result = runner.invoke(app, ["call", "--flow", "no-such-flow", "--dtmf", "1"])
    assert result.exit_code == 2


def test_call_main_inbound_runs_real_lambdas() -> None:
    if not (ROOT / "flows" / "main-inbound.json").exists():
        pytest.skip("main-inbound not written yet")
    result = runner.invoke(app, ["call", "--flow", "main-inbound", "--dtmf", "1 0", "--json"])
    assert result.exit_code in (0, 1), result.output
    data = json.loads(result.stdout)
    assert data["ended"]["how"] in ("QUEUE", "DISCONNECT", "CALLBACK", "TRANSFER_FLOW", "TRANSFER_PHONE")
    assert all(call["error"] != "UNKNOWN_FUNCTION" for call in data["lambda_calls"])


# -- --flow-type and --disconnect-reason (issue 11 item 5) ----------------------------------------


def test_flow_type_option_runs_a_file_as_that_type(tmp_path: Path) -> None:
    # Given an untyped flow that only plays a message and ends (a whisper, run as CUSTOMER_QUEUE by
    # inference) / When called with --flow-type AGENT_WHISPER / Then it ends as a whisper does
    path = tmp_path / "w.json"
    path.write_text(
        json.dumps(
            doc(
                act("w", "MessageParticipant", {"Text": "Caller from queue."}, nxt="end"),
                act("end", "EndFlowExecution"),
            )
        ),
        encoding="utf-8",
    )
    inferred = runner.invoke(app, ["call", "--flow", str(path), "--dtmf", "", "--json"])
    assert json.loads(inferred.output)["ended"]["how"] == "QUEUE"
    given = runner.invoke(app, ["call", "--flow", str(path), "--flow-type", "AGENT_WHISPER", "--json"])
    assert given.exit_code == 0, given.output
    assert json.loads(given.output)["ended"]["how"] == "END"
    wrong = runner.invoke(app, ["call", "--flow", str(path), "--flow-type", "NOPE"])
    assert wrong.exit_code == 2
    assert "--flow-type" in wrong.output


def test_disconnect_reason_option_runs_the_survey_as_connect_would() -> None:
    # Given the project's post-call survey (the CustomerRemaining flow of main-inbound)
    args = ["call", "--flow", "post-call-survey", "--dtmf", "2", "--json", "--disconnect-reason"]
    # When the customer hung up, nobody hears the survey
    gone = runner.invoke(app, [*args, "CUSTOMER_DISCONNECT"])
    assert gone.exit_code == 0, gone.output
    gone_data = json.loads(gone.output)
    assert gone_data["prompts"] == []
    assert gone_data["ended"]["participant"] is False
    # When the agent hung up, the customer hears it and answers
    stayed = json.loads(runner.invoke(app, [*args, "AGENT_DISCONNECT"]).output)
    assert stayed["prompts"] and stayed["inputs"] == ["2"]
    assert runner.invoke(app, [*args, "SOMEONE"]).exit_code == 2


def test_lex_bot_from_the_flow_folder_with_a_typed_utterance(tmp_path: Path) -> None:
    # Given a flow with a Lex block and a local bot definition in bots/ next to it
    alias = "arn:aws:lex:us-east-1:111122223333:bot-alias/BOT1/ALIAS1"
    (tmp_path / "bots").mkdir()
    bot = {
        "name": "status",
        "aliases": [alias],
        "intents": {"CheckStatus": {"utterances": ["where is my case"]}},
    }
    (tmp_path / "bots" / "status.json").write_text(json.dumps(bot), encoding="utf-8")
    flow = doc(
        act(
            "bot",
            "ConnectParticipantWithLexBot",
            {"Text": "How can I help?", "LexV2Bot": {"AliasArn": alias}},
            nxt="other",
            errors={"NoMatchingError": "other", "NoMatchingCondition": "other"},
            conditions=[("Equals", "CheckStatus", "status")],
        ),
        act(
            "status",
            "MessageParticipant",
            {"Text": "Intent $.Lex.IntentName."},
            nxt="bye",
            errors={"NoMatchingError": "bye"},
        ),
        act("other", "MessageParticipant", {"Text": "Other."}, nxt="bye", errors={"NoMatchingError": "bye"}),
        act("bye", "DisconnectParticipant"),
    )
    path = tmp_path / "lex.json"
    path.write_text(json.dumps(flow), encoding="utf-8")
    # When the caller says a whole sentence (quoted in --dtmf) / Then the bot's intent is matched
    result = runner.invoke(app, ["call", "--flow", str(path), "--dtmf", "'Where is my case'", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["prompts"] == ["How can I help?", "Intent CheckStatus."]
