"""Who calls, when, about what, and how they behave: the day's caller plan (pure, seeded).

Why a plan drawn up front: every random choice about a caller (arrival, language, intent, keys,
patience, whether they accept a callback, answer it, take the survey and how they answer) comes
from named streams of the run's seed, so two runs of the same day with different settings (a
what-if, a failure drill) meet exactly the same callers: common random numbers.
"""

from __future__ import annotations

import marshal
import math
import random
import uuid
from array import array
from bisect import bisect_left
from collections import Counter, deque
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, fields

from civicline.sim.planning import stream
from schemas.profile import ChatIntent, IntentMix, SimulationProfile, clock_seconds

#: a reason to call (keys are DTMF) or to chat (keys are typed messages)
Intent = IntentMix | ChatIntent

#: survey keypad answers in flow order: consent, 3 FCR questions, then the 8 A-11 drivers
SURVEY_DRIVERS = 8


@dataclass(frozen=True)
class DemoCredential:
    """A case number and PIN from the seeded demo data (what a caller with a case types)."""

    case_number: str
    pin: str


@dataclass
class Caller:
    """One caller's plan for one contact (a repeat call gets a new Caller with ``repeat_of`` set)."""

    index: int
    contact_id: str
    number: str
    arrival: float  # seconds after midnight, local time of the profile's day
    language: str
    intent: str
    keys: list[str]
    wants_agent: bool
    aht_seconds: float
    patience_seconds: float
    accepts_callback: bool
    answers_callback: list[bool]  # one draw per possible dial attempt
    takes_survey: bool
    survey_keys: list[str]
    resolved: bool
    calls_again: bool
    repeat_delay: float
    repeat_of: str | None = None
    attempt: int = 1
    #: VOICE (keys are DTMF) or CHAT (keys are typed messages)
    channel: str = "VOICE"
    notes: dict[str, str] = field(default_factory=dict)
    #: what the customer does with the survey offer, when they stay for it: ANSWER every question,
    #: DECLINE (press or type the skip choice), or DROP (hang up / leave the chat after
    #: ``survey_keys``, which then end before the last question)
    survey_choice: str = "ANSWER"

    @property
    def script(self) -> list[str]:
        """The DTMF entries for the inbound flow: language first, then the intent's keys."""
        return ["1" if self.language == "en" else "2", *self.keys]


def _pick(rng: random.Random, options: Sequence[tuple[str, float]]) -> str:
    total = math.fsum(w for _, w in options)
    point = rng.random() * total
    for name, weight in options:
        point -= weight
        if point < 0:
            return name
    return options[-1][0]


def lognormal(rng: random.Random, mean: float, cv: float) -> float:
    """A positive duration with the given mean and coefficient of variation."""
    if cv <= 0:
        return mean
    sigma2 = math.log(1.0 + cv * cv)
    return rng.lognormvariate(math.log(mean) - sigma2 / 2.0, math.sqrt(sigma2))


def arrival_rates(profile: SimulationProfile, calls: int) -> list[tuple[float, float, float]]:
    """The day's piecewise-constant arrival rate inside opening hours: (start, end, calls per second)
    per arrival interval with a positive weight, for ``calls`` expected in the whole day."""
    open_s, close_s = clock_seconds(profile.open), clock_seconds(profile.close)
    bounds = [max(open_s, clock_seconds(a.start)) for a in profile.arrivals] + [close_s]
    pieces = [
        (bounds[i], bounds[i + 1], a.weight * max(0.0, bounds[i + 1] - bounds[i]))
        for i, a in enumerate(profile.arrivals)
    ]
    mass = math.fsum(p[2] for p in pieces)
    inside = calls * (1.0 - profile.after_hours_share)
    return [
        (start, end, inside * weight / mass / (end - start))
        for start, end, weight in pieces
        if weight > 0 and end > start
    ]


