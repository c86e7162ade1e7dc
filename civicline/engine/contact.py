"""The state of one contact while flows run on it (what ``$.`` references read and actions write)."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from civicline.engine.arns import INSTANCE_ARN, REGION

DEFAULT_SYSTEM_NUMBER = "+18005550199"
#: the participant types StartChatContact's ``DisconnectOnCustomerExit`` takes (botocore's connect
#: model: DisconnectOnCustomerExitParticipantType, one value)
CUSTOMER_EXIT_PARTICIPANTS = ("AGENT",)


def opening_method(channel: str) -> str:
    """The initiation method Connect records for a contact the customer opened: a chat is always
    started by StartChatContact (the hosted widget's or the agency's page), so its contact record and
    events say API ("the initiation method for the chat in the contact record is API":
    integrate-with-startchatcontact-api.html); a call or an inbound e-mail says INBOUND."""
    return "API" if channel.upper() == "CHAT" else "INBOUND"


@dataclass
class CallbackRequest:
    """A queued callback created by ``CreateCallbackContact``."""

    queue: str | None
    number: str
    delay_seconds: int
    max_attempts: int
    retry_delay_seconds: int

    def to_json(self) -> dict[str, Any]:
        return {
            "queue": self.queue,
            "number": self.number,
            "delay_seconds": self.delay_seconds,
            "max_attempts": self.max_attempts,
            "retry_delay_seconds": self.retry_delay_seconds,
        }


@dataclass
class TaskRequest:
    """A task contact created by ``CreateTask`` (createtask: "Creates a new task to run an assigned
    flow"): recorded on the creating contact; its flow is not run by this contact's run."""

    contact_id: str
    flow: str
    name: str
    description: str
    attributes: dict[str, str]
    references: dict[str, str]
    delay_seconds: int
    scheduled_time: str | None
    previous_contact_id: str

    def to_json(self) -> dict[str, Any]:
        return {
            "contact_id": self.contact_id,
            "channel": "TASK",
            "initiation_method": "API",
            "flow": self.flow,
            "name": self.name,
            "description": self.description,
            "attributes": dict(self.attributes),
            "references": dict(self.references),
            "delay_seconds": self.delay_seconds,
            "scheduled_time": self.scheduled_time,
            "previous_contact_id": self.previous_contact_id,
        }


@dataclass(frozen=True)
class StoredEmail:
    """Where Connect keeps an inbound e-mail's plain text: an object in the instance's storage for
    EMAIL_MESSAGES (the contact's ``EMAIL_MESSAGE_PLAIN_TEXT`` reference, botocore's connect model:
    ReferenceType). ``key`` None: the message has no plain-text version (an HTML-only message), so
    ``Get stored content`` takes its error branch (get-stored-content.html)."""

    bucket: str
    key: str | None


@dataclass
class ContactState:
    """Contact-scoped data: persists across flows (``TransferToFlow``) and into the queue flow.

    Flow-scoped data (``$.FlowAttributes``) lives in the interpreter's per-run frame instead.
    """

    contact_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    initial_contact_id: str | None = None
    previous_contact_id: str | None = None
    channel: str = "VOICE"
    caller_number: str | None = "+15555550100"
    system_number: str | None = DEFAULT_SYSTEM_NUMBER
    initiation_method: str = "INBOUND"
    language: str = "en-US"
    instance_arn: str = INSTANCE_ARN
    region: str = REGION
    initiated_at: datetime | None = None
    attributes: dict[str, str] = field(default_factory=dict)
    external: dict[str, Any] = field(default_factory=dict)
    stored_input: str | None = None
    metrics: dict[str, Any] | None = None
    queue_arn: str | None = None
    queue_name: str | None = None
    enqueued_at: datetime | None = None
    event_hooks: dict[str, str] = field(default_factory=dict)
    voice: str = "Joanna"
    voice_engine: str | None = None
    voice_style: str | None = None
    lex: dict[str, Any] | None = None
    media_streams: dict[str, Any] = field(default_factory=dict)
    media_streaming: dict[str, Any] = field(default_factory=dict)
    previous_participant_state: str | None = None
    outbound_call: dict[str, Any] | None = None
    tasks: list[TaskRequest] = field(default_factory=list)
    wisdom: dict[str, str] | None = None
    #: ShowView's result: {"Action": ..., "ViewResultData": ...} ($.Views)
    views: dict[str, Any] | None = None
    routing_criteria: dict[str, Any] | None = None
    #: the Customer Profiles blocks' response fields ($.Customer: ProfileId, FirstName, Asset.x, ...)
    customer: dict[str, Any] = field(default_factory=dict)
    #: GetCase's response fields and CreateCase's new case ID ($.Case)
    case: dict[str, Any] = field(default_factory=dict)
    #: StartVoiceIdStream ran on this contact (CheckVoiceId reads its analysis)
    voice_id_streaming: bool = False
    #: Set Voice ID's settings, as UpdateContactData writes them (VoiceAuthenticationThreshold, ...)
    voice_id_settings: dict[str, str] = field(default_factory=dict)
    third_party_calls: list[str] = field(default_factory=list)
    recording: dict[str, Any] = field(default_factory=dict)
    logging: str | None = None
    routing: dict[str, str] = field(default_factory=dict)
    callback_number: str | None = None
    callback: CallbackRequest | None = None
    loop_counters: dict[str, int] = field(default_factory=dict)
    tags: dict[str, str] = field(default_factory=dict)
    customer_id: str | None = None
    name: str | None = None
    description: str | None = None
    references: dict[str, Any] = field(default_factory=dict)
    #: StartChatContact's ``DisconnectOnCustomerExit``: who Connect disconnects when the customer
    #: ends the chat, so the customer goes on through the disconnect flow (see customer_remains)
    disconnect_on_customer_exit: tuple[str, ...] = ()
    #: segment attributes by name (``connect:EmailSubject``): ``$.SegmentAttributes['name']`` reads
    #: the value (StartEmailContact's SegmentAttributeValue.ValueString)
    segment_attributes: dict[str, str] = field(default_factory=dict)
    #: an e-mail contact's stored message (None: not an e-mail, or nothing stored)
    email_message: StoredEmail | None = None
    #: the ``$.Email`` namespace, filled by ``LoadContactContent`` (``{"EmailMessage": {"Plaintext": ...}}``)
    email_content: dict[str, Any] | None = None

    def __post_init__(self) -> None:
        if self.initial_contact_id is None:
            self.initial_contact_id = self.contact_id
        if self.disconnect_on_customer_exit:  # checked only when given: other contacts pay nothing
            unknown = sorted(set(self.disconnect_on_customer_exit) - set(CUSTOMER_EXIT_PARTICIPANTS))
            if unknown:
                allowed = ", ".join(CUSTOMER_EXIT_PARTICIPANTS)
                raise ValueError(f"disconnect_on_customer_exit takes {allowed}, not {unknown}")

    def flow_data(self, flow_attributes: dict[str, str] | None = None) -> dict[str, Any]:
        """The flow data object that ``$.`` references address (reference section 1.6)."""
        return dict(FlowData(self, flow_attributes))


def _endpoint(number: str | None) -> dict[str, str] | None:
    return {"Address": number, "Type": "TELEPHONE_NUMBER"} if number else None


def _queue(contact: ContactState) -> dict[str, Any] | None:
    return {"Name": contact.queue_name, "ARN": contact.queue_arn} if contact.queue_arn else None


#: the flow data object (reference section 1.6), one entry per top-level name: the one definition of
#: what ``$.Name`` reads from a contact (and the flow's own attributes, the second argument)
_NAMESPACES: dict[str, Callable[[ContactState, dict[str, str] | None], Any]] = {
    "Attributes": lambda c, _f: c.attributes,
    "External": lambda c, _f: c.external,
    "FlowAttributes": lambda _c, f: f or {},
    "StoredCustomerInput": lambda c, _f: c.stored_input,
    "CustomerEndpoint": lambda c, _f: _endpoint(c.caller_number),
    "SystemEndpoint": lambda c, _f: _endpoint(c.system_number),
    "Queue": lambda c, _f: _queue(c),
    "Channel": lambda c, _f: c.channel,
    "ContactId": lambda c, _f: c.contact_id,
    "InitialContactId": lambda c, _f: c.initial_contact_id,
    "PreviousContactId": lambda c, _f: c.previous_contact_id,
    "InitiationMethod": lambda c, _f: c.initiation_method,
    "InstanceARN": lambda c, _f: c.instance_arn,
    "AwsRegion": lambda c, _f: c.region,
    "LanguageCode": lambda c, _f: c.language,
    "TextToSpeechVoiceId": lambda c, _f: c.voice,
    "Metrics": lambda c, _f: c.metrics,
    "Lex": lambda c, _f: c.lex,
    "MediaStreams": lambda c, _f: c.media_streams or None,
    "Wisdom": lambda c, _f: c.wisdom,
    "Views": lambda c, _f: c.views,
    "Customer": lambda c, _f: c.customer or None,
    "Case": lambda c, _f: c.case or None,
    "CustomerId": lambda c, _f: c.customer_id,
    "Name": lambda c, _f: c.name,
    "Description": lambda c, _f: c.description,
    "References": lambda c, _f: c.references,
    "Tags": lambda c, _f: c.tags,
    "CallbackNumber": lambda c, _f: c.callback_number or c.caller_number,
    "SegmentAttributes": lambda c, _f: c.segment_attributes,
    "Email": lambda c, _f: c.email_content,
}


class FlowData(Mapping[str, Any]):
    """The flow data object of a contact as a read-only mapping that builds an entry only when a
    reference reads it: a ``$.`` reference reads one namespace of some thirty, and the interpreter
    resolves a few hundred thousand references in a day (building the whole object for each was a
    tenth of the engine's time). Each entry is what :meth:`ContactState.flow_data` holds for it at
    the moment it is read."""

    __slots__ = ("_contact", "_flow_attributes")

    def __init__(self, contact: ContactState, flow_attributes: dict[str, str] | None = None) -> None:
        self._contact = contact
        self._flow_attributes = flow_attributes

    def __getitem__(self, name: str) -> Any:
        return _NAMESPACES[name](self._contact, self._flow_attributes)

    def __contains__(self, name: object) -> bool:
        return name in _NAMESPACES

    def __iter__(self) -> Iterator[str]:
        return iter(_NAMESPACES)

    def __len__(self) -> int:
        return len(_NAMESPACES)


def customer_remains(contact: ContactState, disconnect_reason: str | None, *, connected: bool = True) -> bool:
    """Whether the customer is still there (reads, types, presses) when the disconnect flow runs.

    The one definition of the rule. The agent ended the contact (``AGENT_DISCONNECT``): the customer
    remains (chat.html: the disconnect flow runs when "only the customer remains"). The customer
    ended a chat that was started with ``DisconnectOnCustomerExit=["AGENT"]`` (the widget's End
    chat): Connect disconnects the agent and the customer continues "through disconnect flows such
    as surveys or feedback forms" (StartChatContact; adminguide enable-post-chat-survey.html).
    Anything else (a caller who hung up, a chat without the flag, a customer Connect no longer has
    in the chat: ``connected=False``) leaves nobody to deliver a message to. A closed chat window is
    not that: Connect keeps the customer (civicline.local.chat_start.closed_window, docs/engine.md).
    """
    if not connected:
        return False
    if disconnect_reason == "AGENT_DISCONNECT":
        return True
    return (
        disconnect_reason == "CUSTOMER_DISCONNECT"
        and contact.channel == "CHAT"
        and "AGENT" in contact.disconnect_on_customer_exit
    )
