"""A simulated chat starts the way the deployed ``chat_start`` function starts one: the
StartChatContact attributes (the page's ``language``, ``entry: web-chat``) and its
``DisconnectOnCustomerExit``, both from :func:`civicline.local.chat_start.chat_start_options`."""

from __future__ import annotations

from typing import Any

import pytest

from civicline.engine.interpreter import Engine
from civicline.local.chat_start import chat_start_options
from civicline.sim import ivr
from civicline.sim.day import run_day
from civicline.sim.profiles import load_profile, parse_profile
from civicline.sim.summary import summarize

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("simulation-day")]


def _spanish_chats() -> Any:
    """The demo day with Spanish-speaking customers only, chats and no e-mail."""
    data = load_profile("regional-hotline-day").model_dump(mode="json")
    data["languages"] = {"es": 1.0}
    data["email"] = {**data["email"], "emails": 0}
    return parse_profile(data)


def _record_starts(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """Every contact the engine starts from main-inbound, with the keywords it was started with."""
    starts: list[dict[str, Any]] = []
    original = Engine.run_contact

    def recording(self: Engine, flow: Any, caller: Any = None, **kwargs: Any) -> Any:
        if str(flow) == "main-inbound":
            starts.append(dict(kwargs))
        return original(self, flow, caller, **kwargs)

    monkeypatch.setattr(Engine, "run_contact", recording)
    return starts


def test_a_spanish_chat_starts_with_the_attributes_chat_start_sends(monkeypatch: pytest.MonkeyPatch) -> None:
    # Given a short day of Spanish-speaking chat customers
    profile = _spanish_chats()
    starts = _record_starts(monkeypatch)
    # When it runs through the flows
    result = run_day(profile, 5, calls=15, hours=1.5)
    # Then every chat started with the attributes and the flag the deployed function passes for a
    # Spanish page (one definition: chat_start_options), and calls started without them
    expected = chat_start_options("es")
    chats = [s for s in starts if s["channel"] == "CHAT"]
    calls = [s for s in starts if s["channel"] == "VOICE"]
    assert chats and calls
    for start in chats:
        assert expected["attributes"].items() <= start["attributes"].items()
        assert start["attributes"]["language"] == "es" and start["attributes"]["entry"] == "web-chat"
        assert tuple(start["disconnect_on_customer_exit"]) == expected["disconnect_on_customer_exit"]
    assert all("entry" not in s["attributes"] for s in calls)
    # And the day still reconciles (metrics == truth)
    assert summarize(result, profile)["reconciliation"] == {}


def test_a_signed_in_chat_keeps_its_customer_id_beside_the_chat_start_attributes() -> None:
    # Given a signed-in chat customer (the portal's customerId attribute)
    from civicline.sim.callers import CallerFactory
    from civicline.sim.day import demo_credentials

    data = load_profile("regional-hotline-day").model_dump(mode="json")
    data["chat"] = {**data["chat"], "signed_in_share": 1.0}
    factory = CallerFactory(parse_profile(data), 1, demo_credentials(), channel="CHAT")
    caller = factory.new(9 * 3600.0)
    # When the simulator builds the attributes its chat starts with
    attributes = ivr.start_attributes(caller)
    # Then they are chat_start's for the customer's language, plus the customerId
    assert attributes["customerId"] == caller.notes["customerId"]
    assert attributes["entry"] == "web-chat" and attributes["language"] == caller.language
