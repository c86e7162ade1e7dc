"""Participant actions (devguide participant-actions): they need a participant on the contact.

With no participant (a disconnect flow after the customer hung up), the interpreter does not run
them: each takes its error branch, and DisconnectParticipant behaves as EndFlowExecution.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from civicline.engine.actions import lex, picker
from civicline.engine.actions.common import (
    E164_RE,
    MESSAGE_SOURCES,
    flag,
    integer,
    message_problem,
    phone_number,
    prompt_text,
)
from civicline.engine.actions.spec import (
    HOLDS,
    INBOUND_QUEUE_TRANSFER,
    NO_MATCHING_ERROR,
    VOICE,
    ActionSpec,
    ErrorRules,
    Problem,
    action,
    fixed,
)
from civicline.engine.outcome import Outcome
from civicline.engine.result import HANGUP
from schemas.flow_language import FlowAction

if TYPE_CHECKING:
    from civicline.engine.interpreter import Run

_DTMF_KEYS = frozenset("0123456789*#")
#: the default DTMF terminator and cancel key (participant-actions-getparticipantinput, 2023 page:
#: "DisableCancelKey: If True, the * key doesn't cancel gathering DTMF digits")
DEFAULT_TERMINATOR = "#"
CANCEL_KEY = "*"


def _hung_up() -> Outcome:
    return Outcome.end("DISCONNECT", detail="the caller hung up", reason="CUSTOMER_DISCONNECT")


def _one_source(act: FlowAction) -> Iterable[Problem]:
    sources = [k for k in MESSAGE_SOURCES if k in act.Parameters]
    if len(sources) > 1:
        yield Problem(f"only one of {', '.join(sources)} may be given")


# -- MessageParticipant -------------------------------------------------------------------------


def _check_message(act: FlowAction) -> Iterable[Problem]:
    if not any(k in act.Parameters for k in MESSAGE_SOURCES):
        yield Problem("MessageParticipant needs one of PromptId, Text, SSML or Media")
    if NO_MATCHING_ERROR not in {e.ErrorType for e in act.Transitions.Errors}:
        yield Problem("no NoMatchingError branch: a failed prompt would stop the contact", "warning")
    yield from _one_source(act)


@action(
    ActionSpec(
        "MessageParticipant",
        "participant",
        "participant-actions-messageparticipant",
        flow_types=frozenset({"CONTACT_FLOW", "CUSTOMER_QUEUE", "CUSTOMER_WHISPER", "AGENT_WHISPER"})
        | frozenset({"OUTBOUND_WHISPER", "AGENT_TRANSFER", "QUEUE_TRANSFER", "CONTACT_FLOW_MODULE"}),
        errors=fixed(NO_MATCHING_ERROR, required=()),
        single_path=frozenset({"PromptId"}),
        operators=frozenset(),
        speaks=True,
        check=_check_message,
    )
)
def message_participant(run: Run, act: FlowAction) -> Outcome:
    params = act.Parameters
    if not any(key in params for key in MESSAGE_SOURCES):
        return Outcome.fail(detail="no message source (Text, SSML, PromptId or Media)")
    problem = message_problem(run, params)
    if problem is not None:
        return Outcome.fail(detail=problem)
    run.say(prompt_text(run, params))
    return Outcome.ok()


# -- GetParticipantInput ------------------------------------------------------------------------


def _input_errors(params: dict[str, Any]) -> ErrorRules:
    """participant-actions-getparticipantinput: NoMatchingCondition and InputTimeLimitExceeded only
    in menu mode (StoreInput False); InvalidPhoneNumber only with StoreInput True and phone-number
    validation; NoMatchingError always."""
    if not flag(params.get("StoreInput")):
        menu = frozenset({NO_MATCHING_ERROR, "NoMatchingCondition", "InputTimeLimitExceeded"})
        return ErrorRules(menu, menu, "StoreInput False")
    validation = params.get("InputValidation")
    if isinstance(validation, dict) and "PhoneNumberValidation" in validation:
        phone = frozenset({NO_MATCHING_ERROR, "InvalidPhoneNumber"})
        return ErrorRules(phone, phone, "StoreInput True")
    only = frozenset({NO_MATCHING_ERROR})
    return ErrorRules(only, only, "StoreInput True without PhoneNumberValidation")


def _check_store_mode(act: FlowAction) -> Iterable[Problem]:
    validation = act.Parameters.get("InputValidation")
    if not isinstance(validation, dict) or not validation:
        yield Problem("StoreInput True needs InputValidation")
        return
    if "PhoneNumberValidation" in validation and "CustomValidation" in validation:
        yield Problem("PhoneNumberValidation and CustomValidation are mutually exclusive")
    phone = validation.get("PhoneNumberValidation")
    if isinstance(phone, dict):
        if phone.get("NumberFormat") not in ("Local", "E164"):
            yield Problem("PhoneNumberValidation.NumberFormat must be Local or E164")
        if phone.get("NumberFormat") == "Local" and not phone.get("CountryCode"):
            yield Problem("PhoneNumberValidation Local needs a CountryCode")
    custom = validation.get("CustomValidation")
    if isinstance(custom, dict) and integer(custom.get("MaximumLength"), 0) < 1:
        yield Problem("CustomValidation.MaximumLength must be a positive integer")
    if act.Transitions.Conditions:
        yield Problem("StoreInput True takes no conditions")


def _check_dtmf(act: FlowAction) -> Iterable[Problem]:
    config = act.Parameters.get("DTMFConfiguration")
    if not isinstance(config, dict):
        return
    sequence = config.get("InputTerminationSequence")
    if sequence is not None and not (
        isinstance(sequence, str) and 1 <= len(sequence) <= 5 and set(sequence) <= _DTMF_KEYS
    ):
        yield Problem(f"InputTerminationSequence {sequence!r} is not 1-5 of the keys 0-9, * and #")


def _check_input(act: FlowAction) -> Iterable[Problem]:
    params = act.Parameters
    limit = params.get("InputTimeLimitSeconds")
    if limit is not None and integer(limit, 0) < 1:
        yield Problem(f"InputTimeLimitSeconds {limit!r} is not a positive integer")
    yield from _one_source(act)
    yield from _check_dtmf(act)
    if flag(params.get("StoreInput")):
        yield from _check_store_mode(act)
        return
    for cond in act.Transitions.Conditions:
        c = cond.Condition
        if c.Operator != "Equals":
            yield Problem(f"a DTMF menu compares with Equals only, not {c.Operator}")
        operand = c.Operands[0] if c.Operands else None
        if not (isinstance(operand, str) and len(operand) == 1 and operand in _DTMF_KEYS):
            yield Problem(f"DTMF menu operand {operand!r} is not one key 0-9, * or #")


def _speak_prompt(run: Run, params: dict[str, Any]) -> Outcome | str:
    """Say an input action's prompt: the prompt said, or the error Outcome of a prompt that cannot be."""
    problem = message_problem(run, params)
    if problem is not None:
        return Outcome.fail(detail=problem)
    prompt = prompt_text(run, params)
    run.say(prompt)
    return prompt


