"""The measure registry: every contact-center measure defined once, in code.

Each measure says what it means, what it is made of (a counter's rule on one contact or survey, a
ratio's numerator and denominator counters), its unit, its label, its CloudWatch name and the events
and attributes it reads. Everything else is produced from here: the aggregator's counters
(:func:`contact_counters`, :func:`survey_counters`), the rollup record's fields (a test compares
them), the aggregator's CloudWatch metrics and the stack's dashboard widgets, the simulator's
summary table and ground truth, the CSV/JSON columns, the HTML dashboard and ``docs/metrics.md``.

Pure: no boto3, no event shapes. A contact reaches the rules as a :class:`ContactCase`, the few
facts about it the definitions are written in (built from its merged events by
:func:`functions.domain.metrics.case_of`), so each rule is one short expression.
"""

from __future__ import annotations

import ast
import inspect
import textwrap
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from schemas.records import A11Driver

#: initiation methods that are a caller's request for service when queued ("offered")
OFFERED_METHODS = frozenset({"INBOUND", "TRANSFER", "QUEUE_TRANSFER"})
TRANSFER_METHODS = frozenset({"TRANSFER", "QUEUE_TRANSFER"})


def customer_started(method: str, channel: str | None) -> bool:
    """The customer's own new contact: an INBOUND call or e-mail, or a chat, which Connect records with
    initiation method API because every chat is started by StartChatContact (the widget's or the
    agency's page): "chats aren't counted in the Contacts Incoming metric ... the initiation method for
    the chat in the contact record is API" (integrate-with-startchatcontact-api.html; the contact-event
    sample of a chat carries ``"initiationMethod": "API"``). Counting only INBOUND would count no
    deployed chat at all."""
    return method == "INBOUND" or (method == "API" and (channel or "").upper() == "CHAT")


Unit = Literal[
    "contacts", "callbacks", "surveys", "notifications", "milliseconds", "seconds", "ratio", "score"
]
Entity = Literal["contact", "survey", "caller", "notification"]


@dataclass(frozen=True)
class ContactCase:
    """One contact (with the callback contacts folded into it) in the terms the definitions use."""

    method: str
    queued: bool
    agent: bool
    disconnected: bool
    #: ended by the flow (disconnectReason CONTACT_FLOW_DISCONNECT)
    flow_ended: bool
    #: answer time: connectedToAgentTimestamp - enqueueTimestamp, when both are known
    answer_ms: int | None
    #: time in queue until an agent answered or the contact ended, when known
    removed_ms: int | None
    courtesy: bool
    #: the selfService attribute (None when never set)
    self_service: bool | None
    transferred_out: bool
    callback_offered: bool
    callback_accepted: bool
    callback_dialed: bool
    callback_connected: bool
    #: VOICE, CHAT, EMAIL or TASK (Connect's contact-event ``channel``)
    channel: str = "VOICE"
    #: an agent accepted it by its answer deadline (attribute answerDeadline, else 24 h after start)
    answered_by_deadline: bool = False

    @property
    def started_by_customer(self) -> bool:
        return customer_started(self.method, self.channel)

    @property
    def offered(self) -> bool:
        return self.queued and (self.method in OFFERED_METHODS or self.started_by_customer)


@dataclass(frozen=True)
class CloudWatchMetric:
    """How a counter is published (EMF, namespace CivicLine): metric name, unit, divisor."""

    name: str
    unit: Literal["Count", "Seconds"] = "Count"
    divisor: int = 1


Rule = Callable[..., Any]


@dataclass(frozen=True)
class Counter:
    """A counted measure: the rollups store its value per queue and period."""

    name: str
    label: str
    short: str
    definition: str
    reads: str
    unit: Unit
    entity: Entity
    #: the rule on one contact (``ContactCase``, threshold ms) or survey (fact); bool counts 1
    rule: Rule | None = None
    cloudwatch: CloudWatchMetric | None = None
    #: the rule in words, only where it is not code here (the caller history)
    described: str = ""

    @property
    def formula(self) -> str:
        return self.described or rule_text(self.rule)

    @property
    def column(self) -> str:
        return column_name(self.name, self.unit)