def arrival_times(profile: SimulationProfile, calls: int, rng: random.Random) -> list[float]:
    """Arrival instants (seconds after local midnight): a Poisson day with ``calls`` expected, spread
    over the arrival intervals by weight and duration (piecewise-constant rate), plus the after-hours
    share before opening and after closing."""
    open_s, close_s = clock_seconds(profile.open), clock_seconds(profile.close)
    times: list[float] = []
    for start, end, rate in arrival_rates(profile, calls):
        t = start + rng.expovariate(rate)
        while t < end:
            times.append(t)
            t += rng.expovariate(rate)
    outside = calls * profile.after_hours_share
    if outside > 0:
        # evenly before opening (from 07:00) and after closing (until 20:00)
        for start, end in ((max(0.0, open_s - 3600.0), open_s), (close_s, min(86_399.0, close_s + 7200.0))):
            if end <= start:
                continue
            rate = outside / 2.0 / (end - start)
            t = start + rng.expovariate(rate)
            while t < end:
                times.append(t)
                t += rng.expovariate(rate)
    return sorted(times)


def chat_intents(profile: SimulationProfile) -> list[ChatIntent]:
    """The profile's chat intents; by default its voice intents with their keys typed (no #)."""
    if profile.chat.intents is not None:
        return list(profile.chat.intents)
    return [
        ChatIntent(
            name=i.name,
            share=i.share,
            messages=[k.replace("#", "") for k in i.keys],
            wants_agent=i.wants_agent,
            aht_seconds=i.aht_seconds,
            wrong_pin=i.wrong_pin,
        )
        for i in profile.intents
    ]


def chat_day(profile: SimulationProfile) -> SimulationProfile:
    """The profile as the chat customers' plan sees it: the chat curve (default the calls'), no
    arrivals while closed, chat patience, the chat intents."""
    update = {
        "arrivals": profile.chat.arrivals or profile.arrivals,
        "after_hours_share": 0.0,
        "patience": profile.patience.model_copy(update={"mean_seconds": profile.chat.patience_seconds}),
    }
    return profile.model_copy(update=update)


