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

import functools
import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from functions.domain.metrics_registry import (
    ContactCase,
    by_channel,
    contact_counters,
    customer_counters,
    customer_started,
    notification_counters,
    ratios,
    survey_counters,
)
from schemas.contact_events import ContactEventDetail
from schemas.records import CallbackRequest, CallbackState, Grain, SurveyResponse

#: the pseudo-queue that sums every queue
ALL_QUEUE = "ALL"
#: the pseudo-queue of contacts that never reached an agent queue (self-service, IVR hang-ups)
IVR_QUEUE = "IVR"
GRAINS: tuple[Grain, ...] = (Grain.INTERVAL, Grain.DAY, Grain.QUARTER)

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
    "answerDeadline",
)
#: an e-mail without an answerDeadline attribute is due this long after it started
EMAIL_ANSWER_MS = 24 * 3_600_000
#: the pseudo-queue of notification outcomes (they belong to no contact queue)
NOTIFY_QUEUE = "NOTIFY"
TRUE = frozenset({"true", "1", "yes", "y"})
#: attributes whose conflicting values resolve to the smallest ("false" < "true")
LEAST_WINS = frozenset({"selfService"})

Fact = dict[str, Any]
#: (queue, grain, period) -> counter -> value
Contribution = dict[tuple[str, str, str], dict[str, int]]


# --- time buckets ---------------------------------------------------------------------------------


@functools.lru_cache(maxsize=64)
def zone(name: str) -> ZoneInfo:
    """The contact center's time zone; UTC when the name is unknown (never fails a batch).

    Remembered per name: a batch asks for it once per rollup bucket, and ``ZoneInfo``'s own cache
    keeps only weak references beyond its last eight zones."""
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


def fiscal_year_quarter(label: str) -> tuple[int, int]:
    """Calendar quarter -> (US federal fiscal year, fiscal quarter); the FY starts 1 October."""
    year, quarter = parse_quarter(label)
    return (year + 1, 1) if quarter == 4 else (year, quarter + 1)


def federal_fiscal_quarter(label: str) -> str:
    """Calendar quarter -> US federal fiscal quarter label: 2026Q4 -> FY2027 Q1."""
    year, quarter = fiscal_year_quarter(label)
    return f"FY{year} Q{quarter}"


# --- facts ----------------------------------------------------------------------------------------


#: ``json.dumps(..., sort_keys=True, separators=(",", ":"), default=str)``, built once: the fact of
#: every delivered event is hashed through it
_IDENTITY_JSON = json.JSONEncoder(sort_keys=True, separators=(",", ":"), default=str)


def _digest(payload: Mapping[str, Any]) -> str:
    text = _IDENTITY_JSON.encode(payload)
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
    if survey.declined:
        fact["declined"] = True
    return survey.contact_id, "survey", fact


NOTIFICATION_OUTCOMES = frozenset({"SENT", "DELIVERED", "FAILED", "OPTED_OUT", "DEFERRED", "SKIPPED"})
NOTIFICATION_CHANNELS = frozenset({"SMS", "EMAIL", "VOICE"})


def notification_fact(detail: Mapping[str, Any]) -> tuple[str, str, Fact]:
    """One Notification Outcome (Contract N) as a fact of its notification: the same outcome twice is
    one fact (a re-delivery), each outcome counted once. ValueError when the detail is not one."""
    ident = detail.get("notificationId")
    outcome = str(detail.get("outcome") or "").upper()
    channel = str(detail.get("channel") or "").upper()
    if not isinstance(ident, str) or not ident or len(ident) > 200:
        raise ValueError("notificationId")
    if outcome not in NOTIFICATION_OUTCOMES:
        raise ValueError("outcome")
    if channel not in NOTIFICATION_CHANNELS:
        raise ValueError("channel")
    at = datetime.fromisoformat(str(detail.get("occurredAt") or "").replace("Z", "+00:00"))
    fact: Fact = {"kind": "notification", "outcome": outcome, "channel": channel, "at": to_ms(at)}
    return f"notification:{ident}", f"notification:{outcome}", fact


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
    notifications: list[Fact] = field(default_factory=list)
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
    # in fact-key order: a key names its fact's content, so the order never depends on arrival
    own = [
        f
        for _, f in sorted(facts.items())
        if f.get("kind") == "event" and f.get("contact", contact_id) == contact_id
    ]
    for fact in facts.values():
        if fact.get("kind") == "callback":
            out.callback_requests.append(fact)
        elif fact.get("kind") == "survey":
            out.survey = fact
        elif fact.get("kind") == "notification":
            out.notifications.append(fact)
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


