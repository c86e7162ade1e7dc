"""Connect's semantics where the engine used to differ (issue 11, review connect-fidelity-review.md).

Each test names the AWS page (docs.aws.amazon.com/connect/latest/...) or the real export it follows.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from civicline.engine import CallerScript, ContactState, Engine, FlowLibrary, QueueMetrics, StaticCenter
from civicline.engine.actions.lex import LexBot
from civicline.engine.arns import local_arn
from civicline.engine.validator import Finding, validate_text
from tests.conftest import conformance_files, load_json
from tests.engine.conftest import act, doc, library_of

Make = Callable[..., Engine]
HANGUP = act("hangup", "DisconnectParticipant")
SORRY = act("sorry", "MessageParticipant", {"Text": "Sorry."}, nxt="hangup")
ERR = {"NoMatchingError": "sorry"}
QUEUE = local_arn("QUEUE", "general")
ROOT = Path(__file__).resolve().parents[2]


def say(identifier: str, text: str, nxt: str = "hangup", **params: Any) -> dict[str, Any]:
    return act(identifier, "MessageParticipant", {"Text": text, **params}, nxt=nxt, errors=ERR)


def run(make: Make, *actions: dict[str, Any], dtmf: list[str] | None = None, **kw: Any) -> Any:
    meta = kw.pop("metadata", {})
    center = kw.pop("center", None)
    engine = make(library_of(main=doc(*actions, **meta)), center=center)
    return engine.run_contact("main", CallerScript(dtmf or []), **kw)


def errors_of(document: dict[str, Any]) -> list[str]:
    found: list[Finding] = validate_text(json.dumps(document), name="probe")
    return [f.message for f in found if f.severity == "error"]


# -- references: the bracket form, and maps never spoken ----------------------------------------


def test_bracket_reference_reads_an_attribute_with_spaces(make_engine: Make) -> None:
    # adminguide/how-to-reference-attributes.html: "$.Attributes.['user attribute name']"
    flow = (
        say("hello", "Hello $.Attributes.['first name'], welcome", nxt="tier"),
        act(
            "tier",
            "Compare",
            {"ComparisonValue": "$.Attributes.['first name']"},
            conditions=[("Equals", "Ana", "gold")],
            errors={"NoMatchingCondition": "hangup"},
        ),
        say("gold", "Gold line."),
        SORRY,
        HANGUP,
    )
    result = run(make_engine, *flow, attributes={"first name": "Ana", "tier": "gold"})
    assert result.prompts == ["Hello Ana, welcome", "Gold line."]
    # and the validator accepts the documented form (it rejected it before)
    assert errors_of(doc(*flow)) == []


def test_a_reference_to_a_whole_map_is_never_spoken(make_engine: Make) -> None:
    # review E2: a stray $.Attributes read out every attribute (case numbers included)
    result = run(make_engine, say("s", "Your data: $.Attributes."), SORRY, HANGUP, attributes={"pin": "1234"})
    assert result.prompts == ["Your data: ."]
    assert "1234" not in json.dumps(result.prompts)
    assert "$.Attributes is a map: not rendered" in result.steps[0].detail


# -- DTMF: the cancel key and a custom termination sequence ---------------------------------------


def store(dtmf: dict[str, str] | None = None, nxt: str = "echo") -> dict[str, Any]:
    params: dict[str, Any] = {
        "Text": "Enter it.",
        "StoreInput": "True",
        "InputValidation": {"CustomValidation": {"MaximumLength": "20"}},
    }
    if dtmf is not None:
        params["DTMFConfiguration"] = dtmf
    return act("get", "GetParticipantInput", params, nxt=nxt, errors=ERR)


ECHO = say("echo", "Got $.StoredCustomerInput.")


@pytest.mark.parametrize(
    ("config", "entry", "stored"),
    [
        (None, "12*34#", "34"),  # "*" cancels what was keyed so far (DisableCancelKey defaults False)
        ({"DisableCancelKey": "True"}, "12*34#", "12*34"),
        ({"InputTerminationSequence": "9"}, "12391", "123"),  # "Up to five digits ... terminating"
        ({"InputTerminationSequence": "##"}, "12#3##", "12#3"),
        (None, "12*", "Timeout"),  # cancelled and nothing keyed again: no input
    ],
)
def test_dtmf_cancel_key_and_termination_sequence(
    make_engine: Make, config: dict[str, str] | None, entry: str, stored: str
) -> None:
    # participant-actions-getparticipantinput (DTMFConfiguration); store-customer-input.html (Timeout)
    result = run(make_engine, store(config), ECHO, SORRY, HANGUP, dtmf=[entry])
    assert result.prompts[-1] == f"Got {stored}."


# -- flow modules do not override the caller's flow-local data -----------------------------------


def test_a_module_cannot_override_the_callers_local_data(make_engine: Make) -> None:
    # adminguide/contact-flow-modules.html, Limitations: "Modules do not allow overriding flow local
    # data of the invoking flow" (external attributes, queue metrics, stored customer input)
    module = doc(
        say("peek", "Module sees [$.StoredCustomerInput].", nxt="get"),
        act(
            "get",
            "GetParticipantInput",
            {
                "Text": "Again.",
                "StoreInput": "True",
                "InputValidation": {"CustomValidation": {"MaximumLength": "5"}},
            },
            nxt="done",
            errors={"NoMatchingError": "done"},
        ),
        act("done", "EndFlowModuleExecution"),
        Settings={},
    )
    module["Settings"] = {"InputParameters": [], "OutputParameters": [], "Transitions": []}
    caller = doc(
        store(nxt="metrics"),
        act("metrics", "GetMetricData", {"QueueId": QUEUE}, nxt="mod", errors=ERR),
        act("mod", "InvokeFlowModule", {"FlowModuleId": local_arn("FLOW", "mod")}, nxt="echo", errors=ERR),
        say("echo", "Caller kept $.StoredCustomerInput and $.Metrics.Queue.Name."),
        SORRY,
        HANGUP,
    )
    engine = make_engine(library_of(main=caller, mod=module))
    result = engine.run_contact("main", CallerScript(["111#", "222#"]))
    assert "Module sees []." in result.prompts
    assert result.prompts[-1] == "Caller kept 111 and general."


# -- flow types: inference, attachment, restrictions ---------------------------------------------


def test_an_untyped_queue_flow_keeps_the_contact_waiting(make_engine: Make) -> None:
    # 74 of 92 real exports have no Metadata.type; flow-control-actions-endflowexecution: "only in
    # whisper flows and customer queue flows", and it "does not explicitly disconnect"
    result = run(make_engine, act("end", "EndFlowExecution"))
    assert result.how == "QUEUE"
    assert "before the contact was queued" not in result.ended["detail"]
    assert "flow type CUSTOMER_QUEUE: inferred from its actions (EndFlowExecution)" in result.steps[0].detail


def test_a_flow_attached_as_a_whisper_runs_as_one(make_engine: Make) -> None:
    # contact-actions-updatecontacteventhooks: AgentWhisper names the agent whisper flow
    inbound = doc(
        act(
            "hook",
            "UpdateContactEventHooks",
            {"EventHooks": {"AgentWhisper": local_arn("FLOW", "whisper")}},
            nxt="hangup",
            errors=ERR,
        ),
        SORRY,
        HANGUP,
        type="contactFlow",
    )
    whisper = doc(say("w", "Caller from queue.", nxt="end"), act("end", "EndFlowExecution"))
    library = library_of(main=inbound, whisper=whisper)
    assert library.get("whisper").flow_type == "AGENT_WHISPER"
    assert library.get("whisper").type_source == "attached as the AgentWhisper hook"
    result = make_engine(library).run_contact("whisper")
    assert result.how == "END"


def test_flow_type_option_overrides_the_inference(make_engine: Make) -> None:
    engine = make_engine(library_of(main=doc(say("w", "Hi.", nxt="end"), act("end", "EndFlowExecution"))))
    assert engine.run_contact("main", flow_type="AGENT_WHISPER").how == "END"


def test_an_action_the_flow_type_does_not_allow_takes_its_error_branch(make_engine: Make) -> None:
    # participant-actions-getparticipantinput: "not in whisper flows or hold flows"
    flow = (
        act(
            "menu",
            "GetParticipantInput",
            {"Text": "Press 1.", "StoreInput": "False", "InputTimeLimitSeconds": "5"},
            nxt="end",
            errors={"NoMatchingError": "bye", "NoMatchingCondition": "end", "InputTimeLimitExceeded": "end"},
            conditions=[("Equals", "1", "end")],
        ),
        act("bye", "MessageParticipant", {"Text": "Bye."}, nxt="end"),
        act("end", "EndFlowExecution"),
    )
    result = run(make_engine, *flow, metadata={"type": "agentWhisper"}, dtmf=["1"])
    assert result.path == ["menu", "bye", "end"]
    assert "GetParticipantInput is not supported in a AGENT_WHISPER flow" in result.steps[0].detail
    # and the validator reports it as an error, not a warning
    assert any(
        "is not supported in a AGENT_WHISPER flow" in m for m in errors_of(doc(*flow, type="agentWhisper"))
    )


def test_loop_prompts_in_an_inbound_flow_take_the_error_branch(make_engine: Make) -> None:
    # participant-actions-messageparticipantiteratively: "supported in Customer Queue, Customer Hold,
    # and Agent Hold flows"
    flow = (
        act("loop", "MessageParticipantIteratively", {"Messages": [{"Text": "Hold."}]}, errors=ERR),
        SORRY,
        HANGUP,
    )
    result = run(make_engine, *flow, metadata={"type": "contactFlow"})
    assert result.path == ["loop", "sorry", "hangup"]


# -- TransferParticipantToThirdParty honours ContinueFlowExecution --------------------------------


def third_party(continue_flow: str | None, errors: dict[str, str]) -> dict[str, Any]:
    params = {"ThirdPartyPhoneNumber": "+12025550100", "ThirdPartyConnectionTimeLimitSeconds": "30"}
    if continue_flow is not None:
        params["ContinueFlowExecution"] = continue_flow
    return act("xfer", "TransferParticipantToThirdParty", params, nxt="after", errors=errors)


def test_third_party_transfer_resumes_the_flow_when_continue_is_true(make_engine: Make) -> None:
    # participant-actions-transferparticipanttothirdparty: True (or not defined) "the flow continues
    # running after the third party call finishes"
    after = say("after", "Welcome back.")
    for flag in ("True", None):
        result = run(make_engine, third_party(flag, ERR), after, SORRY, HANGUP)
        assert result.path == ["xfer", "after", "hangup"]
        assert result.contact.third_party_calls == ["+12025550100"]
    ended = run(make_engine, third_party("False", ERR), after, SORRY, HANGUP)
    assert ended.how == "TRANSFER_PHONE"


def test_third_party_errors_exist_only_when_the_flow_continues() -> None:
    # same page: ConnectionTimeLimitExceeded and CallFailed are "supported only when
    # ContinueFlowExecution is True"; exports with False wire only NoMatchingError
    errors = {"ConnectionTimeLimitExceeded": "sorry", "CallFailed": "sorry", "NoMatchingError": "sorry"}
    after = say("after", "Back.")
    found = errors_of(doc(third_party("False", errors), after, SORRY, HANGUP))
    assert any("does not support the error branch CallFailed" in m for m in found)
    assert errors_of(doc(third_party("True", errors), after, SORRY, HANGUP)) == []


# -- Loop counters are per flow ----------------------------------------------------------------


def test_loop_counters_of_the_same_identifier_in_two_flows_are_separate(make_engine: Make) -> None:
    # flow-control-actions-loop: the count is kept for "the same Action Identifier" of a flow; the
    # project has full-retry in both main-inbound and case-status
    def flow(name: str, other: str) -> dict[str, Any]:
        return doc(
            act(
                "retry",
                "Loop",
                {"LoopCount": "1"},
                conditions=[("Equals", "ContinueLooping", "again"), ("Equals", "DoneLooping", "done")],
            ),
            act("again", "TransferToFlow", {"ContactFlowId": local_arn("FLOW", other)}, errors=ERR),
            say("done", f"{name} done."),
            SORRY,
            HANGUP,
        )

    engine = make_engine(library_of(a=flow("A", "b"), b=flow("B", "a")))
    result = engine.run_contact("a")
    # A continues once (to B), B continues once (to A), A is then done: B's count did not use A's
    assert result.flows == ["a", "b", "a"]
    assert result.prompts == ["A done."]


# -- SSML and voices ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("ssml", "ok"),
    [
        ("<speak>Hello <break time='1s'/> there</speak>", True),
        ("<speak>Hello <break time='1s'> there</speak>", False),  # not well-formed
        ("Hello there", False),  # supported-ssml-tags.html: "must be enclosed within ... speak tags"
    ],
)
def test_malformed_ssml_takes_the_error_branch(make_engine: Make, ssml: str, ok: bool) -> None:
    result = run(
        make_engine, act("s", "MessageParticipant", {"SSML": ssml}, nxt="hangup", errors=ERR), SORRY, HANGUP
    )
    assert (result.path == ["s", "hangup"]) is ok
    if not ok:
        assert result.path == ["s", "sorry", "hangup"]


def test_prompt_and_ssml_are_voice_only(make_engine: Make) -> None:
    # participant-actions-messageparticipant: "PromptId and SSML are only supported for the voice channel"
    flow = (
        act("s", "MessageParticipant", {"SSML": "<speak>Hi</speak>"}, nxt="t", errors=ERR),
        say("t", "Text ok."),
        SORRY,
        HANGUP,
    )
    result = run(make_engine, *flow, channel="CHAT")
    assert result.path == ["s", "sorry", "hangup"]
    assert run(make_engine, say("t", "Text ok."), SORRY, HANGUP, channel="CHAT").prompts == ["Text ok."]


@pytest.mark.parametrize(
    ("voice", "engine", "ok"),
    [
        ("Joanna", "Neural", True),
        ("Lupe", "Generative", True),
        ("Kevin", "Standard", False),
        ("Robot", None, False),
    ],
)
def test_voice_and_engine_must_exist_and_fit(
    make_engine: Make, voice: str, engine: str | None, ok: bool
) -> None:
    # contact-actions-updatecontacttexttospeechvoice: "Results in error if voice or engine are invalid,
    # or if the selected voice does not support the selected engine"
    params = {"TextToSpeechVoice": voice} | ({"TextToSpeechEngine": engine} if engine else {})
    result = run(
        make_engine,
        act("v", "UpdateContactTextToSpeechVoice", params, nxt="hangup", errors=ERR),
        SORRY,
        HANGUP,
    )
    assert (result.path == ["v", "hangup"]) is ok
    if ok:
        assert result.contact.voice == voice


# -- GetMetricData ------------------------------------------------------------------------------


def test_estimated_wait_only_for_one_channel_and_no_agent_metrics_without_agents(make_engine: Make) -> None:
    # adminguide/get-queue-metrics.html: estimated wait "would only return when there's one single
    # channel provided"; "for agent-based metrics ... if there are no agents, no metrics are returned"
    center = StaticCenter(
        default_metrics=QueueMetrics(
            size=2, agents_online=0, agents_staffed=0, agents_available=0, expected_wait_seconds=90
        )
    )
    prompt = say("p", "Wait $.Metrics.Queue.EstimatedWaitTime seconds.")
    all_channels = run(
        make_engine,
        act("m", "GetMetricData", {"QueueId": QUEUE}, nxt="p", errors=ERR),
        prompt,
        SORRY,
        HANGUP,
        center=center,
    )
    assert all_channels.prompts == ["Wait  seconds."]
    assert "Agents" not in all_channels.contact.metrics
    assert "$.Metrics.Queue.EstimatedWaitTime resolved to nothing" in all_channels.steps[1].detail
    voice = run(
        make_engine,
        act("m", "GetMetricData", {"QueueId": QUEUE, "QueueChannel": "Voice"}, nxt="p", errors=ERR),
        prompt,
        SORRY,
        HANGUP,
        center=center,
    )
    assert voice.prompts == ["Wait 90 seconds."]


def test_the_validator_warns_when_a_flow_reads_a_wait_connect_leaves_empty() -> None:
    flow = doc(
        act("m", "GetMetricData", {"QueueId": QUEUE}, nxt="p", errors=ERR),
        say("p", "Wait $.Metrics.Queue.EstimatedWaitTime."),
        SORRY,
        HANGUP,
    )
    found = validate_text(json.dumps(flow), name="probe")
    assert any(f.severity == "warning" and "only for one QueueChannel" in f.message for f in found)


# -- disconnect flows: a participant only when the agent hung up ---------------------------------


SURVEY = (
    act("ask", "MessageParticipant", {"Text": "One question."}, nxt="q", errors={"NoMatchingError": "q"}),
    act(
        "q",
        "GetParticipantInput",
        {"Text": "Press 1 to 5.", "StoreInput": "False", "InputTimeLimitSeconds": "5"},
        nxt="hangup",
        errors={
            "NoMatchingError": "none",
            "NoMatchingCondition": "hangup",
            "InputTimeLimitExceeded": "hangup",
        },
        conditions=[("Equals", "5", "thanks")],
    ),
    act(
        "none",
        "UpdateContactAttributes",
        {"Attributes": {"survey": "no participant"}},
        nxt="hangup",
        errors=ERR,
    ),
    say("thanks", "Thanks."),
    SORRY,
    HANGUP,
)


def test_after_the_customer_hung_up_participant_actions_take_their_error_branch(make_engine: Make) -> None:
    # flow-language-concepts.html: "No participants remaining" disconnect flows "don't have a
    # participant associated"; participant actions are attempted only in a participant context
    engine = make_engine(library_of(main=doc(*SURVEY)))
    gone = engine.run_contact(
        "main", CallerScript(["5"]), initiation_method="DISCONNECT", disconnect_reason="CUSTOMER_DISCONNECT"
    )
    assert gone.prompts == []
    assert gone.inputs == []
    assert gone.attributes == {"survey": "no participant"}
    assert gone.how == "END"  # DisconnectParticipant with no participant acts as EndFlowExecution
    assert gone.ended["participant"] is False
    # and after the agent hung up, the customer is still there and answers
    stayed = engine.run_contact(
        "main", CallerScript(["5"]), initiation_method="DISCONNECT", disconnect_reason="AGENT_DISCONNECT"
    )
    assert stayed.prompts == ["One question.", "Press 1 to 5.", "Thanks."]


def test_the_project_survey_asks_nobody_after_a_customer_hang_up(make_engine: Make) -> None:
    library = FlowLibrary.from_directory(ROOT / "flows")
    assert library.get("post-call-survey").disconnect_flow  # attached as CustomerRemaining by main-inbound
    engine = make_engine(library)
    result = engine.run_contact(
        "post-call-survey",
        CallerScript(["1", "5"]),
        initiation_method="DISCONNECT",
        disconnect_reason="CUSTOMER_DISCONNECT",
    )
    assert result.prompts == []


# -- numbers: one coercion ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "operator", "operand", "matches"),
    [
        (" 7 ", "NumberLessThan", "8", True),  # numbers are read after trimming
        (" 7 ", "Equals", "7", False),  # text compares exactly
        ("1e3", "NumberGreaterThan", "999", False),  # an exponent is not a number
        ("0.50", "NumberGreaterOrEqualTo", ".5", True),
        ("-3", "NumberLessOrEqualTo", "-3", True),
        ("", "NumberLessThan", "1", False),
    ],
)
def test_compare_coerces_numbers_one_way(
    make_engine: Make, value: str, operator: str, operand: str, matches: bool
) -> None:
    flow = (
        act(
            "c",
            "Compare",
            {"ComparisonValue": "$.Attributes.v"},
            conditions=[(operator, operand, "yes")],
            errors={"NoMatchingCondition": "no"},
        ),
        say("yes", "yes"),
        say("no", "no"),
        SORRY,
        HANGUP,
    )
    assert run(make_engine, *flow, attributes={"v": value}).prompts == ["yes" if matches else "no"]


# -- the actions the real flows use ------------------------------------------------------------


def lex_action(bot: dict[str, Any]) -> dict[str, Any]:
    return act(
        "bot",
        "ConnectParticipantWithLexBot",
        {"Text": "How can I help?", **bot, "LexSessionAttributes": {"x-amz-lex:allow-interrupt:*:*": "True"}},
        nxt="hangup",
        errors={"NoMatchingError": "sorry", "NoMatchingCondition": "other"},
        conditions=[("Equals", "CheckStatus", "status"), ("Equals", "Agent", "agent")],
    )


LEX_FLOW = (
    say("status", "Status: $.Lex.IntentName."),
    say("agent", "Agent."),
    say("other", "Sorry, again?"),
    SORRY,
    HANGUP,
)


def test_lex_intents_from_a_local_bot_definition(make_engine: Make) -> None:
    # participant-actions-connectparticipantwithlexbot: the intent is the result; $.Lex.* after the bot
    alias = "arn:aws:lex:us-east-1:111122223333:bot-alias/BOT1/ALIAS1"
    library = library_of(main=doc(lex_action({"LexV2Bot": {"AliasArn": alias}}), *LEX_FLOW))
    library.bots["status"] = LexBot.from_json(
        {
            "aliases": [alias],
            "intents": {
                "CheckStatus": {"utterances": ["where is my case"], "dtmf": ["1"]},
                "Agent": {"dtmf": ["0"]},
            },
        },
        "status",
    )
    engine = make_engine(library)
    spoken = engine.run_contact("main", CallerScript(["Where is my case"]))
    assert spoken.prompts[-1] == "Status: CheckStatus."
    assert spoken.contact.lex["SessionAttributes"] == {"x-amz-lex:allow-interrupt:*:*": "True"}
    assert engine.run_contact("main", CallerScript(["0"])).prompts[-1] == "Agent."
    assert (
        engine.run_contact("main", CallerScript(["hello"])).prompts[-1] == "Sorry, again?"
    )  # FallbackIntent


def test_lex_without_a_definition_matches_the_conditions_intents(make_engine: Make) -> None:
    result = run(
        make_engine,
        lex_action({"LexBot": {"Name": "Unknown", "Region": "us-east-1", "Alias": "live"}}),
        *LEX_FLOW,
        dtmf=["2"],
    )
    assert result.prompts[-1] == "Agent."
    assert "no local bot definition for Unknown" in result.steps[0].detail


def test_transfer_to_agent_ends_an_agent_transfer_flow(make_engine: Make) -> None:
    # contact-actions-transfercontacttoagent: "supported in only transfer to agent and transfer to
    # queue flows"
    result = run(make_engine, act("t", "TransferContactToAgent"), metadata={"type": "agentTransfer"})
    assert result.how == "TRANSFER_AGENT"
    assert "not supported in a CONTACT_FLOW flow" in " ".join(
        errors_of(doc(act("t", "TransferContactToAgent"), type="contactFlow"))
    )


def test_streaming_hold_state_outbound_task_wisdom_and_routing_criteria_are_recorded(
    make_engine: Make,
) -> None:
    # contact-actions-updatecontactmediastreamingbehavior, -updatepreviouscontactparticipantstate,
    # -completeoutboundcall, createtask, createwisdomsession, flow-control-actions-updateroutingcriteria
    steps = [
        act(
            "stream",
            "UpdateContactMediaStreamingBehavior",
            {
                "MediaStreamingState": "Enabled",
                "Participants": [{"ParticipantType": "Customer", "MediaDirections": ["From", "To"]}],
                "MediaStreamType": "Audio",
            },
            nxt="hold",
            errors=ERR,
        ),
        act(
            "hold",
            "UpdatePreviousContactParticipantState",
            {"PreviousContactParticipantState": "AgentOnHold"},
            nxt="dial",
            errors=ERR,
        ),
        act("dial", "CompleteOutboundCall", {"CallerId": {"Number": "+18005550199"}}, nxt="task"),
        act(
            "task",
            "CreateTask",
            {
                "ContactFlowId": local_arn("FLOW", "tasks"),
                "Name": "Call back $.Attributes.who",
                "DelaySeconds": "60",
                "Attributes": {"who": "$.Attributes.who"},
            },
            nxt="wisdom",
            errors=ERR,
        ),
        act(
            "wisdom",
            "CreateWisdomSession",
            {"WisdomAssistantArn": "arn:aws:wisdom:us-east-1:111122223333:assistant/a-1"},
            nxt="route",
            errors=ERR,
        ),
        act(
            "route",
            "UpdateContactRoutingCriteria",
            {
                "RoutingCriteria": {
                    "Steps": [
                        {
                            "Expression": {
                                "AttributeCondition": {
                                    "Name": "Language",
                                    "Value": "Spanish",
                                    "ProficiencyLevel": "3.0",
                                    "ComparisonOperator": "NumberGreaterOrEqualTo",
                                }
                            }
                        }
                    ]
                }
            },
            nxt="say",
            errors=ERR,
        ),
        say("say", "Stream $.MediaStreams.Customer.Audio.StreamARN session $.Wisdom.SessionArn"),
        SORRY,
        HANGUP,
    ]
    result = run(make_engine, *steps, metadata={"type": "contactFlow"}, attributes={"who": "Ana"})
    assert result.path[-2:] == ["say", "hangup"]
    contact = result.contact
    assert contact.media_streaming["state"] == "Enabled"
    assert contact.previous_participant_state == "AgentOnHold"
    assert contact.outbound_call == {"caller_id": "+18005550199", "dialed": True}
    (task,) = result.to_json()["tasks"]
    assert task["name"] == "Call back Ana" and task["channel"] == "TASK" and task["delay_seconds"] == 60
    assert task["previous_contact_id"] == contact.contact_id
    assert contact.wisdom is not None and contact.wisdom["SessionArn"].startswith(
        "arn:aws:wisdom:us-east-1:111122223333:session/a-1/"
    )
    assert contact.routing_criteria is not None and len(contact.routing_criteria["Steps"]) == 1
    assert "kinesisvideo" in result.prompts[-1] and "session/a-1" in result.prompts[-1]


def test_streaming_is_voice_only(make_engine: Make) -> None:
    flow = (
        act(
            "stream",
            "UpdateContactMediaStreamingBehavior",
            {"MediaStreamingState": "Enabled"},
            nxt="t",
            errors=ERR,
        ),
        say("t", "ok"),
        SORRY,
        HANGUP,
    )
    assert run(make_engine, *flow, channel="CHAT").path == ["stream", "sorry", "hangup"]


def test_queue_flow_for_a_queued_contact_runs_as_customer_queue(make_engine: Make) -> None:
    flow = doc(
        act(
            "loop",
            "MessageParticipantIteratively",
            {"Messages": [{"Text": "Hold."}], "InterruptFrequencySeconds": "0"},
        )
    )
    engine = make_engine(library_of(q=flow))
    result = engine.run_queue_flow(ContactState(queue_arn=QUEUE, queue_name="general"), flow="q")
    assert result.how == "QUEUE" and result.prompts == ["Hold."]


def test_one_definition_of_a_disconnect_flow_for_engine_and_validator(tmp_path: Path) -> None:
    # Given an inbound flow that sets survey.json as its CustomerRemaining (disconnect) flow, and a
    # survey that hangs up silently after a failed Lambda call
    inbound = doc(
        act(
            "hook",
            "UpdateContactEventHooks",
            {"EventHooks": {"CustomerRemaining": local_arn("FLOW", "survey")}},
            nxt="bye",
            errors={"NoMatchingError": "bye"},
        ),
        act(
            "bye", "MessageParticipant", {"Text": "Bye."}, nxt="hangup", errors={"NoMatchingError": "hangup"}
        ),
        HANGUP,
        type="contactFlow",
    )
    survey = doc(
        act(
            "submit",
            "InvokeLambdaFunction",
            {"LambdaFunctionARN": local_arn("LAMBDA", "survey"), "InvocationTimeLimitSeconds": "3"},
            nxt="hangup",
            errors={"NoMatchingError": "hangup"},
        ),
        HANGUP,
    )
    paths = []
    for name, document in (("inbound", inbound), ("survey", survey)):
        path = tmp_path / f"{name}.json"
        path.write_text(json.dumps(document), encoding="utf-8")
        paths.append(path)
    # When validated alone, the silent hang-up is a dropped caller; validated with the flow that
    # attaches it, it is a disconnect flow and may end silently (the engine's definition)
    from civicline.engine.validator import validate_path, validate_paths

    alone = [f.message for f in validate_path(paths[1])]
    assert any("caller dropped" in m for m in alone)
    together = [f.message for f in validate_paths(paths) if f.file.endswith("survey.json")]
    assert not any("caller dropped" in m for m in together), together
    library = FlowLibrary.from_directory(tmp_path)
    assert library.get("survey").disconnect_flow and not library.get("inbound").disconnect_flow


# -- what the Connect designer needs (civicline flows validate --designer) -------------------------


def test_designer_check_wants_dynamic_flags_positions_and_condition_metadata() -> None:
    # review 1.3: real exports mark whole-JSONPath parameters useDynamic (Compare and CallbackNumber
    # excepted), give every action a position, and a queue-age check conditionMetadata
    from civicline.engine.library import parse_flow_text
    from civicline.engine.validator import designer_findings

    flow = doc(
        act("q", "UpdateContactTargetQueue", {"QueueId": "$.External.queueArn"}, nxt="age", errors=ERR),
        act(
            "age",
            "CheckMetricData",
            {"MetricType": "OldestContactInQueueAgeSeconds"},
            nxt="hangup",
            errors={"NoMatchingError": "hangup", "NoMatchingCondition": "hangup"},
            conditions=[("NumberGreaterThan", "120000", "hangup")],
        ),
        act("c", "Compare", {"ComparisonValue": "$.Attributes.x"}, errors={"NoMatchingCondition": "hangup"}),
        HANGUP,
        ActionMetadata={"q": {"position": {"x": 0, "y": 0}}, "age": {"position": {"x": 1, "y": 0}}},
    )
    found = [
        (f.identifier, f.message) for f in designer_findings(parse_flow_text(json.dumps(flow), name="d"))
    ]
    assert (
        "q",
        "QueueId holds a JSONPath but is not marked useDynamic: the designer shows it as static",
    ) in found
    assert any(i == "age" and "conditionMetadata" in m for i, m in found)
    assert ("hangup", "no designer position (Metadata.ActionMetadata)") in found
    assert not any(i == "c" and "useDynamic" in m for i, m in found)
    # the real exports satisfy every one of these rules
    exports = [p for p in conformance_files("flows") if "modules" not in load_json(p)]
    from civicline.engine.validator import validate_paths

    assert [
        f.line()
        for f in validate_paths(exports, designer=True)
        if "designer" in f.message or "useDynamic" in f.message
    ] == []


def test_a_flow_type_given_for_one_run_does_not_change_the_library(make_engine: Make) -> None:
    engine = make_engine(library_of(main=doc(say("w", "Hi.", nxt="end"), act("end", "EndFlowExecution"))))
    assert engine.run_contact("main", flow_type="AGENT_WHISPER").how == "END"
    assert engine.library.get("main").flow_type == "CUSTOMER_QUEUE"
    assert engine.run_contact("main").how == "QUEUE"