class CallerFactory:
    """Draws callers (or chat customers: ``channel="CHAT"``) from the profile with independent
    streams per purpose; a chat plan's streams are its own, so adding chats leaves the calls as
    they were (common random numbers)."""

    def __init__(
        self,
        profile: SimulationProfile,
        seed: int,
        credentials: Sequence[DemoCredential],
        channel: str = "VOICE",
    ) -> None:
        if not credentials:
            raise ValueError("the caller plan needs at least one seeded case (run the demo seed)")
        self.channel = channel
        self.profile = profile if channel == "VOICE" else chat_day(profile)
        self.credentials = list(credentials)
        self.seed = seed
        prefix = "" if channel == "VOICE" else f"{channel.lower()}:"
        self.rng = {
            name: stream(seed, prefix + name)
            for name in (
                "arrivals",
                "who",
                "keys",
                "handle",
                "patience",
                "callback",
                "survey",
                "repeat",
                "ids",
                "notified",
                "refusal",
                "signed_in",
            )
        }
        mix: list[Intent] = list(profile.intents) if channel == "VOICE" else list(chat_intents(profile))
        self.intents: dict[str, Intent] = {i.name: i for i in mix}
        self._count = 0

    def first_calls(self, calls: int | None = None) -> tuple[list[Caller], list[Caller]]:
        """(the callers who call, the case-status callers a notification already told).

        Every caller is drawn alike, and each draws once from its own ``notified`` stream, so a
        what-if on notifications meets the same callers (common random numbers); a case-status
        caller stays away with probability ``notification_uptake x notification_consented_share``
        (:func:`civicline.sim.streams.calling_share`, the model planning mode uses too)."""
        calling: list[Caller] = []
        notified: list[Caller] = []
        for caller, stays_away in self.drawn(self.arrivals(calls)):
            (notified if stays_away else calling).append(caller)
        return calling, notified

    def arrivals(self, calls: int | None = None) -> list[float]:
        """The first contacts' arrival instants, in order (one draw of the ``arrivals`` stream)."""
        return arrival_times(self.profile, calls or self.profile.calls, self.rng["arrivals"])

    def drawn(self, times: Iterable[float]) -> Iterator[tuple[Caller, bool]]:
        """Each first contact at ``times`` as it is drawn, and whether a notification keeps them away:
        the one order of draws of :meth:`first_calls` and :class:`FirstCalls`."""
        from civicline.sim.streams import calling_share

        for t in times:
            caller = self.new(t)
            intent = self.intents[caller.intent]
            share = calling_share(self.profile, intent) if isinstance(intent, IntentMix) else 1.0
            yield caller, self.rng["notified"].random() >= share

    def _contact_id(self) -> str:
        return str(uuid.UUID(int=self.rng["ids"].getrandbits(128), version=4))

    def new(self, arrival: float, repeat_of: Caller | None = None) -> Caller:
        """A caller arriving at ``arrival``; a repeat keeps the number, language and intent."""
        self._count += 1
        who = self.rng["who"]
        p = self.profile
        if repeat_of is None:
            language = _pick(who, list(p.languages.items()))
            intent = self.intents[_pick(who, [(i.name, i.share) for i in self.intents.values()])]
            number = f"+1555{who.randrange(10_000_000):07d}"
            if self.channel != "VOICE":  # a chat customer's id (no phone number), pseudonymized alike
                number = f"chat-{number[2:]}"
        else:
            language, intent, number = repeat_of.language, self.intents[repeat_of.intent], repeat_of.number
        notes = self._identity(number, repeat_of)
        wants_agent = self.rng["keys"].random() < intent.wants_agent
        keys = self._keys(intent, wants_agent)
        cb = self.rng["callback"]
        survey = self.rng["survey"]
        resolved = survey.random() < p.survey.resolved_first_time
        takes_survey = survey.random() < p.survey.response_rate
        rep = self.rng["repeat"]
        survey_keys = self._survey_keys(survey, resolved, 1 if repeat_of is None else repeat_of.attempt + 1)
        choice, survey_keys = self._refusal(survey_keys)
        return Caller(
            index=self._count,
            contact_id=self._contact_id(),
            number=number,
            arrival=arrival,
            language=language,
            intent=intent.name,
            keys=keys,
            wants_agent=wants_agent,
            aht_seconds=lognormal(self.rng["handle"], intent.aht_seconds, p.handle_time_cv),
            patience_seconds=self.rng["patience"].expovariate(1.0 / p.patience.mean_seconds),
            accepts_callback=cb.random() < p.callbacks.acceptance,
            answers_callback=[cb.random() < p.callbacks.answer_rate for _ in range(10)],
            takes_survey=takes_survey,
            survey_keys=survey_keys,
            survey_choice=choice,
            resolved=resolved,
            calls_again=rep.random() < p.repeat_callers.share_of_unresolved,
            repeat_delay=rep.expovariate(1.0 / (p.repeat_callers.delay_minutes * 60.0)),
            repeat_of=None if repeat_of is None else repeat_of.contact_id,
            attempt=1 if repeat_of is None else repeat_of.attempt + 1,
            channel=self.channel,
            notes=notes,
        )

    def _identity(self, number: str, repeat_of: Caller | None) -> dict[str, str]:
        """A chat customer signed in to the portal (``chat.signed_in_share``, one draw of its own
        stream per customer; a repeat chat is the same customer) carries a portal customer id."""
        if repeat_of is not None:
            return {k: v for k, v in repeat_of.notes.items() if k == "customerId"}
        share = self.profile.chat.signed_in_share
        if self.channel != "CHAT" or not share or self.rng["signed_in"].random() >= share:
            return {}
        return {"customerId": "portal-" + number.removeprefix("chat-")}

    def _keys(self, intent: Intent, wants_agent: bool) -> list[str]:
        rng = self.rng["keys"]
        credential = self.credentials[rng.randrange(len(self.credentials))]
        wrong = rng.random() < intent.wrong_pin
        width = len(credential.pin)
        wrong_pin = f"{(int(credential.pin) + 1 + rng.randrange(999)) % 10**width:0{width}d}"
        out: list[str] = []
        for key in intent.keys:
            if "{pin}" in key and wrong:
                # a mistyped PIN first, then the case number again and the right PIN
                out.append(key.replace("{pin}", wrong_pin))
                case_key = next((k for k in intent.keys if "{case}" in k), "{case}#")
                out.append(case_key.replace("{case}", credential.case_number))
            value = (
                key.replace("{case}", credential.case_number)
                .replace("{pin}", credential.pin)
                .replace("{wrong_pin}", wrong_pin)
                .replace("{topic}", str(1 + rng.randrange(3)))
                .replace("{office_topic}", str(1 + rng.randrange(4)))
                .replace("{agent}", "1" if wants_agent else "")
            )
            out.append(value)
        while out and out[-1] == "":
            out.pop()  # a trailing timeout is what an exhausted script does anyway
        return out

    def _survey_keys(self, rng: random.Random, resolved: bool, times_called: int) -> list[str]:
        satisfied = self.profile.survey.satisfied
        keys = ["1", str(min(times_called, 9)), "1" if resolved else "2", "1" if resolved else "2"]
        for _ in range(SURVEY_DRIVERS):
            good = rng.random() < (satisfied if resolved else satisfied * 0.6)
            keys.append(str(4 + rng.randrange(2)) if good else str(1 + rng.randrange(3)))
        return keys

    def _refusal(self, keys: list[str]) -> tuple[str, list[str]]:
        """The customer's answer to the offer (one draw of its own stream, so a profile without
        refusals keeps every other draw): the keys they press or type before the flow ends for them.
        A decline is the offer's skip choice "2"; a drop-out answers the consent and some of the
        questions (none to all but the last), then leaves."""
        refusal = self.profile.survey.refusal_for(self.channel)
        if not refusal.declined and not refusal.dropped:
            return "ANSWER", keys
        rng = self.rng["refusal"]
        point, cut = rng.random(), rng.randrange(1, len(keys))
        if point < refusal.declined:
            return "DECLINE", ["2"]
        if point < refusal.declined + refusal.dropped:
            return "DROP", keys[:cut]
        return "ANSWER", keys

    def repeat(self, caller: Caller, leaves_at: float) -> Caller | None:
        """The same caller calling again later, when their issue was not resolved and they do."""
        if caller.resolved or not caller.calls_again or caller.attempt >= 3:
            return None
        return self.new(leaves_at + caller.repeat_delay, repeat_of=caller)