def _listen(run: Run, prompt: str) -> Outcome | str:
    """The caller's answer to ``prompt`` (blank: nothing), or the ending of a caller who hung up."""
    entry = (run.script.next(prompt) or "").strip()
    return _hung_up() if entry == HANGUP else entry


@action(
    ActionSpec(
        "GetParticipantInput",
        "participant",
        "participant-actions-getparticipantinput",
        flow_types=INBOUND_QUEUE_TRANSFER,
        # get-customer-input.html / block-support-by-channel.html: on chat "Yes, when Amazon Lex is
        # used, otherwise it takes the Error branch" (with Lex the block is
        # ConnectParticipantWithLexBot); store-customer-input.html: chat "No - Error branch"
        channels=VOICE,
        notes=(
            "https://docs.aws.amazon.com/connect/latest/adminguide/get-customer-input.html",
            "https://docs.aws.amazon.com/connect/latest/adminguide/store-customer-input.html",
            "https://docs.aws.amazon.com/connect/latest/adminguide/block-support-by-channel.html",
        ),
        errors=_input_errors,
        static=frozenset({"StoreInput", "InputTimeLimitSeconds"}),
        single_path=frozenset({"PromptId"}),
        operators=frozenset({"Equals"}),
        speaks=True,
        check=_check_input,
    )
)
def get_participant_input(run: Run, act: FlowAction) -> Outcome:
    params = act.Parameters
    prompt = _speak_prompt(run, params)
    if isinstance(prompt, Outcome):
        return prompt
    entry = _listen(run, prompt)
    if isinstance(entry, Outcome):
        return entry
    if not flag(params.get("StoreInput", "False")):
        if not entry:
            run.note("no key pressed")
            return Outcome.fail("InputTimeLimitExceeded")
        run.heard(entry)
        return Outcome.ok(entry[0])  # a menu takes one key
    return _store_input(run, params, entry)


