"""Contact actions (devguide contact-actions): they read and change the contact's data."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable
from typing import TYPE_CHECKING

from civicline.engine.actions.common import integer
from civicline.engine.actions.spec import (
    INBOUND_AND_TRANSFER,
    NO_MATCHING_ERROR,
    VOICE,
    ActionSpec,
    Problem,
    action,
    fixed,
)
from civicline.engine.actions.voices import VOICES, engine_named, voice_named
from civicline.engine.arns import name_from_arn, names_resource
from civicline.engine.contact import TaskRequest
from civicline.engine.events import timestamp
from civicline.engine.outcome import Outcome
from civicline.engine.references import references_in
from schemas.connect_lambda import MAX_ATTRIBUTES_BYTES
from schemas.flow_language import FlowAction

if TYPE_CHECKING:
    from civicline.engine.interpreter import Run

NONE = frozenset[str]()
#: UpdateContactEventHooks hook names (contact-actions-updatecontacteventhooks)
EVENT_HOOKS = frozenset(
    {
        "AgentHold",
        "AgentWhisper",
        "CustomerHold",
        "CustomerQueue",
        "CustomerRemaining",
        "CustomerWhisper",
        "DefaultAgentUI",
        "DisconnectAgentUI",
        "PauseContact",
        "ResumeContact",
    }
)
#: createtask: DelaySeconds is "between 1 and 518400 (6 days)"
MAX_TASK_DELAY = 518_400


@action(
    ActionSpec(
        "UpdateContactAttributes",
        "contact",
        "contact-actions-updatecontactattributes",
        errors=fixed(NO_MATCHING_ERROR),
        static=frozenset({"TargetContact"}),
        operators=NONE,
    )
)
def update_contact_attributes(run: Run, act: FlowAction) -> Outcome:
    values = act.Parameters.get("Attributes") or {}
    if not isinstance(values, dict):
        return Outcome.fail(detail="Attributes is not an object")
    resolved = run.text_map(values)  # all-or-nothing
    merged = {**run.contact.attributes, **resolved}
    if not surely_within_limit(merged):
        size = len(json.dumps(merged, ensure_ascii=False).encode("utf-8"))
        if size > MAX_ATTRIBUTES_BYTES:
            return Outcome.fail(detail=f"contact attributes would be {size} bytes; the limit is 32 KB")
    changed = merged != run.contact.attributes
    run.contact.attributes = merged
    if changed:
        run.emit("CONTACT_DATA_UPDATED", attributes=dict(merged), updatedProperties=["UserDefinedAttributes"])
    return Outcome.ok()


def surely_within_limit(attributes: dict[str, str]) -> bool:
    """Whether the attributes' JSON is sure to fit the 32 KB limit without encoding it: ASCII text
    takes at most 6 bytes a character in JSON (``\\u001f``), and each entry adds at most 8 (two pairs
    of quotes, ``": "`` and ``", "``), the braces 2. Anything else (a non-ASCII or non-text value, a
    bound over the limit) is measured: the bound only spares the encoding of every contact's few
    hundred bytes at every UpdateContactAttributes."""
    chars = 0
    for key, value in attributes.items():
        if not (isinstance(key, str) and isinstance(value, str) and key.isascii() and value.isascii()):
            return False
        chars += len(key) + len(value)
    return 6 * chars + 8 * len(attributes) + 2 <= MAX_ATTRIBUTES_BYTES


def _check_hooks(act: FlowAction) -> Iterable[Problem]:
    hooks = act.Parameters.get("EventHooks")
    if not isinstance(hooks, dict) or len(hooks) != 1:
        yield Problem("EventHooks must hold exactly one hook")
        return
    for hook, target in hooks.items():
        if hook not in EVENT_HOOKS:
            yield Problem(f"unknown event hook {hook!r} (documented: {', '.join(sorted(EVENT_HOOKS))})")
        if isinstance(target, str) and not references_in(target) and not names_resource("FLOW", target):
            yield Problem(f"event hook {hook} {target!r} is not the ID or ARN of a flow")


@action(
    ActionSpec(
        "UpdateContactEventHooks",
        "contact",
        "contact-actions-updatecontacteventhooks",
        errors=fixed(NO_MATCHING_ERROR),
        operators=NONE,
        check=_check_hooks,
    )
)
def update_event_hooks(run: Run, act: FlowAction) -> Outcome:
    hooks = act.Parameters.get("EventHooks") or {}
    if not isinstance(hooks, dict) or not hooks:
        return Outcome.fail(detail="EventHooks is empty")
    for hook, target in hooks.items():
        arn = run.text(target)
        flow = run.library.by_arn(arn)
        if flow is None and not names_resource("FLOW", arn):
            return Outcome.fail(detail=f"event hook {hook} {arn!r} is not the ID or ARN of a flow")
        run.contact.event_hooks[str(hook)] = flow.name if flow else name_from_arn(arn)
        run.note(f"{hook} = {run.contact.event_hooks[str(hook)]}")
    return Outcome.ok()


@action(
    ActionSpec(
        "UpdateContactData",
        "contact",
        "contact-actions-updatecontactdata",
        errors=fixed(NO_MATCHING_ERROR),
        operators=NONE,
    )
)
def update_contact_data(run: Run, act: FlowAction) -> Outcome:
    params = act.Parameters
    contact = run.contact
    if "LanguageCode" in params:
        contact.language = run.text(params["LanguageCode"]) or contact.language
    for key, attribute in (("Name", "name"), ("Description", "description"), ("CustomerId", "customer_id")):
        if key in params:
            setattr(contact, attribute, run.text(params[key]))
    references = params.get("References")
    if isinstance(references, dict):
        contact.references.update({str(k): run.resolve(v) for k, v in references.items()})
    contact.voice_id_settings.update({k: run.text(params[k]) for k in VOICE_ID_SETTINGS if k in params})
    return Outcome.ok()


#: the Set Voice ID block's settings, which its export writes as UpdateContactData parameters (a
#: published GTS example: "VoiceAuthenticationThreshold": "90", "FraudDetectionThreshold": "50")
VOICE_ID_SETTINGS = (
    "IsVoiceIdStreamingEnabled",
    "IsVoiceAuthenticationEnabled",
    "IsFraudDetectionEnabled",
    "VoiceAuthenticationThreshold",
    "VoiceAuthenticationResponseTime",
    "FraudDetectionThreshold",
)


def _voice_problem(voice: str, engine: str | None) -> str | None:
    known = voice_named(voice)
    if known is None:
        return f"{voice!r} is not an Amazon Polly voice the engine knows"
    if engine is None:
        return None
    wanted = engine_named(engine)
    if wanted is None:
        return f"{engine!r} is not a text-to-speech engine (Standard, Neural, Generative, LongForm)"
    if wanted not in VOICES[known]:
        return f"the voice {known} does not support the {wanted} engine"
    return None


@action(
    ActionSpec(
        "UpdateContactTextToSpeechVoice",
        "contact",
        "contact-actions-updatecontacttexttospeechvoice",
        errors=fixed(NO_MATCHING_ERROR, required=()),
        operators=NONE,
    )
)
def update_voice(run: Run, act: FlowAction) -> Outcome:
    params = act.Parameters
    contact = run.contact
    voice = run.text(params["TextToSpeechVoice"]) if "TextToSpeechVoice" in params else contact.voice
    engine = run.text(params["TextToSpeechEngine"]) if "TextToSpeechEngine" in params else None
    problem = _voice_problem(voice, engine or contact.voice_engine)
    if problem is not None:
        return Outcome.fail(detail=problem)
    contact.voice = voice_named(voice) or voice
    if engine:
        contact.voice_engine = engine
    if "TextToSpeechStyle" in params:
        contact.voice_style = run.text(params["TextToSpeechStyle"])
    return Outcome.ok()


@action(
    ActionSpec(
        "UpdateContactRecordingBehavior",
        "contact",
        "contact-actions-updatecontactrecordingbehavior",
        flow_types=INBOUND_AND_TRANSFER | {"OUTBOUND_WHISPER", "CUSTOMER_QUEUE"},
        errors=fixed(),
        operators=NONE,
    )
)
def update_recording(run: Run, act: FlowAction) -> Outcome:
    run.contact.recording = dict(act.Parameters)
    return Outcome.ok()


def _check_streaming(act: FlowAction) -> Iterable[Problem]:
    if act.Parameters.get("MediaStreamingState") not in ("Enabled", "Disabled"):
        yield Problem("MediaStreamingState must be Enabled or Disabled")


@action(
    ActionSpec(
        "UpdateContactMediaStreamingBehavior",
        "contact",
        "contact-actions-updatecontactmediastreamingbehavior",
        flow_types=INBOUND_AND_TRANSFER
        | {"CUSTOMER_QUEUE", "CUSTOMER_WHISPER", "AGENT_WHISPER"}
        | {"OUTBOUND_WHISPER"},
        channels=VOICE,
        errors=fixed(NO_MATCHING_ERROR),
        static=frozenset({"MediaStreamingState", "MediaStreamType"}),
        operators=NONE,
        check=_check_streaming,
    )
)
def update_media_streaming(run: Run, act: FlowAction) -> Outcome:
    params = act.Parameters
    state = str(params.get("MediaStreamingState", ""))
    if state not in ("Enabled", "Disabled"):
        return Outcome.fail(detail=f"MediaStreamingState {state!r} is not Enabled or Disabled")
    contact = run.contact
    audio = dict(contact.media_streams.get("Customer", {}).get("Audio") or {})
    now = timestamp(run.center.now())
    if state == "Enabled":
        arn = f"arn:aws:kinesisvideo:{contact.region}:000000000000:stream/connect-{contact.contact_id}/local"
        audio = {"StreamARN": arn, "StartTimestamp": now, "StartFragmentNumber": "0"}
    elif audio:
        audio["StopTimestamp"] = now
    contact.media_streams = {"Customer": {"Audio": audio or None}}
    contact.media_streaming = {
        "state": state,
        "participants": params.get("Participants") or [],
        "type": params.get("MediaStreamType", "Audio"),
    }
    return Outcome.ok()


@action(
    ActionSpec(
        "UpdatePreviousContactParticipantState",
        "contact",
        "contact-actions-updatepreviouscontactparticipantstate",
        flow_types=INBOUND_AND_TRANSFER,
        channels=VOICE,
        errors=fixed(NO_MATCHING_ERROR),
        operators=NONE,
    )
)
def update_previous_participant_state(run: Run, act: FlowAction) -> Outcome:
    state = run.text(act.Parameters.get("PreviousContactParticipantState", ""))
    if state not in ("AgentOnHold", "CustomerOnHold", "OffHold"):
        return Outcome.fail(detail=f"PreviousContactParticipantState {state!r} is not a documented state")
    run.contact.previous_participant_state = state
    run.note(f"previous participants: {state}")
    return Outcome.ok()


@action(
    ActionSpec(
        "CompleteOutboundCall",
        "contact",
        "contact-actions-completeoutboundcall",
        channels=VOICE,
        errors=fixed(),
        single_path=frozenset({"Number"}),
        operators=NONE,
    )
)
def complete_outbound_call(run: Run, act: FlowAction) -> Outcome:
    caller_id = act.Parameters.get("CallerId")
    number = run.resolve_text(caller_id.get("Number", "")) if isinstance(caller_id, dict) else ""
    run.contact.outbound_call = {"caller_id": number or run.contact.system_number, "dialed": True}
    if run.contact.initiation_method != "OUTBOUND":
        run.note("no outbound call was waiting to be placed: nothing to complete")
    return Outcome.ok()


def _check_task(act: FlowAction) -> Iterable[Problem]:
    params = act.Parameters
    if not params.get("Name"):
        yield Problem("CreateTask needs a Name")
    if not params.get("ContactFlowId"):
        yield Problem("CreateTask needs a ContactFlowId")
    if "DelaySeconds" in params and "ScheduledTime" in params:
        yield Problem("DelaySeconds and ScheduledTime are mutually exclusive")
    if "DelaySeconds" in params and not 1 <= integer(params["DelaySeconds"], 0) <= MAX_TASK_DELAY:
        yield Problem(f"DelaySeconds {params['DelaySeconds']!r} is outside 1-{MAX_TASK_DELAY}")


@action(
    ActionSpec(
        "CreateTask",
        "contact",
        "createtask",
        errors=fixed(NO_MATCHING_ERROR),
        static=frozenset({"TaskTemplateId"}),
        single_path=frozenset({"ContactFlowId"}),
        resources=(("ContactFlowId", "FLOW"),),
        operators=NONE,
        check=_check_task,
    )
)
def create_task(run: Run, act: FlowAction) -> Outcome:
    params = act.Parameters
    flow_ref = run.resolve_text(params.get("ContactFlowId", ""))
    name = run.text(params.get("Name", ""))
    if not flow_ref or not name:
        return Outcome.fail(detail="a task needs a flow (ContactFlowId) and a Name")
    delay = integer(params.get("DelaySeconds"), 0) if "DelaySeconds" in params else 0
    if "DelaySeconds" in params and not 1 <= delay <= MAX_TASK_DELAY:
        return Outcome.fail(detail=f"DelaySeconds {delay} is outside 1-{MAX_TASK_DELAY}")
    flow = run.library.by_arn(flow_ref)
    task = TaskRequest(
        contact_id=str(uuid.uuid4()),
        flow=flow.name if flow else name_from_arn(flow_ref),
        name=name,
        description=run.text(params.get("Description", "")),
        attributes=run.text_map(params.get("Attributes")),
        references=run.text_map(params.get("References")),
        delay_seconds=delay,
        scheduled_time=run.text(params["ScheduledTime"]) if "ScheduledTime" in params else None,
        previous_contact_id=run.contact.contact_id,
    )
    run.contact.tasks.append(task)
    run.note(f"task {task.contact_id} created for flow {task.flow}")
    return Outcome.ok()


@action(
    ActionSpec(
        "CreateWisdomSession",
        "contact",
        "createwisdomsession",
        channels=VOICE,
        errors=fixed(NO_MATCHING_ERROR),
        operators=NONE,
    )
)
def create_wisdom_session(run: Run, act: FlowAction) -> Outcome:
    assistant = run.text(act.Parameters.get("WisdomAssistantArn", ""))
    if not assistant:
        return Outcome.fail(detail="no WisdomAssistantArn")
    session = f"{assistant.rstrip('/').replace(':assistant/', ':session/')}/{uuid.uuid4()}"
    run.contact.wisdom = {"SessionArn": session}
    return Outcome.ok()


@action(
    ActionSpec(
        "TagContact",
        "contact",
        "contact-actions-tagcontact",
        errors=fixed(NO_MATCHING_ERROR),
        operators=NONE,
    )
)
def tag_contact(run: Run, act: FlowAction) -> Outcome:
    tags = act.Parameters.get("Tags") or {}
    if not isinstance(tags, dict):
        return Outcome.fail(detail="Tags is not an object")
    resolved = run.text_map(tags)
    if any(key.startswith("aws:") for key in resolved):
        return Outcome.fail(detail="system tags (aws:) cannot be changed")
    run.contact.tags.update(resolved)
    return Outcome.ok()


def untag_contact(run: Run, act: FlowAction) -> Outcome:
    for key in act.Parameters.get("TagKeys") or []:
        run.contact.tags.pop(str(key), None)
    return Outcome.ok()


def _page_spelling(act: FlowAction) -> Iterable[Problem]:
    yield Problem("the page spells UnTagContact; exports and the service use UntagContact", "warning")


for _name, _check in (("UntagContact", None), ("UnTagContact", _page_spelling)):
    action(
        ActionSpec(
            _name,
            "contact",
            "contact-actions-untagcontact",
            errors=fixed(NO_MATCHING_ERROR, required=()),
            static=frozenset({"TagKeys"}),
            operators=NONE,
            check=_check,
        )
    )(untag_contact)
