"""Where each kind of caller queues: the profile's intents walked through the real inbound flow.

Why walk the flows instead of a table of "intent -> queue": the queue is decided by the flows, the
routing function and the agency's routing rules (reference data), and a table written here would be
a second definition that drifts. A plan per skill needs, for every intent and language, the share of
agent-bound callers that ends in each queue; this module measures it by running a few callers of
each (intent, language) who want an agent through ``main-inbound`` on the local tables (the demo
reference data, as the day has it), the line open and every queue empty. Self-service outcomes
(a redirect to an office, a flow that ends) are not queues and count as not agent-bound.

Each probe caller is drawn by the day's own :class:`civicline.sim.callers.CallerFactory` (same key
expansion, seeded), so a topic chosen at random in the menu is probed as the day chooses it.
"""

from __future__ import annotations

import contextlib
import io
import json
import math
import os
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from schemas.profile import SimulationProfile, clock_seconds

FLOWS_DIR = Path(__file__).resolve().parent.parent.parent / "flows"
#: probe callers per (intent, language): enough to meet each menu topic (1-3, office 1-4)
PROBES = 8


@dataclass(frozen=True)
class Route:
    """Share of one (intent, language)'s callers who want an agent that queue in ``queue``."""

    intent: str
    language: str
    queue: str
    share: float


def _single(profile: SimulationProfile, intent: str, language: str) -> SimulationProfile:
    """The profile with only ``intent`` in ``language``, every caller wanting an agent."""
    data = profile.model_dump(mode="json")
    wanting = {"share": 1.0, "wants_agent": 1.0, "wrong_pin": 0.0}
    data["intents"] = [{**i, **wanting} for i in data["intents"] if i["name"] == intent]
    data["languages"] = {language: 1.0}
    return SimulationProfile.model_validate(data)


#: routes already probed in this process, by what they depend on (a sweep plans many variants)
_PROBED: dict[str, list[Route]] = {}


def probe_routes(profile: SimulationProfile, seed: int = 1) -> list[Route]:
    """The routes of every (intent, language) of ``profile`` (see the module docstring); only the
    intents, languages, day and hours matter, so profiles that differ elsewhere share one probe."""
    key = json.dumps(
        [profile.model_dump(mode="json", include={"intents", "languages", "day", "time_zone", "open"}), seed],
        sort_keys=True,
    )
    if key not in _PROBED:
        _PROBED[key] = _probe(profile, seed)
    return list(_PROBED[key])


def _probe(profile: SimulationProfile, seed: int) -> list[Route]:
    from civicline.data import seed_demo
    from civicline.data.demo import demo_cases
    from civicline.engine import CallerScript, Engine, FlowLibrary, StaticCenter
    from civicline.engine.arns import queue_key
    from civicline.local.aws import LocalAws
    from civicline.sim.callers import CallerFactory, DemoCredential
    from civicline.sim.center import SimCenter
    from functions.core.clock import set_clock
    from functions.core.privacy import pseudonymize

    midnight = SimCenter.midnight_of(profile.day, profile.time_zone)
    moment: datetime = midnight + timedelta(seconds=clock_seconds(profile.open) + 3600.0)
    credentials = [DemoCredential(c.case_number, c.pin) for c in demo_cases()]
    os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "CRITICAL")
    extra = {"SERVICE_LEVEL_SECONDS": str(int(profile.service_level_seconds)), "TIME_ZONE": profile.time_zone}
    routes: list[Route] = []
    with LocalAws(prefix="civicline-routes", extra_env=extra), contextlib.redirect_stdout(io.StringIO()):
        seed_demo(moment)
        set_clock(lambda: moment)
        try:
            engine = Engine(
                FlowLibrary.from_directory(FLOWS_DIR), center=StaticCenter(open=True, clock=moment), seed=seed
            )
            for intent in profile.intents:
                for language in profile.languages:
                    factory = CallerFactory(_single(profile, intent.name, language), seed, credentials)
                    queues: Counter[str] = Counter()
                    for k in range(PROBES):
                        caller = factory.new(clock_seconds(profile.open) + 3600.0 + k)
                        result = engine.run_contact(
                            "main-inbound",
                            CallerScript(caller.script),
                            caller_number=caller.number,
                            contact_id=caller.contact_id,
                            language="en-US" if language == "en" else "es-US",
                            attributes={"callerKey": pseudonymize(caller.number)},
                        )
                        queue = result.ended.get("queue")
                        if result.ended.get("how") == "QUEUE" and queue:
                            queues[queue_key(str(queue)) or str(queue)] += 1
                    routes.extend(
                        Route(intent.name, language, q, n / PROBES) for q, n in sorted(queues.items())
                    )
        finally:
            set_clock(None)
    return routes


def agent_bound(routes: list[Route], intent: str, language: str) -> float:
    """Share of callers of (intent, language) who want an agent and reach a queue."""
    return math.fsum(r.share for r in routes if r.intent == intent and r.language == language)
