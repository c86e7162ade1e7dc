"""Contact-center measures: every definition in one place, pure (no boto3, no environment).

How the aggregator stays idempotent and order-independent
--------------------------------------------------------
Contact events are best effort, unordered and may repeat. So the aggregator never adds "one event's
worth" to a counter. Instead each *entity* (a contact, or a caller+intent pair for repeat contacts)
keeps a set of **facts** (one per distinct event, callback record or survey, keyed by content), and
its **contribution** to the rollups is a pure function of that set (:func:`contact_contribution`,
:func:`caller_classes`). Merging facts is a set union, so any order and any number of
duplicates give the same set, hence the same contribution. The adapter stores the contribution it
last applied and writes only the difference (:func:`delta`), so re-delivered batches add zero.

Buckets: all of a contact's measures land in the interval it entered the queue (or started, when
never queued), so that ratios such as level of service compare like with like inside one interval.
Survey measures land in the interval the survey was submitted. Intervals are 15-minute UTC slots;
days and quarters are calendar days and quarters in the contact center's time zone.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from schemas.contact_events import ContactEventDetail
from schemas.records import A11Driver, CallbackRequest, CallbackState, Grain, SurveyResponse

#: the pseudo-queue that sums every queue
ALL_QUEUE = "ALL"
#: the pseudo-queue of contacts that never reached an agent queue (self-service, IVR hang-ups)
IVR_QUEUE = "IVR"
GRAINS: tuple[Grain, ...] = (Grain.INTERVAL, Grain.DAY, Grain.QUARTER)

#: initiation methods that are a caller's request for service when queued ("offered")
OFFERED_METHODS = frozenset({"INBOUND", "TRANSFER", "QUEUE_TRANSFER"})
TRANSFER_METHODS = frozenset({"TRANSFER", "QUEUE_TRANSFER"})
CALLBACK_METHOD = "CALLBACK"
FLOW_DISCONNECT = "CONTACT_FLOW_DISCONNECT"
#: how a CALLBACK contact ends when the customer's line was never reached (dialed, not connected)
CALLBACK_NOT_REACHED = frozenset({"TELECOM_PROBLEM", "CUSTOMER_CONNECTION_NOT_ESTABLISHED"})
#: contact attributes the aggregator reads (everything else is ignored and never stored)
ATTRIBUTES = (
    "callerKey",
    "intent",
    "callbackOffered",
    "callbackAccepted",
    "callbackId",
    "selfService",
    "courtesyDisconnect",
    "queueName",
    "transferredTo",
    "officeId",
    "service",
)
TRUE = frozenset({"true", "1", "yes", "y"})
#: attributes whose conflicting values resolve to the smallest ("false" < "true")
LEAST_WINS = frozenset({"selfService"})

Fact = dict[str, Any]
#: (queue, grain, period) -> counter -> value
Contribution = dict[tuple[str, str, str], dict[str, int]]


# --- the measures, documented once (docs/metrics.md and the dashboard read this) ------------------


@dataclass(frozen=True)
class Measure:
    name: str
    label: str
    definition: str
    formula: str
    source: str
    ratio: bool = False


COUNTERS: tuple[Measure, ...] = (
    Measure(
        "offered",
        "Offered",
        "Caller requests that reached an agent queue: INBOUND, TRANSFER or QUEUE_TRANSFER contacts that "
        "were queued. A CALLBACK contact is not a new offer: it belongs to the request that asked for it.",
        "count of contacts with queueInfo and initiationMethod in {INBOUND, TRANSFER, QUEUE_TRANSFER}",
        "QUEUED / CONNECTED_TO_AGENT / DISCONNECTED: queueInfo.queueArn, initiationMethod",
    ),
    Measure(
        "answered",
        "Answered",
        "Offered contacts connected to an agent (even when the QUEUED event is missing).",
        "offered and agentInfo.connectedToAgentTimestamp present",
        "CONNECTED_TO_AGENT / DISCONNECTED: agentInfo.connectedToAgentTimestamp",
    ),
    Measure(
        "abandoned",
        "Abandoned in queue",
        "Offered contacts that left the queue without reaching an agent, not converted to a callback "
        "and not ended by the flow (those are courtesy disconnects).",
        "offered, disconnected, no agent, no callback accepted, disconnectReason != CONTACT_FLOW_DISCONNECT",
        "DISCONNECTED: queueInfo.enqueueTimestamp, agentInfo absent, disconnectReason",
    ),
    Measure(
        "busy_or_courtesy_disconnected",
        "Busy / courtesy disconnects",
        "Callers seeking an agent whom the system sent away: queued contacts ended by the flow without a "
        "callback, and never-queued contacts marked courtesyDisconnect=true (queue at capacity).",
        "queued and disconnectReason = CONTACT_FLOW_DISCONNECT and no callback; "
        "or attribute courtesyDisconnect",
        "DISCONNECTED: disconnectReason; CONTACT_DATA_UPDATED: attributes.courtesyDisconnect",
    ),
    Measure(
        "answer_time_sum_ms",
        "Answer time (sum, ms)",
        "Time answered contacts waited in queue before an agent answered (includes agent whisper).",
        "sum of connectedToAgentTimestamp - enqueueTimestamp over answered contacts with both stamps",
        "agentInfo.connectedToAgentTimestamp, queueInfo.enqueueTimestamp",
    ),
    Measure(
        "answer_time_count",
        "Answer time (count)",
        "Answered contacts whose answer time is known (both timestamps present): the ASA denominator.",
        "count of answered contacts with both timestamps",
        "as above",
    ),
    Measure(
        "answered_within_threshold",
        "Answered within threshold",
        "Answered contacts whose answer time is at most the service-level threshold X.",
        "answer time <= X seconds (setting SERVICE_LEVEL_SECONDS, default 60)",
        "as above",
    ),
    Measure(
        "removed_within_threshold",
        "Removed from queue within threshold",
        "Offered contacts removed from the queue within X seconds: answered, abandoned, sent to a "
        "callback or courtesy-disconnected (Amazon Connect's numerator for service level).",
        "(connectedToAgentTimestamp or disconnectTimestamp) - enqueueTimestamp <= X seconds",
        "queueInfo.enqueueTimestamp, agentInfo.connectedToAgentTimestamp, disconnectTimestamp",
    ),
    Measure(
        "inbound_contacts",
        "Inbound contacts",
        "Every INBOUND contact, queued or not: the containment denominator.",
        "count of contacts with initiationMethod = INBOUND",
        "any event: initiationMethod",
    ),
    Measure(
        "self_service_contained",
        "Self-service contained",
        "INBOUND contacts fully served by the IVR: never queued, never connected to an agent, not "
        "transferred, no callback, ended by the flow (or marked selfService=true; selfService=false wins).",
        "INBOUND and no queue and no agent and (selfService=true or (no selfService attribute and "
        "disconnectReason = CONTACT_FLOW_DISCONNECT)) and not courtesyDisconnect",
        "DISCONNECTED: disconnectReason; CONTACT_DATA_UPDATED: attributes.selfService",
    ),
    Measure(
        "transfers",
        "Transfers",
        "Contacts transferred: contacts created by a transfer (TRANSFER, QUEUE_TRANSFER), contacts sent "
        "to a third party (attribute transferredTo, disconnectReason THIRD_PARTY_DISCONNECT, or the "
        "redirect path: intent REDIRECT with an officeId and never queued).",
        "count of contacts with any of those marks (once per contact)",
        "initiationMethod, disconnectReason, attributes.transferredTo",
    ),
    Measure(
        "callbacks_offered",
        "Callbacks offered",
        "Contacts to which the flow offered a callback (the flow sets callbackOffered=true).",
        "count of contacts with attribute callbackOffered = true",
        "CONTACT_DATA_UPDATED: attributes.callbackOffered",
    ),
    Measure(
        "callbacks_accepted",
        "Callbacks accepted",
        "Callback requests, counted once per originating contact whatever the number of sources.",
        "callbacks-table request for the contact, or attribute callbackId/callbackAccepted, or a CALLBACK "
        "contact linked to it",
        "callbacks table (stream); attributes; CALLBACK contact events (previousContactId)",
    ),
    Measure(
        "callbacks_dialed",
        "Callbacks dialed",
        "Accepted callbacks the dispatcher (or Connect) started dialing at least once.",
        "request with attempts or state DIALING/PLACED/CONNECTED/NO_ANSWER/FAILED, or a linked CALLBACK "
        "contact connected to an agent (Connect calls the agent first, then the customer) or ended "
        "because the customer's line was not reached (TELECOM_PROBLEM, CUSTOMER_CONNECTION_NOT_ESTABLISHED)",
        "callbacks table: state, attempts; CALLBACK contact: agentInfo, disconnectReason",
    ),
    Measure(
        "callbacks_connected",
        "Callbacks connected",
        "Accepted callbacks where the caller was reached.",
        "request state CONNECTED or an attempt CONNECTED, or a linked CALLBACK contact connected to an "
        "agent and not ended by TELECOM_PROBLEM or CUSTOMER_CONNECTION_NOT_ESTABLISHED",
        "callbacks table: state, attempts; CALLBACK contact: agentInfo, disconnectReason",
    ),
    Measure(
        "fcr_survey_responses",
        "FCR survey responses",
        "Surveys that answered 'were all your questions answered?'.",
        "count of surveys with fcr_all_answered not null",
        "surveys table: fcr_all_answered",
    ),
    Measure(
        "fcr_survey_yes",
        "FCR survey: resolved",
        "Surveys saying all questions were answered and this was the first call about it (or the "
        "times-called question unanswered).",
        "fcr_all_answered = true and fcr_times_called in {null, 1}",
        "surveys table: fcr_all_answered, fcr_times_called",
    ),
    Measure(
        "first_contacts",
        "First contacts",
        "INBOUND contacts with a caller key and intent and no earlier contact by the same caller about the "
        "same intent within N days (setting REPEAT_WINDOW_DAYS).",
        "count per caller+intent, sorted by start time, where the previous start is more than N days earlier",
        "attributes.callerKey (pseudonymized number), attributes.intent, initiationTimestamp",
    ),
    Measure(
        "repeat_contacts",
        "Repeat contacts",
        "Contacts by the same caller about the same intent within N days of the previous one.",
        "count where the previous contact of the caller+intent started at most N days earlier",
        "as above",
    ),
    Measure(
        "survey_responses",
        "Survey responses",
        "Post-call surveys stored (complete or partial).",
        "count of survey records",
        "surveys table",
    ),
)

DERIVED: tuple[Measure, ...] = (
    Measure(
        "asa_seconds",
        "Average speed of answer (s)",
        "Average time answered contacts waited in queue.",
        "answer_time_sum_ms / answer_time_count / 1000",
        "counters",
        ratio=True,
    ),
    Measure(
        "level_of_service",
        "Level of service (IRS style)",
        "Share of callers seeking an agent who reached one; no time threshold.",
        "answered / (answered + abandoned + busy_or_courtesy_disconnected)",
        "counters",
        ratio=True,
    ),
    Measure(
        "service_level",
        "Service level X (Connect)",
        "Share of offered contacts removed from the queue within X seconds (answered, abandoned or "
        "callback): Amazon Connect's SERVICE_LEVEL over CivicLine's offered contacts.",
        "removed_within_threshold / offered",
        "counters",
        ratio=True,
    ),
    Measure(
        "answered_within_threshold_rate",
        "Answered within X",
        "Share of offered contacts answered within X seconds (the 'classic' 80/20-style figure).",
        "answered_within_threshold / offered",
        "counters",
        ratio=True,
    ),
    Measure(
        "abandonment_rate",
        "Abandonment rate",
        "Share of offered contacts abandoned in queue (callbacks are not abandons).",
        "abandoned / offered",
        "counters",
        ratio=True,
    ),
    Measure(
        "callback_acceptance_rate",
        "Callback acceptance",
        "Share of callback offers accepted.",
        "callbacks_accepted / callbacks_offered",
        "counters",
        ratio=True,
    ),
    Measure(
        "callback_success_rate",
        "Callback success",
        "Share of accepted callbacks that reached the caller.",
        "callbacks_connected / callbacks_accepted",
        "counters",
        ratio=True,
    ),
    Measure(
        "containment_rate",
        "Self-service containment",
        "Share of inbound contacts fully served by the IVR.",
        "self_service_contained / inbound_contacts",
        "counters",
        ratio=True,
    ),
    Measure(
        "fcr_survey_rate",
        "First-contact resolution (survey)",
        "Share of FCR survey answers saying the issue was resolved on the first contact.",
        "fcr_survey_yes / fcr_survey_responses",
        "counters",
        ratio=True,
    ),
    Measure(
        "fcr_repeat_rate",
        "First-contact resolution (repeat contacts)",
        "Share of identified contacts that were not repeats within N days (1 - repeat rate). Figures for "
        "the last N days are provisional: a repeat arriving later moves a contact's caller history.",
        "first_contacts / (first_contacts + repeat_contacts)",
        "counters",
        ratio=True,
    ),
)

COUNTER_NAMES: tuple[str, ...] = tuple(m.name for m in COUNTERS)
DRIVER_SUM = "driver_sum|"
DRIVER_COUNT = "driver_count|"
A11_PREFIX = "a11|"


def driver_mean_name(driver: A11Driver) -> str:
    return f"a11_{driver.value}_mean"


# --- time buckets ---------------------------------------------------------------------------------


def zone(name: str) -> ZoneInfo:
    """The contact center's time zone; UTC when the name is unknown (never fails a batch)."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def to_ms(value: datetime) -> int:
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return int(value.timestamp() * 1000)