@dataclass(frozen=True)
class Ratio:
    """A derived measure: ``sum(numerator) / sum(denominator) * scale`` (None without a denominator)."""

    name: str
    label: str
    short: str
    definition: str
    numerator: tuple[str, ...]
    denominator: tuple[str, ...]
    unit: Unit = "ratio"
    scale: float = 1.0

    def value(self, counters: Mapping[str, float]) -> float | None:
        den = sum(float(counters.get(n, 0)) for n in self.denominator)
        if not den:
            return None
        return sum(float(counters.get(n, 0)) for n in self.numerator) / den * self.scale

    @property
    def formula(self) -> str:
        def side(names: tuple[str, ...]) -> str:
            return names[0] if len(names) == 1 else "(" + " + ".join(names) + ")"

        text = f"{side(self.numerator)} / {side(self.denominator)}"
        return text if self.scale == 1 else f"{text} * {self.scale:g}"

    @property
    def column(self) -> str:
        return column_name(self.name, self.unit)


def column_name(name: str, unit: Unit) -> str:
    """CSV/JSON column: the measure name with its unit (``offered_contacts``, ``asa_seconds``)."""
    suffix = {"milliseconds": "ms"}.get(unit, unit)
    return name if name.endswith(f"_{suffix}") or name.endswith(f"_{unit}") else f"{name}_{suffix}"


def rule_text(rule: Rule | None) -> str:
    """A rule's code as written here, its local names substituted into the returned expression
    (docs and the dashboard show the code itself, so the words cannot drift from it)."""
    if rule is None:
        return ""
    body = ast.parse(textwrap.dedent(inspect.getsource(rule))).body[0]
    assert isinstance(body, ast.FunctionDef)
    names: dict[str, ast.expr] = {}
    for statement in body.body:
        if isinstance(statement, ast.Assign) and isinstance(statement.targets[0], ast.Name):
            names[statement.targets[0].id] = statement.value
        elif isinstance(statement, ast.Return) and statement.value is not None:
            return ast.unparse(_Inline(names).visit(statement.value))
    return ""


class _Inline(ast.NodeTransformer):
    def __init__(self, names: dict[str, ast.expr]) -> None:
        self.names = names

    def visit_Name(self, node: ast.Name) -> ast.AST:
        value = self.names.get(node.id)
        return node if value is None else value


# --- the rules: one per counter ---------------------------------------------------------------------


def _inbound(c: ContactCase, x_ms: int) -> bool:
    return c.started_by_customer


def _offered(c: ContactCase, x_ms: int) -> bool:
    return c.offered


def _answered(c: ContactCase, x_ms: int) -> bool:
    return c.offered and c.agent


def _abandoned(c: ContactCase, x_ms: int) -> bool:
    return c.offered and not c.agent and c.disconnected and not c.callback_accepted and not c.flow_ended


def _busy(c: ContactCase, x_ms: int) -> bool:
    queued_out = c.offered and not c.agent and c.disconnected and c.flow_ended and not c.callback_accepted
    refused = not c.queued and not c.agent and c.started_by_customer and c.disconnected and c.courtesy
    return queued_out or refused


def _answer_sum(c: ContactCase, x_ms: int) -> int:
    return c.answer_ms if c.offered and c.agent and c.answer_ms is not None else 0


def _answer_count(c: ContactCase, x_ms: int) -> bool:
    return c.offered and c.agent and c.answer_ms is not None


def _answered_within(c: ContactCase, x_ms: int) -> bool:
    return c.offered and c.agent and c.answer_ms is not None and c.answer_ms <= x_ms


def _removed_within(c: ContactCase, x_ms: int) -> bool:
    return c.offered and c.removed_ms is not None and c.removed_ms <= x_ms


def _contained(c: ContactCase, x_ms: int) -> bool:
    ended_served = c.self_service if c.self_service is not None else c.flow_ended
    never_agent = not c.queued and not c.agent and c.started_by_customer and c.disconnected
    return never_agent and ended_served and not (c.courtesy or c.transferred_out or c.callback_accepted)


def _transfers(c: ContactCase, x_ms: int) -> bool:
    return c.method in TRANSFER_METHODS or c.transferred_out


def _cb_offered(c: ContactCase, x_ms: int) -> bool:
    return c.callback_offered


def _cb_accepted(c: ContactCase, x_ms: int) -> bool:
    return c.callback_accepted


def _cb_dialed(c: ContactCase, x_ms: int) -> bool:
    return c.callback_accepted and c.callback_dialed


def _cb_connected(c: ContactCase, x_ms: int) -> bool:
    return c.callback_accepted and c.callback_connected


def _email_received(c: ContactCase, x_ms: int) -> bool:
    return c.channel == "EMAIL" and c.started_by_customer


def _email_answered(c: ContactCase, x_ms: int) -> bool:
    return c.channel == "EMAIL" and c.started_by_customer and c.agent


def _email_in_24h(c: ContactCase, x_ms: int) -> bool:
    return c.channel == "EMAIL" and c.started_by_customer and c.agent and c.answered_by_deadline


