"""Connect-facing handlers: cold import time against its floor, and AWS calls on the hot path.

* Cold start: in fresh interpreters, the time to import the handler module, create the DynamoDB
  client it uses and answer a first event (so a deferred pydantic build is counted), next to the floor
  measured the same way in the same run: ``import boto3`` plus one DynamoDB client. Runs are
  interleaved (floor, then each handler, repeated) and the median is kept,
  so a busy machine slows both sides alike. Target: ratio at most 1.25.
* Hot path: DynamoDB calls made by one warm invocation (reference data cached, as in a warm Lambda
  container), counted with a botocore ``before-call`` hook against moto, next to the minimum the job
  needs. Also shown: the same call in a cold container (empty reference cache).
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
HANDLERS = ("routing", "case_status", "appeals", "callback", "survey")
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "7"))

_FLOOR = "import boto3; boto3.client('dynamodb')"
#: import the handler, create its client, and answer one event (parse of the Connect event and of the
#: parameters; the parameters are refused, so no AWS call): a deferred model build is counted too
_HANDLER = (
    "import functions.handlers.{name} as h; from functions.core.aws import client; client('dynamodb'); "
    "h.handler({{'Details': {{'ContactData': {{'ContactId': 'c'}}, 'Parameters': {{'bench': 'x'}}}}}}, None)"
)
#: what our two unavoidable libraries cost on their own, to read the ratios against
_PARTS = {
    "pydantic": "import pydantic",
    "powertools Logger": "from aws_lambda_powertools import Logger; Logger()",
}
_TIMED = "import time; _t = time.perf_counter(); {body}; print(time.perf_counter() - _t)"


def _time(body: str) -> float:
    env = {**os.environ, "AWS_DEFAULT_REGION": "us-east-1", "PYTHONDONTWRITEBYTECODE": "1"}
    out = subprocess.run(
        [sys.executable, "-c", _TIMED.format(body=body)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return float(out.stdout.strip().splitlines()[-1])


def cold_imports() -> None:
    configs = {"floor": _FLOOR, **{h: _HANDLER.format(name=h) for h in HANDLERS}, **_PARTS}
    samples: dict[str, list[float]] = {name: [] for name in configs}
    _time(_FLOOR)  # warm the OS file cache once; not counted
    for _ in range(ROUNDS):
        for name, body in configs.items():
            samples[name].append(_time(body))
    floor = statistics.median(samples["floor"])
    print(f"cold start, median of {ROUNDS} fresh interpreters, interleaved")
    print("  floor = import boto3 + one DynamoDB client; handler = import + its client + first event parsed")
    print(f"  {'':<26}{'median ms':>10}{'ratio':>8}   target <= 1.25")
    for name in configs:
        median = statistics.median(samples[name])
        label = f"({name} alone)" if name in _PARTS else name
        print(f"  {label:<26}{median * 1000:>10.0f}{median / floor:>8.2f}")


#: (handler, parameters, minimum DynamoDB calls the job needs, why)
HOT_PATHS: tuple[tuple[str, dict[str, str], int, str], ...] = (
    ("routing", {"action": "route", "intent": "CONSULTATION"}, 2, "read caller history + record office"),
    ("case_status", {}, 1, "read case and attempt counters"),
    ("appeals", {"category": "APPEAL"}, 1, "store the appeal"),
    ("callback", {"mode": "SCHEDULED", "queueName": "general", "window": "3"}, 1, "store the request"),
    ("survey", {"trust": "5", "ease": "4", "satisfaction": "5"}, 1, "store the survey"),
)


def _event(params: dict[str, str], contact_id: str, number: str) -> dict[str, Any]:
    return {
        "Name": "ContactFlowEvent",
        "Details": {
            "ContactData": {
                "ContactId": contact_id,
                "Attributes": {},
                "CustomerEndpoint": {"Address": number, "Type": "TELEPHONE_NUMBER"},
            },
            "Parameters": params,
        },
    }


def hot_paths() -> None:
    import importlib

    from civicline.data import seed
    from civicline.data.demo import demo_cases
    from civicline.local.aws import LocalAws
    from functions.adapters import reference
    from functions.core.aws import client

    cases = demo_cases()
    print("\nDynamoDB calls per invocation (botocore before-call hook, moto)")
    print(f"  {'handler':<14}{'warm':>6}{'cold':>6}{'minimum':>9}   calls (warm)")
    with LocalAws(prefix="bench"):
        seed(datetime.now(UTC))
        calls: list[str] = []

        def hook(model: Any, **_: Any) -> None:
            calls.append(model.name)

        client("dynamodb").meta.events.register("before-call.dynamodb.*", hook)
        for index, (name, params, minimum, why) in enumerate(HOT_PATHS):
            handler: Callable[[Any, Any], dict[str, str]] = importlib.import_module(
                f"functions.handlers.{name}"
            ).handler
            counts = []
            for run, cold in enumerate((True, False)):
                if cold:
                    reference.clear_cache()
                    reference._owner.append(client("dynamodb"))
                given = params
                if name == "case_status":
                    case = cases[2 * run]
                    given = {"caseNumber": case.case_number, "pin": case.pin}
                calls.clear()
                result = handler(_event(given, f"bench-{index}-{run}", f"+120255501{index}{run}"), None)
                assert result["result"] in ("ROUTED", "FOUND", "REGISTERED", "CREATED", "PARTIAL"), result
                counts.append(list(calls))
            warm, cold = counts[1], counts[0]
            print(f"  {name:<14}{len(warm):>6}{len(cold):>6}{minimum:>9}   {', '.join(warm)} ({why})")


def run() -> None:
    cold_imports()
    hot_paths()
