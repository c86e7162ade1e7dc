"""Flow-control actions (devguide flow-control-actions): they choose the path through the flows."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from civicline.engine.actions.common import integer
from civicline.engine.actions.spec import (
    AT,
    CF,
    INBOUND_AND_TRANSFER,
    INBOUND_QUEUE_TRANSFER,
    MODULE,
    NO_MATCHING_ERROR,
    QT,
    ActionSpec,
    Problem,
    action,
    fixed,
)
from civicline.engine.arns import hours_from_arn, kind_of_arn, name_from_arn
from civicline.engine.conditions import as_number
from civicline.engine.outcome import Outcome
from civicline.engine.references import as_text, is_reference
from civicline.engine.result import HANGUP
from infra.registry import QUEUES_BY_NAME
from schemas.flow_language import FlowAction

#: the contact's flow-local data a module neither sees nor overrides (contact-flow-modules,
#: Limitations: External, Lex and Wisdom attributes, queue metrics, stored customer input)
FLOW_LOCAL = ("external", "stored_input", "metrics", "lex", "wisdom")
#: the flow types TransferToFlow may go to (adminguide/transfer-to-flow)
TRANSFER_TARGETS = frozenset({CF, AT, QT})

if TYPE_CHECKING:
    from civicline.engine.interpreter import Run

NONE = frozenset[str]()
#: flow-control-actions-loop: LoopCount 0..100
MAX_LOOP_COUNT = 100
#: the flow types where EndFlowExecution lets the contact go on (flow-control-actions-endflowexecution:
#: "only in whisper flows and customer queue flows"); used to infer an untyped flow's type
END_FLOW_TYPES = frozenset(
    {"CUSTOMER_QUEUE", "CUSTOMER_WHISPER", "AGENT_WHISPER", "OUTBOUND_WHISPER", "CUSTOMER_HOLD", "AGENT_HOLD"}
)


def _check_compare(act: FlowAction) -> Iterable[Problem]:
    if not is_reference(act.Parameters.get("ComparisonValue")):
        yield Problem("ComparisonValue must be one JSONPath reference")
    if not act.Transitions.Conditions:
        yield Problem("Compare has no conditions", "warning")


@action(
    ActionSpec(
        "Compare",
        "flow control",
        "flow-control-actions-compare",
        errors=fixed("NoMatchingCondition"),
        single_path=frozenset({"ComparisonValue"}),
        check=_check_compare,
    )
)
def compare(run: Run, act: FlowAction) -> Outcome:
    return Outcome.ok(as_text(run.resolve(act.Parameters.get("ComparisonValue", ""))))


@action(
    ActionSpec(
        "CheckHoursOfOperation",
        "flow control",
        "flow-control-actions-checkhoursofoperation",
        flow_types=INBOUND_QUEUE_TRANSFER,
        errors=fixed(NO_MATCHING_ERROR),
        single_path=frozenset({"HoursOfOperationId"}),
        resources=(("HoursOfOperationId", "HOURS"),),
        operators=frozenset({"Equals"}),
        outcomes=frozenset({"True", "False"}),
    )
)
def check_hours(run: Run, act: FlowAction) -> Outcome:
    params = act.Parameters
    if params.get("HoursOfOperationId"):
        arn = run.resolve_text(params["HoursOfOperationId"])
        hours = hours_from_arn(arn) or name_from_arn(arn)
    elif run.contact.queue_name:
        spec = QUEUES_BY_NAME.get(run.contact.queue_name)
        hours = spec.hours if spec else "main"
    else:
        return Outcome.fail(detail="no HoursOfOperationId and no working queue")
    is_open = run.center.is_open(hours)
    run.note(f"hours {hours}: {'open' if is_open else 'closed'}")
    return Outcome.ok("True" if is_open else "False")


@action(
    ActionSpec(
        "UpdateFlowAttributes",
        "flow control",
        "flow-control-actions-updateflowattributes",
        errors=fixed(NO_MATCHING_ERROR, required=()),
        operators=NONE,
    )
)
def update_flow_attributes(run: Run, act: FlowAction) -> Outcome:
    values = act.Parameters.get("FlowAttributes") or {}
    if not isinstance(values, dict) or run.frame is None:
        return Outcome.fail(detail="FlowAttributes is not an object")
    for key, spec in values.items():
        raw = spec.get("Value", "") if isinstance(spec, dict) else spec
        run.frame.flow_attributes[str(key)] = run.text(raw)
    return Outcome.ok()


def _check_loop(act: FlowAction) -> Iterable[Problem]:
    count = act.Parameters.get("LoopCount")
    if count is not None and not is_reference(count) and not 0 <= integer(count, -1) <= MAX_LOOP_COUNT:
        yield Problem(f"LoopCount {count!r} is outside 0-{MAX_LOOP_COUNT}")


@action(
    ActionSpec(
        "Loop",
        "flow control",
        "flow-control-actions-loop",
        errors=fixed(NO_MATCHING_ERROR, required=()),
        single_path=frozenset({"LoopCount"}),
        operators=frozenset({"Equals"}),
        outcomes=frozenset({"ContinueLooping", "DoneLooping"}),
        check=_check_loop,
    )
)
def loop(run: Run, act: FlowAction) -> Outcome:
    """The counter belongs to this action of this flow ("the same Action Identifier" within a flow):
    two flows with a Loop of the same identifier count separately."""
    count = min(max(integer(run.resolve(act.Parameters.get("LoopCount", "0")), 0), 0), MAX_LOOP_COUNT)
    key = f"{run.flow.name}/{act.Identifier}"
    done = run.contact.loop_counters.get(key, 0)
    if done < count:
        run.contact.loop_counters[key] = done + 1
        return Outcome.ok("ContinueLooping")
    run.contact.loop_counters.pop(key, None)
    return Outcome.ok("DoneLooping")


def _check_distribution(act: FlowAction) -> Iterable[Problem]:
    previous = 0
    for cond in act.Transitions.Conditions:
        c = cond.Condition
        if c.Operator != "NumberLessThan":
            yield Problem(f"DistributeByPercentage uses NumberLessThan, not {c.Operator}")
            continue
        value = as_number(str(c.Operands[0])) if c.Operands else None
        if value is None:
            yield Problem(f"threshold {c.Operands!r} is not a number")
            continue
        if value <= previous or value > 101:
            yield Problem(f"threshold {value} is not increasing within 1-101")
        previous = int(value)


@action(
    ActionSpec(
        "DistributeByPercentage",
        "flow control",
        "flow-control-actions-distributebypercentage",
        flow_types=INBOUND_QUEUE_TRANSFER,
        errors=fixed("NoMatchingCondition"),
        operators=frozenset({"NumberLessThan"}),
        check=_check_distribution,
    )
)
def distribute_by_percentage(run: Run, act: FlowAction) -> Outcome:
    return Outcome.ok(str(run.rng.randint(1, 100)))


def _check_wait(act: FlowAction) -> Iterable[Problem]:
    if "TimeoutSeconds" in act.Parameters:
        yield Problem("Wait takes TimeLimitSeconds (the service rejects TimeoutSeconds)", "warning")


@action(
    ActionSpec(
        "Wait",
        "flow control",
        "flow-control-actions-wait",
        # adminguide/wait.html: chat, task and e-mail Yes; voice only with "keep running while
        # waiting" (not expressible in the action's parameters): the voice contact takes the error
        channels=frozenset({"CHAT", "TASK", "EMAIL"}),
        errors=fixed(NO_MATCHING_ERROR, "ParticipantNotFound", required=(NO_MATCHING_ERROR,)),
        operators=frozenset({"Equals"}),
        check=_check_wait,
        notes=(
            "https://docs.aws.amazon.com/connect/latest/APIReference/flow-control-actions-wait.html",
            "https://docs.aws.amazon.com/connect/latest/adminguide/wait.html",
        ),
    )
)
def wait(run: Run, act: FlowAction) -> Outcome:
    """WaitCompleted when the time elapses; CustomerReturned when that event is listed and the
    customer sends a message meanwhile (a chat customer's next typed message, which it consumes)."""
    events = act.Parameters.get("Events") or []
    if run.contact.channel == "CHAT" and run.participant and "CustomerReturned" in events:
        entry = (run.script.next("") or "").strip()
        if entry == HANGUP:
            return Outcome.end(
                "DISCONNECT", detail="the customer ended the chat", reason="CUSTOMER_DISCONNECT"
            )
        if entry:
            run.heard(entry)
            return Outcome.ok("CustomerReturned")
        run.note("no message from the customer before the time limit")
    return Outcome.ok("WaitCompleted")


@action(
    ActionSpec(
        "UpdateFlowLoggingBehavior",
        "flow control",
        "flow-control-actions-updateflowloggingbehavior",
        errors=fixed(),
        static=frozenset({"FlowLoggingBehavior"}),
        operators=NONE,
        check=lambda act: (
            [Problem("FlowLoggingBehavior must be Enabled or Disabled")]
            if act.Parameters.get("FlowLoggingBehavior") not in ("Enabled", "Disabled")
            else []
        ),
    )
)
def update_logging(run: Run, act: FlowAction) -> Outcome:
    run.contact.logging = str(act.Parameters.get("FlowLoggingBehavior", "Enabled"))
    return Outcome.ok()


@action(
    ActionSpec(
        "TransferToFlow",
        "flow control",
        "flow-control-actions-transfertoflow",
        flow_types=INBOUND_AND_TRANSFER,
        errors=fixed(NO_MATCHING_ERROR),
        single_path=frozenset({"ContactFlowId"}),
        resources=(("ContactFlowId", "FLOW"),),
        operators=NONE,
        leaves_on_success=True,
    )
)
def transfer_to_flow(run: Run, act: FlowAction) -> Outcome:
    """adminguide/transfer-to-flow: the Error branch "if the flow you have specified to transfer to
    isn't a valid flow, or it's not a valid flow type (Inbound, Transfer to Agent, or Transfer to
    Queue)". A target whose type was only inferred from its actions is run as an inbound flow: being
    transferred to is the better evidence."""
    target = run.resolve_text(act.Parameters.get("ContactFlowId", ""))
    if not target or is_reference(target):
        return Outcome.fail(detail="ContactFlowId resolved to nothing")
    flow = run.library.by_arn(target)
    if flow is not None and flow.flow_type not in TRANSFER_TARGETS:
        if not flow.type_inferred:
            return Outcome.fail(
                detail=f"{flow.name} is a {flow.flow_type} flow: TransferToFlow goes to inbound and"
                " transfer flows only"
            )
        flow = flow.as_type(CF, "the target of a TransferToFlow")
    if flow is not None:
        run.note(f"to {flow.name}")
        return Outcome.transfer(flow)
    if kind_of_arn(target) == "FLOW" or "${" in target or "{{" in target:
        return Outcome.end(
            "TRANSFER_FLOW", detail="transferred to a flow outside the library", to=name_from_arn(target)
        )
    return Outcome.fail(detail=f"no flow {target!r}")


@action(
    ActionSpec(
        "EndFlowExecution",
        "flow control",
        "flow-control-actions-endflowexecution",
        errors=fixed(),
        operators=NONE,
        terminal=True,
        implies=END_FLOW_TYPES,
    )
)
def end_flow_execution(run: Run, act: FlowAction) -> Outcome:
    flow_type = run.flow.flow_type
    if run.disconnected:
        return Outcome.end("END", detail="disconnect flow ended")
    if flow_type == "CUSTOMER_QUEUE":
        return Outcome.end("QUEUE", detail="queue flow ended; the contact keeps waiting")
    if flow_type in END_FLOW_TYPES:
        return Outcome.end("END", detail=f"{flow_type.lower()} flow ended; the contact goes on")
    if run.contact.enqueued_at is not None:
        return Outcome.end("QUEUE", detail="flow ended; the contact stays queued")
    return Outcome.end("DISCONNECT", detail="flow ended before the contact was queued")


@action(
    ActionSpec(
        "InvokeFlowModule",
        "flow control",
        "flow-language-actions-invoke-flow-module",
        # "only supports Inbound flow types"; contact-flow-modules, Limitations: "Modules do not
        # allow invoking another module"
        flow_types=frozenset({CF}),
        errors=fixed(NO_MATCHING_ERROR),
        single_path=frozenset({"FlowModuleId"}),
        resources=(("FlowModuleId", "MODULE"),),
        operators=NONE,
    )
)
def invoke_flow_module(run: Run, act: FlowAction) -> Outcome:
    """contact-flow-modules, Limitations: "Modules do not allow overriding flow local data of the
    invoking flow" (External, Lex and Wisdom attributes, queue metrics, stored customer input): the
    module starts without them and the caller's are restored when it returns."""
    target = run.resolve_text(act.Parameters.get("FlowModuleId", ""))
    module = run.library.by_arn(target) if target else None
    if module is None:
        return Outcome.fail(detail=f"no flow module {target!r} in the library")
    contact = run.contact
    saved = {name: getattr(contact, name) for name in FLOW_LOCAL}
    for name in FLOW_LOCAL:
        setattr(contact, name, {} if name == "external" else None)
    try:
        outcome = run.execute(module)
    finally:
        for name, value in saved.items():
            setattr(contact, name, value)
    if outcome.kind == "return":
        return Outcome.ok()
    return outcome


@action(
    ActionSpec(
        "EndFlowModuleExecution",
        "flow control",
        "endflowmoduleexecution",
        flow_types=frozenset({MODULE}),
        errors=fixed(),
        operators=NONE,
        terminal=True,
    )
)
def end_flow_module(run: Run, act: FlowAction) -> Outcome:
    return Outcome.module_return()
