"""The caller in the flows: the inbound flow, the queue flow and the survey, run by the real engine.

Each function runs one flow for one caller (the engine invokes the real Lambda handlers on the
local tables) and writes down what the simulator's ground truth needs (civicline.sim.truth).
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any

from civicline.engine import CallerScript, CallResult
from civicline.engine.arns import queue_key
from civicline.engine.contact import customer_remains
from civicline.engine.result import HANGUP
from civicline.local.chat_start import chat_start_options
from civicline.sim.callers import Caller
from civicline.sim.truth import flag

if TYPE_CHECKING:
    from civicline.sim.day import DayRunner
    from civicline.sim.model import SimContact

#: how a flow run can end the contact (anything else keeps it where it is)
ENDINGS = ("DISCONNECT", "ERROR", "TRANSFER_PHONE", "CALLBACK")


def run_flow(
    day: DayRunner, flow: str, caller: Caller, script: list[str], *, leaves: bool = False, **kwargs: Any
) -> CallResult:
    """One contact through ``flow``; every callback the callback function confirmed is remembered.
    ``leaves``: the customer hangs up (or ends the chat) at the prompt after the script's last entry."""
    day.engine_runs += 1
    voice = caller.channel == "VOICE"
    if caller.channel == "CHAT":
        # every deployed chat is started by chat_start, with DisconnectOnCustomerExit=["AGENT"]
        kwargs.setdefault("disconnect_on_customer_exit", chat_start(caller.language)[1])
    result = day.engine.run_contact(
        flow,
        CallerScript([*script, HANGUP] if leaves else script)
        if voice
        else CallerScript.typed(script, leaves=leaves),
        # a chat contact has no phone endpoint (its CustomerEndpoint is not a number)
        caller_number=caller.number if voice else None,
        language=voice_language(caller.language),
        channel=caller.channel,
        **kwargs,
    )
    note_promises(day, result)
    return result


def voice_language(language: str) -> str:
    return "en-US" if language == "en" else "es-US"


def note_promises(day: DayRunner, result: CallResult) -> None:
    """Remember every callback the callback function confirmed (checked against the table)."""
    for call in result.lambda_calls:
        answer = call.get("result") or {}
        if call.get("function") == "callback" and answer.get("result") in ("CREATED", "EXISTING"):
            day.promised.add(str(answer.get("callbackId") or ""))


def scheduled_callback(result: CallResult, *, created_only: bool = False) -> str | None:
    """The scheduled callback the call booked (or found already booked: EXISTING, unless
    ``created_only``: an EXISTING answer is another contact's request, not this one's)."""
    accepted = ("CREATED",) if created_only else ("CREATED", "EXISTING")
    for call in result.lambda_calls:
        res = call.get("result") or {}
        params = call.get("parameters") or {}
        if (
            call.get("function") == "callback"
            and params.get("mode") == "SCHEDULED"
            and res.get("result") in accepted
        ):
            return str(res.get("callbackId") or "")
    return None


def inbound(day: DayRunner, caller: Caller) -> tuple[CallResult, str | None]:
    """The caller dials in: ``main-inbound`` runs; returns its result and the queue it ends in."""
    day.truth.add("inbound")
    day.truth.add(f"{caller.channel.lower()}_arrivals")
    day.book[caller.contact_id].channel = caller.channel
    if caller.repeat_of:
        day.truth.add("repeat_calls")
    open_now = day.center.is_open("main")
    script = caller.script
    if not open_now:
        day.truth.add("after_hours")
        # the closed message offers a callback window: 1 = morning, 2 = afternoon
        choice = ("1" if caller.index % 2 else "2") if caller.accepts_callback else ""
        script = [script[0], choice] if choice else [script[0]]
    result = run_flow(
        day,
        "main-inbound",
        caller,
        script,
        contact_id=caller.contact_id,
        attributes=start_attributes(caller),
    )
    record_ivr(day, caller, result)
    ended = result.ended
    if ended.get("how") == "QUEUE" and ended.get("queue"):
        return result, queue_key(str(ended["queue"])) or str(ended["queue"])
    classify_ivr_end(day, caller, result, open_now)
    return result, None


@cache
def chat_start(language: str) -> tuple[tuple[tuple[str, str], ...], tuple[str, ...]]:
    """(attributes, DisconnectOnCustomerExit) of a chat started for a page in ``language``: what
    the deployed ``chat_start`` function asks StartChatContact for
    (:func:`civicline.local.chat_start.chat_start_options`, its one definition), kept per language."""
    options = chat_start_options(language)
    return tuple(sorted(options["attributes"].items())), tuple(options["disconnect_on_customer_exit"])


def start_attributes(caller: Caller) -> dict[str, str]:
    """The contact attributes a contact starts with. A chat starts with chat_start's (the page's
    ``language``, ``entry: web-chat``); it has no number: the routing function keys it by the
    signed-in customer's ``customerId`` (a StartChatContact attribute) when the chat carries one, so
    their repeat chats are linked, else by its own contact ("contact-...")."""
    from functions.core.privacy import pseudonymize

    if caller.channel == "VOICE":
        return {"callerKey": pseudonymize(caller.number)}
    attributes = dict(chat_start(caller.language)[0])
    customer = caller.notes.get("customerId")
    return attributes | {"customerId": customer} if customer else attributes


def classify_ivr_end(day: DayRunner, caller: Caller, result: CallResult, open_now: bool) -> None:
    """How a contact that never reached a queue was served (or that it was dropped)."""
    how = result.ended.get("how")
    if how == "TRANSFER_PHONE":
        day.truth.add("redirected")
    elif scheduled_callback(result):
        day.truth.add("scheduled_callbacks")
    elif result.attributes.get("selfService") == "true":
        day.truth.add("contained")
    elif not open_now and how == "DISCONNECT":
        day.truth.add("closed_no_callback")
    elif how == "DISCONNECT" and not caller.wants_agent and not result.contact.queue_name:
        day.truth.add("ended_by_caller_choice")
    else:
        dropped(day, caller, result, "ended in the IVR without service")