def _email_closed(c: ContactCase, x_ms: int) -> bool:
    return c.channel == "EMAIL" and c.started_by_customer and not c.agent and c.disconnected


def _notification_sent(n: Mapping[str, Any]) -> bool:
    return bool({"SENT", "DELIVERED"} & set(n["outcomes"]))


def _notification_delivered(n: Mapping[str, Any]) -> bool:
    return "DELIVERED" in n["outcomes"]


def _notification_opted_out(n: Mapping[str, Any]) -> bool:
    return "OPTED_OUT" in n["outcomes"]


def _notification_failed(n: Mapping[str, Any]) -> bool:
    return "FAILED" in n["outcomes"] and not _notification_sent(n)


def _survey(s: Mapping[str, Any]) -> bool:
    return not s.get("declined")


def _survey_offered(s: Mapping[str, Any]) -> bool:
    return True


def _fcr_answered(s: Mapping[str, Any]) -> bool:
    return s.get("fcr_all") is not None


def _fcr_yes(s: Mapping[str, Any]) -> bool:
    return bool(s.get("fcr_all")) and s.get("fcr_times") in (None, 1)


COUNTERS: tuple[Counter, ...] = (
    Counter(
        "inbound_contacts",
        "Inbound contacts",
        "Inbound",
        "Every contact the customer opened (INBOUND; a chat's API), queued or not: the containment "
        "denominator.",
        "any event: initiationMethod",
        "contacts",
        "contact",
        _inbound,
        CloudWatchMetric("ContactsInbound"),
    ),
    Counter(
        "offered",
        "Offered to agents",
        "Offered",
        "Caller requests that reached an agent queue: INBOUND (a chat: API), TRANSFER or QUEUE_TRANSFER "
        "contacts that "
        "were queued. A CALLBACK contact is not a new offer: it belongs to the request that asked for it.",
        "QUEUED / CONNECTED_TO_AGENT / DISCONNECTED: queueInfo.queueArn, initiationMethod",
        "contacts",
        "contact",
        _offered,
        CloudWatchMetric("ContactsOffered"),
    ),
    Counter(
        "answered",
        "Answered",
        "Answered",
        "Offered contacts connected to an agent (even when the QUEUED event is missing).",
        "CONNECTED_TO_AGENT / DISCONNECTED: agentInfo.connectedToAgentTimestamp",
        "contacts",
        "contact",
        _answered,
        CloudWatchMetric("ContactsAnswered"),
    ),
    Counter(
        "abandoned",
        "Abandoned in queue",
        "Aband.",
        "Offered contacts that left the queue without reaching an agent, not converted to a callback "
        "and not ended by the flow (those are courtesy disconnects).",
        "DISCONNECTED: queueInfo.enqueueTimestamp, agentInfo absent, disconnectReason",
        "contacts",
        "contact",
        _abandoned,
        CloudWatchMetric("ContactsAbandoned"),
    ),
    Counter(
        "busy_or_courtesy_disconnected",
        "Busy / courtesy disconnects",
        "Busy",
        "Callers seeking an agent whom the system sent away: queued contacts ended by the flow without a "
        "callback, and never-queued contacts marked courtesyDisconnect=true (queue at capacity).",
        "DISCONNECTED: disconnectReason; CONTACT_DATA_UPDATED: attributes.courtesyDisconnect",
        "contacts",
        "contact",
        _busy,
        CloudWatchMetric("ContactsBusy"),
    ),
    Counter(
        "answer_time_sum_ms",
        "Answer time (sum)",
        "Answer ms",
        "Time answered contacts waited in queue before an agent answered (includes agent whisper).",
        "agentInfo.connectedToAgentTimestamp, queueInfo.enqueueTimestamp",
        "milliseconds",
        "contact",
        _answer_sum,
        CloudWatchMetric("AnswerTimeSeconds", "Seconds", 1000),
    ),
    Counter(
        "answer_time_count",
        "Answer time (count)",
        "Answer n",
        "Answered contacts whose answer time is known (both timestamps present): the ASA denominator.",
        "agentInfo.connectedToAgentTimestamp, queueInfo.enqueueTimestamp",
        "contacts",
        "contact",
        _answer_count,
        CloudWatchMetric("AnswerTimeCount"),
    ),
    Counter(
        "answered_within_threshold",
        "Answered within threshold",
        "Ans. in X",
        "Answered contacts whose answer time is at most the service-level threshold X "
        "(SERVICE_LEVEL_SECONDS, default 60).",
        "agentInfo.connectedToAgentTimestamp, queueInfo.enqueueTimestamp",
        "contacts",
        "contact",
        _answered_within,
    ),
    Counter(
        "removed_within_threshold",
        "Removed from queue within threshold",
        "Rem. in X",
        "Offered contacts removed from the queue within X seconds: answered, abandoned, sent to a "
        "callback or courtesy-disconnected (Amazon Connect's numerator for service level).",
        "queueInfo.enqueueTimestamp, agentInfo.connectedToAgentTimestamp, disconnectTimestamp",
        "contacts",
        "contact",
        _removed_within,
        CloudWatchMetric("ContactsRemovedWithinThreshold"),
    ),
    Counter(
        "self_service_contained",
        "Self-service contained",
        "Contained",
        "Customer-opened contacts (INBOUND; a chat: API) fully served by the IVR: never queued, never "
        "connected to an agent, not "
        "transferred, no callback, ended by the flow (or marked selfService=true; selfService=false wins).",
        "DISCONNECTED: disconnectReason; CONTACT_DATA_UPDATED: attributes.selfService",
        "contacts",
        "contact",
        _contained,
    ),
    Counter(
        "transfers",
        "Transfers",
        "Transf.",
        "Contacts transferred: contacts created by a transfer (TRANSFER, QUEUE_TRANSFER), contacts sent "
        "to a third party (attribute transferredTo, disconnectReason THIRD_PARTY_DISCONNECT, or the "
        "redirect path: intent REDIRECT with an officeId and never queued).",
        "initiationMethod, disconnectReason, attributes.transferredTo / intent / officeId",
        "contacts",
        "contact",
        _transfers,
    ),
    Counter(
        "callbacks_offered",
        "Callbacks offered",
        "CB off.",
        "Contacts to which the flow offered a callback (the flow sets callbackOffered=true).",
        "CONTACT_DATA_UPDATED: attributes.callbackOffered",
        "contacts",
        "contact",
        _cb_offered,
        CloudWatchMetric("CallbacksOffered"),
    ),
    Counter(
        "callbacks_accepted",
        "Callbacks accepted",
        "CB acc.",
        "Callback requests, counted once per originating contact whatever the number of sources: a "
        "callbacks-table request, the callbackId or callbackAccepted attribute, or a CALLBACK contact "
        "linked to it (previousContactId).",
        "callbacks table (stream); attributes.callbackId / callbackAccepted; CALLBACK contact events",
        "callbacks",
        "contact",
        _cb_accepted,
        CloudWatchMetric("CallbacksAccepted"),
    ),
    Counter(
        "callbacks_dialed",
        "Callbacks dialed",
        "CB dial.",
        "Accepted callbacks dialed at least once: a request with attempts or in state DIALING, PLACED, "
        "CONNECTED, NO_ANSWER or FAILED, or a linked CALLBACK contact connected to an agent (Connect "
        "calls the agent first) or ended because the customer's line was not reached.",
        "callbacks table: state, attempts; CALLBACK contact: agentInfo, disconnectReason",
        "callbacks",
        "contact",
        _cb_dialed,
        CloudWatchMetric("CallbacksDialed"),
    ),
    Counter(
        "callbacks_connected",
        "Callbacks connected",
        "CB conn.",
        "Accepted callbacks where the caller was reached: a request CONNECTED (or an attempt CONNECTED), "
        "or a linked CALLBACK contact connected to an agent and not ended by TELECOM_PROBLEM or "
        "CUSTOMER_CONNECTION_NOT_ESTABLISHED.",
        "callbacks table: state, attempts; CALLBACK contact: agentInfo, disconnectReason",
        "callbacks",
        "contact",
        _cb_connected,
        CloudWatchMetric("CallbacksConnected"),
    ),
    Counter(
        "emails_received",
        "E-mails received",
        "Mail in",
        "INBOUND contacts on the EMAIL channel (every e-mail the inbound-email flow took).",
        "any event: channel, initiationMethod",
        "contacts",
        "contact",
        _email_received,
        CloudWatchMetric("EmailsReceived"),
    ),
    Counter(
        "emails_answered",
        "E-mails answered",
        "Mail ans.",
        "Received e-mails an agent accepted (CONNECTED_TO_AGENT), whenever that was.",
        "CONNECTED_TO_AGENT / DISCONNECTED: channel, agentInfo.connectedToAgentTimestamp",
        "contacts",
        "contact",
        _email_answered,
        CloudWatchMetric("EmailsAnswered"),
    ),
    Counter(
        "emails_answered_within_24h",
        "E-mails answered within 24 h",
        "Mail 24h",
        "Received e-mails an agent accepted by their answer deadline: the answerDeadline attribute the "
        "inbound-email flow sets (arrival + 24 h), else 24 hours after the contact started.",
        "agentInfo.connectedToAgentTimestamp, attributes.answerDeadline, initiationTimestamp",
        "contacts",
        "contact",
        _email_in_24h,
        CloudWatchMetric("EmailsAnsweredWithin24h"),
    ),
    Counter(
        "emails_closed_unanswered",
        "E-mails closed unanswered",
        "Mail closed",
        "Received e-mails that ended without an agent (no longer waiting, never answered).",
        "DISCONNECTED: channel, agentInfo absent",
        "contacts",
        "contact",
        _email_closed,
        CloudWatchMetric("EmailsClosedUnanswered"),
    ),
    Counter(
        "notifications_sent",
        "Notifications sent",
        "Notif. sent",
        "Status notifications the channel accepted (outcome SENT, or DELIVERED), once per notification.",
        "Notification Outcome events (source civicline.notifications): notificationId, outcome",
        "notifications",
        "notification",
        _notification_sent,
        CloudWatchMetric("NotificationsSent"),
    ),
    Counter(
        "notifications_delivered",
        "Notifications delivered",
        "Notif. deliv.",
        "Sent notifications a delivery receipt confirmed (outcome DELIVERED).",
        "Notification Outcome events: outcome DELIVERED",
        "notifications",
        "notification",
        _notification_delivered,
        CloudWatchMetric("NotificationsDelivered"),
    ),
    Counter(
        "notifications_opted_out",
        "Notifications opted out",
        "Opted out",
        "Notifications not sent because the citizen had opted out (STOP), once per notification.",
        "Notification Outcome events: outcome OPTED_OUT",
        "notifications",
        "notification",
        _notification_opted_out,
        CloudWatchMetric("NotificationsOptedOut"),
    ),
    Counter(
        "notifications_failed",
        "Notifications failed",
        "Notif. fail",
        "Notifications that failed and were never accepted by the channel.",
        "Notification Outcome events: outcome FAILED",
        "notifications",
        "notification",
        _notification_failed,
        CloudWatchMetric("NotificationsFailed"),
    ),
    Counter(
        "survey_responses",
        "Survey responses",
        "Surveys",
        "Post-call surveys with at least one answer (complete or partial), in the interval they were "
        "submitted: A-11's volume of respondents.",
        "surveys table: declined",
        "surveys",
        "survey",
        _survey,
    ),
    Counter(
        "surveys_offered",
        "Surveys offered",
        "Srv off.",
        "Customers who heard the survey offer and answered it or declined it (pressed 2, or gave no "
        "input): every stored survey, declined ones included; A-11's volume provided a survey "
        "opportunity. A customer who hangs up during the offer is not counted (nothing reaches the "
        "survey function).",
        "surveys table",
        "surveys",
        "survey",
        _survey_offered,
    ),
    Counter(
        "fcr_survey_responses",
        "FCR survey responses",
        "FCR n",
        "Surveys that answered 'were all your questions answered?'.",
        "surveys table: fcr_all_answered",
        "surveys",
        "survey",
        _fcr_answered,
    ),
    Counter(
        "fcr_survey_yes",
        "FCR survey: resolved",
        "FCR yes",
        "Surveys saying all questions were answered and this was the first call about it (or the "
        "times-called question unanswered).",
        "surveys table: fcr_all_answered, fcr_times_called",
        "surveys",
        "survey",
        _fcr_yes,
    ),
    Counter(
        "first_contacts",
        "First contacts",
        "First",
        "Customer-opened contacts (INBOUND; a chat: API) with a caller key and intent "
        "and no earlier contact by the same caller about "
        "the same intent within N days (REPEAT_WINDOW_DAYS, default 7).",
        "attributes.callerKey (pseudonymized number), attributes.intent, initiationTimestamp",
        "contacts",
        "caller",
        described="previous contact of the caller+intent (by start time) started more than N days earlier",
    ),
    Counter(
        "repeat_contacts",
        "Repeat contacts",
        "Repeat",
        "Contacts by the same caller about the same intent within N days of the previous one.",
        "attributes.callerKey (pseudonymized number), attributes.intent, initiationTimestamp",
        "contacts",
        "caller",
        described="previous contact of the caller+intent (by start time) started at most N days earlier",
    ),
)

