"""Probe flows: one small flow per place where real published flows showed the engine differing from
Amazon Connect (docs/engine.md, "Found by running others' flows"). Each probe failed before its fix."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from civicline.engine import CallerScript, CallResult, Engine, LambdaInvoker, StaticCenter
from civicline.engine.arns import local_arn, names_resource
from civicline.engine.validator import Finding, validate_text
from tests.engine.conftest import act, doc, library_of

SAY_BYE = act("bye", "MessageParticipant", {"Text": "Goodbye."}, nxt="end", errors={"NoMatchingError": "end"})
END = act("end", "DisconnectParticipant")


def check(document: dict[str, Any]) -> list[Finding]:
    return validate_text(json.dumps(document), name="probe", label="probe.json")


def errors_of(document: dict[str, Any]) -> list[str]:
    return [f"{f.identifier}: {f.message}" for f in check(document) if f.severity == "error"]


def run(document: dict[str, Any], script: list[str] | None = None, **kw: Any) -> CallResult:
    engine = Engine(library_of(probe=document), invoker=LambdaInvoker(), center=StaticCenter())
    return engine.run_contact("probe", CallerScript(script or []), **kw)


def test_views_is_a_flow_data_namespace() -> None:
    # Given a flow that reads what a Show view block returned (AWS step-by-step guide samples:
    # $.Views.Action, $.Views.ViewResultData.FormData.x; adminguide/show-view-block)
    flow = doc(
        act(
            "save",
            "UpdateContactAttributes",
            {"Attributes": {"choice": "$.Views.ViewResultData.FormData.choice", "action": "$.Views.Action"}},
            nxt="bye",
            errors={"NoMatchingError": "bye"},
        ),
        SAY_BYE,
        END,
    )
    # Then the validator accepts the paths (it called Views an unknown namespace)
    assert errors_of(flow) == []
    # and, with no view shown, they resolve to nothing
    assert run(flow).attributes == {"choice": "", "action": ""}


FOREIGN = "arn:aws:connect:us-east-1:111122223333:instance/11111111-1111-1111-1111-111111111111"
QUEUE_ID = "22222222-2222-2222-2222-222222222222"
SORRY = act("sorry", "MessageParticipant", {"Text": "Sorry."}, nxt="end", errors={"NoMatchingError": "end"})


def working_queue_flow(queue: str) -> dict[str, Any]:
    return doc(
        act(
            "q", "UpdateContactTargetQueue", {"QueueId": queue}, nxt="x", errors={"NoMatchingError": "sorry"}
        ),
        act(
            "x",
            "TransferContactToQueue",
            nxt="sorry",
            errors={"QueueAtCapacity": "sorry", "NoMatchingError": "sorry"},
        ),
        SORRY,
        END,
    )


@pytest.mark.parametrize(
    ("queue", "problem"),
    [
        (
            "ENTER WORKING QUEUE ARN HERE",
            "QueueId 'ENTER WORKING QUEUE ARN HERE' is not the ID or ARN of a queue",
        ),
        ("arn:aws:lambda:us-east-1:111122223333:function:f", "is not the ID or ARN of a queue"),
        (f"{FOREIGN}/contact-flow/{QUEUE_ID}", "is not the ID or ARN of a queue"),
    ],
)
def test_a_static_queue_that_names_no_queue_is_an_error(queue: str, problem: str) -> None:
    # Given the AWS step-by-step guide samples' "ENTER WORKING QUEUE ARN HERE" (or another kind's ARN)
    flow = working_queue_flow(queue)
    # Then the validator refuses it, as Connect does ("QueueId: A queue ID or queue ARN",
    # contact-actions-updatecontacttargetqueue) ...
    assert any(problem in message for message in errors_of(flow)), errors_of(flow)
    # ... and a run takes the error branch instead of queueing the contact in "ENTER ... HERE"
    result = run(flow)
    assert result.path == ["q", "sorry", "end"]


@pytest.mark.parametrize(
    "queue", [QUEUE_ID, f"{FOREIGN}/queue/{QUEUE_ID}", f"{FOREIGN}/queue/agent/{QUEUE_ID}"]
)
def test_a_queue_id_or_any_instance_queue_arn_is_a_queue(queue: str) -> None:
    flow = working_queue_flow(queue)
    assert errors_of(flow) == []
    assert run(flow).how == "QUEUE"


def test_a_dynamic_queue_that_names_no_queue_takes_the_error_branch() -> None:
    # Given a working queue held in an attribute that holds no queue reference
    flow = working_queue_flow("$.Attributes.queue")
    assert errors_of(flow) == []
    # When the contact runs with "garbage" there, Then Connect cannot find it: the Error branch
    result = run(flow, attributes={"queue": "garbage"})
    assert result.path == ["q", "sorry", "end"]
    assert "'garbage' is not the ID or ARN of a queue" in result.steps[0].detail
    # and with a queue ARN there it queues
    assert run(flow, attributes={"queue": f"{FOREIGN}/queue/{QUEUE_ID}"}).how == "QUEUE"


@pytest.mark.parametrize(
    ("action", "problem"),
    [
        (
            act(
                "h",
                "CheckHoursOfOperation",
                {"HoursOfOperationId": "SELECT HOURS"},
                nxt="sorry",
                errors={"NoMatchingError": "sorry"},
                conditions=[("Equals", "True", "bye"), ("Equals", "False", "bye")],
            ),
            "HoursOfOperationId 'SELECT HOURS' is not the ID or ARN of an hours of operation",
        ),
        (
            act(
                "h",
                "TransferToFlow",
                {"ContactFlowId": "SELECT CONTACT FLOW"},
                nxt="sorry",
                errors={"NoMatchingError": "sorry"},
            ),
            "ContactFlowId 'SELECT CONTACT FLOW' is not the ID or ARN of a flow",
        ),
        (
            act(
                "h",
                "InvokeFlowModule",
                {"FlowModuleId": f"{FOREIGN}/queue/{QUEUE_ID}"},
                nxt="bye",
                errors={"NoMatchingError": "sorry"},
            ),
            "is not the ID or ARN of a flow module",
        ),
        (
            act(
                "h",
                "UpdateContactEventHooks",
                {"EventHooks": {"CustomerQueue": "SELECT FLOW"}},
                nxt="bye",
                errors={"NoMatchingError": "sorry"},
            ),
            "event hook CustomerQueue 'SELECT FLOW' is not the ID or ARN of a flow",
        ),
    ],
    ids=["hours", "flow", "module", "hook"],
)
def test_other_resources_that_name_nothing_are_errors_and_take_the_error_branch(
    action: dict[str, Any], problem: str
) -> None:
    flow = doc(action, SAY_BYE, SORRY, END)
    assert any(problem in message for message in errors_of(flow)), errors_of(flow)
    assert run(flow).path == ["h", "sorry", "end"]


def test_a_static_lambda_that_names_no_function_is_an_error() -> None:
    # Given the AWS Cases guide sample's "ENTER LAMBDA HERE"
    flow = doc(
        act(
            "l",
            "InvokeLambdaFunction",
            {"LambdaFunctionARN": "ENTER LAMBDA HERE", "InvocationTimeLimitSeconds": "3"},
            nxt="bye",
            errors={"NoMatchingError": "sorry"},
        ),
        SAY_BYE,
        SORRY,
        END,
    )
    # Then it is refused (interactions-invokelambdafunction: the function's ARN), and runs to Error
    assert "l: LambdaFunctionARN 'ENTER LAMBDA HERE' is not the ARN of a Lambda function" in errors_of(flow)
    assert run(flow).path == ["l", "sorry", "end"]


SILENT_DROP = doc(
    act(
        "set",
        "UpdateContactAttributes",
        {"Attributes": {"a": "1"}},
        nxt="bye",
        errors={"NoMatchingError": "end"},
    ),
    SAY_BYE,
    END,
)


def test_house_rules_are_warnings_on_someone_elses_flow() -> None:
    # Given a published flow that hangs up after an error without a word (AWS's own samples do):
    # Connect accepts it, so `flows validate` must not fail it ...
    findings = check(SILENT_DROP)
    assert [(f.severity, f.message) for f in findings] == [
        (
            "warning",
            "caller dropped: error NoMatchingError leads to DisconnectParticipant 'end' with no spoken"
            " message on the way",
        )
    ]


def test_house_rules_are_errors_on_our_flows() -> None:
    # ... while the same flow as one of CivicLine's own (a registry name) is an error
    findings = validate_text(json.dumps(SILENT_DROP), name="main-inbound", label="main-inbound.json")
    assert [f.severity for f in findings if "caller dropped" in f.message] == ["error"]


def _transfer_to(other: dict[str, Any]) -> CallResult:
    main = doc(
        act(
            "t",
            "TransferToFlow",
            {"ContactFlowId": local_arn("FLOW", "other")},
            nxt="sorry",
            errors={"NoMatchingError": "sorry"},
        ),
        SORRY,
        END,
    )
    engine = Engine(library_of(main=main, other=other), invoker=LambdaInvoker(), center=StaticCenter())
    return engine.run_contact("main", CallerScript([]))


OTHER_ACTIONS = (
    act(
        "hi",
        "MessageParticipant",
        {"Text": "Hello from the other flow."},
        nxt="end",
        errors={"NoMatchingError": "end"},
    ),
    END,
)


@pytest.mark.parametrize("flow_type", ["CUSTOMER_QUEUE", "AGENT_WHISPER", "CUSTOMER_HOLD"])
def test_transfer_to_a_flow_of_the_wrong_type_takes_the_error_branch(flow_type: str) -> None:
    # adminguide/transfer-to-flow: Error "if ... it's not a valid flow type (Inbound, Transfer to
    # Agent, or Transfer to Queue)"; the engine ran the queue or whisper flow as if it were inbound
    result = _transfer_to(doc(*OTHER_ACTIONS, type=flow_type))
    assert result.path == ["t", "sorry", "end"]
    assert f"other is a {flow_type} flow" in result.steps[0].detail


def test_transfer_to_a_module_takes_the_error_branch() -> None:
    module = {
        **doc(*OTHER_ACTIONS),
        "Settings": {"InputParameters": [], "OutputParameters": [], "Transitions": []},
    }
    assert _transfer_to(module).path == ["t", "sorry", "end"]


@pytest.mark.parametrize("flow_type", ["CONTACT_FLOW", "QUEUE_TRANSFER", "AGENT_TRANSFER", None])
def test_transfer_to_an_inbound_or_transfer_flow_runs_it(flow_type: str | None) -> None:
    # (None: an untyped export, whose type the engine infers; being transferred to makes it inbound)
    other = doc(*OTHER_ACTIONS, **({"type": flow_type} if flow_type else {}))
    result = _transfer_to(other)
    assert result.path == ["t", "hi", "end"]
    assert result.prompts == ["Hello from the other flow."]


def test_a_cdk_apps_double_angle_tokens_are_another_tools_placeholders() -> None:
    # customer-dynamics/c3-amazon-connect publishes flows whose ARNs are <<name>> tokens its CDK app
    # fills in: a template token (a warning), not a Lambda ARN that names nothing (an error)
    flow = doc(
        act(
            "l",
            "InvokeLambdaFunction",
            {"LambdaFunctionARN": "<<subjectLookupLambdaArn>>", "InvocationTimeLimitSeconds": "3"},
            nxt="bye",
            errors={"NoMatchingError": "bye"},
        ),
        SAY_BYE,
        END,
    )
    assert errors_of(flow) == []
    assert "unresolved template placeholder <<subjectLookupLambdaArn>> (another tool's syntax)" in [
        f.message for f in check(flow)
    ]


MODULE_SETTINGS = {"InputParameters": [], "OutputParameters": [], "Transitions": []}


def _module(*actions: dict[str, Any]) -> dict[str, Any]:
    return {**doc(*actions), "Settings": MODULE_SETTINGS}


def _invoke(module: str, nxt: str = "after") -> dict[str, Any]:
    return act(
        "call",
        "InvokeFlowModule",
        {"FlowModuleId": local_arn("FLOW", module)},
        nxt=nxt,
        errors={"NoMatchingError": "sorry"},
    )


def test_a_module_may_not_invoke_another_module() -> None:
    # contact-flow-modules, Limitations: "Modules do not allow invoking another module"; the
    # engine ran the inner module
    outer = _module(
        _invoke("inner", nxt="done"),
        act(
            "sorry",
            "MessageParticipant",
            {"Text": "Inner refused."},
            nxt="done",
            errors={"NoMatchingError": "done"},
        ),
        act("done", "EndFlowModuleExecution"),
    )
    inner = _module(
        act(
            "hi", "MessageParticipant", {"Text": "Inner ran."}, nxt="done", errors={"NoMatchingError": "done"}
        ),
        act("done", "EndFlowModuleExecution"),
    )
    main = doc(
        _invoke("outer"),
        act("after", "MessageParticipant", {"Text": "Back."}, nxt="end", errors={"NoMatchingError": "end"}),
        SORRY,
        END,
    )
    engine = Engine(
        library_of(main=main, outer=outer, inner=inner), invoker=LambdaInvoker(), center=StaticCenter()
    )
    result = engine.run_contact("main", CallerScript([]))
    assert result.prompts == ["Inner refused.", "Back."]
    # and the validator says so
    findings = validate_text(json.dumps(outer), name="outer", label="outer.json")
    assert any(
        "InvokeFlowModule is not supported in a CONTACT_FLOW_MODULE flow" in f.message for f in findings
    )


def test_a_module_neither_sees_nor_overrides_the_callers_wisdom_session() -> None:
    # contact-flow-modules, Limitations: "Wisdom attributes" are flow-local data of the invoking flow
    say = "Session: $.Wisdom.SessionArn."
    module = _module(
        act("hi", "MessageParticipant", {"Text": say}, nxt="new", errors={"NoMatchingError": "new"}),
        act(
            "new",
            "CreateWisdomSession",
            {"WisdomAssistantArn": "arn:aws:wisdom:us-east-1:111122223333:assistant/b"},
            nxt="done",
            errors={"NoMatchingError": "done"},
        ),
        act("done", "EndFlowModuleExecution"),
    )
    main = doc(
        act(
            "w",
            "CreateWisdomSession",
            {"WisdomAssistantArn": "arn:aws:wisdom:us-east-1:111122223333:assistant/a"},
            nxt="call",
            errors={"NoMatchingError": "sorry"},
        ),
        _invoke("mod"),
        act("after", "MessageParticipant", {"Text": say}, nxt="end", errors={"NoMatchingError": "end"}),
        SORRY,
        END,
    )
    engine = Engine(library_of(main=main, mod=module), invoker=LambdaInvoker(), center=StaticCenter())
    inside, after = engine.run_contact("main", CallerScript([])).prompts
    assert inside == "Session: ."
    # and after it returns the caller's own session (assistant a's), not the module's (b's)
    assert after.startswith("Session: arn:aws:wisdom:us-east-1:111122223333:session/a/"), after


KINDS = ("QUEUE", "AGENT", "FLOW", "MODULE", "HOURS")
SEGMENT = {
    "QUEUE": "queue",
    "AGENT": "agent",
    "FLOW": "contact-flow",
    "MODULE": "flow-module",
    "HOURS": "operating-hours",
}


@given(st.uuids(), st.uuids(), st.sampled_from(KINDS), st.sampled_from(KINDS))
def test_an_arn_names_only_its_own_kind_and_a_uuid_names_any(
    instance: uuid.UUID, resource: uuid.UUID, kind: str, asked: str
) -> None:
    # Property: "A queue ID or queue ARN": a bare UUID is an ID of any kind; an ARN names a
    # resource of its own kind only (a module may also be addressed by its contact-flow ARN)
    arn = f"arn:aws:connect:us-west-2:111122223333:instance/{instance}/{SEGMENT[kind]}/{resource}"
    assert names_resource(asked, str(resource))
    expected = kind == asked or (asked == "MODULE" and kind == "FLOW")
    assert names_resource(asked, arn) is expected


WORDS = st.text(alphabet=st.characters(blacklist_characters="%${}<> "), min_size=1, max_size=12)


@given(st.lists(WORDS, min_size=2, max_size=5))
def test_text_with_a_space_names_no_resource(words: list[str]) -> None:
    # "ENTER WORKING QUEUE ARN HERE" and every other such text: neither an ID nor an ARN
    text = " ".join(words)
    assert not any(names_resource(kind, text) for kind in KINDS)


def test_a_queue_of_our_own_instance_that_the_registry_lacks_names_nothing() -> None:
    # Given a flow naming a queue ARN of the engine's own instance (where the registry is the whole
    # truth) that no queue has: an unknown ARN, refused, and the run takes the error branch
    flow = working_queue_flow(local_arn("QUEUE", "no-such-queue"))
    assert any("is not the ID or ARN of a queue" in message for message in errors_of(flow)), errors_of(flow)
    assert run(flow).path == ["q", "sorry", "end"]
    # while a registry queue of the same instance is one
    assert run(working_queue_flow(local_arn("QUEUE", "general"))).how == "QUEUE"


def _view_flow() -> dict[str, Any]:
    # the shape of the 53 ShowView actions of AWS's step-by-step guides (Back/Next/Step conditions,
    # the three error branches), with what it returned saved to attributes
    return doc(
        {
            "Identifier": "view",
            "Type": "ShowView",
            "Parameters": {
                "ViewResource": {"Id": "arn:aws:connect:us-west-2:aws:view/form:1"},
                "InvocationTimeLimitSeconds": "2000",
                "ViewData": {"Heading": "Details"},
            },
            "Transitions": {
                "NextAction": "other",
                "Errors": [
                    {"ErrorType": "NoMatchingCondition", "NextAction": "other"},
                    {"ErrorType": "NoMatchingError", "NextAction": "failed"},
                    {"ErrorType": "TimeLimitExceeded", "NextAction": "late"},
                ],
                "Conditions": [
                    {"NextAction": "save", "Condition": {"Operator": "Equals", "Operands": ["Next"]}},
                    {"NextAction": "other", "Condition": {"Operator": "Equals", "Operands": ["Back"]}},
                ],
            },
        },
        act(
            "save",
            "UpdateContactAttributes",
            {"Attributes": {"action": "$.Views.Action", "city": "$.Views.ViewResultData.FormData.city"}},
            nxt="end",
            errors={"NoMatchingError": "end"},
        ),
        *(
            act(i, "MessageParticipant", {"Text": i}, nxt="end", errors={"NoMatchingError": "end"})
            for i in ("other", "failed", "late")
        ),
        END,
    )


def test_show_view_takes_the_action_the_person_at_the_view_chose() -> None:
    # participant-actions-showview: the result is "The result that the user selects"; its output is
    # $.Views.ViewResultData (the engine ended such contacts "not implemented")
    chosen = json.dumps({"Action": "Next", "Output": {"FormData": {"city": "Albany"}}})
    result = run(_view_flow(), [chosen], channel="CHAT")
    assert result.path == ["view", "save", "end"]
    assert result.attributes == {"action": "Next", "city": "Albany"}
    assert run(_view_flow(), ["Back"], channel="CHAT").path == ["view", "other", "end"]
    assert run(_view_flow(), ["Cancel"], channel="CHAT").path == ["view", "other", "end"]  # no condition


def test_show_view_without_a_response_is_the_time_limit_and_voice_is_the_error_branch() -> None:
    # "TimeLimitExceeded - if there is no response before the configured InvocationTimeLimitSeconds"
    assert run(_view_flow(), [], channel="CHAT").path == ["view", "late", "end"]
    # "This action is only supported on the chat channel"
    assert run(_view_flow(), ["Next"], channel="VOICE").path == ["view", "failed", "end"]
    # and the validator checks its three error branches and parameters
    assert [m for m in errors_of(_view_flow()) if "ShowView" in m or "view:" in m] == []
