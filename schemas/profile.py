"""The simulation profile: how an agency describes one day of its hotline for ``civicline simulate``.

A profile is YAML or JSON validated by :class:`SimulationProfile` (JSON Schema:
``schemas/json/simulation-profile.schema.json``). Strict: a misspelt key is an error, not a silently
ignored setting. Shares need not sum to exactly one; they are normalised (and must be positive).

Times of day are local to ``time_zone``; durations are seconds.
"""

from __future__ import annotations

import re
from datetime import date, time
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

Lang = Literal["en", "es"]
#: the contact channels an agent group can work (Connect's MediaConcurrency Channel; TASK is not modelled)
AgentChannel = Literal["VOICE", "CHAT", "EMAIL"]
#: Connect's MediaConcurrency limits: VOICE exactly 1, CHAT (and TASK, EMAIL) 1 to 10 at once
MAX_CONCURRENCY = 10
Share = Annotated[float, Field(ge=0.0)]
Probability = Annotated[float, Field(ge=0.0, le=1.0)]
Seconds = Annotated[float, Field(gt=0.0)]
ClockTime = Annotated[str, Field(pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$", description="HH:MM local")]

_TOKENS = re.compile(r"\{[a-z_]+\}")
SCRIPT_TOKENS = frozenset({"{case}", "{pin}", "{wrong_pin}", "{agent}", "{office_topic}", "{topic}"})


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


def clock_seconds(text: str) -> float:
    """``"08:30"`` -> seconds after midnight."""
    parsed = time.fromisoformat(text)
    return parsed.hour * 3600.0 + parsed.minute * 60.0


class ArrivalInterval(_Strict):
    """From ``start`` until the next interval's start (or ``close``), arrivals at relative ``weight``."""

    start: ClockTime
    weight: Share


class IntentMix(_Strict):
    """One reason to call: its share of calls and what the caller keys in after the language menu.

    ``keys`` are DTMF entries in order; ``""`` is a timeout. Tokens: ``{case}`` / ``{pin}`` a seeded
    case number and its PIN (``{wrong_pin}`` a wrong one), ``{topic}`` a random menu topic 1-3,
    ``{office_topic}`` 1-4, ``{agent}`` "1" when the caller still wants an agent after self-service
    (probability ``wants_agent``) and a timeout otherwise.
    """

    name: str = Field(min_length=1, max_length=40)
    share: Share
    keys: list[str] = Field(default_factory=list, max_length=20)
    wants_agent: Probability = 0.0
    aht_seconds: Seconds = 300.0
    wrong_pin: Probability = 0.0

    @field_validator("keys")
    @classmethod
    def _known_tokens(cls, keys: list[str]) -> list[str]:
        for key in keys:
            for token in _TOKENS.findall(key):
                if token not in SCRIPT_TOKENS:
                    raise ValueError(f"unknown token {token} (known: {sorted(SCRIPT_TOKENS)})")
            rest = _TOKENS.sub("", key)
            if not re.fullmatch(r"[0-9#*]*", rest):
                raise ValueError(f"a key entry holds DTMF digits, # and * only: {key!r}")
        return keys


class Shift(_Strict):
    start: ClockTime
    end: ClockTime

    @model_validator(mode="after")
    def _ordered(self) -> Shift:
        if clock_seconds(self.end) <= clock_seconds(self.start):
            raise ValueError("a shift ends after it starts (same day)")
        return self


class AgentGroup(_Strict):
    """``count`` agents with the same skills (queue names, in priority order), languages and shift."""

    name: str = Field(min_length=1, max_length=40)
    count: int = Field(ge=0, le=5000)
    skills: list[str] = Field(min_length=1)
    languages: list[Lang] = Field(default_factory=lambda: list[Lang](["en"]), min_length=1)
    shift: Shift
    after_call_work_seconds: Annotated[float, Field(ge=0.0)] = 30.0
    channels: dict[AgentChannel, int] = Field(
        default_factory=lambda: dict[AgentChannel, int]({"VOICE": 1}),
        min_length=1,
        description="the routing profile's channels and how many contacts of each an agent works at once "
        "(Connect's MediaConcurrency: VOICE 1, CHAT and EMAIL 1-10)",
    )
    cross_channel: bool = Field(
        default=False,
        description="Connect's cross-channel concurrency: true = 'allow other channels concurrently' "
        "(ROUTE_ANY_CHANNEL), false = 'no other channels while the agent is on a channel' "
        "(ROUTE_CURRENT_CHANNEL_ONLY)",
    )

    @field_validator("channels")
    @classmethod
    def _concurrency(cls, channels: dict[AgentChannel, int]) -> dict[AgentChannel, int]:
        for channel, limit in channels.items():
            top = 1 if channel == "VOICE" else MAX_CONCURRENCY
            if not 1 <= limit <= top:
                raise ValueError(f"{channel} concurrency is 1 to {top} (MediaConcurrency), got {limit}")
        return channels


class ChatIntent(_Strict):
    """One reason to chat: its share of chats and what the customer types after the language menu.

    ``messages`` are typed messages in order (free text: a digit or words such as "status"); the
    tokens are those of :class:`IntentMix` (``{case}``, ``{pin}``, ``{topic}``, ``{office_topic}``,
    ``{agent}``: "1" when the customer still wants an agent, nothing typed otherwise).
    """

    name: str = Field(min_length=1, max_length=40)
    share: Share
    messages: list[str] = Field(default_factory=list, max_length=20)
    wants_agent: Probability = 0.0
    aht_seconds: Seconds = 600.0
    wrong_pin: Probability = 0.0

    @property
    def keys(self) -> list[str]:
        """The caller plan's name for the entries (the same tokens as a voice intent's keys)."""
        return self.messages

    @field_validator("messages")
    @classmethod
    def _known_tokens(cls, messages: list[str]) -> list[str]:
        for message in messages:
            for token in _TOKENS.findall(message):
                if token not in SCRIPT_TOKENS:
                    raise ValueError(f"unknown token {token} (known: {sorted(SCRIPT_TOKENS)})")
        return messages


class ChatArrivals(_Strict):
    """The day's chat contacts (Poisson, like calls). 0 = no chat (the day as before chat)."""

    contacts: int = Field(default=0, ge=0, le=1_000_000)
    arrivals: list[ArrivalInterval] | None = Field(
        default=None, description="the chat arrival curve; default: the calls' curve"
    )
    intents: list[ChatIntent] | None = Field(
        default=None, description="default: the voice intents, their keys typed (without #)"
    )
    patience_seconds: Seconds = Field(
        default=180.0, description="mean wait in the chat queue before the customer leaves (exponential)"
    )
    queue_flow: bool = Field(
        default=False,
        description="a queued chat reads the customer-queue flow (chats ahead, expected wait, 'callback' / "
        "'leave') on arrival and every 60 s, as `civicline call --channel chat` runs it; a customer who "
        "accepts callbacks types 'callback' and their number once their wait passed the virtual-hold "
        "threshold (false = a chat waits without the flow, as before)",
    )
    signed_in_share: Probability = Field(
        default=0.0,
        description="share of chat customers signed in to the agency's portal: their chat starts with the "
        "contact attribute customerId (StartChatContact Attributes), which keys their repeat chats "
        "(0 = every chat keyed by its own contact, as before)",
    )


class EmailArrivals(_Strict):
    """The day's inbound e-mails (Poisson). Their texts are drawn from the shipped labelled sample set
    (civicline/data/email_samples.jsonl, English and Spanish) in the day's language mix. 0 = none."""

    emails: int = Field(default=0, ge=0, le=1_000_000)
    arrivals: list[ArrivalInterval] | None = Field(
        default=None, description="the e-mail arrival curve over the whole day; default: the calls' curve"
    )
    handle_seconds: Seconds = Field(default=480.0, description="mean agent time to read and answer one")
    topics: dict[str, Share] | None = Field(
        default=None, description="weight per sample label (status, appeals, ...); default: the set as it is"
    )
    auto_reply_share: Probability = Field(
        default=0.0, description="share of messages that are auto-replies (out-of-office): no acknowledgement"
    )
    carried_in: int = Field(
        default=0,
        ge=0,
        le=1_000_000,
        description="e-mails already waiting at opening, carried over from earlier days (the e-mail plan "
        "answers them first, by their deadline); 0 = the day starts with no backlog",
    )
    carried_in_age_hours: Annotated[float, Field(ge=0.0, le=240.0)] = Field(
        default=14.0,
        description="how long the carried-in e-mails have waited at opening (default: received at the "
        "previous day's 18:00 closing, 14 h before an 08:00 opening); their deadline is 24 h after receipt",
    )


class Patience(_Strict):
    """How long callers wait in queue before hanging up: exponential with this mean."""

    mean_seconds: Seconds = 240.0


class Callbacks(_Strict):
    """Virtual hold and callbacks: who accepts the offer, who answers when dialed."""

    virtual_hold: bool = True
    acceptance: Probability = 0.4
    answer_rate: Probability = 0.85
    max_attempts: int = Field(default=3, ge=1, le=10)
    retry_minutes: Seconds = 10.0


class SurveyRefusal(_Strict):
    """How customers who hear the survey offer refuse it: ``declined`` press (or type) the skip
    choice at the offer, ``dropped`` take it and hang up (or leave the chat) before the last
    question. 0 and 0 = everyone who hears the offer answers every question (the day before
    declines were modelled)."""

    declined: Probability = Field(default=0.0, description="share of offered customers who press/type 2")
    dropped: Probability = Field(
        default=0.0, description="share of offered customers who start the survey and leave before its end"
    )

    @model_validator(mode="after")
    def _at_most_everyone(self) -> SurveyRefusal:
        if self.declined + self.dropped > 1.0:
            raise ValueError("declined + dropped is a share of the offered customers: at most 1")
        return self


class Survey(_Strict):
    """Post-call survey: share of answered callers who take it, and how they tend to answer.

    ``response_rate`` is the share of customers still on the line (or in the chat) when the agent
    ends the contact who stay for the survey's offer; ``refusal`` (and ``refusal_by_channel``, which
    overrides it per channel) says how many of those then decline or drop out inside the flow.
    """

    response_rate: Probability = 0.3
    satisfied: Probability = Field(default=0.75, description="chance an answer is 4 or 5")
    resolved_first_time: Probability = 0.7
    refusal: SurveyRefusal = Field(default_factory=SurveyRefusal)
    refusal_by_channel: dict[AgentChannel, SurveyRefusal] = Field(
        default_factory=dict, description="per channel (VOICE, CHAT); default: ``refusal``"
    )

    def refusal_for(self, channel: str) -> SurveyRefusal:
        """The refusal shares of customers on ``channel``."""
        for name, refusal in self.refusal_by_channel.items():
            if name == channel:
                return refusal
        return self.refusal


class RepeatCallers(_Strict):
    """Callers whose issue was not resolved call again later the same day about the same intent."""

    share_of_unresolved: Probability = 0.3
    delay_minutes: Seconds = 90.0


class SimulationProfile(_Strict):
    """One hotline day. ``calls`` is the day's expected inbound volume (Poisson)."""

    name: str = Field(min_length=1, max_length=60, pattern=r"^[a-z0-9][a-z0-9-]*$")
    description: str = ""
    day: date = Field(description="a weekday; the contact center's hours apply")
    time_zone: str = "America/New_York"
    open: ClockTime = "08:00"
    close: ClockTime = "18:00"
    calls: int = Field(ge=1, le=1_000_000)
    arrivals: list[ArrivalInterval] = Field(min_length=1)
    after_hours_share: Probability = Field(default=0.0, description="share of calls arriving while closed")
    languages: dict[Lang, Share] = Field(default_factory=lambda: dict[Lang, float]({"en": 1.0}))
    intents: list[IntentMix] = Field(min_length=1)
    agents: list[AgentGroup] = Field(min_length=1)
    handle_time_cv: Annotated[float, Field(ge=0.0, le=3.0)] = Field(
        default=0.6, description="coefficient of variation of handle times (lognormal); 1 = exponential-like"
    )
    patience: Patience = Field(default_factory=Patience)
    callbacks: Callbacks = Field(default_factory=Callbacks)
    survey: Survey = Field(default_factory=Survey)
    repeat_callers: RepeatCallers = Field(default_factory=RepeatCallers)
    service_level_seconds: Seconds = 60.0
    virtual_hold_threshold_seconds: Seconds = Field(
        default=120.0,
        description="the queue flow offers a callback once the oldest contact in the queue has waited "
        "longer than this (flows/customer-queue.json, check-wait)",
    )
    notification_uptake: Probability = Field(
        default=0.0,
        description="share of consenting case-status callers whom status notifications keep from calling "
        "(0 = nobody: the day as before notifications)",
    )
    notification_consented_share: Probability = Field(
        default=1.0,
        description="share of case-status callers who had consented to notifications (the uptake applies "
        "to them)",
    )

    chat: ChatArrivals = Field(default_factory=ChatArrivals)
    email: EmailArrivals = Field(default_factory=EmailArrivals)

    @model_validator(mode="after")
    def _consistent(self) -> SimulationProfile:
        if clock_seconds(self.close) <= clock_seconds(self.open):
            raise ValueError("close must be after open")
        starts = [clock_seconds(a.start) for a in self.arrivals]
        if starts != sorted(starts) or len(set(starts)) != len(starts):
            raise ValueError("arrival intervals must be in increasing start order")
        if not any(a.weight > 0 for a in self.arrivals):
            raise ValueError("at least one arrival interval needs a positive weight")
        if sum(i.share for i in self.intents) <= 0:
            raise ValueError("intent shares must not all be zero")
        if sum(self.languages.values()) <= 0:
            raise ValueError("language shares must not all be zero")
        names = [i.name for i in self.intents]
        if len(set(names)) != len(names):
            raise ValueError("intent names must be unique")
        for curve in (self.chat.arrivals, self.email.arrivals):
            starts = [clock_seconds(a.start) for a in curve or ()]
            if starts != sorted(starts) or len(set(starts)) != len(starts):
                raise ValueError("arrival intervals must be in increasing start order")
        groups = [g.name for g in self.agents]
        if len(set(groups)) != len(groups):
            raise ValueError("agent group names must be unique")
        return self