def from_ms(ms: int) -> datetime:
    return datetime.fromtimestamp(ms / 1000, tz=UTC)


def quarter_label(day: datetime) -> str:
    return f"{day.year}Q{(day.month - 1) // 3 + 1}"


def period_key(ms: int, grain: Grain | str, tz: ZoneInfo) -> str:
    """The rollup sort key: ``2026-11-23T14:15:00Z`` (15m, UTC), ``2026-11-23`` (local day), ``2026Q4``."""
    moment = from_ms(ms)
    grain = Grain(grain)
    if grain is Grain.INTERVAL:
        slot = moment.replace(minute=moment.minute - moment.minute % 15, second=0, microsecond=0)
        return slot.strftime("%Y-%m-%dT%H:%M:%SZ")
    local = moment.astimezone(tz)
    if grain is Grain.DAY:
        return local.date().isoformat()
    return quarter_label(local)


def period_start(key: str, grain: Grain | str, tz: ZoneInfo) -> datetime:
    """Inverse of :func:`period_key`: the tz-aware start of the period."""
    grain = Grain(grain)
    if grain is Grain.INTERVAL:
        return datetime.fromisoformat(key)
    if grain is Grain.DAY:
        return datetime.fromisoformat(key).replace(tzinfo=tz)
    year, quarter = parse_quarter(key)
    return datetime(year, 3 * (quarter - 1) + 1, 1, tzinfo=tz)