class FirstCalls:
    """One channel's first contacts of the day, drawn as the day reaches them, not all at its start.

    Why: a plan of every caller drawn at the start (each one's ``Caller``, process and arrival event,
    about 2.3 KB per call) made the day's peak memory grow with its length (docs/decisions.md,
    "Simulation: the day's plan drawn as it goes"). The draws must stay exactly those of
    :meth:`CallerFactory.first_calls` (common random numbers), and the repeats draw from the same
    streams *after* every first contact. So the plan is drawn twice: once at the start, kept only as
    counts, the arrival instants and the callers' numbers, which leaves :attr:`factory`'s streams
    where the repeats start; then again, one caller at a time, by a second factory on the same
    seed (:meth:`next_caller`), as the day's source process reaches each arrival.

    ``register`` (the day's callers by their E.164 number, for the callback dispatcher; none for
    chats, which have no number) gets every drawn caller
    arriving before ``until`` (``setdefault``, in arrival order, as the whole plan did at the start);
    :meth:`find` draws ahead when a number is looked up whose first caller has not arrived yet.
    """

    def __init__(
        self,
        factory: CallerFactory,
        replay: CallerFactory,
        calls: int | None = None,
        *,
        until: float = math.inf,
        register: CallerRegister | None = None,
    ) -> None:
        self.factory, self.until, self.register = factory, until, register
        times = factory.arrivals(calls)
        #: the callers' intents (of those who call) and how many a notification kept away
        self.intents: Counter[str] = Counter()
        self.notified = 0
        numbers: list[int] = []
        for caller, stays_away in factory.drawn(times):
            if stays_away:
                self.notified += 1
                continue
            self.intents[caller.intent] += 1
            if register is not None and caller.arrival < until:
                numbers.append(_number_key(caller.number))
        self._numbers = array("q", sorted(numbers))
        self._replay = replay.drawn(array("d", times))
        self._ahead: deque[Caller] = deque()

    def next_caller(self) -> Caller | None:
        """The next caller who calls (in arrival order), or None after the last before ``until``."""
        if self._ahead:
            return self._ahead.popleft()
        return self._draw()

    def find(self, number: str) -> Caller | None:
        """The first caller with ``number`` (as ``register`` holds it), drawn ahead when planned."""
        assert self.register is not None
        caller = self.register.get(number)
        while caller is None and self._planned(number):
            drawn = self._draw()
            if drawn is None:
                return None
            self._ahead.append(drawn)
            caller = self.register.get(number)
        return caller

    def _draw(self) -> Caller | None:
        for caller, stays_away in self._replay:
            if stays_away:
                continue
            if caller.arrival >= self.until:
                break
            if self.register is not None:
                self.register.setdefault(caller.number, caller)
            return caller
        self._replay = iter(())
        return None

    def _planned(self, number: str) -> bool:
        try:
            key = _number_key(number)
        except ValueError:
            return False
        at = bisect_left(self._numbers, key)
        return at < len(self._numbers) and self._numbers[at] == key