RATIOS: tuple[Ratio, ...] = (
    Ratio(
        "asa_seconds",
        "Average speed of answer (ASA)",
        "ASA s",
        "Average time answered contacts waited in queue.",
        ("answer_time_sum_ms",),
        ("answer_time_count",),
        "seconds",
        0.001,
    ),
    Ratio(
        "level_of_service",
        "Level of service (LOS, IRS style)",
        "LOS",
        "Share of callers seeking an agent who reached one; no time threshold.",
        ("answered",),
        ("answered", "abandoned", "busy_or_courtesy_disconnected"),
    ),
    Ratio(
        "service_level",
        "Service level X (Connect)",
        "SL",
        "Share of offered contacts removed from the queue within X seconds (answered, abandoned or "
        "callback): Amazon Connect's SERVICE_LEVEL over CivicLine's offered contacts.",
        ("removed_within_threshold",),
        ("offered",),
    ),
    Ratio(
        "answered_within_threshold_rate",
        "Answered within X",
        "Ans. in X %",
        "Share of offered contacts answered within X seconds (the 'classic' 80/20-style figure).",
        ("answered_within_threshold",),
        ("offered",),
    ),
    Ratio(
        "abandonment_rate",
        "Abandonment rate",
        "Aband. %",
        "Share of offered contacts abandoned in queue (callbacks are not abandons).",
        ("abandoned",),
        ("offered",),
    ),
    Ratio(
        "callback_acceptance_rate",
        "Callback acceptance",
        "CB acc. %",
        "Share of callback offers accepted.",
        ("callbacks_accepted",),
        ("callbacks_offered",),
    ),
    Ratio(
        "callback_success_rate",
        "Callback success",
        "CB succ. %",
        "Share of accepted callbacks that reached the caller.",
        ("callbacks_connected",),
        ("callbacks_accepted",),
    ),
    Ratio(
        "containment_rate",
        "Self-service containment",
        "Contained %",
        "Share of inbound contacts fully served by the IVR.",
        ("self_service_contained",),
        ("inbound_contacts",),
    ),
    Ratio(
        "email_answered_within_24h_rate",
        "E-mail answered within 24 h",
        "Mail 24h %",
        "Share of received e-mails an agent accepted by their answer deadline.",
        ("emails_answered_within_24h",),
        ("emails_received",),
    ),
    Ratio(
        "notification_delivery_rate",
        "Notification delivery",
        "Deliv. %",
        "Share of sent notifications confirmed delivered by a receipt.",
        ("notifications_delivered",),
        ("notifications_sent",),
    ),
    Ratio(
        "survey_response_rate",
        "Survey response rate",
        "Resp. %",
        "Share of customers offered the survey who answered at least one question.",
        ("survey_responses",),
        ("surveys_offered",),
    ),
    Ratio(
        "fcr_survey_rate",
        "First-contact resolution (survey)",
        "FCR srv",
        "Share of FCR survey answers saying the issue was resolved on the first contact.",
        ("fcr_survey_yes",),
        ("fcr_survey_responses",),
    ),
    Ratio(
        "fcr_repeat_rate",
        "First-contact resolution (repeat contacts)",
        "FCR rep",
        "Share of identified contacts that were not repeats within N days (1 - repeat rate). Figures for "
        "the last N days are provisional: a repeat arriving later moves a contact's caller history.",
        ("first_contacts",),
        ("first_contacts", "repeat_contacts"),
    ),
)