def parse_quarter(label: str) -> tuple[int, int]:
    """``2026Q4`` -> (2026, 4); ValueError otherwise."""
    text = label.strip().upper()
    if len(text) != 6 or text[4] != "Q" or not text[:4].isdigit() or text[5] not in "1234":
        raise ValueError(f"not a quarter label like 2026Q4: {label!r}")
    return int(text[:4]), int(text[5])


def federal_fiscal_quarter(label: str) -> str:
    """Calendar quarter -> US federal fiscal quarter (FY starts 1 October): 2026Q4 -> FY2027 Q1."""
    year, quarter = parse_quarter(label)
    return f"FY{year + 1} Q1" if quarter == 4 else f"FY{year} Q{quarter + 1}"


# --- facts ----------------------------------------------------------------------------------------


def _digest(payload: Mapping[str, Any]) -> str:
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.blake2b(text.encode(), digest_size=8).hexdigest()


def queue_from_arn(arn: str | None, names: Mapping[str, str] | None = None) -> str | None:
    """Queue name: the QUEUE_ARNS mapping when it knows the ARN, else the ARN's last path segment."""
    if not arn:
        return None
    if names and arn in names:
        return names[arn]
    return arn.rstrip("/").rsplit("/", 1)[-1] or None


def link_target(detail: ContactEventDetail) -> str:
    """The entity a contact event belongs to: a CALLBACK contact is folded into the contact that asked
    for it (previousContactId, else relatedContactId, else initialContactId), so a callback is never
    counted as a second request."""
    if (detail.initiationMethod or "").upper() == CALLBACK_METHOD:
        for other in (detail.previousContactId, detail.relatedContactId, detail.initialContactId):
            if other and other != detail.contactId:
                return other
    return detail.contactId