def _number_key(number: str) -> int:
    """An E.164 number as an integer (8 bytes in an array instead of a string per caller)."""
    digits = number.removeprefix("+")
    if digits == number or not digits.isdigit() or not digits.isascii():
        raise ValueError(f"not an E.164 number: {number!r}")
    return int(digits)


class CallerRegister:
    """The day's callers by number, for the callback dispatcher's dialer: the first caller of each
    number (``setdefault``), as a ``Caller`` while their calls go on and as a small blob once they
    are over (:meth:`rest`; :meth:`get` rebuilds an equal ``Caller``).

    Why: the dispatcher may dial any of them until closing, so the register holds one caller per
    number for the whole day; a ``Caller`` is about 1.2 KB of Python objects, its fields marshalled a
    fifth of that (docs/decisions.md, "Simulation: the day's plan drawn as it goes"). A resting
    caller is one whose process ended: nothing changes a ``Caller`` after that (only the next call
    of the same caller marks it unresolved), so the blob is the caller as it was left."""

    def __init__(self) -> None:
        self._by_number: dict[str, Caller | bytes] = {}

    def __len__(self) -> int:
        return len(self._by_number)

    def __contains__(self, number: object) -> bool:
        return number in self._by_number

    def setdefault(self, number: str, caller: Caller) -> None:
        self._by_number.setdefault(number, caller)

    def get(self, number: str) -> Caller | None:
        kept = self._by_number.get(number)
        if isinstance(kept, bytes):
            return Caller(**dict(zip(_CALLER_FIELDS, marshal.loads(kept), strict=True)))  # noqa: S302 (ours)
        return kept

    def rest(self, callers: Iterable[Caller]) -> None:
        """The process of ``callers`` (one caller's calls) ended: whichever of them the register
        holds is kept as a blob."""
        for caller in callers:
            if self._by_number.get(caller.number) is caller:
                self._by_number[caller.number] = marshal.dumps(
                    tuple(getattr(caller, n) for n in _CALLER_FIELDS)
                )


#: the order of a ``Caller``'s fields in a resting caller's blob
_CALLER_FIELDS: tuple[str, ...] = tuple(f.name for f in fields(Caller))
