"""Queue and routing actions: the working queue, queueing, callbacks' number, metrics, routing."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from civicline.engine.actions.common import E164_RE, integer, target_queue
from civicline.engine.actions.spec import (
    INBOUND_AND_TRANSFER,
    INBOUND_QUEUE_TRANSFER,
    NO_MATCHING_ERROR,
    VOICE,
    ActionSpec,
    Problem,
    action,
    fixed,
)
from civicline.engine.center import QueueMetrics
from civicline.engine.outcome import Outcome
from civicline.engine.references import as_text, is_reference
from schemas.flow_language import FlowAction

if TYPE_CHECKING:
    from civicline.engine.interpreter import Run

NONE = frozenset[str]()
QUEUE_PARAMS = frozenset({"QueueId", "AgentId"})
#: QueueId "A queue ID or queue ARN", AgentId "An agent ID or agent ARN" (contact-actions-*)
QUEUE_RESOURCES = (("QueueId", "QUEUE"), ("AgentId", "AGENT"))
_QUEUE_ERRORS = fixed("QueueAtCapacity", NO_MATCHING_ERROR)


def _exclusive_queue(act: FlowAction) -> Iterable[Problem]:
    if all(k in act.Parameters for k in QUEUE_PARAMS):
        yield Problem("QueueId and AgentId are mutually exclusive")


def _check_target(act: FlowAction) -> Iterable[Problem]:
    if not act.Parameters.get("QueueId") and not act.Parameters.get("AgentId"):
        yield Problem("UpdateContactTargetQueue needs QueueId or AgentId")
    yield from _exclusive_queue(act)


@action(
    ActionSpec(
        "UpdateContactTargetQueue",
        "queues",
        "contact-actions-updatecontacttargetqueue",
        flow_types=INBOUND_AND_TRANSFER,
        errors=fixed(NO_MATCHING_ERROR),
        single_path=QUEUE_PARAMS,
        resources=QUEUE_RESOURCES,
        operators=NONE,
        check=_check_target,
    )
)
def update_target_queue(run: Run, act: FlowAction) -> Outcome:
    target = target_queue(run, act.Parameters) if QUEUE_PARAMS & set(act.Parameters) else None
    if target is None:
        return Outcome.fail(detail="the queue reference resolved to nothing")
    run.contact.queue_arn, run.contact.queue_name = target
    run.note(f"working queue {target[1]}")
    return Outcome.ok()


def _check_transfer(act: FlowAction) -> Iterable[Problem]:
    if act.Parameters:
        yield Problem("TransferContactToQueue takes no parameters (set the working queue)", "warning")


@action(
    ActionSpec(
        "TransferContactToQueue",
        "queues",
        "contact-actions-transfercontacttoqueue",
        flow_types=INBOUND_AND_TRANSFER,
        errors=_QUEUE_ERRORS,
        operators=NONE,
        participant=True,  # nobody left to queue after the customer hung up
        leaves_on_success=True,
        check=_check_transfer,
    )
)
def transfer_to_queue(run: Run, act: FlowAction) -> Outcome:
    if run.contact.enqueued_at is not None:
        return Outcome.fail(detail="the contact is already queued")
    if not run.contact.queue_arn or not run.contact.queue_name:
        return Outcome.fail(detail="no working queue set")
    if run.center.at_capacity(run.contact.queue_name):
        return Outcome.fail("QueueAtCapacity", detail=f"queue {run.contact.queue_name} is at capacity")
    run.contact.enqueued_at = run.center.now()
    run.emit("QUEUED")
    return Outcome.end("QUEUE", detail=f"queued in {run.contact.queue_name}")


@action(
    ActionSpec(
        "DequeueContactAndTransferToQueue",
        "queues",
        "contact-actions-dequeuecontactandtransfertoqueue",
        flow_types=frozenset({"CUSTOMER_QUEUE"}),
        errors=_QUEUE_ERRORS,
        single_path=QUEUE_PARAMS,
        resources=QUEUE_RESOURCES,
        operators=NONE,
        participant=True,  # nobody left to queue after the customer hung up
        leaves_on_success=True,
        check=_exclusive_queue,
    )
)
def dequeue_and_transfer(run: Run, act: FlowAction) -> Outcome:
    target = target_queue(run, act.Parameters) if QUEUE_PARAMS & set(act.Parameters) else None
    if target is None:
        return Outcome.fail(detail="no target queue")
    if run.center.at_capacity(target[1]):
        return Outcome.fail("QueueAtCapacity", detail=f"queue {target[1]} is at capacity")
    run.contact.queue_arn, run.contact.queue_name = target
    run.contact.enqueued_at = run.center.now()
    run.emit("QUEUED")
    return Outcome.end("QUEUE", detail=f"transferred to queue {target[1]}")


def _check_callback_number(act: FlowAction) -> Iterable[Problem]:
    if not is_reference(act.Parameters.get("CallbackNumber")):
        yield Problem("CallbackNumber must be a JSONPath reference (e.g. $.StoredCustomerInput)")


@action(
    ActionSpec(
        "UpdateContactCallbackNumber",
        "queues",
        "contact-actions-updatecontactcallbacknumber",
        flow_types=INBOUND_QUEUE_TRANSFER,
        errors=fixed("InvalidCallbackNumber", "CallbackNumberNotDialable"),
        single_path=frozenset({"CallbackNumber"}),
        operators=NONE,
        check=_check_callback_number,
    )
)
def update_callback_number(run: Run, act: FlowAction) -> Outcome:
    number = run.resolve_text(act.Parameters.get("CallbackNumber", ""))
    if not E164_RE.match(number):
        return Outcome.fail("InvalidCallbackNumber", detail="not an E.164 number")
    run.contact.callback_number = number
    return Outcome.ok()


# -- metrics ------------------------------------------------------------------------------------

_STAFFING = {
    "NumberOfAgentsAvailable": "agents_available",
    "NumberOfAgentsStaffed": "agents_staffed",
    "NumberOfAgentsOnline": "agents_online",
}
_QUEUE_METRICS = frozenset({"OldestContactInQueueAgeSeconds", "NumberOfContactsInQueue"})


def _check_metric(act: FlowAction) -> Iterable[Problem]:
    metric = act.Parameters.get("MetricType")
    if metric not in set(_STAFFING) | _QUEUE_METRICS:
        yield Problem(f"MetricType {metric!r} is not documented")
        return
    for cond in act.Transitions.Conditions:
        c = cond.Condition
        if metric in _STAFFING and (c.Operator, c.Operands) != ("NumberGreaterThan", ["0"]):
            yield Problem(f"{metric} takes only the condition NumberGreaterThan '0'")
    yield from _exclusive_queue(act)


@action(
    ActionSpec(
        "CheckMetricData",
        "queues",
        "flow-control-actions-checkmetricdata",
        flow_types=INBOUND_QUEUE_TRANSFER,
        errors=fixed(NO_MATCHING_ERROR, "NoMatchingCondition", required=(NO_MATCHING_ERROR,)),
        static=frozenset({"MetricType"}),
        single_path=QUEUE_PARAMS,
        resources=QUEUE_RESOURCES,
        check=_check_metric,
    )
)
def check_metric_data(run: Run, act: FlowAction) -> Outcome:
    params = act.Parameters
    metric = str(params.get("MetricType", ""))
    target = target_queue(run, params)
    if target is None:
        return Outcome.fail(detail="no QueueId and no working queue")
    metrics = run.center.queue_metrics(target[1])
    if metric == "OldestContactInQueueAgeSeconds":
        # the operand is in milliseconds in real exports (reference 3.11)
        return Outcome.ok(str(round(metrics.oldest_age_seconds * 1000)))
    if metric == "NumberOfContactsInQueue":
        return Outcome.ok(str(metrics.size))
    if metric not in _STAFFING:
        return Outcome.fail(detail=f"unknown MetricType {metric!r}")
    return Outcome.ok(str(getattr(metrics, _STAFFING[metric])))


def queue_metrics_data(target: tuple[str, str], m: QueueMetrics, channel: str | None) -> dict[str, Any]:
    """``$.Metrics`` after GetMetricData (get-queue-metrics.html): the estimated wait time "would only
    return when there's one single channel provided"; "for agent-based metrics ... if there are no
    agents, no metrics are returned"."""
    queue: dict[str, Any] = {
        "Name": target[1],
        "ARN": target[0],
        "Size": str(m.size),
        "OldestContactAge": str(round(m.oldest_age_seconds)),
    }
    if channel:
        queue["EstimatedWaitTime"] = str(round(m.expected_wait_seconds))
    data: dict[str, Any] = {"Queue": queue}
    if m.agents_online > 0:
        data["Agents"] = {
            "Online": {"Count": str(m.agents_online)},
            "Available": {"Count": str(m.agents_available)},
            "Staffed": {"Count": str(m.agents_staffed)},
            "AfterContactWork": {"Count": "0"},
            "Busy": {"Count": str(max(m.agents_staffed - m.agents_available, 0))},
            "Missed": {"Count": "0"},
            "NonProductive": {"Count": str(max(m.agents_online - m.agents_staffed, 0))},
        }
    return data


