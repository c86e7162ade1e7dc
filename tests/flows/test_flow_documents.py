"""The flow documents themselves: export format, placeholders, contracts, menus and safety, read
straight from flows/*.json (no engine involved), so a hand edit in the designer's style that breaks a
CivicLine rule fails here with the action identifier."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from infra.registry import FLOWS, placeholders
from schemas import codec
from schemas.functions import CONTRACTS, parse_parameters
from tests.flows.conftest import FLOW_FILES, FLOWS_DIR

REFERENCE = re.compile(r"\$\.[A-Za-z][A-Za-z0-9_]*(?:\.[A-Za-z0-9_\-]+)*")
PLACEHOLDER = re.compile(r"%[A-Z0-9_]+%")
FORBIDDEN_ID_CHARS = set("%:()\\/=$,;[]{}")
TERMINAL = {"DisconnectParticipant", "EndFlowExecution"}
METADATA_TYPES = {
    "CONTACT_FLOW": "contactFlow",
    "CUSTOMER_QUEUE": "customerQueue",
    "OUTBOUND_WHISPER": "outboundWhisper",
    "AGENT_WHISPER": "agentWhisper",
}


def load(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def actions(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {a["Identifier"]: a for a in doc["Actions"]}


def targets(action: dict[str, Any]) -> list[tuple[str, str]]:
    """(label, target) of every outgoing branch."""
    t = action["Transitions"]
    found = [(f"condition {c['Condition']['Operands']}", c["NextAction"]) for c in t.get("Conditions", [])]
    found += [(e["ErrorType"], e["NextAction"]) for e in t.get("Errors", [])]
    if "NextAction" in t:
        found.append(("next", t["NextAction"]))
    return found


def error_types(action: dict[str, Any]) -> set[str]:
    return {e["ErrorType"] for e in action["Transitions"].get("Errors", [])}


def leaves(value: Any) -> Iterator[Any]:
    if isinstance(value, dict):
        for item in value.values():
            yield from leaves(item)
    elif isinstance(value, list):
        for item in value:
            yield from leaves(item)
    else:
        yield value


def lambda_function(action: dict[str, Any]) -> str:
    kind, name = placeholders()[action["Parameters"]["LambdaFunctionARN"]]
    assert kind == "LAMBDA"
    return name


def flow_ids() -> list[str]:
    return [p.stem for p in FLOW_FILES]


@pytest.fixture(params=FLOW_FILES, ids=flow_ids())
def flow(request: pytest.FixtureRequest) -> tuple[str, dict[str, Any]]:
    path: Path = request.param
    return path.stem, load(path)


def test_one_file_per_registry_flow() -> None:
    # Given the registry's flows / When listing flows/ / Then the stems match exactly
    assert sorted(flow_ids()) == sorted(FLOWS)


def test_designer_export_format(flow: tuple[str, dict[str, Any]]) -> None:
    # Given a flow file / When re-serialised the way the designer exports / Then nothing changes
    name, doc = flow
    text = (FLOWS_DIR / f"{name}.json").read_text(encoding="utf-8")
    assert text == json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
    assert list(doc) == ["Version", "StartAction", "Metadata", "Actions"]
    assert doc["Version"] == "2019-10-30"
    assert doc["Metadata"]["type"] == METADATA_TYPES[FLOWS[name]]
    assert set(doc["Metadata"]["ActionMetadata"]) == set(actions(doc))
    assert len(doc["Actions"]) <= 250
    assert len(json.dumps(doc)) <= 256_000
    for action in doc["Actions"]:
        assert list(action) == ["Identifier", "Type", "Parameters", "Transitions"], action["Identifier"]
        # numbers and booleans are strings, as the designer writes them
        bad = [v for v in leaves(action["Parameters"]) if not isinstance(v, str)]
        assert not bad, f"{action['Identifier']}: non-string parameter values {bad}"


def test_identifiers_and_transitions(flow: tuple[str, dict[str, Any]]) -> None:
    # Given a flow / Then identifiers are valid and unique, every branch lands, every action is reachable
    _, doc = flow
    acts = actions(doc)
    assert len(acts) == len(doc["Actions"])
    for ident, action in acts.items():
        assert 0 < len(ident) <= 50 and not FORBIDDEN_ID_CHARS & set(ident), ident
        if action["Type"] in TERMINAL:
            assert action["Transitions"] == {}, ident
        else:
            assert targets(action), f"{ident}: no way out"
        for label, target in targets(action):
            assert target in acts, f"{ident}: {label} -> missing {target}"
    seen, todo = set(), [doc["StartAction"]]
    while todo:
        ident = todo.pop()
        if ident not in seen:
            seen.add(ident)
            todo.extend(t for _, t in targets(acts[ident]))
    assert seen == set(acts), f"unreachable: {set(acts) - seen}"


def test_only_registry_placeholders_no_arns(flow: tuple[str, dict[str, Any]]) -> None:
    # Given a flow / Then account-specific ARNs appear only as %KIND_NAME% placeholders of the registry
    name, doc = flow
    text = json.dumps(doc["Actions"])
    assert "arn:aws" not in text
    unknown = set(PLACEHOLDER.findall(text)) - set(placeholders())
    assert not unknown, f"{name}: unknown placeholders {unknown}"


def test_menus_have_operator_and_every_error_branch(flow: tuple[str, dict[str, Any]]) -> None:
    # Given every DTMF menu (GetParticipantInput, StoreInput False)
    # Then 0 is a choice, single-key Equals conditions only, and timeout / no match / error are wired
    _, doc = flow
    for ident, action in actions(doc).items():
        if action["Type"] != "GetParticipantInput":
            continue
        params = action["Parameters"]
        conditions = action["Transitions"].get("Conditions", [])
        if params["StoreInput"] == "False":
            assert error_types(action) == {"InputTimeLimitExceeded", "NoMatchingCondition", "NoMatchingError"}
            operands = [c["Condition"]["Operands"][0] for c in conditions]
            assert all(c["Condition"]["Operator"] == "Equals" for c in conditions), ident
            assert all(len(o) == 1 and o in "0123456789*#" for o in operands), ident
            assert "0" in operands, f"{ident}: no operator choice"
            assert "InputValidation" not in params
        else:
            assert params["StoreInput"] == "True"
            assert not conditions, ident
            assert error_types(action) == {"NoMatchingError"}, ident
            assert int(params["InputValidation"]["CustomValidation"]["MaximumLength"]) >= 1


def test_lambda_calls_match_the_function_contracts(flow: tuple[str, dict[str, Any]]) -> None:
    # Given every InvokeLambdaFunction / Then time limit 3-8 s, STRING_MAP, an error branch, and
    # parameter keys (and static values) accepted by the function's parameter model
    _, doc = flow
    for ident, action in actions(doc).items():
        if action["Type"] != "InvokeLambdaFunction":
            continue
        params = action["Parameters"]
        function = lambda_function(action)
        model, _ = CONTRACTS[function]
        assert 3 <= int(params["InvocationTimeLimitSeconds"]) <= 8, ident
        assert params["ResponseValidation"] == {"ResponseType": "STRING_MAP"}, ident
        assert "NoMatchingError" in error_types(action), ident
        attributes = params["LambdaInvocationAttributes"]
        assert set(attributes) <= set(codec.fields_of(model)), (
            f"{ident}: {set(attributes) - set(codec.fields_of(model))}"
        )
        static = {k: v for k, v in attributes.items() if not REFERENCE.search(v)}
        parse_parameters(model, static)  # required fields present, literals valid


def test_external_reads_follow_a_call_that_returns_them(flow: tuple[str, dict[str, Any]]) -> None:
    # Given the last Lambda that can have run before each action (data flow over the graph; a failed
    # call clears $.External) / Then every $.External.x read is a field of that function's response
    name, doc = flow
    acts = actions(doc)
    last: dict[str, set[str | None]] = {ident: set() for ident in acts}
    todo = [(doc["StartAction"], None)]
    while todo:
        ident, fn = todo.pop()
        if fn in last[ident]:
            continue
        last[ident].add(fn)
        action = acts[ident]
        if action["Type"] == "InvokeLambdaFunction":
            called = lambda_function(action)
            todo.append((action["Transitions"]["NextAction"], called))
            todo.extend((e["NextAction"], None) for e in action["Transitions"]["Errors"])
        else:
            todo.extend((t, fn) for _, t in targets(action))
    for ident, action in acts.items():
        reads = {
            r.split(".")[2] for r in REFERENCE.findall(json.dumps(action["Parameters"])) if ".External." in r
        }
        for field in reads:
            for fn in last[ident]:
                assert fn is not None, f"{name}: {ident} reads $.External.{field} with no Lambda called"
                fields = codec.fields_of(CONTRACTS[fn][1])
                assert field in fields, f"{name}: {ident} reads $.External.{field}; {fn} has no such field"


def test_flow_attributes_read_are_set_and_prompts_are_bilingual(flow: tuple[str, dict[str, Any]]) -> None:
    # Given the prompt sets (UpdateFlowAttributes prompts-en / prompts-es)
    # Then both languages define the same prompts, and every $.FlowAttributes.x read is set in the flow
    name, doc = flow
    acts = actions(doc)
    set_keys = {
        key
        for a in acts.values()
        if a["Type"] == "UpdateFlowAttributes"
        for key in a["Parameters"]["FlowAttributes"]
    }
    read = {r.split(".")[2] for r in REFERENCE.findall(json.dumps(doc["Actions"])) if ".FlowAttributes." in r}
    assert read <= set_keys, f"{name}: read but never set: {read - set_keys}"
    if "prompts-en" in acts:
        english = acts["prompts-en"]["Parameters"]["FlowAttributes"]
        spanish = acts["prompts-es"]["Parameters"]["FlowAttributes"]
        assert set(english) == set(spanish)
        assert all(
            english[k]["Value"] != spanish[k]["Value"] for k in english if k != "lang" and k.startswith("p")
        )


def test_every_disconnect_follows_a_spoken_message(flow: tuple[str, dict[str, Any]]) -> None:
    # Given every action that leads to a DisconnectParticipant / Then it is a MessageParticipant
    # (CivicLine safety rule: nobody is dropped without hearing why)
    _, doc = flow
    acts = actions(doc)
    for ident, action in acts.items():
        for label, target in targets(action):
            if acts[target]["Type"] == "DisconnectParticipant":
                assert action["Type"] == "MessageParticipant", f"{ident} ({label}) disconnects silently"


def test_every_queue_transfer_comes_after_the_three_hooks() -> None:
    # Given the contact flows that queue callers, and the hooks set along every path (data flow)
    # Then every TransferContactToQueue is reached only with the queue flow, the disconnect (survey)
    # flow and the agent whisper set
    wanted = {
        ("CustomerQueue", "%FLOW_CUSTOMER_QUEUE%"),
        ("CustomerRemaining", "%FLOW_POST_CALL_SURVEY%"),
        ("AgentWhisper", "%FLOW_AGENT_WHISPER%"),
    }
    for stem in ("main-inbound", "case-status"):
        doc = load(FLOWS_DIR / f"{stem}.json")
        acts = actions(doc)
        seen: dict[str, set[frozenset[tuple[str, str]]]] = {ident: set() for ident in acts}
        todo: list[tuple[str, frozenset[tuple[str, str]]]] = [(doc["StartAction"], frozenset())]
        while todo:
            ident, hooks = todo.pop()
            if hooks in seen[ident]:
                continue
            seen[ident].add(hooks)
            action = acts[ident]
            if action["Type"] == "UpdateContactEventHooks":
                hooks = hooks | set(action["Parameters"]["EventHooks"].items())
            todo.extend((t, hooks) for _, t in targets(action))
        transfers = [i for i, a in acts.items() if a["Type"] == "TransferContactToQueue"]
        assert transfers
        for ident in transfers:
            assert seen[ident] and all(h == wanted for h in seen[ident]), f"{stem}: {ident} {seen[ident]}"


#: what makes an action handle personal data (issue 13 item 7): the case number or PIN as typed,
#: the case-status and appeals functions (their input and output), the read-outs of their answers
PERSONAL_REFERENCES = re.compile(
    r"\$\.StoredCustomerInput|\$\.FlowAttributes\.(?:caseNumber|pin)\b|\$\.Attributes\.caseNumber"
    r"|\$\.External\.(?:statusText|nextStep|dueDate|dueDateSpoken|officeName|receipt|receiptSpoken)\b"
)
PERSONAL_FUNCTIONS = {"%LAMBDA_CASE_STATUS%", "%LAMBDA_APPEALS%"}


def handles_personal_data(action: dict[str, Any]) -> bool:
    params = action["Parameters"]
    return (
        bool(PERSONAL_REFERENCES.search(json.dumps(params)))
        or params.get("LambdaFunctionARN") in PERSONAL_FUNCTIONS
        or (action["Type"] == "GetParticipantInput" and params.get("StoreInput") == "True")
    )


def logging_states(doc: dict[str, Any]) -> dict[str, set[str]]:
    """Flow-logging state at each action along every path, entering with logging Enabled."""
    acts = actions(doc)
    state: dict[str, set[str]] = {ident: set() for ident in acts}
    todo = [(doc["StartAction"], "Enabled")]
    while todo:
        ident, logging = todo.pop()
        if logging in state[ident]:
            continue
        state[ident].add(logging)
        action = acts[ident]
        after = action["Parameters"].get("FlowLoggingBehavior", logging)
        todo.extend((t, after) for _, t in targets(action))
    return state


@pytest.mark.parametrize("name", ["case-status", "main-inbound"])
def test_personal_data_is_never_in_flow_logs(name: str) -> None:
    # Given the flow's logging state along every path (data flow from Enabled)
    doc = load(FLOWS_DIR / f"{name}.json")
    acts = actions(doc)
    state = logging_states(doc)
    sensitive = [ident for ident, action in acts.items() if handles_personal_data(action)]
    assert sensitive, "the markers found nothing: the test would pass vacuously"
    # Then every action that handles personal data (case number, PIN, the case-status read-out,
    # appeal receipts) runs with flow logging Disabled on every path
    for ident in sensitive:
        assert state[ident] == {"Disabled"}, f"{name}:{ident}: logging {state[ident]}"
    # And logging is back on before any menu, queue transfer, flow transfer or hang-up
    for ident, action in acts.items():
        if action["Type"] in {"TransferContactToQueue", "TransferToFlow", "DisconnectParticipant"} or (
            action["Type"] == "GetParticipantInput" and action["Parameters"].get("StoreInput") == "False"
        ):
            assert state[ident] == {"Enabled"}, f"{name}:{ident}: logging {state[ident]}"


def test_no_flow_passes_the_caller_number_to_a_function() -> None:
    # Given every Lambda call of every flow / Then none passes $.CustomerEndpoint.Address: each
    # handler reads the number from the event's ContactData, and flow logs record Lambda input
    for path in FLOW_FILES:
        for action in load(path)["Actions"]:
            if action["Type"] == "InvokeLambdaFunction":
                assert "CustomerEndpoint" not in json.dumps(action["Parameters"]), (
                    path.stem,
                    action["Identifier"],
                )


def test_no_function_is_given_a_connect_queue_name() -> None:
    # Given $.Queue.Name is "civicline-dev-tier2" when deployed and "tier2" locally
    # Then no flow hands it to a function or stores it for one: queues travel as ARNs
    for path in FLOW_FILES:
        assert "$.Queue.Name" not in path.read_text(encoding="utf-8"), path.stem


def test_pin_is_never_kept_on_the_contact() -> None:
    # the PIN lives only in flow attributes, never in contact attributes (which CTRs keep)
    doc = load(FLOWS_DIR / "case-status.json")
    text = json.dumps([a for a in doc["Actions"] if a["Type"] == "UpdateContactAttributes"])
    assert "pin" not in text.lower()


def test_survey_calls_its_lambda_once_with_every_answer() -> None:
    # Given the post-call survey / Then exactly one survey Lambda action, passing all 11 answers from
    # flow attributes plus the contact's context; every question is 1 key and kept in a flow attribute
    acts = actions(load(FLOWS_DIR / "post-call-survey.json"))
    calls = [a for a in acts.values() if a["Type"] == "InvokeLambdaFunction"]
    assert [lambda_function(a) for a in calls] == ["survey"]
    sent = calls[0]["Parameters"]["LambdaInvocationAttributes"]
    model = CONTRACTS["survey"][0]
    # queueName is a registry key for callers that have one; the flow has only the queue's ARN
    assert set(sent) == set(codec.fields_of(model)) - {"queueName"}
    questions = [
        a
        for a in acts.values()
        if a["Type"] == "GetParticipantInput" and a["Parameters"]["StoreInput"] == "True"
    ]
    assert len(questions) == 11

    def kept(chat: bool) -> dict[str, str]:
        return {
            key: spec["Value"]
            for a in acts.values()
            if a["Type"] == "UpdateFlowAttributes"
            and a["Identifier"].endswith("-keep")
            and a["Identifier"].endswith("-chat-keep") == chat
            for key, spec in a["Parameters"]["FlowAttributes"].items()
        }

    assert set(kept(False)) == {
        k for k in sent if sent[k].startswith("$.FlowAttributes.") and k != "language"
    }
    assert set(kept(False).values()) == {"$.StoredCustomerInput"}
    # on chat each answer is the one-key choice the Lex bot recognised, kept in the same attribute
    assert kept(True) == dict.fromkeys(kept(False), "$.Lex.Slots.choice")
    for question in questions:
        assert question["Parameters"]["InputValidation"] == {"CustomValidation": {"MaximumLength": "1"}}