# --- one family of measures per driver ---------------------------------------------------------

DRIVER_SUM = "driver_sum|"
DRIVER_COUNT = "driver_count|"
DRIVER_AGREE = "driver_agree|"
A11_PREFIX = "a11|"
#: A-11 volumes per service and channel: ``a11v|<volume>|<service>|<channel>``
A11_VOLUME = "a11v|"
A11_VOLUMES = ("customers", "offered", "respondents")
#: the service a contact or survey without an intent belongs to
GENERAL_SERVICE = "GENERAL"
#: A-11 reports the share of respondents who agree (4 or 5 on the 5-point scale)
AGREE_POINTS = frozenset({4, 5})


def driver_sum_key(driver: A11Driver | str) -> str:
    return DRIVER_SUM + A11Driver(driver).value


def driver_count_key(driver: A11Driver | str) -> str:
    return DRIVER_COUNT + A11Driver(driver).value


def driver_agree_key(driver: A11Driver | str) -> str:
    return DRIVER_AGREE + A11Driver(driver).value


def a11_point_key(service: str, channel: str, driver: str, point: int) -> str:
    return f"{A11_PREFIX}{service}|{channel}|{driver}|{point}"


def a11_volume_key(volume: str, service: str, channel: str) -> str:
    """``a11v|customers|CASE_STATUS|VOICE``: one of :data:`A11_VOLUMES` for a service and channel."""
    assert volume in A11_VOLUMES, volume
    return f"{A11_VOLUME}{volume}|{service}|{channel}"