def event_fact(
    detail: ContactEventDetail, event_time: datetime | None, queue_names: Mapping[str, str] | None = None
) -> tuple[str, str, Fact]:
    """``(entity contact id, fact key, fact)`` for one contact event: only the fields measures use."""
    fact: Fact = {"kind": "event", "type": detail.kind.value, "contact": detail.contactId}
    if detail.initiationMethod:
        fact["method"] = detail.initiationMethod.upper()
    if detail.channel:
        fact["channel"] = detail.channel
    stamps = {
        "init": detail.initiationTimestamp,
        "disc": detail.disconnectTimestamp,
        "at": event_time,
    }
    if detail.queueInfo is not None:
        queue = queue_from_arn(detail.queueInfo.queueArn, queue_names)
        if queue:
            fact["queue"] = queue
        stamps["enq"] = detail.queueInfo.enqueueTimestamp
    if detail.agentInfo is not None:
        fact["agent"] = True
        stamps["agt"] = detail.agentInfo.connectedToAgentTimestamp
    for name, stamp in stamps.items():
        if stamp is not None:
            fact[name] = to_ms(stamp)
    if detail.disconnectReason:
        fact["reason"] = detail.disconnectReason.upper()
    if detail.attributes:
        kept = {k: str(v) for k, v in detail.attributes.items() if k in ATTRIBUTES}
        if kept:
            fact["attrs"] = kept
    entity = link_target(detail)
    prefix = "cb:" if entity != detail.contactId else "ev:"
    # the envelope time is not part of the identity: a re-published duplicate gets a new one
    identity = {k: v for k, v in fact.items() if k != "at"}
    return entity, f"{prefix}{detail.eventType}:{_digest(identity)}", fact


def callback_fact(request: CallbackRequest) -> tuple[str, str, Fact]:
    """A callbacks-table request as a fact of the contact that asked for it (merged monotonically)."""
    dialed = bool(request.attempts) or request.state in {
        CallbackState.DIALING,
        CallbackState.PLACED,
        CallbackState.CONNECTED,
        CallbackState.NO_ANSWER,
        CallbackState.FAILED,
    }
    connected = request.state is CallbackState.CONNECTED or any(
        a.outcome == "CONNECTED" for a in request.attempts
    )
    fact: Fact = {
        "kind": "callback",
        "queue": request.queue,
        "at": to_ms(request.requested_at),
        "dialed": dialed,
        "connected": connected,
    }
    return request.contact_id, f"callback:{request.callback_id}", fact


