"""Run inside the clean packaging venv (see test_packaging.py); not a test module itself.

``python packaging_harness.py ASSET TOOLS REPO EVENT HANDLERS``: ASSET is the staged code asset (first on the
path, as /var/task is in Lambda), the venv holds only the runtime's and the layer's packages, TOOLS
(moto and its dependencies) and REPO (the local harness: civicline) are appended for phase 2 only.

Phase 1 imports every registry handler with nothing else on the path. Phase 2 invokes each once on
moto; a guard on the import system fails any module the asset's code imports from TOOLS or REPO
(something the deployed function would not find). Prints one JSON report.
"""

from __future__ import annotations

import importlib
import json
import os
import sys
import traceback
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ASSET, TOOLS, REPO = (str(Path(p).resolve()) for p in sys.argv[1:4])
sys.path.insert(0, ASSET)  # Lambda puts the function's code (/var/task) first on the path
report: dict[str, Any] = {"imported": [], "import_errors": {}, "invoked": {}, "leaks": []}


def handlers() -> dict[str, str]:
    """Registry function -> entry point, as the test read them from the registry."""
    entry_points: dict[str, str] = json.loads(sys.argv[5])
    return entry_points


def import_handler(path: str) -> Any:
    module, attribute = path.rsplit(".", 1)
    return getattr(importlib.import_module(module), attribute)


def guard_imports() -> None:
    """Fail any import the asset's code makes of a module that lives in TOOLS or REPO.

    Wraps ``__import__`` (not a path finder) so that a module already loaded by the test tools
    (moto imports requests, for one) is refused to the asset as well.
    """
    import builtins

    real = builtins.__import__

    def guarded(
        name: str, globals: Any = None, locals: Any = None, fromlist: Any = (), level: int = 0
    ) -> Any:
        module = real(name, globals, locals, fromlist, level)
        importer = str((globals or {}).get("__file__") or "")
        if level == 0 and importer.startswith(ASSET):
            loaded = sys.modules.get(name)
            origin = str(getattr(loaded, "__file__", "") or "")
            if origin.startswith((TOOLS, REPO)) and not origin.startswith(ASSET):
                report["leaks"].append(f"{name} (imported by {importer[len(ASSET) + 1 :]})")
                raise ImportError(f"the code asset lacks {name}")
        return module

    builtins.__import__ = guarded


def connect_event(params: dict[str, str], contact: str) -> dict[str, Any]:
    return {
        "Name": "ContactFlowEvent",
        "Details": {
            "ContactData": {
                "Attributes": {},
                "Channel": "VOICE",
                "ContactId": contact,
                "InitialContactId": contact,
                "InitiationMethod": "INBOUND",
                "InstanceARN": "arn:aws:connect:us-east-1:123456789012:instance/x",
                "CustomerEndpoint": {"Address": "+12025550199", "Type": "TELEPHONE_NUMBER"},
                "SystemEndpoint": {"Address": "+18005550100", "Type": "TELEPHONE_NUMBER"},
                "Queue": None,
            },
            "Parameters": params,
        },
    }


def events(envelope: dict[str, Any]) -> dict[str, Any]:
    from civicline.data.demo import demo_cases

    case = demo_cases()[0]
    sqs = {"Records": [{"messageId": "m1", "body": json.dumps(envelope), "eventSource": "aws:sqs"}]}
    return {
        "routing": connect_event({"action": "route", "intent": "CONSULTATION"}, "p-1"),
        "case_status": connect_event({"caseNumber": case.case_number, "pin": case.pin}, "p-2"),
        "appeals": connect_event({"category": "APPEAL"}, "p-3"),
        "callback": connect_event({"mode": "VIRTUAL_HOLD", "queueName": "general"}, "p-4"),
        "survey": connect_event({"satisfaction": "5"}, "p-5"),
        "callback_dispatcher": {"source": "aws.events", "detail-type": "Scheduled Event", "detail": {}},
        "callback_outcomes": envelope,
        "contact_events": sqs,
    }


def phase_two(entry_points: dict[str, str], envelope: dict[str, Any]) -> None:
    sys.path.extend([TOOLS, REPO])
    guard_imports()
    os.environ.setdefault("POWERTOOLS_METRICS_DISABLED", "true")
    import civicline.data as data
    from civicline.local.aws import INSTANCE_ARN, LocalAws
    from functions.core.clock import set_clock

    moment = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)
    set_clock(lambda: moment)
    queues = {"general": f"{INSTANCE_ARN}/queue/general"}
    with LocalAws(queue_arns=queues):
        (getattr(data, "seed_demo", None) or data.seed)(moment)  # split by h/pin
        for name, event in events(envelope).items():
            try:
                result = import_handler(entry_points[name])(event, None)
                report["invoked"][name] = json.loads(json.dumps(result, default=str))
            except Exception:
                report["invoked"][name] = {"error": traceback.format_exc(limit=3)}


def main() -> int:
    entry_points = handlers()
    for name, path in entry_points.items():
        try:
            import_handler(path)
            report["imported"].append(name)
        except Exception as exc:
            report["import_errors"][name] = f"{type(exc).__name__}: {exc}"
    report["modules"] = sorted({m.split(".")[0] for m in sys.modules})
    if not report["import_errors"]:
        phase_two(entry_points, json.loads(Path(sys.argv[4]).read_text(encoding="utf-8")))
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
