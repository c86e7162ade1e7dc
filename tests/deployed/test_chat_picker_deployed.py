"""``chat_picker`` run as deployed (its own environment, its role enforced): the Lex V2 code-hook
event answers the picker, and the function makes no AWS call at all (its role grants none)."""

from __future__ import annotations

import json

from civicline.local.deployed import DeployedStack
from functions.domain.chat_picker import SESSION_ATTRIBUTE, SHOW_INTENT
from tests.channels.test_chat_picker_hook import TEMPLATE, choice_slot, lex_event
from tests.deployed import scenarios


def test_chat_picker_as_deployed_answers_the_picker_without_aws_calls(deployed: DeployedStack) -> None:
    # Given the menu's opening turn and then a choice, each through the deployed entry point
    opening = scenarios.invoke(
        deployed, "chat_picker", lex_event(SHOW_INTENT, attributes={SESSION_ATTRIBUTE: TEMPLATE})
    )
    choice = scenarios.invoke(
        deployed,
        "chat_picker",
        lex_event("Choose", attributes={SESSION_ATTRIBUTE: TEMPLATE}, transcript="2", slots=choice_slot("2")),
    )
    # Then the picker, then Lex's own resolution; no AWS call was made (none is granted)
    assert opening["messages"] == [{"contentType": "CustomPayload", "content": TEMPLATE}]
    assert choice["sessionState"]["dialogAction"] == {"type": "Delegate"}
    assert deployed.recorded("chat_picker") == []
    grants = json.dumps(deployed.grants("chat_picker"))
    assert "dynamodb:" not in grants and "secretsmanager:" not in grants
