"""Chat and e-mail in the simulated day: through the real flows and functions, routed by the agents'
routing profiles (channels and concurrency), and truth == metrics per channel."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from civicline.sim import email_day
from civicline.sim.day import DayResult, run_day
from civicline.sim.model import Agent, SimContact
from civicline.sim.profiles import load_profile, parse_profile
from civicline.sim.summary import summarize
from schemas.profile import SimulationProfile

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("simulation-day")]


def regional(**changes: Any) -> SimulationProfile:
    """The demo profile with ``changes`` (chat / email / agents as plain data), validated."""
    data = load_profile("regional-hotline-day").model_dump(mode="json")
    for name, value in changes.items():
        if isinstance(value, dict) and isinstance(data.get(name), dict):
            data[name] = {**data[name], **value}
        else:
            data[name] = value
    return parse_profile(data)


def groups(profile: SimulationProfile, **counts: int) -> list[dict[str, Any]]:
    out = []
    for g in profile.model_dump(mode="json")["agents"]:
        out.append({**g, "count": counts.get(g["name"].replace("-", "_"), g["count"])})
    return out


def day(profile: SimulationProfile, seed: int = 3, calls: int = 40, hours: float = 2.5) -> DayResult:
    return run_day(profile, seed, calls=calls, hours=hours)


def outcomes(result: DayResult, channel: str) -> dict[str, int]:
    c = result.truth.counts
    p = channel.lower()
    return {k: c.get(f"{p}_{k}", 0) for k in ("arrivals", "queued", "not_queued", "answered", "abandoned")}


# -- the routing profile (no day needed) ----------------------------------------------------------


def _agent(channels: dict[str, int], cross: bool = False) -> Agent:
    return Agent("a-001", "a", ["general"], ["en"], 0.0, 3600.0, 0.0, channels=channels, cross_channel=cross)


def _contact(channel: str) -> SimContact:
    return SimContact(None, None, "general", "en", 0.0, 0.0, channel=channel)  # type: ignore[arg-type]


def test_voice_is_exclusive_and_chats_stop_at_the_concurrency() -> None:
    # Given an agent with voice and three chats, no cross-channel concurrency
    agent = _agent({"VOICE": 1, "CHAT": 3})
    # When it takes a voice call, then it can take nothing else
    call = _contact("VOICE")
    agent.take(call, 0.0)
    assert not agent.can_take("VOICE") and not agent.can_take("CHAT")
    agent.release(call, 10.0)
    # When it takes chats: up to three, and no call meanwhile
    chats = [_contact("CHAT") for _ in range(3)]
    for chat in chats:
        agent.take(chat, 10.0)
    assert not agent.can_take("CHAT") and not agent.can_take("VOICE")
    with pytest.raises(RuntimeError, match="no free CHAT slot"):
        agent.take(_contact("CHAT"), 11.0)
    # Then busy time is the time with any contact, once (not once per chat)
    for chat in chats:
        agent.release(chat, 70.0)
    assert agent.busy_seconds == pytest.approx(70.0)
    assert agent.peak == {"VOICE": 1, "CHAT": 3} and not agent.mixed


def test_cross_channel_concurrency_offers_chats_during_a_call() -> None:
    agent = _agent({"VOICE": 1, "CHAT": 2}, cross=True)
    agent.take(_contact("VOICE"), 0.0)
    assert agent.can_take("CHAT") and not agent.can_take("VOICE")
    agent.take(_contact("CHAT"), 1.0)
    assert agent.mixed
    assert not agent.can_take("EMAIL")  # a channel the routing profile does not enable


def test_the_profile_refuses_connect_impossible_concurrency() -> None:
    with pytest.raises(ValueError, match="VOICE concurrency is 1 to 1"):
        regional(agents=[{**groups(regional())[0], "channels": {"VOICE": 2}}])
    with pytest.raises(ValueError, match="CHAT concurrency is 1 to 10"):
        regional(agents=[{**groups(regional())[0], "channels": {"CHAT": 11}}])


# -- days ----------------------------------------------------------------------------------------


def test_a_day_with_voice_chat_and_email_reconciles_per_channel() -> None:
    # Given the demo profile (calls, chats and e-mails) on a short day
    profile = load_profile("regional-hotline-day")
    # When it runs through the real flows, functions and aggregator
    result = day(profile, calls=60)
    summary = summarize(result, profile)
    # Then truth == metrics in total and on every channel, and each channel has its contacts
    assert summary["reconciliation"] == {}
    assert {"VOICE", "CHAT", "EMAIL"} <= set(summary["channels"])
    chat, email = summary["channels"]["CHAT"], summary["channels"]["EMAIL"]
    assert chat["offered"] == outcomes(result, "CHAT")["queued"] > 0
    assert email["emails_received"] == result.truth.counts["email_arrivals"] > 0
    assert email["emails_answered_within_24h"] == result.truth.counts["email_answered"]
    # and the e-mails no agent took are the backlog, with its age
    waiting = result.truth.counts["email_arrivals"] - result.truth.counts["email_answered"]
    waiting -= result.truth.counts.get("email_screened_out", 0)
    assert result.truth.counts.get("email_backlog", 0) == waiting


def test_a_chat_customer_who_finds_no_agent_leaves() -> None:
    # Given chats but nobody on the chat desk
    base = regional()
    profile = regional(agents=groups(base, chat_desk=0), email={"emails": 0})
    # When the day runs
    result = day(profile, calls=20)
    summary = summarize(result, profile)
    # Then every queued chat was abandoned by its customer, and the metrics say so on CHAT
    chats = outcomes(result, "CHAT")
    assert chats["queued"] > 0 and chats["answered"] == 0
    assert chats["abandoned"] == chats["queued"]
    assert summary["channels"]["CHAT"]["abandoned"] == chats["abandoned"]
    assert summary["reconciliation"] == {}


def test_an_email_that_cannot_be_classified_goes_to_the_general_queue(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Given e-mails with nothing the classifier recognises
    sample = {"id": "x1", "label": "general", "language": "en", "subject": "Hello", "body": "Just a note."}
    monkeypatch.setattr(email_day, "email_samples", lambda: (sample,))
    profile = regional(chat={"contacts": 0}, email={"emails": 6000})  # scaled: 40 on 10 calls
    # When the day runs
    result = day(profile, calls=10)
    counts = result.truth.counts
    # Then each went to the general queue, with the classifier's fallback reason, and reconciles
    assert counts["email_queue_general"] == counts["email_arrivals"] > 0
    assert not [k for k in counts if k.startswith("email_reason_") and k != "email_reason_NO_SIGNAL"]
    assert summarize(result, profile)["reconciliation"] == {}


def test_an_auto_reply_gets_no_acknowledgement_and_no_agent_work() -> None:
    # Given only auto-replies
    profile = regional(chat={"contacts": 0}, email={"emails": 6000, "auto_reply_share": 1.0})
    # When the day runs
    result = day(profile, calls=10)
    summary = summarize(result, profile)
    counts = result.truth.counts
    # Then every one was screened out: no acknowledgement, closed without an agent
    assert counts["email_screened_out"] == counts["email_arrivals"] > 0
    assert counts["email_reason_AUTO_REPLY"] == counts["email_arrivals"]
    assert counts.get("email_answered", 0) == 0
    assert all(a.handled == 0 for a in result.agents if "EMAIL" in a.channels)
    channel = summary["channels"]["EMAIL"]
    assert channel["emails_closed_unanswered"] == channel["emails_received"]
    assert summary["reconciliation"] == {}


def test_a_day_with_zero_chat_and_email_volume_is_a_voice_day() -> None:
    # Given the demo profile without chats and e-mails
    profile = regional(chat={"contacts": 0}, email={"emails": 0})
    result = day(profile, calls=30)
    summary = summarize(result, profile)
    # Then only voice contacts happened, and the figures reconcile
    assert set(summary["channels"]) == {"VOICE"}
    assert outcomes(result, "CHAT")["arrivals"] == 0
    assert summary["reconciliation"] == {}


@settings(max_examples=3, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 10_000),
    chats=st.integers(1, 4),
    cross=st.booleans(),
    volume=st.integers(20, 80),
)
def test_no_agent_exceeds_its_routing_profile_and_every_contact_ends_once(
    seed: int, chats: int, cross: bool, volume: int
) -> None:
    # Given a day with a blended group (voice and chats) besides the demo's groups, few chat agents
    base = regional()
    blended = {
        **groups(base)[0],
        "name": "blended",
        "count": 2,
        "channels": {"VOICE": 1, "CHAT": chats},
        "cross_channel": cross,
    }
    profile = regional(
        agents=[*groups(base, chat_desk=1), blended],
        # about 150 chats and 60 e-mails in a whole day at this call volume (scaled with the calls)
        chat={"contacts": 150 * 1500 // volume},
        email={"emails": 60 * 1500 // volume},
    )
    result = day(profile, seed=seed, calls=volume)
    # Then no agent ever held more than its concurrency, or mixed channels without cross-channel
    for agent in result.agents:
        assert all(agent.peak[ch] <= agent.channels.get(ch, 0) for ch in agent.peak), agent.name
        assert not agent.mixed or agent.cross_channel, agent.name
    # and every chat and every e-mail ended in exactly one outcome
    chat = outcomes(result, "CHAT")
    assert chat["arrivals"] == chat["queued"] + chat["not_queued"]
    assert chat["queued"] == chat["answered"] + chat["abandoned"]
    c = result.truth.counts
    ends = c.get("email_answered", 0) + c.get("email_screened_out", 0) + c.get("email_backlog", 0)
    assert c["email_arrivals"] == c["email_queued"] == ends
    assert summarize(result, profile)["reconciliation"] == {}


def test_the_calls_staffing_plan_does_not_count_chat_and_email_desks_as_voice_capacity() -> None:
    # Given the demo profile with and without its chat and e-mail desks
    from civicline.sim.staffing_plan import plan_for_profile

    with_desks = load_profile("regional-hotline-day")
    voice_only = regional(agents=[g for g in groups(with_desks) if "VOICE" in g["channels"]])
    # When both are planned for the calls
    a = plan_for_profile(with_desks, 0.8, 60)
    b = plan_for_profile(voice_only, 0.8, 60)
    # Then the voice groups get the same agents, and the desks keep theirs while on shift
    for x, y in zip(a.intervals, b.intervals, strict=True):
        assert x.groups is not None and y.groups is not None
        assert {k: v for k, v in x.groups.items() if k in y.groups} == y.groups
        assert x.forecast_service_level == y.forecast_service_level
        assert x.groups["chat-desk"] == 3
    first = a.intervals[0].groups
    assert first is not None and first["correspondence"] == 0  # 08:00-08:30: not on shift yet


def test_a_chat_the_customer_ends_is_surveyed_like_one_the_agent_ends(monkeypatch: Any) -> None:
    # Given the demo profile's chats, started as chat_start starts them (DisconnectOnCustomerExit=AGENT),
    # every chat offered the survey when its agent answered
    profile = regional(survey={"response_rate": 1.0})
    # When a short day runs
    result = day(profile, calls=60)
    summary = summarize(result, profile)
    # Then chats the customer ended (End chat) reached the survey too, and truth == metrics
    ended_by_customer = result.truth.counts.get("chat_surveys_offerable_after_end_chat", 0)
    assert ended_by_customer > 0
    assert summary["reconciliation"] == {}
    # And without the flag (a chat started the old way) nobody is left after End chat to ask
    import civicline.sim.ivr as ivr

    monkeypatch.setattr(ivr, "chat_start", lambda language: ((), ()))
    without = day(profile, calls=60)
    assert without.truth.counts.get("chat_surveys_offerable_after_end_chat", 0) == 0
    assert summarize(without, profile)["reconciliation"] == {}


CHANNELS = ("VOICE", "CHAT", "EMAIL")


@given(
    limits=st.dictionaries(st.sampled_from(CHANNELS), st.integers(-1, 3), max_size=3),
    held=st.lists(st.sampled_from(CHANNELS), max_size=3),
    cross=st.booleans(),
    channel=st.sampled_from(CHANNELS),
)
def test_a_free_slot_is_what_counting_the_contacts_held_says(
    limits: dict[str, int], held: list[str], cross: bool, channel: str
) -> None:
    """Given any routing profile and contacts held (none: an idle agent), when the routing asks for
    a free slot, then the answer is what counting the held contacts per channel gave (the idle
    agent's shortcut included)."""
    agent = _agent(limits, cross=cross)
    agent.active = [_contact(c) for c in held]
    counted = (cross or all(c == channel for c in held)) and sum(c == channel for c in held) < limits.get(
        channel, 0
    )
    assert agent.can_take(channel) == counted