def survey_fact(survey: SurveyResponse) -> tuple[str, str, Fact]:
    """One survey as a fact of its contact (one survey per contact: later images replace earlier)."""
    fact: Fact = {
        "kind": "survey",
        "at": to_ms(survey.submitted_at),
        "queue": survey.queue,
        "service": survey.service,
        "channel": survey.channel.upper(),
        "fcr_all": survey.fcr_all_answered,
        "fcr_times": survey.fcr_times_called,
        "drivers": {d.value: int(v) for d, v in sorted(survey.drivers.items())},
    }
    return survey.contact_id, "survey", fact


def merge_facts(old: Mapping[str, Fact], new: Iterable[tuple[str, Fact]]) -> dict[str, Fact]:
    """Set union by fact key. Event facts are content-keyed (a duplicate is the same key and value);
    callback facts merge monotonically (dialed/connected never go back); survey and caller-history
    facts keep the deterministic maximum, so the result never depends on arrival order."""
    merged = dict(old)
    for key, fact in new:
        current = merged.get(key)
        if current is None or current == fact:
            merged[key] = fact
        elif fact.get("kind") == "callback":
            merged[key] = {
                **current,
                "at": min(current["at"], fact["at"]),
                "dialed": bool(current.get("dialed")) or bool(fact.get("dialed")),
                "connected": bool(current.get("connected")) or bool(fact.get("connected")),
            }
        else:
            merged[key] = max(current, fact, key=lambda f: json.dumps(f, sort_keys=True, default=str))
    return merged


# --- the merged view of one contact ---------------------------------------------------------------


def _min(values: Iterable[int | None]) -> int | None:
    found = [v for v in values if v is not None]
    return min(found) if found else None


@dataclass
class ContactView:
    """What the merged facts say about one contact (and the callback contacts folded into it)."""

    contact_id: str
    has_events: bool = False
    method: str | None = None
    channel: str | None = None
    queue: str | None = None
    enqueued_ms: int | None = None
    agent: bool = False
    agent_ms: int | None = None
    disconnected: bool = False
    disconnect_ms: int | None = None
    reason: str | None = None
    start_ms: int | None = None
    first_seen_ms: int | None = None
    attributes: dict[str, str] = field(default_factory=dict)
    callback_requests: list[Fact] = field(default_factory=list)
    callback_contacts: dict[str, list[Fact]] = field(default_factory=dict)
    survey: Fact | None = None
    events: list[Fact] = field(default_factory=list)

    @property
    def queued(self) -> bool:
        return self.queue is not None or self.enqueued_ms is not None

    def flag(self, name: str) -> bool | None:
        value = self.attributes.get(name)
        return None if value is None else value.strip().lower() in TRUE


def view(contact_id: str, facts: Mapping[str, Fact]) -> ContactView:
    """Fold a contact's facts into one view; every choice is order-free (min, any, sorted)."""
    out = ContactView(contact_id)
    own = [
        f for f in facts.values() if f.get("kind") == "event" and f.get("contact", contact_id) == contact_id
    ]
    own.sort(key=lambda f: json.dumps(f, sort_keys=True))
    for fact in facts.values():
        if fact.get("kind") == "callback":
            out.callback_requests.append(fact)
        elif fact.get("kind") == "survey":
            out.survey = fact
        elif fact.get("kind") == "event" and fact.get("contact", contact_id) != contact_id:
            out.callback_contacts.setdefault(fact["contact"], []).append(fact)
    if not own:
        return out
    out.has_events = True
    out.events = own
    methods = sorted({f["method"] for f in own if f.get("method")})
    out.method = methods[0] if methods else None
    channels = sorted({f["channel"] for f in own if f.get("channel")})
    out.channel = channels[0] if channels else None
    queued = [f for f in own if f.get("queue")]
    if queued:
        # the queue of the latest enqueue (a contact moved between queues counts where it ended up)
        latest = max(queued, key=lambda f: (f.get("enq") or 0, f["queue"]))
        out.queue = latest["queue"]
    out.enqueued_ms = _min(f.get("enq") for f in own if f.get("queue", out.queue) == out.queue)
    out.agent = any(f.get("agent") for f in own) or any(f["type"] == "CONNECTED_TO_AGENT" for f in own)
    out.agent_ms = _min(f.get("agt") for f in own)
    out.disconnected = any(f["type"] in ("DISCONNECTED", "COMPLETED") or f.get("disc") for f in own)
    out.disconnect_ms = _min(f.get("disc") for f in own)
    reasons = sorted({f["reason"] for f in own if f.get("reason")})
    out.reason = reasons[0] if reasons else None
    out.start_ms = _min(f.get("init") for f in own)
    out.first_seen_ms = _min(f.get("at") for f in own)
    # events carry no reliable order, so conflicting attribute values resolve deterministically: the
    # greatest value ("true" beats "false": an offer once made was made), except for the attributes
    # in LEAST_WINS where the smallest wins (selfService=false once means the IVR did not suffice)
    for fact in own:
        for name, value in fact.get("attrs", {}).items():
            current = out.attributes.get(name)
            if current is None or (value < current if name in LEAST_WINS else value > current):
                out.attributes[name] = value
    return out