def record_ivr(day: DayRunner, caller: Caller, result: CallResult) -> None:
    """The ground truth of the IVR part of a call (see civicline.sim.truth)."""
    case = day.book[caller.contact_id]
    attrs = result.attributes
    ended = result.ended
    how = ended.get("how")
    scheduled = scheduled_callback(result, created_only=True) is not None
    case.callback_offered = case.callback_offered or flag(attrs.get("callbackOffered")) is True
    case.self_service = flag(attrs.get("selfService"))
    case.courtesy = flag(attrs.get("courtesyDisconnect")) is True
    case.callback_accepted = case.callback_accepted or scheduled or bool(attrs.get("callbackId"))
    redirect = attrs.get("intent") == "REDIRECT" and bool(attrs.get("officeId")) and how != "QUEUE"
    reason = str(ended.get("reason") or "CONTACT_FLOW_DISCONNECT")
    case.transferred_out = bool(attrs.get("transferredTo")) or redirect or reason == "THIRD_PARTY_DISCONNECT"
    if how in ("DISCONNECT", "CALLBACK", "ERROR", "TRANSFER_PHONE"):
        case.disconnected = True
        case.flow_ended = reason == "CONTACT_FLOW_DISCONNECT"
    key, intent = attrs.get("callerKey"), attrs.get("intent")
    started = result.contact.initiated_at
    if key and intent and started is not None:
        day.book.caller_contact(key, intent, caller.contact_id, started, caller.channel)


def dropped(day: DayRunner, caller: Caller, result: CallResult, reason: str) -> None:
    day.truth.add("dropped")
    day.truth.dropped.append(
        {
            "contact_id": caller.contact_id,
            "intent": caller.intent,
            "how": result.ended.get("how"),
            "detail": result.ended.get("detail"),
            "flow": result.ended.get("flow"),
            "reason": reason,
            "lambda_errors": [c.get("error") for c in result.lambda_calls if c.get("error")],
        }
    )


def queue_script(day: DayRunner, contact: SimContact) -> CallerScript:
    """What the waiting customer answers the queue flow: a caller presses 1 at the callback offer
    (which the flow makes once the oldest contact waited long enough) when they accept callbacks; a
    chat customer who does types "callback" and their 10-digit number once their own wait passed the
    virtual-hold threshold, and otherwise types nothing (the menu times out, they keep waiting)."""
    caller = contact.caller
    if contact.channel != "CHAT":
        return CallerScript(["1"] if caller.accepts_callback else [])
    waited = day.sim.now - contact.enqueued
    if caller.accepts_callback and waited > day.profile.virtual_hold_threshold_seconds:
        return CallerScript.typed(["callback", caller.number.removeprefix("chat-")])
    return CallerScript.typed([])


def queue_flow(day: DayRunner, contact: SimContact) -> CallResult:
    """The customer-queue flow as Connect plays it to a waiting caller (offers come from it)."""
    day.engine_runs += 1
    result = day.engine.run_queue_flow(
        contact.state, "customer-queue", queue_script(day, contact), center=day.center, max_loops=0
    )
    note_promises(day, result)
    case = day.book[contact.state.contact_id]
    if contact.state.attributes.get("callbackOffered") == "true" and not contact.offered:
        contact.offered = True
        case.callback_offered = True
    how = result.ended.get("how")
    if how in ENDINGS:
        case.left_queue(day.center.now())
        reason = str(result.ended.get("reason") or "CONTACT_FLOW_DISCONNECT")
        case.flow_ended = reason == "CONTACT_FLOW_DISCONNECT"
        booked = scheduled_callback(result, created_only=True) is not None
        case.callback_accepted = case.callback_accepted or how == "CALLBACK" or booked
    return result


def survey(day: DayRunner, contact: SimContact, reason: str) -> None:
    """After the contact ended with the customer still there (the agent hung up, or the customer
    pressed End chat on a chat started with DisconnectOnCustomerExit): the disconnect flow's survey.
    Who remains is the engine's one rule (:func:`civicline.engine.contact.customer_remains`)."""
    caller = contact.caller
    remains = customer_remains(contact.state, reason)
    possible = remains and "CustomerRemaining" in contact.state.event_hooks
    if possible:
        day.truth.add("surveys_offerable")
        if reason == "CUSTOMER_DISCONNECT":
            day.truth.add(f"{caller.channel.lower()}_surveys_offerable_after_end_chat")
    if not (caller.takes_survey and possible):
        return
    # what the customer did (the truth the stored surveys are checked against): heard the offer,
    # then answered, declined at the offer, or left mid-survey (nothing stored: the flow ends with them)
    choice = caller.survey_choice.lower()
    day.truth.add(f"surveys_customer_{choice}")
    day.truth.add(f"{caller.channel.lower()}_surveys_customer_{choice}")
    result = run_flow(
        day,
        "post-call-survey",
        caller,
        caller.survey_keys,
        leaves=caller.survey_choice == "DROP",
        contact_id=contact.state.contact_id,
        attributes=dict(contact.state.attributes),
        initiation_method="DISCONNECT",
        disconnect_reason=reason,
    )
    outcome = next(
        ((c.get("result") or {}).get("result") for c in result.lambda_calls if c["function"] == "survey"),
        None,
    )
    day.truth.add(f"surveys_{str(outcome).lower()}")
