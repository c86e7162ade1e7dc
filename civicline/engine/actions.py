"""The action types the engine implements, one function each (reference section 3).

Each function takes the run and the action and returns an :class:`Outcome`: ``ok`` (with the
action's result value when it has one), ``error`` (an ErrorType), ``end`` (the contact leaves the
flows), ``transfer`` (continue in another flow) or ``return`` (a module finished). An action type not
in :data:`ACTIONS` stops the contact with a clear error naming it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from civicline.engine.arns import (
    function_from_arn,
    hours_from_arn,
    kind_of_arn,
    name_from_arn,
    queue_from_arn,
)
from civicline.engine.contact import CallbackRequest
from civicline.engine.events import lambda_event
from civicline.engine.outcome import Outcome
from civicline.engine.references import as_text, is_reference, strip_ssml
from civicline.engine.result import HANGUP
from infra.registry import QUEUES_BY_NAME
from schemas.connect_lambda import MAX_ATTRIBUTES_BYTES
from schemas.flow_language import FlowAction

if TYPE_CHECKING:
    from civicline.engine.interpreter import Run


Action = Callable[["Run", FlowAction], Outcome]
ACTIONS: dict[str, Action] = {}

_QUEUE_FLOW_TYPES = {"CUSTOMER_QUEUE"}
_WHISPER_TYPES = {"CUSTOMER_WHISPER", "AGENT_WHISPER", "OUTBOUND_WHISPER", "CUSTOMER_HOLD", "AGENT_HOLD"}
E164_RE = re.compile(r"^\+[1-9]\d{6,14}$")
#: calling codes for PhoneNumberValidation NumberFormat Local (the ones a US public hotline meets)
CALLING_CODES = {"US": "1", "CA": "1", "PR": "1", "MX": "52", "GB": "44", "ES": "34", "DE": "49", "FR": "33"}


def action(name: str) -> Callable[[Action], Action]:
    def register(fn: Action) -> Action:
        ACTIONS[name] = fn
        return fn

    return register


def not_implemented(act: FlowAction) -> Outcome:
    return Outcome.end("ERROR", detail=f"action type {act.Type} is not implemented by the CivicLine engine")


def _flag(value: Any) -> bool:
    return str(value).strip().lower() == "true"


def _int(value: Any, default: int) -> int:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return default


def _prompt_text(run: Run, params: dict[str, Any]) -> str:
    """What a message source says: Text / SSML (tags stripped) / a prompt or audio placeholder."""
    if "Text" in params:
        return run.text(params["Text"])
    if "SSML" in params:
        return strip_ssml(run.text(params["SSML"]))
    if "PromptId" in params:
        return f"[prompt {name_from_arn(run.resolve_text(params['PromptId']))}]"
    media = params.get("Media")
    if isinstance(media, dict):
        return f"[audio {media.get('Uri', '')}]"
    return ""


def _queue_name(arn: str) -> str:
    return queue_from_arn(arn) or name_from_arn(arn)


def _target_queue(run: Run, params: dict[str, Any]) -> tuple[str, str] | None:
    """(arn, name) of ``QueueId`` when given, else the working queue; ``None`` when neither."""
    if params.get("QueueId"):
        arn = run.resolve_text(params["QueueId"])
        return (arn, _queue_name(arn)) if arn else None
    if params.get("AgentId"):
        agent = run.resolve_text(params["AgentId"])
        return (agent, f"agent/{name_from_arn(agent)}") if agent else None
    if run.contact.queue_arn and run.contact.queue_name:
        return run.contact.queue_arn, run.contact.queue_name
    return None


# -- participant actions ----------------------------------------------------------------------


@action("MessageParticipant")
def message_participant(run: Run, act: FlowAction) -> Outcome:
    params = act.Parameters
    if not any(key in params for key in ("Text", "SSML", "PromptId", "Media")):
        return Outcome.fail(detail="no message source (Text, SSML, PromptId or Media)")
    run.say(_prompt_text(run, params))
    return Outcome.ok()


@action("GetParticipantInput")
def get_participant_input(run: Run, act: FlowAction) -> Outcome:
    params = act.Parameters
    if run.contact.channel != "VOICE":
        return Outcome.fail(detail="GetParticipantInput (DTMF) is voice only")
    prompt = _prompt_text(run, params)
    run.say(prompt)
    entry = (run.script.next(prompt) or "").strip()
    if entry == HANGUP:
        return Outcome.end("DISCONNECT", detail="the caller hung up", reason="CUSTOMER_DISCONNECT")
    if not _flag(params.get("StoreInput", "False")):
        if not entry:
            run.note("no key pressed")
            return Outcome.fail("InputTimeLimitExceeded")
        run.heard(entry)
        return Outcome.ok(entry[0])  # Connect takes one key in menu mode
    return _store_input(run, params, entry)


def _store_input(run: Run, params: dict[str, Any], entry: str) -> Outcome:
    if not entry:
        run.contact.stored_input = "Timeout"  # reference 3.2: timeout takes Success, value "Timeout"
        run.note("no digits: stored 'Timeout'")
        return Outcome.ok()
    run.heard(entry)
    digits = entry.split("#", 1)[0]
    validation = params.get("InputValidation") or {}
    phone = validation.get("PhoneNumberValidation") if isinstance(validation, dict) else None
    custom = validation.get("CustomValidation") if isinstance(validation, dict) else None
    if isinstance(phone, dict):
        number = phone_number(
            digits, str(phone.get("NumberFormat", "E164")), str(phone.get("CountryCode", ""))
        )
        if number is None:
            return Outcome.fail("InvalidPhoneNumber", detail=f"{len(digits)} digits are not a valid number")
        run.contact.stored_input = number
        return Outcome.ok()
    if isinstance(custom, dict):
        limit = _int(custom.get("MaximumLength"), 20)
        digits = digits[:limit]
    run.contact.stored_input = digits
    return Outcome.ok()


def phone_number(digits: str, number_format: str, country: str) -> str | None:
    """E.164 from keyed digits: ``Local`` + country (US: 10 digits, or 11 starting with 1), or E164."""
    digits = digits.strip().lstrip("+")
    if not digits.isdigit():
        return None
    if number_format.lower() == "local":
        code = CALLING_CODES.get(country.upper())
        if code is None:
            return None
        if code == "1":
            if len(digits) == 11 and digits.startswith("1"):
                digits = digits[1:]
            if len(digits) != 10 or digits[0] in "01":
                return None
            return "+1" + digits
        digits = digits.removeprefix("0")
        number = f"+{code}{digits}"
    else:
        number = "+" + digits
    return number if E164_RE.match(number) else None


@action("MessageParticipantIteratively")
def message_participant_iteratively(run: Run, act: FlowAction) -> Outcome:
    if run.contact.channel != "VOICE":
        return Outcome.fail(detail="loop prompts: chat takes the error branch")
    messages = act.Parameters.get("Messages") or []
    for message in messages if isinstance(messages, list) else []:
        if isinstance(message, dict):
            run.say(_prompt_text(run, message))
    frequency = _int(act.Parameters.get("InterruptFrequencySeconds"), 0)
    if frequency <= 0:
        return Outcome.end("QUEUE", detail="waiting in queue (loop prompts without interruption)")
    count = run.interrupts.get(act.Identifier, 0)
    if count >= run.max_loops:
        return Outcome.end("QUEUE", detail=f"still waiting after {count} interrupt cycles")
    run.interrupts[act.Identifier] = count + 1
    return Outcome.ok("MessagesInterrupted")


@action("DisconnectParticipant")
def disconnect_participant(run: Run, act: FlowAction) -> Outcome:
    return Outcome.end("DISCONNECT", detail="disconnected by the flow")


@action("TransferParticipantToThirdParty")
def transfer_to_third_party(run: Run, act: FlowAction) -> Outcome:
    number = run.resolve_text(act.Parameters.get("ThirdPartyPhoneNumber", ""))
    if not E164_RE.match(number):
        return Outcome.fail("CallFailed", detail=f"not an E.164 number: {number!r}")
    return Outcome.end("TRANSFER_PHONE", detail="transferred to an external number", number=number)


# -- interactions -----------------------------------------------------------------------------


@action("InvokeLambdaFunction")
def invoke_lambda(run: Run, act: FlowAction) -> Outcome:
    params = act.Parameters
    arn = run.text(params.get("LambdaFunctionARN", ""))
    raw_attributes = params.get("LambdaInvocationAttributes") or {}
    parameters = (
        {str(k): run.text(v) for k, v in raw_attributes.items()} if isinstance(raw_attributes, dict) else {}
    )
    limit = min(max(_int(params.get("InvocationTimeLimitSeconds"), 8), 1), 8)
    response_type = "STRING_MAP"
    validation = params.get("ResponseValidation")
    if isinstance(validation, dict) and validation.get("ResponseType"):
        response_type = str(validation["ResponseType"])
    function = function_from_arn(arn)
    call: dict[str, Any] = {
        "function": function or name_from_arn(arn) or arn,
        "parameters": parameters,
        "result": None,
        "error": None,
        "attempts": 0,
    }
    run.result.lambda_calls.append(call)
    if run.result.steps:
        run.result.steps[-1].call = call
    if function is None:
        call["error"] = "UNKNOWN_FUNCTION"
        run.contact.external = {}
        return Outcome.fail(detail=f"no registry function behind {arn!r}")
    outcome = run.invoker.invoke(
        function, lambda_event(run.contact, parameters), timeout_seconds=limit, response_type=response_type
    )
    call.update(result=outcome.result, error=outcome.error, attempts=outcome.attempts)
    call["elapsed_ms"] = round(outcome.elapsed_seconds * 1000, 3)
    if outcome.detail:
        call["detail"] = outcome.detail
    if outcome.result is None:
        run.contact.external = {}  # chosen: $.External is cleared when a call fails (UNCONFIRMED)
        return Outcome.fail(detail=f"{function}: {outcome.error}")
    run.contact.external = outcome.result
    return Outcome.ok()


@action("CreateCallbackContact")
def create_callback(run: Run, act: FlowAction) -> Outcome:
    params = act.Parameters
    target = _target_queue(run, params)
    if target is None:
        return Outcome.fail(detail="no queue for the callback (QueueId or working queue)")
    number = run.contact.callback_number or run.contact.caller_number
    if not number:
        return Outcome.fail(detail="no callback number")
    run.contact.callback = CallbackRequest(
        queue=target[1],
        number=number,
        delay_seconds=_int(params.get("InitialCallDelaySeconds"), 0),
        max_attempts=_int(params.get("MaximumConnectionAttempts"), 1),
        retry_delay_seconds=_int(params.get("RetryDelaySeconds"), 0),
    )
    return Outcome.ok()


@action("TagContact")
def tag_contact(run: Run, act: FlowAction) -> Outcome:
    tags = act.Parameters.get("Tags") or {}
    if not isinstance(tags, dict):
        return Outcome.fail(detail="Tags is not an object")
    run.contact.tags.update({str(k): run.text(v) for k, v in tags.items()})
    return Outcome.ok()


@action("UntagContact")
def untag_contact(run: Run, act: FlowAction) -> Outcome:
    for key in act.Parameters.get("TagKeys") or []:
        run.contact.tags.pop(str(key), None)
    return Outcome.ok()


# -- contact actions --------------------------------------------------------------------------


@action("UpdateContactAttributes")
def update_contact_attributes(run: Run, act: FlowAction) -> Outcome:
    values = act.Parameters.get("Attributes") or {}
    if not isinstance(values, dict):
        return Outcome.fail(detail="Attributes is not an object")
    resolved = {str(k): run.text(v) for k, v in values.items()}  # all-or-nothing
    merged = {**run.contact.attributes, **resolved}
    size = len(json.dumps(merged, ensure_ascii=False).encode("utf-8"))
    if size > MAX_ATTRIBUTES_BYTES:
        return Outcome.fail(detail=f"contact attributes would be {size} bytes; the limit is 32 KB")
    changed = merged != run.contact.attributes
    run.contact.attributes = merged
    if changed:
        run.emit("CONTACT_DATA_UPDATED", attributes=dict(merged), updatedProperties=["UserDefinedAttributes"])
    return Outcome.ok()


@action("UpdateFlowAttributes")
def update_flow_attributes(run: Run, act: FlowAction) -> Outcome:
    values = act.Parameters.get("FlowAttributes") or {}
    if not isinstance(values, dict) or run.frame is None:
        return Outcome.fail(detail="FlowAttributes is not an object")
    for key, spec in values.items():
        raw = spec.get("Value", "") if isinstance(spec, dict) else spec
        run.frame.flow_attributes[str(key)] = run.text(raw)
    return Outcome.ok()


@action("UpdateContactTargetQueue")
def update_target_queue(run: Run, act: FlowAction) -> Outcome:
    params = act.Parameters
    if not params.get("QueueId") and not params.get("AgentId"):
        return Outcome.fail(detail="neither QueueId nor AgentId")
    target = _target_queue(run, params)
    if target is None:
        return Outcome.fail(detail="the queue reference resolved to nothing")
    run.contact.queue_arn, run.contact.queue_name = target
    run.note(f"working queue {target[1]}")
    return Outcome.ok()


@action("TransferContactToQueue")
def transfer_to_queue(run: Run, act: FlowAction) -> Outcome:
    if run.flow.flow_type in _QUEUE_FLOW_TYPES:
        return Outcome.fail(detail="already queued: use DequeueContactAndTransferToQueue in a queue flow")
    if not run.contact.queue_arn or not run.contact.queue_name:
        return Outcome.fail(detail="no working queue set")
    if run.center.at_capacity(run.contact.queue_name):
        return Outcome.fail("QueueAtCapacity", detail=f"queue {run.contact.queue_name} is at capacity")
    run.contact.enqueued_at = run.center.now()
    run.emit("QUEUED")
    return Outcome.end("QUEUE", detail=f"queued in {run.contact.queue_name}")


@action("DequeueContactAndTransferToQueue")
def dequeue_and_transfer(run: Run, act: FlowAction) -> Outcome:
    target = _target_queue(run, act.Parameters) if act.Parameters.get("QueueId") else None
    if target is None:
        return Outcome.fail(detail="no target queue")
    if run.center.at_capacity(target[1]):
        return Outcome.fail("QueueAtCapacity", detail=f"queue {target[1]} is at capacity")
    run.contact.queue_arn, run.contact.queue_name = target
    run.contact.enqueued_at = run.center.now()
    run.emit("QUEUED")
    return Outcome.end("QUEUE", detail=f"transferred to queue {target[1]}")


@action("UpdateContactEventHooks")
def update_event_hooks(run: Run, act: FlowAction) -> Outcome:
    hooks = act.Parameters.get("EventHooks") or {}
    if not isinstance(hooks, dict) or not hooks:
        return Outcome.fail(detail="EventHooks is empty")
    for hook, target in hooks.items():
        arn = run.text(target)
        flow = run.library.by_arn(arn)
        run.contact.event_hooks[str(hook)] = flow.name if flow else name_from_arn(arn)
        run.note(f"{hook} = {run.contact.event_hooks[str(hook)]}")
    return Outcome.ok()


@action("UpdateContactCallbackNumber")
def update_callback_number(run: Run, act: FlowAction) -> Outcome:
    number = run.resolve_text(act.Parameters.get("CallbackNumber", ""))
    if not E164_RE.match(number):
        return Outcome.fail("InvalidCallbackNumber", detail="not an E.164 number")
    run.contact.callback_number = number
    return Outcome.ok()


@action("UpdateContactData")
def update_contact_data(run: Run, act: FlowAction) -> Outcome:
    params = act.Parameters
    contact = run.contact
    if "LanguageCode" in params:
        contact.language = run.text(params["LanguageCode"]) or contact.language
    if "Name" in params:
        contact.name = run.text(params["Name"])
    if "Description" in params:
        contact.description = run.text(params["Description"])
    if "CustomerId" in params:
        contact.customer_id = run.text(params["CustomerId"])
    references = params.get("References")
    if isinstance(references, dict):
        contact.references.update({str(k): run.resolve(v) for k, v in references.items()})
    return Outcome.ok()


@action("UpdateContactTextToSpeechVoice")
def update_voice(run: Run, act: FlowAction) -> Outcome:
    params = act.Parameters
    if "TextToSpeechVoice" in params:
        run.contact.voice = run.text(params["TextToSpeechVoice"]) or run.contact.voice
    if "TextToSpeechEngine" in params:
        run.contact.voice_engine = run.text(params["TextToSpeechEngine"])
    return Outcome.ok()


@action("UpdateContactRecordingBehavior")
def update_recording(run: Run, act: FlowAction) -> Outcome:
    run.contact.recording = dict(act.Parameters)
    return Outcome.ok()


@action("UpdateContactRoutingBehavior")
def update_routing(run: Run, act: FlowAction) -> Outcome:
    for key in ("QueuePriority", "QueueTimeAdjustmentSeconds"):
        if key in act.Parameters:
            run.contact.routing[key] = as_text(run.resolve(act.Parameters[key]))
    return Outcome.ok()


@action("UpdateFlowLoggingBehavior")
def update_logging(run: Run, act: FlowAction) -> Outcome:
    run.contact.logging = str(act.Parameters.get("FlowLoggingBehavior", "Enabled"))
    return Outcome.ok()


# -- flow control -----------------------------------------------------------------------------


@action("Compare")
def compare(run: Run, act: FlowAction) -> Outcome:
    return Outcome.ok(as_text(run.resolve(act.Parameters.get("ComparisonValue", ""))))


@action("CheckHoursOfOperation")
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


_METRIC_FIELDS = {
    "NumberOfAgentsAvailable": "agents_available",
    "NumberOfAgentsStaffed": "agents_staffed",
    "NumberOfAgentsOnline": "agents_online",
    "NumberOfContactsInQueue": "size",
}


@action("CheckMetricData")
def check_metric_data(run: Run, act: FlowAction) -> Outcome:
    params = act.Parameters
    metric = str(params.get("MetricType", ""))
    target = _target_queue(run, params)
    if target is None:
        return Outcome.fail(detail="no QueueId and no working queue")
    metrics = run.center.queue_metrics(target[1])
    if metric == "OldestContactInQueueAgeSeconds":
        # the operand is in milliseconds in real exports (reference 3.11)
        return Outcome.ok(str(round(metrics.oldest_age_seconds * 1000)))
    if metric not in _METRIC_FIELDS:
        return Outcome.fail(detail=f"unknown MetricType {metric!r}")
    return Outcome.ok(str(getattr(metrics, _METRIC_FIELDS[metric])))


@action("GetMetricData")
def get_metric_data(run: Run, act: FlowAction) -> Outcome:
    target = _target_queue(run, act.Parameters)
    if target is None:
        return Outcome.fail(detail="no QueueId and no working queue")
    m = run.center.queue_metrics(target[1])
    run.contact.metrics = {
        "Queue": {
            "Name": target[1],
            "ARN": target[0],
            "Size": str(m.size),
            "OldestContactAge": str(round(m.oldest_age_seconds)),
            "EstimatedWaitTime": str(round(m.expected_wait_seconds)),
        },
        "Agents": {
            "Online": {"Count": str(m.agents_online)},
            "Available": {"Count": str(m.agents_available)},
            "Staffed": {"Count": str(m.agents_staffed)},
            "AfterContactWork": {"Count": "0"},
            "Busy": {"Count": str(max(m.agents_staffed - m.agents_available, 0))},
            "Missed": {"Count": "0"},
            "NonProductive": {"Count": str(max(m.agents_online - m.agents_staffed, 0))},
        },
    }
    return Outcome.ok()


@action("Loop")
def loop(run: Run, act: FlowAction) -> Outcome:
    count = min(max(_int(run.resolve(act.Parameters.get("LoopCount", "0")), 0), 0), 100)
    done = run.contact.loop_counters.get(act.Identifier, 0)
    if done < count:
        run.contact.loop_counters[act.Identifier] = done + 1
        return Outcome.ok("ContinueLooping")
    run.contact.loop_counters.pop(act.Identifier, None)
    return Outcome.ok("DoneLooping")


@action("DistributeByPercentage")
def distribute_by_percentage(run: Run, act: FlowAction) -> Outcome:
    return Outcome.ok(str(run.rng.randint(1, 100)))


@action("Wait")
def wait(run: Run, act: FlowAction) -> Outcome:
    if run.contact.channel == "VOICE":
        return Outcome.fail(detail="Wait is chat only; a voice contact takes the error branch")
    return Outcome.ok("WaitCompleted")


@action("TransferToFlow")
def transfer_to_flow(run: Run, act: FlowAction) -> Outcome:
    target = run.resolve_text(act.Parameters.get("ContactFlowId", ""))
    if not target or is_reference(target):
        return Outcome.fail(detail="ContactFlowId resolved to nothing")
    flow = run.library.by_arn(target)
    if flow is not None:
        run.note(f"to {flow.name}")
        return Outcome("transfer", flow=flow)
    if kind_of_arn(target) == "FLOW" or "${" in target or "{{" in target:
        return Outcome.end(
            "TRANSFER_FLOW", detail="transferred to a flow outside the library", to=name_from_arn(target)
        )
    return Outcome.fail(detail=f"no flow {target!r}")


@action("EndFlowExecution")
def end_flow_execution(run: Run, act: FlowAction) -> Outcome:
    flow_type = run.flow.flow_type
    if flow_type in _QUEUE_FLOW_TYPES:
        return Outcome.end("QUEUE", detail="queue flow ended; the contact keeps waiting")
    if flow_type in _WHISPER_TYPES:
        return Outcome.end("END", detail=f"{flow_type.lower()} flow ended")
    return Outcome.end("DISCONNECT", detail="flow ended before the contact was queued")


@action("InvokeFlowModule")
def invoke_flow_module(run: Run, act: FlowAction) -> Outcome:
    target = run.resolve_text(act.Parameters.get("FlowModuleId", ""))
    module = run.library.by_arn(target) if target else None
    if module is None:
        return Outcome.fail(detail=f"no flow module {target!r} in the library")
    outcome = run.execute(module)
    if outcome.kind == "return":
        return Outcome.ok()
    return outcome


@action("EndFlowModuleExecution")
def end_flow_module(run: Run, act: FlowAction) -> Outcome:
    return Outcome("return")