@dataclass(frozen=True)
class Rules:
    """The tunable parts of the definitions (SERVICE_LEVEL_SECONDS, REPEAT_WINDOW_DAYS, TIME_ZONE)."""

    service_level_seconds: int = 60
    repeat_window_days: int = 7
    time_zone: str = "UTC"

    @property
    def tz(self) -> ZoneInfo:
        return zone(self.time_zone)


def anchor_ms(v: ContactView) -> int | None:
    """When a contact counts: when it was queued, else when it started, else the first timestamp seen."""
    for candidate in (v.enqueued_ms, v.start_ms):
        if candidate is not None:
            return candidate
    return _min([v.agent_ms, v.disconnect_ms, v.first_seen_ms])


def sent_to_third_party(v: ContactView) -> bool:
    """Transferred out to another office's number: attribute transferredTo, a THIRD_PARTY_DISCONNECT,
    or the main-inbound redirect path (intent REDIRECT with an officeId, never queued: the flow sets
    officeId just before TransferParticipantToThirdParty, and a failed transfer goes to a queue)."""
    if v.attributes.get("transferredTo") or v.reason == "THIRD_PARTY_DISCONNECT":
        return True
    return not v.queued and v.attributes.get("intent") == "REDIRECT" and bool(v.attributes.get("officeId"))


def contact_flags(v: ContactView, rules: Rules) -> dict[str, int]:
    """The counter values (0/1 and milliseconds) one contact contributes: the definitions in code."""
    out: dict[str, int] = {}
    if not v.has_events:
        return out
    threshold_ms = rules.service_level_seconds * 1000
    method = v.method or "INBOUND"
    links = dict(v.callback_contacts)
    if method == CALLBACK_METHOD:
        # a CALLBACK contact with no link to the contact that asked for it stands for its own request
        links[v.contact_id] = v.events
    callback_accepted = bool(v.callback_requests) or bool(links) or bool(v.attributes.get("callbackId"))
    callback_accepted = callback_accepted or bool(v.flag("callbackAccepted"))
    if method == "INBOUND":
        out["inbound_contacts"] = 1
    offered = v.queued and method in OFFERED_METHODS
    if offered:
        out["offered"] = 1
        removed_ms: int | None = None
        if v.agent:
            out["answered"] = 1
            if v.agent_ms is not None and v.enqueued_ms is not None:
                wait = max(0, v.agent_ms - v.enqueued_ms)
                out["answer_time_sum_ms"] = wait
                out["answer_time_count"] = 1
                if wait <= threshold_ms:
                    out["answered_within_threshold"] = 1
                removed_ms = v.agent_ms
        elif v.disconnected:
            if not callback_accepted:
                key = "busy_or_courtesy_disconnected" if v.reason == FLOW_DISCONNECT else "abandoned"
                out[key] = 1
            removed_ms = v.disconnect_ms
        if (
            removed_ms is not None
            and v.enqueued_ms is not None
            and removed_ms - v.enqueued_ms <= threshold_ms
        ):
            out["removed_within_threshold"] = 1
    elif not v.queued and not v.agent and method == "INBOUND" and v.disconnected:
        courtesy = bool(v.flag("courtesyDisconnect"))
        if courtesy:
            out["busy_or_courtesy_disconnected"] = 1
        transferred = sent_to_third_party(v)
        self_service = v.flag("selfService")
        contained = self_service if self_service is not None else v.reason == FLOW_DISCONNECT
        if contained and not courtesy and not transferred and not callback_accepted:
            out["self_service_contained"] = 1
    if method in TRANSFER_METHODS or sent_to_third_party(v):
        out["transfers"] = 1
    if v.flag("callbackOffered"):
        out["callbacks_offered"] = 1
    if callback_accepted:
        out["callbacks_accepted"] = 1
        dialed = any(f.get("dialed") for f in v.callback_requests)
        connected = any(f.get("connected") for f in v.callback_requests)
        for facts in links.values():
            agent = any(f.get("agent") or f["type"] == "CONNECTED_TO_AGENT" for f in facts)
            not_reached = any(f.get("reason") in CALLBACK_NOT_REACHED for f in facts)
            dialed = dialed or agent or not_reached
            connected = connected or (agent and not not_reached)
        if dialed:
            out["callbacks_dialed"] = 1
        if connected:
            out["callbacks_connected"] = 1
    return out


