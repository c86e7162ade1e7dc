"""Parameters and responses of every Lambda a flow invokes: the contract between flows and functions.

Parameters are what the flow's ``LambdaInvocationAttributes`` resolve to (always strings; a missing
or blank value arrives as ``""``). Responses are flattened with :func:`schemas.string_map.to_string_map`
and read by the flows as ``$.External.<field>``. The flow contract test checks every
``InvokeLambdaFunction`` against these models: the keys it passes and the ``$.External`` keys it reads.

Every response carries ``result``; expected outcomes are values of it, never exceptions.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, Any, ClassVar, Literal, TypeVar

from schemas import codec
from schemas.constraints import Doc

P = TypeVar("P", bound="_Params")


class _Params:
    """Flow parameters: strings only, unknown keys refused (a typo in a flow is a bug)."""

    __pydantic_config__: ClassVar[dict[str, Any]] = {"extra": "forbid", "str_strip_whitespace": True}


class _Response:
    __pydantic_config__: ClassVar[dict[str, Any]] = {"extra": "forbid"}


def language_tag(raw: Mapping[str, Any]) -> dict[str, Any]:
    """``language`` may arrive blank (attribute not set yet: the default applies) or as a locale tag
    (``es-US``, ``en_US``, ``ES``): only its language part counts."""
    data = dict(raw)
    if isinstance(data.get("language"), str):
        tag = data.pop("language").strip().lower().replace("_", "-").split("-")[0]
        if tag:
            data["language"] = tag
    return data


def parse_parameters(model: type[P], raw: Any) -> P:
    """The flow's parameters as ``model``; :class:`schemas.codec.ContractError` when they do not fit."""
    if not isinstance(raw, Mapping):
        raise codec.ContractError([((), "dict_type")])
    return codec.load(model, language_tag(raw))


Lang = Literal["en", "es"]

# --- routing -------------------------------------------------------------------------------------


@dataclass(kw_only=True)
class RoutingParameters(_Params):
    """``action=route``: pick the queue or office for an intent (and menu topic).
    ``action=knowledge``: a self-service answer for a topic. ``action=office``: directory entry."""

    action: Literal["route", "knowledge", "office"]
    intent: str = ""
    topic: str = ""
    language: Lang = "en"
    callerNumber: str = ""
    caseNumber: str = ""


@dataclass(kw_only=True)
class RoutingResponse(_Response):
    result: Literal["ROUTED", "TRANSFER", "FOUND", "NOT_FOUND", "INVALID_INPUT", "UNAVAILABLE"]
    queueName: str | None = None
    queueArn: str | None = None
    officeId: str | None = None
    officeName: str | None = None
    officePhone: str | None = None
    officeOpen: Literal["true", "false"] | None = None
    officeHours: Annotated[
        str | None, Doc("the office's weekly hours written for reading (a chat is given them as text)")
    ] = None
    reason: Literal["RULE", "REPEAT", "DEFAULT"] | None = None
    prompt: Annotated[str | None, Doc("what to say before connecting")] = None
    answer: Annotated[str | None, Doc("knowledge-base answer (action=knowledge)")] = None
    answerId: str | None = None
    callerKey: Annotated[
        str | None,
        Doc(
            "pseudonymous caller key (action=route): the flow stores it as a contact attribute "
            "so the metrics can count repeat contacts without any phone number"
        ),
    ] = None


# --- case status ---------------------------------------------------------------------------------


@dataclass(kw_only=True)
class CaseStatusParameters(_Params):
    caseNumber: str = ""
    pin: str = ""
    callerNumber: str = ""
    language: Lang = "en"


@dataclass(kw_only=True)
class CaseStatusResponse(_Response):
    """NOT_FOUND answers both an unknown case and a wrong PIN (no enumeration oracle)."""

    result: Literal["FOUND", "NOT_FOUND", "LOCKED", "INVALID_INPUT"]
    status: str | None = None
    statusText: str | None = None
    nextStep: str | None = None
    dueDate: str | None = None
    dueDateSpoken: str | None = None
    officeName: str | None = None
    attemptsLeft: str | None = None


# --- appeals -------------------------------------------------------------------------------------


@dataclass(kw_only=True)
class AppealParameters(_Params):
    category: Literal["APPEAL", "IDENTITY_THEFT", ""] = ""
    officeId: str = ""
    callbackNumber: str = ""
    caseNumber: str = ""
    language: Lang = "en"


@dataclass(kw_only=True)
class AppealResponse(_Response):
    result: Literal["REGISTERED", "INVALID_INPUT"]
    receipt: str | None = None
    receiptSpoken: str | None = None
    dueDate: str | None = None
    dueDateSpoken: str | None = None
    dueDays: str | None = None
    category: str | None = None


# --- callback ------------------------------------------------------------------------------------


@dataclass(kw_only=True)
class CallbackParameters(_Params):
    """``mode=VIRTUAL_HOLD`` keeps the caller's place; ``mode=SCHEDULED`` books ``window``
    (a menu digit: 1 = next morning, 2 = next afternoon, 3 = as soon as possible)."""

    mode: Literal["VIRTUAL_HOLD", "SCHEDULED"]
    queueArn: Annotated[
        str, Doc("the queue's ARN ($.Queue.ARN or a %QUEUE_X% placeholder); default: the contact's queue")
    ] = ""
    queueName: Annotated[
        str, Doc("a registry queue key (never $.Queue.Name, which differs when deployed)")
    ] = ""
    callbackNumber: str = ""
    window: str = ""
    intent: str = ""
    language: Lang = "en"


@dataclass(kw_only=True)
class CallbackResponse(_Response):
    result: Literal["CREATED", "EXISTING", "INVALID_INPUT", "UNAVAILABLE"]
    callbackId: str | None = None
    windowStart: str | None = None
    windowSpoken: str | None = None