@action(
    ActionSpec(
        "GetMetricData",
        "queues",
        "flow-control-actions-getmetricdata",
        errors=fixed(NO_MATCHING_ERROR),
        single_path=QUEUE_PARAMS,
        resources=QUEUE_RESOURCES,
        operators=NONE,
        check=_exclusive_queue,
    )
)
def get_metric_data(run: Run, act: FlowAction) -> Outcome:
    params = act.Parameters
    target = target_queue(run, params)
    if target is None:
        return Outcome.fail(detail="no QueueId and no working queue")
    channel = run.text(params["QueueChannel"]) if params.get("QueueChannel") else None
    if channel is not None and channel.upper() not in ("VOICE", "CHAT", "TASK", "EMAIL"):
        return Outcome.fail(detail=f"QueueChannel {channel!r} is not a channel")
    run.contact.metrics = queue_metrics_data(target, run.center.queue_metrics(target[1]), channel)
    if channel is None:
        run.note("all channels: no EstimatedWaitTime (Connect returns it for one channel only)")
    return Outcome.ok()


# -- routing ------------------------------------------------------------------------------------


def _check_routing(act: FlowAction) -> Iterable[Problem]:
    params = act.Parameters
    given = [k for k in ("QueuePriority", "QueueTimeAdjustmentSeconds") if k in params]
    if len(given) != 1:
        yield Problem("give exactly one of QueuePriority or QueueTimeAdjustmentSeconds")
    if "QueuePriority" in params and integer(params["QueuePriority"], 0) < 1:
        yield Problem(f"QueuePriority {params['QueuePriority']!r} is not a positive integer")