def survey_flags(survey: Fact) -> dict[str, int]:
    """Counters of one survey: responses, FCR answers, A-11 driver sums/counts and scale points."""
    out: dict[str, int] = {"survey_responses": 1}
    if survey.get("fcr_all") is not None:
        out["fcr_survey_responses"] = 1
        if survey["fcr_all"] and survey.get("fcr_times") in (None, 1):
            out["fcr_survey_yes"] = 1
    service = str(survey.get("service") or "unknown")
    channel = str(survey.get("channel") or "VOICE")
    for driver, point in sorted(survey.get("drivers", {}).items()):
        out[DRIVER_SUM + driver] = int(point)
        out[DRIVER_COUNT + driver] = 1
        out[f"{A11_PREFIX}{service}|{channel}|{driver}|{int(point)}"] = 1
    return out


def _spread(into: Contribution, queue: str, ms: int, counters: Mapping[str, int], rules: Rules) -> None:
    """Add counters to the queue's and ALL's 15m, day and quarter buckets containing ``ms``."""
    if not counters:
        return
    tz = rules.tz
    for q in {queue, ALL_QUEUE}:
        for grain in GRAINS:
            bucket = into.setdefault((q, grain.value, period_key(ms, grain, tz)), {})
            for name, value in counters.items():
                bucket[name] = bucket.get(name, 0) + value


def contact_contribution(v: ContactView, rules: Rules) -> Contribution:
    """Everything one contact entity adds to the rollups (contact measures + its survey)."""
    out: Contribution = {}
    at = anchor_ms(v)
    if v.has_events and at is not None:
        queue = v.queue or v.attributes.get("queueName") or IVR_QUEUE
        _spread(out, queue, at, contact_flags(v, rules), rules)
    elif v.callback_requests:
        # a callback request whose contact events never arrived: still an accepted callback
        request = min(v.callback_requests, key=lambda f: f["at"])
        flags = {"callbacks_accepted": 1}
        if any(f.get("dialed") for f in v.callback_requests):
            flags["callbacks_dialed"] = 1
        if any(f.get("connected") for f in v.callback_requests):
            flags["callbacks_connected"] = 1
        _spread(out, str(request.get("queue") or IVR_QUEUE), request["at"], flags, rules)
    if v.survey is not None:
        queue = v.survey.get("queue") or v.queue or IVR_QUEUE
        _spread(out, str(queue), int(v.survey["at"]), survey_flags(v.survey), rules)
    return out


def caller_entry(v: ContactView) -> tuple[str, Fact] | None:
    """``(caller entity, fact)`` for repeat-contact counting: INBOUND contacts with callerKey + intent."""
    key = v.attributes.get("callerKey")
    intent = v.attributes.get("intent")
    at = v.start_ms if v.start_ms is not None else anchor_ms(v)
    if not v.has_events or (v.method or "INBOUND") != "INBOUND" or not key or not intent or at is None:
        return None
    queue = v.queue or v.attributes.get("queueName") or IVR_QUEUE
    bucket = anchor_ms(v)
    fact = {"kind": "caller", "contact": v.contact_id, "at": at, "bucket": at if bucket is None else bucket}
    return f"{key}#{intent}", {**fact, "queue": queue}


#: the caller-state fact that stands for every contact frozen out of it (see :func:`prune_callers`)
CALLER_FLOOR = "floor"


def _entry_order(fact: Fact) -> tuple[int, str]:
    return int(fact["at"]), str(fact["contact"])


def caller_classes(facts: Mapping[str, Fact], rules: Rules) -> list[tuple[Fact, str]]:
    """Each caller+intent contact with its counter: a contact is a repeat when the previous one (by
    start time, then contact id; the floor when that one was frozen) started at most
    ``repeat_window_days`` earlier."""
    window = int(timedelta(days=rules.repeat_window_days).total_seconds() * 1000)
    floor = facts.get(CALLER_FLOOR)
    previous: int | None = None if floor is None else int(floor["at"])
    out: list[tuple[Fact, str]] = []
    for entry in sorted((f for f in facts.values() if f.get("kind") == "caller"), key=_entry_order):
        repeat = previous is not None and entry["at"] - previous <= window
        out.append((entry, "repeat_contacts" if repeat else "first_contacts"))
        previous = entry["at"]
    return out


def spread_classes(classes: Iterable[tuple[Fact, str]], rules: Rules) -> Contribution:
    """The rollup contribution of classified caller entries, each in its contact's interval."""
    out: Contribution = {}
    for entry, counter in classes:
        when = int(entry["bucket"] if "bucket" in entry else entry["at"])
        _spread(out, entry["queue"], when, {counter: 1}, rules)
    return out