# --- survey --------------------------------------------------------------------------------------


@dataclass(kw_only=True)
class SurveyParameters(_Params):
    """Answers as typed on the keypad; blank or out-of-range answers count as not answered."""

    fcrTimesCalled: str = ""
    fcrAllAnswered: str = ""
    fcrAvoidsCall: str = ""
    trust: str = ""
    effectiveness: str = ""
    ease: str = ""
    efficiency: str = ""
    transparency: str = ""
    humanity: str = ""
    employeeHelpfulness: str = ""
    satisfaction: str = ""
    queueArn: Annotated[str, Doc("the queue's ARN, as the flow saved it ($.Attributes.queueArn)")] = ""
    queueName: Annotated[
        str, Doc("a registry queue key (never $.Queue.Name, which differs when deployed)")
    ] = ""
    officeId: str = ""
    intent: str = ""
    routingProfile: str = ""
    language: Lang = "en"


@dataclass(kw_only=True)
class SurveyResponseResult(_Response):
    """``INVALID_INPUT`` (no ``answered``) when the event itself is malformed, as for every function."""

    result: Literal["COMPLETE", "PARTIAL", "DECLINED", "INVALID_INPUT"]
    answered: str | None = None


#: function name -> (parameter model, response model); the flow contract test reads this
# --- e-mail triage (flows/inbound-email.json) ----------------------------------------------------


@dataclass(kw_only=True)
class EmailTriageParameters(_Params):
    """The sender is not a parameter: the handler reads it from the contact's customer endpoint
    (an e-mail contact's endpoint is the sender's address), so it never enters flow logs."""

    #: blank: the contact's segment attribute ``connect:EmailSubject`` (what Connect stores for every
    #: e-mail contact); RFC 2047 encoded-words are decoded either way
    subject: str = ""
    body: str = ""
    #: the message's headers as one JSON object (``{"Auto-Submitted": "auto-replied"}``); may be blank
    headers: str = ""
    #: the body's type (``text/plain`` or ``text/html``, as InboundRawMessage.ContentType); blank: HTML
    #: is recognised by its tags
    contentType: str = ""
    #: LOADED: ``body`` is the plain text the flow's Get stored content block loaded; NOT_LOADED: the
    #: block took its error branch (over 32 KB, no plain-text version, download failed), so the body
    #: is unknown (not empty); blank: as given (a caller that passes the body itself)
    bodyStatus: Literal["", "LOADED", "NOT_LOADED"] = ""
    #: SES's spam and virus verdicts (PASS, FAIL, GRAY...) as the flow reads them from the contact's
    #: segment attributes: passed by the flow because no AWS page says the Lambda input carries
    #: ``SegmentAttributes`` (docs/channels.md); blank: read from the input when it does
    spamVerdict: str = ""
    virusVerdict: str = ""


@dataclass(kw_only=True)
class EmailTriageResponse(_Response):
    #: ROUTED: queue it; IGNORED: auto-reply or loop, end the contact without an agent
    result: Literal["ROUTED", "IGNORED", "INVALID_INPUT"]
    #: blank only with INVALID_INPUT (the event itself was malformed)
    screen: str = ""
    #: SENT, or why none was: RECENT (one per sender per window), AUTO_REPLY, LOOP, MALFORMED,
    #: SEND_FAILED, FOLLOW_UP (a reply to our acknowledgement: the thread has its reference already),
    #: SUSPECT (SES verdict spam or virus: never answered)
    acknowledgement: str = ""
    reference: str | None = None
    queueName: str | None = None
    queueArn: str | None = None
    officeId: str | None = None
    topic: str | None = None
    reason: str | None = None
    confidence: str | None = None
    matched: str | None = None
    termsVersion: str | None = None
    language: str | None = None
    answerDeadline: str | None = None
    knowledgeAnswer: Literal["true", "false"] | None = None
    #: the signal that decided the screen (AUTO_SUBMITTED, MAILING_LIST, BOUNCE_SUBJECT, FOLLOW_UP...)
    screenSignal: str | None = None
    #: the reference of our acknowledgement this message replies to ("E-1234-5678")
    repliesTo: str | None = None
    #: "true" when the classifier read only the start of a very long message
    truncated: Literal["true", "false"] | None = None
    #: the parameter's bodyStatus, echoed for the contact record (NOT_LOADED: classified on the
    #: subject alone; the reason says SUBJECT_ONLY)
    bodyStatus: str | None = None


# --- notification consent (case-status paths) ----------------------------------------------------


@dataclass(kw_only=True)
class NotifyConsentParameters(_Params):
    action: Literal["consent", "stop"]
    caseNumber: str = ""
    channel: Literal["SMS", "EMAIL", "CALL", ""] = ""
    #: the e-mail address (EMAIL); not used for SMS/CALL, which go to the contact's own number
    #: from the contact data (Contract C, docs/notifications.md)
    destination: str = ""
    #: accepted for compatibility, not used (Contract C)
    callerNumber: str = ""
    language: Lang = "en"


@dataclass(kw_only=True)
class NotifyConsentResponse(_Response):
    result: Literal["RECORDED", "STOPPED", "INVALID_INPUT"]
    channel: str | None = None


CONTRACTS: dict[str, tuple[type[_Params], type[_Response]]] = {
    "routing": (RoutingParameters, RoutingResponse),
    "case_status": (CaseStatusParameters, CaseStatusResponse),
    "appeals": (AppealParameters, AppealResponse),
    "callback": (CallbackParameters, CallbackResponse),
    "survey": (SurveyParameters, SurveyResponseResult),
    "email_triage": (EmailTriageParameters, EmailTriageResponse),
    "notify_consent": (NotifyConsentParameters, NotifyConsentResponse),
}
