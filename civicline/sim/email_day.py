"""The day's e-mails: who writes, when, about what, and each message's life.

An e-mail runs the real inbound-email flow and the real ``email_triage`` function (acknowledgement
through SES on moto, routing by content, the ``answerDeadline`` 24 h on), the same call as
``civicline email`` (:func:`civicline.commands.email.deliver`). A queued e-mail waits for an agent
whose routing profile has the EMAIL channel: oldest answer deadline first, no patience (an e-mail
does not hang up). An auto-reply or a loop gets no acknowledgement from the function and no agent
work: the simulator closes it at once (a supervisor's rule in Connect; the flow itself queues it).
E-mails still waiting when the day's agents have left are the backlog the metrics read.

The day opens with what a real morning finds (:mod:`civicline.sim.email_curve`): the evening's and
the night's mail and the carried-in backlog, each through the same flow and function at its own
arrival (the run starts before midnight: :func:`run_start`), worked first in first out with the
day's mail, measured against the deadline its own arrival gave it.

The texts are drawn from the shipped labelled sample set (civicline/data/email_samples.jsonl,
English and Spanish), in the profile's language mix and topic weights, from streams of their own.
"""

from __future__ import annotations

import heapq
import json
import math
import uuid
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from civicline.engine.arns import queue_key
from civicline.engine.events import contact_event
from civicline.sim import ivr
from civicline.sim.callers import Caller, _pick, lognormal
from civicline.sim.email_curve import email_arrival_times, night_arrival_times, night_rates
from civicline.sim.kernel import ProcessGen, Wait
from civicline.sim.model import SimContact
from civicline.sim.planning import stream
from functions.domain.metrics import EMAIL_ANSWER_MS
from schemas.profile import SimulationProfile, clock_seconds

if TYPE_CHECKING:
    from civicline.sim.day import DayRunner

SAMPLES = Path(__file__).resolve().parent.parent / "data" / "email_samples.jsonl"
#: what the triage function answers for a message it screens out (no acknowledgement, no work)
SCREENED_OUT = frozenset({"AUTO_REPLY", "LOOP"})
AUTO_REPLY_HEADERS = {"Auto-Submitted": "auto-replied"}


@cache
def email_samples() -> tuple[dict[str, str], ...]:
    """The labelled sample e-mails (id, label, language, subject, body)."""
    lines = SAMPLES.read_text(encoding="utf-8").splitlines()
    return tuple(json.loads(line) for line in lines if line.strip())


def email_plan(profile: SimulationProfile, seed: int, emails: int) -> list[Caller]:
    """The run's e-mails as plans (channel EMAIL; subject, body, topic in ``notes``), in arrival order:
    what the day opens with (carried in as given; the night before, from the curve:
    :mod:`civicline.sim.email_curve`) and the day's own. ``emails`` is the day's volume (the
    profile's, or scaled with the calls); the night follows it and the carried-in count is scaled
    alike. The opening backlog is drawn from streams of its own, so the day's own e-mails are the
    ones a day without it draws."""
    spec = profile.email
    times = email_arrival_times(profile, emails, stream(seed, "email:arrivals"))
    own = {n: stream(seed, f"email:{n}") for n in ("who", "ids", "handle")}
    out = [_mail(profile, index, arrival, own) for index, arrival in enumerate(times, start=1)]
    night = night_arrival_times(profile, emails, stream(seed, "email:night:arrivals"))
    drawn = {n: stream(seed, f"email:night:{n}") for n in ("who", "ids", "handle")}
    out += [_mail(profile, len(out) + i, arrival, drawn) for i, arrival in enumerate(night, start=1)]
    carried = round(spec.carried_in * emails / spec.emails) if spec.emails else 0
    given = {n: stream(seed, f"email:carried:{n}") for n in ("who", "ids", "handle")}
    received = clock_seconds(profile.open) - spec.carried_in_age_hours * 3600.0
    out += [_mail(profile, len(out) + i, received, given) for i in range(1, carried + 1)]
    return out if not (night or carried) else sorted(out, key=lambda m: m.arrival)