def beyond_floor(facts: Mapping[str, Fact], entry: Fact) -> bool:
    """Whether a caller entry can still be counted: it sorts after the floor (a contact at or before
    the floor is a redelivery of a frozen one, or arrived later than the repeat window allows)."""
    floor = facts.get(CALLER_FLOOR)
    return floor is None or _entry_order(entry) > _entry_order(floor)


def prune_callers(
    classes: Sequence[tuple[Fact, str]], rules: Rules, max_entries: int
) -> tuple[list[tuple[Fact, str]], list[tuple[Fact, str]]]:
    """``(kept, frozen)``: the contacts whose repeat status can still change, and the older ones.

    A contact's status depends only on the one before it, and a new contact can only change the
    status of the one after it. So once a contact is more than the repeat window older than the
    caller's newest, a contact delivered up to one window late still sorts after it, and its status
    is final: it is frozen (its contribution stays in the rollups, it leaves the state, the floor
    remembers its start). At most ``max_entries`` are kept whatever the window (a shared line).
    """
    if not classes:
        return [], []
    window = int(timedelta(days=rules.repeat_window_days).total_seconds() * 1000)
    newest = int(classes[-1][0]["at"])
    cut = next((i for i, (entry, _) in enumerate(classes) if entry["at"] >= newest - window), len(classes))
    cut = max(cut, len(classes) - max_entries)
    return list(classes[cut:]), list(classes[:cut])


# --- deltas and rollups ---------------------------------------------------------------------------


def encode_contribution(c: Contribution) -> dict[str, dict[str, int]]:
    return {"|".join(k): dict(sorted(v.items())) for k, v in sorted(c.items())}


def decode_contribution(raw: Mapping[str, Mapping[str, Any]]) -> Contribution:
    out: Contribution = {}
    for key, counters in raw.items():
        queue, grain, period = key.rsplit("|", 2)
        out[(queue, grain, period)] = {name: int(value) for name, value in counters.items()}
    return out


def delta(old: Contribution, new: Contribution) -> Contribution:
    """``new - old`` per bucket and counter, without zero entries (what to ADD to the rollups)."""
    out: Contribution = {}
    for bucket in set(old) | set(new):
        before, after = old.get(bucket, {}), new.get(bucket, {})
        diff = {n: after.get(n, 0) - before.get(n, 0) for n in set(before) | set(after)}
        diff = {n: d for n, d in diff.items() if d}
        if diff:
            out[bucket] = diff
    return out


def add_into(total: Contribution, part: Contribution) -> None:
    """Accumulate ``part`` into ``total`` (one rollup update per bucket per batch)."""
    for bucket, counters in part.items():
        into = total.setdefault(bucket, {})
        for name, value in counters.items():
            into[name] = into.get(name, 0) + value
    for bucket in [b for b, c in total.items() if not any(c.values())]:
        del total[bucket]


def rollups_from_contributions(parts: Iterable[Contribution]) -> Contribution:
    """Reference aggregation (what the stored rollups must equal): the plain sum of contributions."""
    total: Contribution = defaultdict(dict)
    for part in parts:
        add_into(total, part)
    return {k: {n: v for n, v in c.items() if v} for k, c in total.items() if any(c.values())}


# --- derived measures -----------------------------------------------------------------------------


def _ratio(num: float, den: float) -> float | None:
    return num / den if den else None


def derived(counters: Mapping[str, float]) -> dict[str, float | None]:
    """Every ratio of :data:`DERIVED` (None when the denominator is zero) and A-11 driver means."""
    c = {name: float(counters.get(name, 0)) for name in COUNTER_NAMES}
    out: dict[str, float | None] = {
        "asa_seconds": (
            c["answer_time_sum_ms"] / c["answer_time_count"] / 1000 if c["answer_time_count"] else None
        ),
        "level_of_service": _ratio(
            c["answered"], c["answered"] + c["abandoned"] + c["busy_or_courtesy_disconnected"]
        ),
        "service_level": _ratio(c["removed_within_threshold"], c["offered"]),
        "answered_within_threshold_rate": _ratio(c["answered_within_threshold"], c["offered"]),
        "abandonment_rate": _ratio(c["abandoned"], c["offered"]),
        "callback_acceptance_rate": _ratio(c["callbacks_accepted"], c["callbacks_offered"]),
        "callback_success_rate": _ratio(c["callbacks_connected"], c["callbacks_accepted"]),
        "containment_rate": _ratio(c["self_service_contained"], c["inbound_contacts"]),
        "fcr_survey_rate": _ratio(c["fcr_survey_yes"], c["fcr_survey_responses"]),
        "fcr_repeat_rate": _ratio(c["first_contacts"], c["first_contacts"] + c["repeat_contacts"]),
    }
    for driver in A11Driver:
        out[driver_mean_name(driver)] = _ratio(
            float(counters.get(DRIVER_SUM + driver.value, 0)),
            float(counters.get(DRIVER_COUNT + driver.value, 0)),
        )
    return out