def service_of(intent: str | None) -> str:
    """The A-11 service a contact or survey belongs to: its intent (upper case), else GENERAL. The
    survey function and the aggregator both use it, so customers and respondents share one key."""
    return (intent or GENERAL_SERVICE).upper()


def customer_counters(
    case_counters: Mapping[str, int], intent: str | None, channel: str | None
) -> dict[str, int]:
    """A-11's volume of customers: every INBOUND contact (the ``inbound_contacts`` counter) counted
    once more under its service and channel, in the same rollup update."""
    if not case_counters.get("inbound_contacts"):
        return {}
    return {a11_volume_key("customers", service_of(intent), (channel or "VOICE").upper()): 1}


def driver_ratios(driver: A11Driver) -> tuple[Ratio, Ratio]:
    """The mean score (1-5) and the share agreeing (4 or 5) of one A-11 driver."""
    label = driver.value
    return (
        Ratio(
            f"a11_{label}_mean",
            f"A-11 {label} (mean)",
            f"{label} mean",
            f"Mean answer (1-5) to the A-11 {label} statement.",
            (driver_sum_key(driver),),
            (driver_count_key(driver),),
            "score",
        ),
        Ratio(
            f"a11_{label}_agree",
            f"A-11 {label} (share agreeing)",
            f"{label} agree",
            f"Share of {label} answers that agree (4 or 5), as A-11 reports it.",
            (driver_agree_key(driver),),
            (driver_count_key(driver),),
        ),
    )