def run_start(profile: SimulationProfile) -> float:
    """When the simulated run starts (seconds after the day's local midnight): midnight, or earlier
    when the day opens with e-mails that arrived the evening (or days) before, so that each of them
    goes through the inbound-email flow at its own arrival and is measured from it."""
    spec = profile.email
    earliest = 0.0
    night = night_rates(profile, spec.emails) if spec.emails else []
    if night:
        earliest = min(earliest, night[0][0])
    if spec.emails and spec.carried_in:
        earliest = min(earliest, clock_seconds(profile.open) - spec.carried_in_age_hours * 3600.0)
    return earliest


def _mail(profile: SimulationProfile, index: int, arrival: float, streams: dict[str, Any]) -> Caller:
    """One e-mail's plan: a sample text in the day's language mix and topic weights, a handle time."""
    spec = profile.email
    who, ids, handle = streams["who"], streams["ids"], streams["handle"]
    language = _pick(who, list(profile.languages.items()))
    pool = email_samples()
    mine = [s for s in pool if s["language"] == language] or list(pool)
    weights = spec.topics or {}
    sample = mine[_weighted_index(who.random(), [weights.get(s["label"], 1.0) for s in mine])]
    auto = who.random() < spec.auto_reply_share
    return Caller(
        index=index,
        contact_id=str(uuid.UUID(int=ids.getrandbits(128), version=4)),
        number=f"citizen{index:06d}@example.org",
        arrival=arrival,
        language=language,
        intent=f"email-{sample['label']}",
        keys=[],
        wants_agent=True,
        aht_seconds=lognormal(handle, spec.handle_seconds, profile.handle_time_cv),
        patience_seconds=math.inf,
        accepts_callback=False,
        answers_callback=[],
        takes_survey=False,
        survey_keys=[],
        resolved=True,
        calls_again=False,
        repeat_delay=0.0,
        channel="EMAIL",
        notes={"subject": sample["subject"], "body": sample["body"], "auto": "1" if auto else ""},
    )


def _weighted_index(point: float, weights: list[float]) -> int:
    total = math.fsum(weights)
    if total <= 0:
        return int(point * len(weights))
    left = point * total
    for i, w in enumerate(weights):
        left -= w
        if left < 0:
            return i
    return len(weights) - 1


def email_life(day: DayRunner, mail: Caller) -> ProcessGen:
    """One e-mail: the inbound-email flow, then the queue until an agent answers it (or the day ends)."""
    yield max(0.0, mail.arrival - day.sim.now)
    result = _receive(day, mail)
    case = day.book[mail.contact_id]
    ended = result.ended
    if ended.get("how") != "QUEUE" or not ended.get("queue"):
        day.truth.add("email_not_queued")  # (the flow queues every e-mail it takes)
        case.disconnected = True
        ivr.dropped(day, mail, result, "the e-mail flow ended without a queue")
        return
    state = result.contact
    day.truth.add("queued")
    day.truth.add("email_queued")
    day.truth.add(f"email_queue_{queue_key(str(ended['queue'])) or ended['queue']}")
    day.truth.add(f"email_reason_{result.attributes.get('emailReason', 'NONE')}")
    case.queued = True
    case.enqueued_at = state.enqueued_at or day.center.now()
    if result.attributes.get("emailAcknowledgement") in SCREENED_OUT:
        _close_unanswered(day, state)
        return
    queue = queue_key(str(ended["queue"])) or str(ended["queue"])
    deadline = case.answer_deadline or day.center.now()
    # place in line: the answer deadline, shifted back by the promise so it compares with arrivals
    place = day.sim.now + (deadline - day.center.now()).total_seconds() - EMAIL_ANSWER_MS / 1000
    contact = SimContact(mail, state, queue, mail.language, place, day.sim.now, channel="EMAIL")
    day.open_emails[mail.contact_id] = contact
    day.router.enqueue(contact)
    yield Wait(contact.connected)
    day.open_emails.pop(mail.contact_id, None)
    yield Wait(contact.hung_up)


