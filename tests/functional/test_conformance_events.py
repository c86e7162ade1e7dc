"""Every Connect-facing handler against the real event samples in shared/conformance/events.

Each sample is run twice per handler: as published (its Parameters are not ours, so the typed answer
is INVALID_INPUT, never an exception) and with that handler's parameters merged in (a real answer).
"""

from __future__ import annotations

import copy
import importlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from civicline.data.demo import demo_cases
from schemas import codec
from schemas.functions import CONTRACTS
from tests.conftest import conformance_files, load_json
from tests.functional.conftest import NOW

SAMPLES = conformance_files("events", "lambda__")
CASE = demo_cases()[0]
VALID: dict[str, tuple[dict[str, str], set[str]]] = {
    "routing": ({"action": "route", "intent": "CONSULTATION"}, {"ROUTED"}),
    "case_status": ({"caseNumber": CASE.case_number, "pin": CASE.pin}, {"FOUND"}),
    "appeals": ({"category": "APPEAL", "callbackNumber": "+12025550123"}, {"REGISTERED"}),
    "callback": (
        {"mode": "SCHEDULED", "queueName": "general", "window": "3"},
        {"CREATED", "EXISTING", "INVALID_INPUT"},
    ),
    "survey": ({"trust": "5", "satisfaction": "4"}, {"PARTIAL"}),
}


@pytest.fixture(scope="module")
def seeded_once() -> Iterator[Any]:
    """One seeded moto for the module: every call here is idempotent or read-only."""
    from civicline.data import seed_demo
    from civicline.local.aws import LocalAws
    from functions.core.clock import set_clock

    set_clock(lambda: NOW)
    with LocalAws(prefix="conformance") as aws:
        seed_demo(NOW)
        yield aws
    set_clock(None)


def test_samples_are_present() -> None:
    assert len(SAMPLES) >= 5


def _run(name: str, event: dict[str, Any]) -> dict[str, str]:
    module = importlib.import_module(f"functions.handlers.{name}")
    result = module.handler(event, None)
    # STRING_MAP: flat, strings only, and a result the contract allows
    assert isinstance(result, dict) and all(
        isinstance(k, str) and isinstance(v, str) for k, v in result.items()
    )
    codec.load(CONTRACTS[name][1], result)
    return dict(result)


@pytest.mark.parametrize("name", sorted(VALID))
@pytest.mark.parametrize("sample", SAMPLES, ids=lambda p: Path(p).stem)
def test_sample_as_published_is_a_typed_answer(seeded_once: Any, sample: Path, name: str) -> None:
    # Given a real event whose Parameters belong to someone else's function
    event = load_json(sample)
    # When our handler receives it, Then it answers INVALID_INPUT (unknown keys) or, with none, a value
    result = _run(name, event)
    if event["Details"]["Parameters"]:
        assert result == {"result": "INVALID_INPUT"}


@pytest.mark.parametrize("name", sorted(VALID))
@pytest.mark.parametrize("sample", SAMPLES, ids=lambda p: Path(p).stem)
def test_sample_with_our_parameters_is_served(seeded_once: Any, sample: Path, name: str) -> None:
    # Given a real event (null endpoints, Queue as a string, unknown fields) carrying our parameters
    event = copy.deepcopy(load_json(sample))
    params, accepted = VALID[name]
    event["Details"]["Parameters"] = dict(params)
    # When the handler runs Then it serves the request
    result = _run(name, event)
    assert result["result"] in accepted
    if name == "callback" and event["Details"]["ContactData"].get("CustomerEndpoint"):
        # only a sample without any caller number is refused (samples share numbers: EXISTING)
        assert result["result"] in ("CREATED", "EXISTING")