@action(
    ActionSpec(
        "UpdateContactRoutingBehavior",
        "queues",
        "contact-actions-updatecontactroutingbehavior",
        flow_types=INBOUND_QUEUE_TRANSFER,
        errors=fixed(),
        static=frozenset({"QueuePriority", "QueueTimeAdjustmentSeconds"}),
        operators=NONE,
        check=_check_routing,
    )
)
def update_routing(run: Run, act: FlowAction) -> Outcome:
    for key in ("QueuePriority", "QueueTimeAdjustmentSeconds"):
        if key in act.Parameters:
            run.contact.routing[key] = as_text(run.resolve(act.Parameters[key]))
    return Outcome.ok()


def _routing_criteria(run: Run, act: FlowAction) -> Outcome:
    criteria = run.resolve(act.Parameters.get("RoutingCriteria"))
    steps = criteria.get("Steps") if isinstance(criteria, dict) else None
    if not isinstance(steps, list):
        return Outcome.fail(detail="RoutingCriteria.Steps is not a list")
    run.contact.routing_criteria = {"Steps": steps}
    run.note(f"routing criteria: {len(steps)} step(s)")
    return Outcome.ok()


for _name in ("UpdateContactRoutingCriteria", "UpdateRoutingCriteria"):
    # the page spells it UpdateRoutingCriteria; real exports use UpdateContactRoutingCriteria
    action(
        ActionSpec(
            _name,
            "queues",
            "flow-control-actions-updateroutingcriteria",
            errors=fixed(NO_MATCHING_ERROR),
            operators=NONE,
        )
    )(_routing_criteria)


@action(
    ActionSpec(
        "TransferContactToAgent",
        "queues",
        "contact-actions-transfercontacttoagent",
        flow_types=frozenset({"AGENT_TRANSFER", "QUEUE_TRANSFER"}),
        channels=VOICE,
        errors=fixed(),
        operators=NONE,
        participant=True,  # nobody left to queue after the customer hung up
        terminal=True,
    )
)
def transfer_to_agent(run: Run, act: FlowAction) -> Outcome:
    agent = run.contact.queue_name or "the agent of the transfer"
    return Outcome.end("TRANSFER_AGENT", detail=f"transferred to {agent}")
