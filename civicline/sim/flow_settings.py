"""The flows as a profile configures them: today the virtual-hold threshold of the queue flow.

Why here and not a second constant in the simulator: the threshold lives in the flow itself
(``flows/customer-queue.json``, action ``check-wait``: ``CheckMetricData`` on
``OldestContactInQueueAgeSeconds``, ``NumberGreaterThan`` in milliseconds), which is what Connect
runs. A profile's ``virtual_hold_threshold_seconds`` (a sweep variable) rewrites that operand in
the loaded library, so the engine plays the same flow with the profile's threshold, and the
default (120 s) leaves the committed flow as it is.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from civicline.engine import FlowLibrary
from civicline.engine.library import parse_flow_text
from schemas.profile import SimulationProfile

FLOWS_DIR = Path(__file__).resolve().parent.parent.parent / "flows"
QUEUE_FLOW = "customer-queue"
WAIT_METRIC = "OldestContactInQueueAgeSeconds"


class FlowSettingError(ValueError):
    """The flow no longer has the action a profile setting rewrites (the flow changed)."""


def _wait_check(document: dict[str, Any]) -> dict[str, Any]:
    for action in document.get("Actions", []):
        params = action.get("Parameters") or {}
        if action.get("Type") == "CheckMetricData" and params.get("MetricType") == WAIT_METRIC:
            conditions = action.get("Transitions", {}).get("Conditions", [])
            greater = [c for c in conditions if c.get("Condition", {}).get("Operator") == "NumberGreaterThan"]
            if len(greater) == 1:
                condition: dict[str, Any] = greater[0]["Condition"]
                return condition
    raise FlowSettingError(f"{QUEUE_FLOW}: no CheckMetricData {WAIT_METRIC} > threshold to set")


def virtual_hold_threshold(library: FlowLibrary) -> float:
    """The threshold (seconds) the library's queue flow offers a callback after."""
    document = json.loads(library.flows[QUEUE_FLOW].raw_text)
    return float(_wait_check(document)["Operands"][0]) / 1000.0


def with_virtual_hold_threshold(library: FlowLibrary, seconds: float) -> FlowLibrary:
    """``library`` with the queue flow's offer threshold set to ``seconds`` (in place; returned)."""
    loaded = library.flows[QUEUE_FLOW]
    document = json.loads(loaded.raw_text)
    _wait_check(document)["Operands"] = [str(round(seconds * 1000))]
    library.add(parse_flow_text(json.dumps(document), name=QUEUE_FLOW, source=loaded.source))
    return library


def flow_library(profile: SimulationProfile, directory: Path = FLOWS_DIR) -> FlowLibrary:
    """The flows in ``directory`` as ``profile`` configures them (the day runner's library)."""
    library = FlowLibrary.from_directory(directory)
    if virtual_hold_threshold(library) != profile.virtual_hold_threshold_seconds:
        with_virtual_hold_threshold(library, profile.virtual_hold_threshold_seconds)
    return library