def case_of(v: ContactView) -> ContactCase:
    """The contact in the terms the measure rules are written in (functions.domain.metrics_registry)."""
    method = v.method or "INBOUND"
    links = dict(v.callback_contacts)
    if method == CALLBACK_METHOD:
        # a CALLBACK contact with no link to the contact that asked for it stands for its own request
        links[v.contact_id] = v.events
    dialed = any(f.get("dialed") for f in v.callback_requests)
    connected = any(f.get("connected") for f in v.callback_requests)
    for facts in links.values():
        agent = any(f.get("agent") or f["type"] == "CONNECTED_TO_AGENT" for f in facts)
        not_reached = any(f.get("reason") in CALLBACK_NOT_REACHED for f in facts)
        dialed = dialed or agent or not_reached
        connected = connected or (agent and not not_reached)
    answer_ms = None
    if v.agent_ms is not None and v.enqueued_ms is not None:
        answer_ms = max(0, v.agent_ms - v.enqueued_ms)
    return ContactCase(
        method=method,
        queued=v.queued,
        agent=v.agent,
        disconnected=v.disconnected,
        flow_ended=v.reason == FLOW_DISCONNECT,
        answer_ms=answer_ms,
        removed_ms=_removed_ms(v),
        courtesy=bool(v.flag("courtesyDisconnect")),
        self_service=v.flag("selfService"),
        transferred_out=sent_to_third_party(v),
        callback_offered=bool(v.flag("callbackOffered")),
        callback_accepted=bool(v.callback_requests or links or v.attributes.get("callbackId"))
        or bool(v.flag("callbackAccepted")),
        callback_dialed=dialed,
        callback_connected=connected,
        channel=(v.channel or "VOICE").upper(),
        answered_by_deadline=_by_deadline(v),
    )


def _by_deadline(v: ContactView) -> bool:
    """An agent accepted the contact by its answerDeadline (ISO 8601), else within 24 h of its start."""
    if v.agent_ms is None:
        return False
    deadline: int | None = None
    text = v.attributes.get("answerDeadline")
    if text:
        try:
            deadline = to_ms(datetime.fromisoformat(text.replace("Z", "+00:00")))
        except ValueError:
            deadline = None
    start = v.start_ms if v.start_ms is not None else anchor_ms(v)
    if deadline is None and start is not None:
        deadline = start + EMAIL_ANSWER_MS
    return deadline is not None and v.agent_ms <= deadline


def _removed_ms(v: ContactView) -> int | None:
    """Time in queue until an agent answered (both stamps known) or, without an agent, the end."""
    if v.enqueued_ms is None:
        return None
    if v.agent:
        return None if v.agent_ms is None else v.agent_ms - v.enqueued_ms
    if v.disconnected and v.disconnect_ms is not None:
        return v.disconnect_ms - v.enqueued_ms
    return None


def contact_flags(v: ContactView, rules: Rules) -> dict[str, int]:
    """The counter values (0/1 and milliseconds) one contact contributes (the registry's rules)."""
    if not v.has_events:
        return {}
    counters = contact_counters(case_of(v), rules.service_level_seconds * 1000)
    return {
        **counters,
        **by_channel(counters, v.channel),
        **customer_counters(counters, v.attributes.get("intent"), v.channel),
    }


def _spread(into: Contribution, queue: str, ms: int, counters: Mapping[str, int], rules: Rules) -> None:
    """Add counters to the queue's and ALL's 15m, day and quarter buckets containing ``ms``."""
    if not counters:
        return
    tz = rules.tz
    periods = [(grain.value, period_key(ms, grain, tz)) for grain in GRAINS]  # the same for both queues
    for q in {queue, ALL_QUEUE}:
        for grain, period in periods:
            bucket = into.setdefault((q, grain, period), {})
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
        counters = survey_counters(v.survey)
        counters.update(by_channel(counters, v.survey.get("channel")))
        _spread(out, str(queue), int(v.survey["at"]), counters, rules)
    if v.notifications:
        _spread(out, NOTIFY_QUEUE, *_notification(v.notifications), rules)
    return out


