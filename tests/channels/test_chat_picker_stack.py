"""The stack wires ``chat_picker`` as the chat-menu bot alias's Lambda code hook: every locale of
the ``live`` alias names it (CodeHookInterfaceVersion 1.0), only the ShowPicker intent calls it
(DialogCodeHook), Lex may invoke it from that alias only, and its role reaches nothing but its own
log group and X-Ray (the function calls no AWS API)."""

from __future__ import annotations

import json
from typing import Any

from functions.domain.chat_picker import SHOW_INTENT
from infra.constructs.functions import function_logical_id
from infra.registry import FUNCTIONS_BY_NAME
from tests.infra.conftest import synth  # noqa: F401 - the session synth fixture, by name

HOOK = function_logical_id(FUNCTIONS_BY_NAME["chat_picker"])


def _of_type(template: dict[str, Any], kind: str) -> dict[str, dict[str, Any]]:
    return {k: r for k, r in template["Resources"].items() if r["Type"] == kind}


def test_the_live_alias_calls_chat_picker_in_every_locale(synth: Any) -> None:  # noqa: F811
    (alias,) = _of_type(synth.center, "AWS::Lex::BotAlias").values()
    settings = alias["Properties"]["BotAliasLocaleSettings"]
    assert sorted(s["LocaleId"] for s in settings) == ["en_US", "es_US"]
    for setting in settings:
        assert setting["BotAliasLocaleSetting"]["Enabled"] is True
        hook = setting["BotAliasLocaleSetting"]["CodeHookSpecification"]["LambdaCodeHook"]
        assert hook["CodeHookInterfaceVersion"] == "1.0"
        assert hook["LambdaArn"] == {"Fn::GetAtt": [HOOK, "Arn"]}


def test_only_the_show_picker_intent_has_the_dialog_code_hook(synth: Any) -> None:  # noqa: F811
    (bot,) = _of_type(synth.center, "AWS::Lex::Bot").values()
    for locale in bot["Properties"]["BotLocales"]:
        hooked = [i["Name"] for i in locale["Intents"] if i.get("DialogCodeHook", {}).get("Enabled")]
        assert hooked == [SHOW_INTENT], locale["LocaleId"]


def test_lex_may_invoke_the_hook_from_the_alias_only(synth: Any) -> None:  # noqa: F811
    permissions = [
        p["Properties"]
        for p in _of_type(synth.center, "AWS::Lambda::Permission").values()
        if HOOK in json.dumps(p["Properties"]["FunctionName"])
    ]
    assert len(permissions) == 1
    (permission,) = permissions
    assert permission["Principal"] == "lexv2.amazonaws.com"
    assert permission["Action"] == "lambda:InvokeFunction"
    (alias_id,) = _of_type(synth.center, "AWS::Lex::BotAlias")
    assert permission["SourceArn"] == {"Fn::GetAtt": [alias_id, "Arn"]}
    assert "SourceAccount" in permission


def test_the_hook_role_has_no_grant_beyond_its_logs_and_tracing(synth: Any) -> None:  # noqa: F811
    role = f"{HOOK}Role"
    actions = sorted(
        {
            action
            for policy in _of_type(synth.center, "AWS::IAM::Policy").values()
            if any(role in json.dumps(r) for r in policy["Properties"]["Roles"])
            for statement in policy["Properties"]["PolicyDocument"]["Statement"]
            for action in (
                [statement["Action"]] if isinstance(statement["Action"], str) else statement["Action"]
            )
        }
    )
    assert actions == [
        "logs:CreateLogStream",
        "logs:PutLogEvents",
        "xray:PutTelemetryRecords",
        "xray:PutTraceSegments",
    ]
    assert not FUNCTIONS_BY_NAME["chat_picker"].access
