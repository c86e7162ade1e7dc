"""The day's first calls drawn as the day reaches them (civicline.sim.callers.FirstCalls) are exactly
the plan drawn at the start: the same callers, in the same order, with the same draws, and the repeats
drawn after them are the same too (common random numbers: docs/decisions.md, "Simulation: the day's
plan drawn as it goes")."""

from __future__ import annotations

from dataclasses import asdict

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from civicline.sim.callers import Caller, CallerFactory, CallerRegister, DemoCredential, FirstCalls
from civicline.sim.profiles import load_profile

CREDS = [DemoCredential("56707078", "5442"), DemoCredential("12345678", "1234")]


def _plan(channel: str, seed: int, calls: int, until: float, register: CallerRegister | None) -> FirstCalls:
    profile = load_profile("regional-hotline-day")
    factory = CallerFactory(profile, seed, CREDS, channel=channel)
    return FirstCalls(
        factory, CallerFactory(profile, seed, CREDS, channel=channel), calls, until=until, register=register
    )


def _drawn(plan: FirstCalls) -> list[Caller]:
    return list(iter(plan.next_caller, None))


@settings(max_examples=8, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    channel=st.sampled_from(["VOICE", "CHAT"]),
    until=st.sampled_from([30_000.0, 50_000.0, float("inf")]),
)
def test_first_calls_drawn_as_they_come_are_the_plan_drawn_at_the_start(
    seed: int, channel: str, until: float
) -> None:
    profile = load_profile("regional-hotline-day")
    # Given the whole plan drawn at the start, as the day did before
    whole = CallerFactory(profile, seed, CREDS, channel=channel)
    calling, notified = whole.first_calls(300)
    # When the same plan is drawn one caller at a time
    register = CallerRegister()
    plan = _plan(channel, seed, 300, until, register if channel == "VOICE" else None)
    drawn = _drawn(plan)
    # Then the callers are the same ones, in the same order, up to ``until``
    assert [asdict(c) for c in drawn] == [asdict(c) for c in calling if c.arrival < until]
    # And the counts kept at the start are those of the whole plan
    assert plan.notified == len(notified)
    assert sum(plan.intents.values()) == len(calling)
    # And the repeats the plan's factory draws are the ones drawn after the whole plan
    for caller in calling[:20]:
        caller.resolved, caller.calls_again = False, True
        mine = plan.factory.repeat(caller, caller.arrival)
        theirs = whole.repeat(caller, caller.arrival)
        assert mine is not None and theirs is not None
        assert asdict(mine) == asdict(theirs)
    # And the register holds the first caller of each number, as the whole plan's setdefault did
    first: dict[str, Caller] = {}
    for caller in calling if channel == "VOICE" else []:
        if caller.arrival < until:
            first.setdefault(caller.number, caller)
    assert len(register) == len(first)
    assert all(getattr(register.get(n), "contact_id", None) == c.contact_id for n, c in first.items())


def test_a_number_looked_up_before_its_caller_arrives_is_drawn_ahead_and_not_lost() -> None:
    # Given a plan of which two callers have been drawn
    register = CallerRegister()
    plan = _plan("VOICE", 3, 300, float("inf"), register)
    expected = _drawn(_plan("VOICE", 3, 300, float("inf"), None))
    first, second = plan.next_caller(), plan.next_caller()
    assert first is not None and second is not None
    later = expected[40]
    # When the dispatcher looks up the number of a caller still to come, and one nobody has
    found = plan.find(later.number)
    assert plan.find("+19990000000") is None and plan.find("not a number") is None
    # Then it is that caller (drawn ahead, nothing drawn for the others), and the plan still gives
    # every caller once, in arrival order
    assert found is not None and found.contact_id == later.contact_id
    assert len(plan._ahead) == 39
    rest = _drawn(plan)
    assert [c.contact_id for c in [first, second, *rest]] == [c.contact_id for c in expected]


def test_a_number_in_another_form_is_not_a_planned_number() -> None:
    from civicline.sim.callers import _number_key

    # Given numbers as the callback function stores them (E.164) and in other forms
    # Then only the E.164 form is a key of the plan's numbers
    assert _number_key("+15551234567") == 15551234567
    for other in ("15551234567", "chat-5551234567", "+1 555", "+١٢٣"):
        with pytest.raises(ValueError, match=r"not an E\.164 number"):
            _number_key(other)


def test_a_resting_caller_is_the_caller_as_it_was_left() -> None:
    # Given callers in the register, one of whose calls are over
    register = CallerRegister()
    calling = _drawn(_plan("VOICE", 4, 300, float("inf"), None))
    first, other = calling[0], calling[1]
    first.resolved = False
    first.notes["customerId"] = "portal-1"
    register.setdefault(first.number, first)
    register.setdefault(other.number, other)
    # When the first caller's process ends (and a later caller with the same number arrives)
    register.rest([first])
    register.setdefault(first.number, other)
    # Then the register gives back an equal caller, field for field, and the other as it is
    back = register.get(first.number)
    assert back is not None and back is not first
    assert asdict(back) == asdict(first)
    assert type(back.arrival) is float and back.answers_callback == first.answers_callback
    assert register.get(other.number) is other
    # And a caller the register does not hold as itself is left alone
    register.rest([calling[2]])
    assert calling[2].number not in register