def _notification(facts: Sequence[Fact]) -> tuple[int, dict[str, int]]:
    """(when, counters) of one notification: its first outcome's time; each counter once, also under
    the notification's channel (SMS, EMAIL, VOICE)."""
    channel = min(str(f["channel"]) for f in facts)
    summary = {"outcomes": sorted({str(f["outcome"]) for f in facts}), "channel": channel}
    counters = notification_counters(summary)
    return min(int(f["at"]) for f in facts), {**counters, **by_channel(counters, channel)}


def caller_entry(v: ContactView) -> tuple[str, Fact] | None:
    """``(caller entity, fact)`` for repeat-contact counting: the customer's own contacts (INBOUND, a chat's
    API: :func:`customer_started`) with callerKey + intent."""
    key = v.attributes.get("callerKey")
    intent = v.attributes.get("intent")
    at = v.start_ms if v.start_ms is not None else anchor_ms(v)
    own = customer_started(v.method or "INBOUND", v.channel)
    if not v.has_events or not own or not key or not intent or at is None:
        return None
    queue = v.queue or v.attributes.get("queueName") or IVR_QUEUE
    bucket = anchor_ms(v)
    fact = {"kind": "caller", "contact": v.contact_id, "at": at, "bucket": at if bucket is None else bucket}
    if v.channel and v.channel != "VOICE":
        fact["channel"] = v.channel  # voice entries stay as they were stored before channels
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
        counters = {counter: 1, **by_channel({counter: 1}, entry.get("channel"))}
        _spread(out, entry["queue"], when, counters, rules)
    return out


def beyond_floor(facts: Mapping[str, Fact], entry: Fact) -> bool:
    """Whether a caller entry can still be counted: it sorts after the floor (a contact at or before
    the floor is a redelivery of a frozen one, or arrived later than the repeat window allows)."""
    floor = facts.get(CALLER_FLOOR)
    return floor is None or _entry_order(entry) > _entry_order(floor)


def prune_callers(
    classes: Sequence[tuple[Fact, str]], rules: Rules, max_entries: int, late_ms: int
) -> tuple[list[tuple[Fact, str]], list[tuple[Fact, str]]]:
    """``(kept, frozen)``: the contacts whose repeat status can still change, and the older ones.

    A contact's status depends only on the one before it, and a new contact can only change the
    status of the one after it. So once a contact is more than the repeat window older than the
    caller's newest plus ``late_ms`` (how late an event may still arrive: a contact's own state lives
    that long), no contact or event still to come can change it: it is frozen (its contribution stays
    in the rollups, it leaves the state, the floor remembers its start). At most ``max_entries`` are
    kept whatever the window (a shared line).
    """
    if not classes:
        return [], []
    window = int(timedelta(days=rules.repeat_window_days).total_seconds() * 1000)
    newest = int(classes[-1][0]["at"])
    horizon = newest - window - late_ms
    cut = next((i for i, (entry, _) in enumerate(classes) if entry["at"] >= horizon), len(classes))
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
    for bucket in old.keys() | new.keys():
        diff = _bucket_delta(old.get(bucket) or {}, new.get(bucket) or {})
        if diff:
            out[bucket] = diff
    return out


def _bucket_delta(before: Mapping[str, int], after: Mapping[str, int]) -> dict[str, int]:
    """One bucket of :func:`delta`. Most buckets are only new (a contact's first contribution) or
    unchanged (a later event that moved no counter), so those are told apart before any name is."""
    if not before:
        return {n: v for n, v in after.items() if v}
    if not after:
        return {n: -v for n, v in before.items() if v}
    if before == after:
        return {}
    return {n: d for n in before.keys() | after.keys() if (d := after.get(n, 0) - before.get(n, 0))}


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


def derived(counters: Mapping[str, float]) -> dict[str, float | None]:
    """Every ratio of the registry (None when the denominator is zero), A-11 drivers included."""
    return ratios(counters)