def gathered_digits(entry: str, config: Any, limit: int | None = None) -> str:
    """The digits Connect keeps from what the caller keyed: gathering stops at the termination
    sequence (default ``#``); ``*`` clears what was keyed so far and gathering starts again, unless
    ``DisableCancelKey`` is True; at most ``limit`` digits are kept."""
    settings = config if isinstance(config, dict) else {}
    terminator = str(settings.get("InputTerminationSequence") or DEFAULT_TERMINATOR)
    cancel = not flag(settings.get("DisableCancelKey", "False"))
    digits = ""
    for key in entry:
        if cancel and key == CANCEL_KEY and CANCEL_KEY not in terminator:
            digits = ""
            continue
        digits += key
        if digits.endswith(terminator):
            return digits[: -len(terminator)]
        if limit is not None and len(digits) >= limit:
            return digits
    return digits


def _store_input(run: Run, params: dict[str, Any], entry: str) -> Outcome:
    validation = params.get("InputValidation") or {}
    phone = validation.get("PhoneNumberValidation") if isinstance(validation, dict) else None
    custom = validation.get("CustomValidation") if isinstance(validation, dict) else None
    limit = integer(custom.get("MaximumLength"), 20) if isinstance(custom, dict) else None
    if entry:
        run.heard(entry)
    digits = gathered_digits(entry, params.get("DTMFConfiguration"), limit)
    if not digits:
        # store-customer-input.html: no input takes Success with the stored value "Timeout"
        run.contact.stored_input = "Timeout"
        run.note("no digits: stored 'Timeout'")
        return Outcome.ok()
    if isinstance(phone, dict):
        number = phone_number(
            digits, str(phone.get("NumberFormat", "E164")), str(phone.get("CountryCode", ""))
        )
        if number is None:
            return Outcome.fail("InvalidPhoneNumber", detail=f"{len(digits)} digits are not a valid number")
        digits = number
    run.contact.stored_input = digits
    return Outcome.ok()


# -- ConnectParticipantWithLexBot ---------------------------------------------------------------

#: the chat_picker function's own Lambda time-out (infra/registry.py)
CODE_HOOK_SECONDS = 3.0


def _check_lex(act: FlowAction) -> Iterable[Problem]:
    params = act.Parameters
    bots = [k for k in ("LexV2Bot", "LexBot") if k in params]
    if len(bots) != 1:
        yield Problem("ConnectParticipantWithLexBot needs exactly one of LexV2Bot or LexBot")
    yield from _one_source(act)
    session = params.get("LexSessionAttributes")
    shown = session.get(picker.SESSION_ATTRIBUTE) if isinstance(session, dict) else None
    if isinstance(shown, str) and shown and not shown.startswith("$."):
        # a list picker written in the flow is checked against Connect's template statically
        try:
            picker.parse(shown)
        except picker.PickerError as exc:
            yield Problem(
                f"LexSessionAttributes.{picker.SESSION_ATTRIBUTE}: not a ListPicker template ({exc})"
            )


@action(
    ActionSpec(
        "ConnectParticipantWithLexBot",
        "participant",
        "participant-actions-connectparticipantwithlexbot",
        flow_types=INBOUND_QUEUE_TRANSFER,
        errors=lambda _p: ErrorRules(
            frozenset({NO_MATCHING_ERROR, "NoMatchingCondition", "InputTimeLimitExceeded"}),
            frozenset({NO_MATCHING_ERROR}),
        ),
        single_path=frozenset({"PromptId"}),
        operators=frozenset({"Equals"}),
        speaks=True,
        check=_check_lex,
        # every channel but task/e-mail input: on chat the prompt is a chat message and the answer
        # is the customer's next typed message; LexTimeoutSeconds.Text is how long a chat waits for
        # it before InputTimeLimitExceeded (participant-actions-connectparticipantwithlexbot)
        notes=(
            "https://docs.aws.amazon.com/connect/latest/APIReference/participant-actions-connectparticipantwithlexbot.html",
            "https://docs.aws.amazon.com/connect/latest/adminguide/get-customer-input.html",
        ),
    )
)
def connect_participant_with_lex_bot(run: Run, act: FlowAction) -> Outcome:
    params = act.Parameters
    prompt = _speak_prompt(run, params)
    if isinstance(prompt, Outcome):
        return prompt
    bot = lex.bot_for(run, params, act)
    opened = _opening_turn(run, act, bot)
    if isinstance(opened, Outcome):
        return opened
    entry = _listen(run, prompt)
    if isinstance(entry, Outcome):
        return entry
    if not entry:
        run.note(_silence(run, params))
        waited = _waiting_cycles(run, act)
        if waited is not None:
            return waited
        return Outcome.fail("InputTimeLimitExceeded")
    run.heard(entry)
    match = bot.recognize(entry)
    run.contact.lex = lex.lex_data(match, run.text_map(params.get("LexSessionAttributes")))
    run.note(f"bot {bot.name}: intent {match.intent} ({match.how})")
    return Outcome.ok(match.intent)