A11_RATIOS: tuple[Ratio, ...] = tuple(r for d in A11Driver for r in driver_ratios(d))
ALL_RATIOS: tuple[Ratio, ...] = (*RATIOS, *A11_RATIOS)


@dataclass(frozen=True)
class Gauge:
    """A reading of the state at one moment (not a count of events): published to CloudWatch by a
    scheduled function, never stored in the rollups (so it is not a rollup field or column)."""

    name: str
    label: str
    definition: str
    cloudwatch: CloudWatchMetric


#: the e-mail backlog (functions/domain/email_backlog.py), published every few minutes per queue
#: (EMF dimension ``Queue``) and stack-wide by functions/handlers/email_backlog.py
EMAIL_BACKLOG_GAUGES: tuple[Gauge, ...] = (
    Gauge(
        "email_backlog",
        "E-mails waiting",
        "Received e-mails neither answered nor closed, at the moment of the reading.",
        CloudWatchMetric("EmailBacklog"),
    ),
    Gauge(
        "email_backlog_oldest_age_seconds",
        "Oldest waiting e-mail's age",
        "Seconds since the oldest waiting e-mail arrived (from its 15-minute interval's start); 0 "
        "when none waits.",
        CloudWatchMetric("EmailBacklogOldestAgeSeconds", "Seconds"),
    ),
    Gauge(
        "email_backlog_malformed_rows",
        "Malformed backlog rows",
        "Rollup rows the reading could not use (no interval start, counters not whole numbers).",
        CloudWatchMetric("EmailBacklogMalformedRows"),
    ),
)
GAUGES_BY_NAME: dict[str, Gauge] = {g.name: g for g in EMAIL_BACKLOG_GAUGES}
COUNTER_NAMES: tuple[str, ...] = tuple(c.name for c in COUNTERS)
MEASURES: tuple[Counter | Ratio, ...] = (*COUNTERS, *ALL_RATIOS)
BY_NAME: dict[str, Counter | Ratio] = {m.name: m for m in MEASURES}
CONTACT_COUNTERS = tuple(c for c in COUNTERS if c.entity == "contact")
SURVEY_COUNTERS = tuple(c for c in COUNTERS if c.entity == "survey")
NOTIFICATION_COUNTERS = tuple(c for c in COUNTERS if c.entity == "notification")
PUBLISHED = tuple(c for c in COUNTERS if c.cloudwatch is not None)

