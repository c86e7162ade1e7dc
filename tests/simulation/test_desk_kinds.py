"""One definition of a group's desk (civicline.sim.desks), read by the plans, the scaling and the
streams: every routing profile falls on exactly one desk, and each module's choice of groups is that
desk's."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from civicline.sim.desk_staffing import chat_desks, email_desks
from civicline.sim.desks import Desk, desk_of, groups_on, takes_voice
from civicline.sim.profiles import load_profile, parse_profile
from civicline.sim.scaling import voice_groups
from civicline.sim.streams import takes_calls
from schemas.profile import AgentGroup

CHANNELS = st.dictionaries(
    st.sampled_from(["VOICE", "CHAT", "EMAIL"]), st.integers(1, 3), min_size=1, max_size=3
).map(lambda d: {k: (1 if k == "VOICE" else v) for k, v in d.items()})


def _group(channels: dict[str, int], name: str = "g") -> dict[str, Any]:
    return {
        "name": name,
        "count": 2,
        "skills": ["general"],
        "languages": ["en"],
        "shift": {"start": "08:00", "end": "12:00"},
        "channels": channels,
    }


@given(CHANNELS)
def test_every_routing_profile_is_on_exactly_one_desk(channels: dict[str, int]) -> None:
    # Given any routing profile's channels
    group = AgentGroup.model_validate(_group(channels))
    # Then its desk follows from VOICE and CHAT alone, and it takes calls exactly on the voice desks
    desk = desk_of(group)
    expected = {
        (True, True): Desk.BLENDED,
        (True, False): Desk.CALLS,
        (False, True): Desk.CHAT,
        (False, False): Desk.EMAIL,
    }[("VOICE" in channels, "CHAT" in channels)]
    assert desk is expected
    assert takes_voice(group) == ("VOICE" in channels)
    assert takes_calls(group, "general", "en") == takes_voice(group)


def test_the_plans_the_scaling_and_the_streams_choose_groups_by_the_one_definition() -> None:
    # Given the demo day with one group of each desk
    data = load_profile("regional-hotline-day").model_dump(mode="json")
    data["agents"] = [
        _group({"VOICE": 1}, "calls"),
        _group({"VOICE": 1, "CHAT": 2}, "blended"),
        _group({"CHAT": 3, "EMAIL": 1}, "chat"),
        _group({"EMAIL": 1}, "mail"),
    ]
    profile = parse_profile(data)
    # Then each module picks the groups of its desk
    assert [g.name for g in voice_groups(profile)] == ["calls", "blended"]
    assert chat_desks(profile) == groups_on(profile, Desk.CHAT) == [2]
    assert email_desks(profile) == groups_on(profile, Desk.EMAIL) == [3]
    assert groups_on(profile, Desk.BLENDED) == [1]