def _opening_turn(run: Run, act: FlowAction, bot: lex.LexBot) -> Outcome | None:
    """On chat, the menu's ``LexInitilizationData.InitialMessage`` goes to the bot before the
    customer types (participant-actions-connectparticipantwithlexbot). Its intent (ShowPicker) has
    the dialog code hook, so the bot's registered function answers it exactly as Lex calls it in a
    deployment (functions/handlers/chat_picker.py): ElicitIntent shows its messages (a CustomPayload
    ListPicker as the picker, a PlainText as a chat message) and the bot waits for the customer;
    any other answer ends the bot's turn with that intent. None: go on and listen."""
    init = act.Parameters.get("LexInitilizationData")
    message = run.text(init.get("InitialMessage") or "") if isinstance(init, dict) else ""
    if run.contact.channel != "CHAT" or not message:
        return None
    match = bot.recognize(message)
    session = run.text_map(act.Parameters.get("LexSessionAttributes"))
    if not lex.hooked(bot, match):
        run.contact.lex = lex.lex_data(match, session)
        run.note(f"bot {bot.name}: opening message is intent {match.intent}, no code hook")
        return Outcome.ok(match.intent)
    assert bot.code_hook is not None
    event = lex.code_hook_event(
        match,
        session,
        message,
        bot=bot.name,
        locale=run.contact.language.replace("-", "_"),
        session_id=run.contact.contact_id,
    )
    called = run.invoker.invoke(bot.code_hook, event, timeout_seconds=CODE_HOOK_SECONDS, response_type="JSON")
    if not called.ok or called.result is None:
        return Outcome.fail(detail=f"code hook {bot.code_hook}: {called.error} {called.detail or ''}".strip())
    return _hook_answer(run, act, bot, match, called.result)


def _hook_answer(
    run: Run, act: FlowAction, bot: lex.LexBot, match: lex.Match, answer: dict[str, Any]
) -> Outcome | None:
    state = _object(answer.get("sessionState"))
    dialog = _object(state.get("dialogAction"))
    attributes = _object(state.get("sessionAttributes"))
    if dialog.get("type") != "ElicitIntent":
        run.contact.lex = lex.lex_data(match, {str(k): str(v) for k, v in attributes.items()})
        run.note(f"bot {bot.name}: code hook answered {dialog.get('type')}; intent {match.intent}")
        return Outcome.ok(match.intent)
    reason = attributes.get(picker.FALLBACK_ATTRIBUTE)
    if reason:
        run.note(f"code hook {bot.code_hook}: list picker not shown ({reason}), plain prompt instead")
    for message in answer.get("messages") or []:
        if not isinstance(message, dict):
            continue
        content = str(message.get("content") or "")
        if message.get("contentType") == "CustomPayload":
            try:  # Connect validates an interactive message against its templates
                shown = picker.parse(content)
            except picker.PickerError as exc:
                return Outcome.fail(detail=f"list picker: {exc}")
            _record_picker(run, act, shown)
        elif content:
            run.say(content)
    return None