#: the measures of the summary table, in print order (names of counters and ratios)
HEADLINE: tuple[str, ...] = (
    "inbound_contacts",
    "offered",
    "answered",
    "abandoned",
    "level_of_service",
    "asa_seconds",
    "service_level",
    "answered_within_threshold_rate",
    "abandonment_rate",
    "callbacks_offered",
    "callbacks_accepted",
    "callbacks_dialed",
    "callbacks_connected",
    "callback_success_rate",
    "self_service_contained",
    "containment_rate",
    "fcr_survey_rate",
    "fcr_repeat_rate",
    "surveys_offered",
    "survey_responses",
    "survey_response_rate",
    "emails_received",
    "emails_answered_within_24h",
    "email_answered_within_24h_rate",
    "notifications_sent",
    "notifications_delivered",
    "notifications_opted_out",
    *(r.name for r in A11_RATIOS),
)
#: the columns of the per-queue table (``civicline metrics show``) and the dashboard's summary
TABLE: tuple[str, ...] = (
    "offered",
    "answered",
    "abandoned",
    "asa_seconds",
    "level_of_service",
    "service_level",
    "abandonment_rate",
    "callbacks_offered",
    "callbacks_accepted",
    "callbacks_dialed",
    "callbacks_connected",
    "containment_rate",
    "transfers",
    "fcr_survey_rate",
    "fcr_repeat_rate",
    "surveys_offered",
    "survey_responses",
)


def contact_counters(case: ContactCase, threshold_ms: int) -> dict[str, int]:
    """The counters one contact adds (zeros left out)."""
    out: dict[str, int] = {}
    for counter in CONTACT_COUNTERS:
        assert counter.rule is not None
        value = int(counter.rule(case, threshold_ms))
        if value:
            out[counter.name] = value
    return out


def survey_counters(survey: Mapping[str, Any]) -> dict[str, int]:
    """The counters one survey adds: offered, responses, FCR answers, the A-11 volumes offered and
    respondents per service and channel, and per A-11 driver its sum, count, agreement and scale
    point (per service and channel, for the quarterly export)."""
    out: dict[str, int] = {}
    for counter in SURVEY_COUNTERS:
        assert counter.rule is not None
        if counter.rule(survey):
            out[counter.name] = 1
    service = str(survey.get("service") or GENERAL_SERVICE)
    channel = str(survey.get("channel") or "VOICE")
    out[a11_volume_key("offered", service, channel)] = 1
    if not survey.get("declined"):
        out[a11_volume_key("respondents", service, channel)] = 1
    for driver, point in sorted(survey.get("drivers", {}).items()):
        out[driver_sum_key(driver)] = int(point)
        out[driver_count_key(driver)] = 1
        if int(point) in AGREE_POINTS:
            out[driver_agree_key(driver)] = 1
        out[a11_point_key(service, channel, driver, int(point))] = 1
    return out


def ratios(counters: Mapping[str, float]) -> dict[str, float | None]:
    """Every ratio (general and per A-11 driver) of a set of counters."""
    return {r.name: r.value(counters) for r in ALL_RATIOS}


def kind_of(name: str) -> str:
    """How a measure is printed: n (count), pct, sec, score."""
    measure = BY_NAME[name]
    return {"ratio": "pct", "seconds": "sec", "score": "score"}.get(measure.unit, "n")


# --- every measure by channel --------------------------------------------------------------------

#: ``ch|<CHANNEL>|<counter>``: a registry counter of one channel, in the same rollup item
CHANNEL_PREFIX = "ch|"
#: contact channels (Connect) and notification channels (Contract N), in display order
CHANNELS = ("VOICE", "CHAT", "EMAIL", "TASK", "SMS")


def channel_key(channel: str, name: str) -> str:
    return f"{CHANNEL_PREFIX}{channel}|{name}"


def by_channel(counters: Mapping[str, int], channel: str | None) -> dict[str, int]:
    """The registry counters of ``counters`` again under ``channel`` (families keep their own
    channel inside their key and are not repeated): added to the same rollup update, no new write."""
    name = (channel or "VOICE").upper()
    return {channel_key(name, k): v for k, v in counters.items() if "|" not in k}


def split_channels(counters: Mapping[str, float]) -> dict[str, dict[str, float]]:
    """``{channel: {counter: value}}`` from ``ch|`` keys (the rest ignored)."""
    out: dict[str, dict[str, float]] = {}
    for key, value in counters.items():
        if key.startswith(CHANNEL_PREFIX):
            channel, name = key.removeprefix(CHANNEL_PREFIX).split("|", 1)
            out.setdefault(channel, {})[name] = value
    return dict(
        sorted(out.items(), key=lambda kv: (CHANNELS.index(kv[0]) if kv[0] in CHANNELS else 99, kv[0]))
    )


def notification_counters(notification: Mapping[str, Any]) -> dict[str, int]:
    """The counters one notification adds (``{"outcomes": [...], "channel": ...}``), zeros left out."""
    out: dict[str, int] = {}
    for counter in NOTIFICATION_COUNTERS:
        assert counter.rule is not None
        if counter.rule(notification):
            out[counter.name] = 1
    return out
