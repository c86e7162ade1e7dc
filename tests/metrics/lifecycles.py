"""Contact lifecycles as Amazon Connect would publish them, with hand-computed expected counters.

Each :class:`Lifecycle` is one caller request (plus, for callbacks, the CALLBACK contact or the
callbacks-table record; plus an optional survey). ``expected()`` states, by hand and independently of
functions.domain.metrics, what the request must add to the rollups. Events that only repeat what
other events carry (INITIATED, CONNECTED_TO_SYSTEM, QUEUED, COMPLETED) are marked droppable: a
consumer must give the same numbers without them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import strategies as st

INSTANCE = "arn:aws:connect:us-east-1:123456789012:instance/00000000-0000-4000-8000-000000000001"
BASE = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)  # a Monday, 09:00 New York
QUEUES = ("general", "status", "appeals")
KINDS = (
    "answered",
    "abandoned",
    "courtesy",
    "callback_table",
    "callback_native",
    "self_service",
    "ivr_hangup",
    "transfer_in",
    "outbound",
)
SL = 60


def ts(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def queue_arn(name: str) -> str:
    return f"{INSTANCE}/queue/{name}"


def slot(moment: datetime) -> str:
    m = moment.astimezone(UTC)
    return m.replace(minute=m.minute - m.minute % 15, second=0, microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class Event:
    detail: dict[str, Any]
    droppable: bool = False


@dataclass
class Lifecycle:
    contact_id: str
    kind: str
    queue: str
    start: datetime
    wait_s: float = 30.0
    callback_outcome: str = "none"  # none | dialed | not_reached | connected
    survey: dict[str, Any] | None = None
    caller_key: str | None = None
    intent: str | None = None
    offered_callback: bool = False
    events: list[Event] = field(default_factory=list)
    callback_item: dict[str, Any] | None = None
    #: the contact's channel (its CALLBACK contact, if any, is a voice call whatever this is)
    channel: str = "VOICE"

    # -- what Connect (and CivicLine's functions) publish ---------------------------------------
    def build(self) -> Lifecycle:
        cid, start = self.contact_id, self.start
        # a chat the customer opens is recorded with initiation method API (StartChatContact)
        opened = "API" if self.channel == "CHAT" else "INBOUND"
        method = {"transfer_in": "TRANSFER", "outbound": "OUTBOUND"}.get(self.kind, opened)
        base = {
            "contactId": cid,
            "initialContactId": cid,
            "channel": self.channel,
            "instanceArn": INSTANCE,
            "initiationMethod": method,
            "initiationTimestamp": ts(start),
        }
        enq = start + timedelta(seconds=20)
        queued = self.kind in (
            "answered",
            "abandoned",
            "courtesy",
            "callback_table",
            "callback_native",
            "transfer_in",
        )
        qinfo = {"queueArn": queue_arn(self.queue), "queueType": "STANDARD", "enqueueTimestamp": ts(enq)}
        ev = self.events
        ev.append(Event({**base, "eventType": "INITIATED"}, droppable=True))
        ev.append(
            Event({**base, "eventType": "CONNECTED_TO_SYSTEM", "connectedToSystemTimestamp": ts(start)}, True)
        )
        attrs: dict[str, str] = {}
        if self.caller_key and self.intent and method == opened:
            attrs.update(callerKey=self.caller_key, intent=self.intent)
        if self.offered_callback and method == opened:
            attrs["callbackOffered"] = "true"
        if self.kind == "self_service":
            attrs["selfService"] = "true"
        if attrs:
            ev.append(Event({**base, "eventType": "CONTACT_DATA_UPDATED", "attributes": attrs}))
        end = enq + timedelta(seconds=self.wait_s)
        if queued:
            ev.append(Event({**base, "eventType": "QUEUED", "queueInfo": qinfo}, droppable=True))
        disconnect: dict[str, Any] = {**base, "eventType": "DISCONNECTED"}
        if self.kind in ("answered", "transfer_in"):
            agent = {"agentArn": f"{INSTANCE}/agent/a1", "connectedToAgentTimestamp": ts(end)}
            ev.append(
                Event({**base, "eventType": "CONNECTED_TO_AGENT", "queueInfo": qinfo, "agentInfo": agent})
            )
            end = end + timedelta(minutes=4)
            disconnect.update(queueInfo=qinfo, agentInfo=agent, disconnectReason="AGENT_DISCONNECT")
        elif queued:
            reason = "CUSTOMER_DISCONNECT" if self.kind == "abandoned" else "CONTACT_FLOW_DISCONNECT"
            disconnect.update(queueInfo=qinfo, disconnectReason=reason)
        elif self.kind == "outbound":
            disconnect.update(disconnectReason="CUSTOMER_DISCONNECT")
        else:
            reason = "CONTACT_FLOW_DISCONNECT" if self.kind == "self_service" else "CUSTOMER_DISCONNECT"
            disconnect.update(disconnectReason=reason)
        disconnect["disconnectTimestamp"] = ts(end)
        ev.append(Event(disconnect))
        ev.append(Event({**disconnect, "eventType": "COMPLETED"}, droppable=True))
        if self.kind == "callback_native":
            self._native_callback(end)
        if self.kind == "callback_table":
            self.callback_item = self._callback_item(end)
        return self

    def _native_callback(self, after: datetime) -> None:
        cb = f"{self.contact_id}-cb"
        base = {
            "contactId": cb,
            "initialContactId": cb,
            "previousContactId": self.contact_id,
            "channel": "VOICE",
            "instanceArn": INSTANCE,
            "initiationMethod": "CALLBACK",
            "initiationTimestamp": ts(after),
        }
        qinfo = {"queueArn": queue_arn(self.queue), "enqueueTimestamp": ts(after + timedelta(minutes=5))}
        self.events.append(Event({**base, "eventType": "INITIATED"}))
        self.events.append(Event({**base, "eventType": "QUEUED", "queueInfo": qinfo}, droppable=True))
        if self.callback_outcome == "not_reached":  # the caller's line never answered: no agent facts
            self.events.append(
                Event(
                    {
                        **base,
                        "eventType": "DISCONNECTED",
                        "queueInfo": qinfo,
                        "disconnectReason": "CUSTOMER_CONNECTION_NOT_ESTABLISHED",
                        "disconnectTimestamp": ts(after + timedelta(minutes=15)),
                    }
                )
            )
        elif self.callback_outcome != "none":
            agent = {"agentArn": "a", "connectedToAgentTimestamp": ts(after + timedelta(minutes=9))}
            self.events.append(
                Event({**base, "eventType": "CONNECTED_TO_AGENT", "queueInfo": qinfo, "agentInfo": agent})
            )
            reason = "AGENT_DISCONNECT" if self.callback_outcome == "connected" else "TELECOM_PROBLEM"
            self.events.append(
                Event(
                    {
                        **base,
                        "eventType": "DISCONNECTED",
                        "queueInfo": qinfo,
                        "agentInfo": agent,
                        "disconnectReason": reason,
                        "disconnectTimestamp": ts(after + timedelta(minutes=15)),
                    }
                )
            )

    def _callback_item(self, at: datetime) -> dict[str, Any]:
        attempts = []
        state = "PENDING"
        if self.callback_outcome in ("dialed", "not_reached"):
            attempts = [{"at": (at + timedelta(minutes=10)).isoformat(), "outcome": "NO_ANSWER"}]
            state = "NO_ANSWER"
        elif self.callback_outcome == "connected":
            attempts = [
                {"at": (at + timedelta(minutes=10)).isoformat(), "outcome": "NO_ANSWER"},
                {"at": (at + timedelta(minutes=20)).isoformat(), "outcome": "CONNECTED"},
            ]
            state = "CONNECTED"
        return {
            "pk": f"CALLBACK#{self.contact_id}",
            "sk": "REQUEST",
            "callback_id": f"cb-{self.contact_id}",
            "contact_id": self.contact_id,
            "queue": self.queue,
            "mode": "VIRTUAL_HOLD",
            "callback_number": "+15555550100",
            "caller_key": "k",
            "requested_at": at.isoformat(),
            "window_start": at.isoformat(),
            "window_end": (at + timedelta(hours=2)).isoformat(),
            "state": state,
            "attempts": attempts,
            "gsi1pk": state,
        }

    def survey_item(self) -> dict[str, Any] | None:
        if self.survey is None:
            return None
        return {
            "pk": f"SURVEY#{self.contact_id}",
            "sk": "SURVEY",
            "contact_id": self.contact_id,
            "submitted_at": (self.start + timedelta(minutes=30)).isoformat(),
            "channel": self.channel,
            "service": "tax-help",
            "queue": self.queue,
            "period": slot(self.start),
            "complete": True,
            **self.survey,
        }

    # -- what it must count, by hand ----------------------------------------------------------
    def anchor(self) -> datetime:
        queued = self.kind in (
            "answered",
            "abandoned",
            "courtesy",
            "callback_table",
            "callback_native",
            "transfer_in",
        )
        return self.start + timedelta(seconds=20) if queued else self.start

    def bucket_queue(self) -> str:
        if self.kind in ("self_service", "ivr_hangup", "outbound"):
            return "IVR"
        return self.queue

    def expected(self) -> dict[str, int]:
        k = self.kind
        out: dict[str, int] = {}
        if k not in ("transfer_in", "outbound"):
            out["inbound_contacts"] = 1
            # A-11's volume of customers: the inbound contact under its service (intent) and channel
            intent = self.intent if self.caller_key and self.intent else None
            out[f"a11v|customers|{(intent or 'GENERAL').upper()}|{self.channel}"] = 1
        if k in ("answered", "abandoned", "courtesy", "callback_table", "callback_native", "transfer_in"):
            out["offered"] = 1
            if self.wait_s <= SL:
                out["removed_within_threshold"] = 1
        if k in ("answered", "transfer_in"):
            out.update(answered=1, answer_time_count=1, answer_time_sum_ms=int(self.wait_s * 1000))
            if self.wait_s <= SL:
                out["answered_within_threshold"] = 1
        if k == "abandoned":
            out["abandoned"] = 1
        if k == "courtesy":
            out["busy_or_courtesy_disconnected"] = 1
        if k == "self_service":
            out["self_service_contained"] = 1
        if k == "transfer_in":
            out["transfers"] = 1
        if self.offered_callback and k != "outbound" and k != "transfer_in":
            out["callbacks_offered"] = 1
        if k in ("callback_table", "callback_native"):
            out["callbacks_accepted"] = 1
            if self.callback_outcome in ("dialed", "not_reached", "connected"):
                out["callbacks_dialed"] = 1
            if self.callback_outcome == "connected":
                out["callbacks_connected"] = 1
        return out

    def expected_survey(self) -> dict[str, int]:
        if self.survey is None:
            return {}
        out = {"survey_responses": 1, "surveys_offered": 1}
        out[f"a11v|offered|tax-help|{self.channel}"] = out[f"a11v|respondents|tax-help|{self.channel}"] = 1
        if self.survey.get("fcr_all_answered") is not None:
            out["fcr_survey_responses"] = 1
            if self.survey["fcr_all_answered"] and self.survey.get("fcr_times_called") in (None, 1):
                out["fcr_survey_yes"] = 1
        for driver, point in self.survey.get("drivers", {}).items():
            out[f"driver_sum|{driver}"] = point
            out[f"driver_count|{driver}"] = 1
            if point >= 4:  # A-11 counts a 4 or 5 as agreeing
                out[f"driver_agree|{driver}"] = 1
            out[f"a11|tax-help|{self.channel}|{driver}|{point}"] = 1
        return out


def expected_totals(
    lifecycles: list[Lifecycle], window_days: int = 7
) -> dict[tuple[str, str], dict[str, int]]:
    """Hand-computed 15-minute rollups, per (queue, slot), including ALL; repeat contacts by caller."""
    totals: dict[tuple[str, str], dict[str, int]] = {}

    def add(queue: str, when: datetime, counters: dict[str, int], channel: str) -> None:
        # every plain counter again under the contact's channel
        counters = {**counters, **{f"ch|{channel}|{k}": v for k, v in counters.items() if "|" not in k}}
        for q in {queue, "ALL"}:
            bucket = totals.setdefault((q, slot(when)), {})
            for name, value in counters.items():
                bucket[name] = bucket.get(name, 0) + value

    for life in lifecycles:
        add(life.bucket_queue(), life.anchor(), life.expected(), life.channel)
        if life.survey is not None:
            add(life.queue, life.start + timedelta(minutes=30), life.expected_survey(), life.channel)
    history: dict[tuple[str, str], list[Lifecycle]] = {}
    for life in lifecycles:
        if life.caller_key and life.intent and life.kind not in ("transfer_in", "outbound"):
            history.setdefault((life.caller_key, life.intent), []).append(life)
    for lives in history.values():
        lives.sort(key=lambda x: (x.start, x.contact_id))
        previous: datetime | None = None
        for life in lives:
            repeat = previous is not None and life.start - previous <= timedelta(days=window_days)
            counter = "repeat_contacts" if repeat else "first_contacts"
            add(life.bucket_queue(), life.anchor(), {counter: 1}, life.channel)
            previous = life.start
    cleaned = {k: {n: v for n, v in c.items() if v} for k, c in totals.items()}
    return {k: c for k, c in cleaned.items() if c}


DRIVERS = (
    "trust",
    "effectiveness",
    "ease",
    "efficiency",
    "transparency",
    "humanity",
    "employeeHelpfulness",
    "satisfaction",
)

surveys = st.one_of(
    st.none(),
    st.fixed_dictionaries(
        {
            "fcr_all_answered": st.one_of(st.none(), st.booleans()),
            "fcr_times_called": st.one_of(st.none(), st.integers(1, 9)),
            "drivers": st.dictionaries(st.sampled_from(DRIVERS), st.integers(1, 5), max_size=4),
        }
    ),
)


@st.composite
def lifecycles(draw: st.DrawFn, max_size: int = 8) -> list[Lifecycle]:
    count = draw(st.integers(1, max_size))
    out = []
    for index in range(count):
        kind = draw(st.sampled_from(KINDS))
        life = Lifecycle(
            contact_id=f"c{index:03d}",
            kind=kind,
            queue=draw(st.sampled_from(QUEUES)),
            start=BASE
            + timedelta(minutes=draw(st.integers(0, 60 * 24 * 10)), seconds=draw(st.integers(0, 59))),
            wait_s=draw(st.sampled_from([0.0, 12.5, 59.999, 60.0, 60.001, 240.0])),
            callback_outcome=draw(st.sampled_from(["none", "dialed", "not_reached", "connected"])),
            survey=draw(surveys) if kind != "outbound" else None,
            caller_key=draw(st.sampled_from([None, "k1", "k2"])),
            intent=draw(st.sampled_from(["CASE_STATUS", "APPEAL"])),
            offered_callback=draw(st.booleans()),
            channel=draw(st.sampled_from(["VOICE", "CHAT", "TASK"])),
        )
        out.append(life.build())
    return out