def _object(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _record_picker(run: Run, act: FlowAction, shown: picker.ListPicker) -> None:
    shown_json = {"action": act.Identifier, **shown.to_json()}
    run.result.pickers.append(shown_json)
    if run.result.steps:
        run.result.steps[-1].picker = shown_json


def _waiting_cycles(run: Run, act: FlowAction) -> Outcome | None:
    """A chat customer who types nothing while queued: each time-out is one waiting cycle (the chat
    twin of the loop prompt's interrupt), and after ``max_loops`` of them the run ends with the
    contact still in its queue, as ``MessageParticipantIteratively`` does on voice."""
    if run.flow.flow_type != "CUSTOMER_QUEUE" or run.script.remaining or run.script.ask is not None:
        return None
    key = f"{run.flow.name}/{act.Identifier}"
    count = run.interrupts.get(key, 0)
    if count >= run.max_loops:
        return Outcome.end("QUEUE", detail=f"still waiting after {count} chat time-outs")
    run.interrupts[key] = count + 1
    return None


def _silence(run: Run, params: dict[str, Any]) -> str:
    if run.contact.channel != "CHAT":
        return "the caller said nothing"
    timeout = params.get("LexTimeoutSeconds")
    limit = timeout.get("Text") if isinstance(timeout, dict) else None
    return f"no chat message within LexTimeoutSeconds.Text ({limit or 'the default'} s)"


# -- DisconnectParticipant / MessageParticipantIteratively / third party ------------------------


@action(
    ActionSpec(
        "DisconnectParticipant",
        "participant",
        "participant-actions-disconnectparticipant",
        flow_types=INBOUND_QUEUE_TRANSFER,
        errors=fixed(),
        operators=frozenset(),
        terminal=True,
    )
)
def disconnect_participant(run: Run, act: FlowAction) -> Outcome:
    return Outcome.end("DISCONNECT", detail="disconnected by the flow")


@action(
    ActionSpec(
        "MessageParticipantIteratively",
        "participant",
        "participant-actions-messageparticipantiteratively",
        flow_types=frozenset({"CUSTOMER_QUEUE"}) | HOLDS,
        # loop-prompts.html: chat "No - Error branch"
        channels=VOICE,
        notes=("https://docs.aws.amazon.com/connect/latest/adminguide/loop-prompts.html",),
        errors=fixed(NO_MATCHING_ERROR, required=()),
        static=frozenset({"InterruptFrequencySeconds"}),
        operators=frozenset({"Equals"}),
        outcomes=None,
        waits=True,
        speaks=True,
    )
)
def message_participant_iteratively(run: Run, act: FlowAction) -> Outcome:
    messages = act.Parameters.get("Messages") or []
    for message in messages if isinstance(messages, list) else []:
        if isinstance(message, dict):
            problem = message_problem(run, message)
            if problem is not None:
                return Outcome.fail(detail=problem)
            run.say(prompt_text(run, message))
    frequency = integer(act.Parameters.get("InterruptFrequencySeconds"), 0)
    if frequency <= 0:
        return Outcome.end("QUEUE", detail="waiting in queue (loop prompts without interruption)")
    key = f"{run.flow.name}/{act.Identifier}"
    count = run.interrupts.get(key, 0)
    if count >= run.max_loops:
        return Outcome.end("QUEUE", detail=f"still waiting after {count} interrupt cycles")
    run.interrupts[key] = count + 1
    return Outcome.ok("MessagesInterrupted")


def _third_party_errors(params: dict[str, Any]) -> ErrorRules:
    """participant-actions-transferparticipanttothirdparty: ConnectionTimeLimitExceeded and CallFailed
    are "supported only when ContinueFlowExecution is True" (True when not defined)."""
    if flag(params.get("ContinueFlowExecution", "True")):
        return ErrorRules(
            frozenset({NO_MATCHING_ERROR, "ConnectionTimeLimitExceeded", "CallFailed"}),
            frozenset({NO_MATCHING_ERROR}),
        )
    only = frozenset({NO_MATCHING_ERROR})
    return ErrorRules(only, only, "ContinueFlowExecution False")


@action(
    ActionSpec(
        "TransferParticipantToThirdParty",
        "participant",
        "participant-actions-transferparticipanttothirdparty",
        flow_types=INBOUND_QUEUE_TRANSFER,
        channels=VOICE,
        errors=_third_party_errors,
        static=frozenset({"ContinueFlowExecution"}),
        operators=frozenset(),
        leaves_on_success=True,
    )
)
def transfer_to_third_party(run: Run, act: FlowAction) -> Outcome:
    params = act.Parameters
    number = run.resolve_text(params.get("ThirdPartyPhoneNumber", ""))
    resumes = flag(params.get("ContinueFlowExecution", "True"))
    if not E164_RE.match(number):
        error = "CallFailed" if resumes else NO_MATCHING_ERROR
        return Outcome.fail(error, detail="the third-party number is not an E.164 number")
    if not resumes:
        return Outcome.end("TRANSFER_PHONE", detail="transferred to an external number", number=number)
    run.contact.third_party_calls.append(number)
    run.note("third-party call finished; the flow continues (ContinueFlowExecution True)")
    return Outcome.ok()