def _receive(day: DayRunner, mail: Caller) -> Any:
    """The inbound-email flow and the triage function, as ``civicline email`` runs them."""
    from civicline.commands.email import deliver

    day.truth.add("inbound")
    day.truth.add("email_arrivals")
    case = day.book[mail.contact_id]
    case.channel = "EMAIL"
    headers = AUTO_REPLY_HEADERS if mail.notes.get("auto") else None
    day.engine_runs += 1
    result = deliver(
        day.engine,
        mail.number,
        mail.notes["subject"],
        mail.notes["body"],
        headers,
        contact_id=mail.contact_id,
    )
    case.started_at = result.contact.initiated_at
    case.answer_deadline = _deadline(result.attributes.get("answerDeadline"))
    return result


def _deadline(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None


def _close_unanswered(day: DayRunner, state: Any) -> None:
    """An auto-reply or a loop: closed without an agent (counted as closed unanswered)."""
    day.truth.add("email_screened_out")
    case = day.book[state.contact_id]
    case.left_queue(day.center.now())
    case.flow_ended = True  # closed by the contact center, not left by the sender
    day.emit(
        contact_event("DISCONNECTED", state, now=day.center.now(), disconnectReason="CONTACT_FLOW_DISCONNECT")
    )


def backlog(day: DayRunner) -> dict[str, float | int | None]:
    """The e-mails no agent took by the end of the day, the oldest one's age at closing (seconds),
    how many of them the next working day's desk answers by their deadline
    (:func:`carried_in_time`), and the backlog the desk opened with (waiting at the profile's
    opening: carried in, and the night's mail) with its oldest one's age then."""
    waiting = [c for c in day.open_emails.values() if c.agent is None]
    end = day.close_s  # at closing (the dashboard reads it at 15-minute resolution)
    oldest = min((c.enqueued for c in waiting), default=None)
    at_open, age_at_open = waiting_at(day, day.open_s)
    return {
        "email_backlog": len(waiting),
        "email_backlog_age_seconds": None if oldest is None else end - oldest,
        "email_backlog_answered_next_day_in_time": carried_in_time(day, waiting),
        "email_backlog_at_open": at_open,
        "email_backlog_age_at_open_seconds": age_at_open,
    }


def waiting_at(day: DayRunner, seconds: float) -> tuple[int, float | None]:
    """The queued e-mails waiting for an agent at ``seconds`` (queued by then, not yet answered or
    closed), and the oldest one's age then: read from the day's case facts after the run."""
    moment = day.center.at(seconds)
    queued = []
    for facts in day.book.cases.values():
        if facts.channel != "EMAIL" or facts.enqueued_at is None or facts.enqueued_at > moment:
            continue
        removed = facts.removed_ms
        if removed is not None and facts.enqueued_at + timedelta(milliseconds=removed) <= moment:
            continue
        queued.append(facts.enqueued_at)
    oldest = min(queued, default=None)
    return len(queued), None if oldest is None else (moment - oldest).total_seconds()


def carried_in_time(day: DayRunner, waiting: list[SimContact]) -> int:
    """The e-mails left at closing that the next working day's e-mail desk (the service calendar's
    next working day, the profile's hours, as many e-mail-desk agents as were on at closing) answers
    by their 24-hour deadline, oldest deadline first, each with its own handle time: the part of a
    deadline plan the one-day simulated day cannot play (:mod:`civicline.sim.email_desk`)."""
    from civicline.sim.desks import Desk, desk_of_channels
    from civicline.sim.email_desk import desk_days

    desk = [
        a
        for a in day.agents
        if desk_of_channels(a.channels) is Desk.EMAIL and a.shift_start < day.close_s <= a.shift_end
    ]
    if not desk or not waiting:
        return 0
    opening, closing = desk_days(day.profile).windows[1]
    free = [opening] * len(desk)
    in_time = 0
    for contact in sorted(waiting, key=lambda c: c.priority):
        deadline = contact.priority + EMAIL_ANSWER_MS / 1000
        start = heapq.heappop(free)
        if start >= closing:  # not reached before the next day's closing
            heapq.heappush(free, start)
            break
        in_time += start <= deadline  # a late e-mail is answered too: it takes the agent's time
        heapq.heappush(free, start + contact.caller.aht_seconds + desk[0].acw)
    return in_time


__all__ = ["backlog", "email_life", "email_plan", "email_samples", "run_start", "waiting_at"]
