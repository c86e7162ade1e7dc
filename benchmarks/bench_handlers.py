"""Connect-facing handlers: cold import time against its floor, and AWS calls on the hot path.

* Cold start: in fresh interpreters, the time to import the handler module, create the DynamoDB
  client it uses and answer a first event (so a deferred pydantic build is counted), next to the floor
  measured the same way in the same run: ``import boto3`` plus one DynamoDB client. Target: ratio at
  most 1.25. Measured in two modes, each its own table:

  - ``bytecode`` (primary, as deployed): Lambda's Python runtime ships boto3/botocore compiled and the
    Powertools layer ships Powertools and pydantic compiled, and our own asset's modules are compiled
    too, so the children run with ``PYTHONPYCACHEPREFIX`` set to one temporary directory for the run
    (``PYTHONDONTWRITEBYTECODE`` removed). Every configuration runs once, not counted, to fill that
    cache before timing. The prefix keeps every ``.pyc`` out of the repository and the venv.
  - ``source`` (secondary, worst case): ``PYTHONDONTWRITEBYTECODE=1`` as the Makefile exports, and the
    venv has no ``__pycache__``, so every child compiles botocore, pydantic, Powertools and our code
    from source (only the interpreter's own standard library is read from its installed bytecode).

  This 2-core VM is noisy (the same command varies by about 15 % from run to run), so runs are
  interleaved: each round runs the floor, then every configuration. A configuration's ratio is the
  median over rounds of ``t_config / t_floor`` of the same round (paired), so a busy moment slows
  both sides of one ratio alike. Wall time (``perf_counter``) gives the ratio; process CPU time
  (``process_time``) is measured in the child too and its paired ratio shown next to it. Each row
  also tells whether ``pydantic`` was in ``sys.modules`` once the first event was answered.
* Hot path: DynamoDB calls made by one warm invocation (reference data cached, as in a warm Lambda
  container), counted with a botocore ``before-call`` hook against moto, next to the minimum the job
  needs. Also shown: the same call in a cold container (empty reference cache).
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
HANDLERS = ("routing", "case_status", "appeals", "callback", "survey")
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "15"))

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
#: the handler may log to stdout, so the figures go on a last line of their own, behind a marker
_MARK = "BENCH"
_TIMED = (
    "import sys, time; _w = time.perf_counter(); _c = time.process_time(); {body}; "
    "_w = time.perf_counter() - _w; _c = time.process_time() - _c; "
    f"print('{_MARK}', _w, _c, 'pydantic' in sys.modules)"
)
#: (mode, table title, whether the children use the bytecode cache)
_MODES = (
    ("bytecode", "as deployed: compiled bytecode", True),
    ("source", "from source, no bytecode anywhere (stdlib aside)", False),
)


@dataclass(frozen=True)
class _Sample:
    wall: float
    cpu: float
    pydantic: bool


def _env(pycache: str | None) -> dict[str, str]:
    env = {**os.environ, "AWS_DEFAULT_REGION": "us-east-1"}
    env.pop("PYTHONPYCACHEPREFIX", None)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    if pycache is None:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
    else:
        env["PYTHONPYCACHEPREFIX"] = pycache
    return env


def _time(body: str, env: dict[str, str]) -> _Sample:
    out = subprocess.run(
        [sys.executable, "-c", _TIMED.format(body=body)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if out.returncode != 0:
        raise RuntimeError(f"child failed ({out.returncode}) on {body!r}:\n{out.stderr.strip()}")
    last = [line for line in out.stdout.splitlines() if line.startswith(f"{_MARK} ")][-1]
    _, wall, cpu, pydantic = last.split()
    return _Sample(wall=float(wall), cpu=float(cpu), pydantic=pydantic == "True")


def _measure(configs: dict[str, str], env: dict[str, str], *, prime: bool) -> dict[str, list[_Sample]]:
    """Interleaved rounds: the floor, then every configuration; ``prime`` runs each once first."""
    if prime:
        for body in configs.values():
            _time(body, env)  # fills the bytecode cache; not counted
    else:
        _time(_FLOOR, env)  # warms the OS file cache; not counted
    samples: dict[str, list[_Sample]] = {name: [] for name in configs}
    for _ in range(ROUNDS):
        for name, body in configs.items():
            samples[name].append(_time(body, env))
    return samples


def _report(mode: str, title: str, configs: dict[str, str], samples: dict[str, list[_Sample]]) -> None:
    floor = samples["floor"]
    print(f"\ncold start [{mode}]: {title}")
    print(f"  {ROUNDS} rounds of fresh interpreters, interleaved (each round: the floor, then every row)")
    print("  floor = import boto3 + one DynamoDB client; handler = import + its client + first event parsed")
    print("  ratio = median over rounds of t / t_floor of the same round (wall); cpu ratio the same on CPU")
    print(
        f"  {'':<26}{'median ms':>10}{'ratio':>8}{'cpu ms':>8}{'cpu ratio':>11}{'pydantic?':>11}"
        "   target ratio <= 1.25"
    )
    for name in configs:
        runs = samples[name]
        wall = statistics.median(s.wall for s in runs)
        cpu = statistics.median(s.cpu for s in runs)
        ratio = statistics.median(s.wall / f.wall for s, f in zip(runs, floor, strict=True))
        cpu_ratio = statistics.median(s.cpu / f.cpu for s, f in zip(runs, floor, strict=True))
        seen = {s.pydantic for s in runs}
        pydantic = "mixed" if len(seen) > 1 else "yes" if seen == {True} else "no"
        label = f"({name} alone)" if name in _PARTS else name
        print(f"  {label:<26}{wall * 1000:>10.0f}{ratio:>8.2f}", end="")
        print(f"{cpu * 1000:>8.0f}{cpu_ratio:>11.2f}{pydantic:>11}")


def cold_imports() -> None:
    configs = {"floor": _FLOOR, **{h: _HANDLER.format(name=h) for h in HANDLERS}, **_PARTS}
    with tempfile.TemporaryDirectory(prefix="bench-pycache-") as pycache:
        for mode, title, compiled in _MODES:
            env = _env(pycache if compiled else None)
            _report(mode, title, configs, _measure(configs, env, prime=compiled))


#: (handler, parameters, minimum DynamoDB calls the job needs, why)
HOT_PATHS: tuple[tuple[str, dict[str, str], int, str], ...] = (
    ("routing", {"action": "route", "intent": "CONSULTATION"}, 2, "read caller history + record office"),
    (
        "case_status",
        {},
        5,
        "reserve on the case and the caller, read the hash, then the case, give both back in one transaction",
    ),
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

    from civicline.data import seed_demo
    from civicline.data.demo import demo_cases
    from civicline.local.aws import LocalAws
    from functions.adapters import reference
    from functions.core.aws import client

    cases = demo_cases()
    print("\nDynamoDB calls per invocation (botocore before-call hook, moto)")
    print(f"  {'handler':<14}{'warm':>6}{'cold':>6}{'minimum':>9}   calls (warm)")
    with LocalAws(prefix="bench"):
        seed_demo(datetime.now(UTC))
        calls: list[str] = []

        def hook(model: Any, **_: Any) -> None:
            calls.append(model.name)

        client("dynamodb").meta.events.register("before-call.dynamodb.*", hook)
        for index, (name, params, minimum, why) in enumerate(HOT_PATHS):
            handler: Callable[[Any, Any], dict[str, str]] = importlib.import_module(
                f"functions.handlers.{name}"
            ).handler
            counts = []
            for run, empty_cache in enumerate((True, False)):
                if empty_cache:
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
            warm, cold_calls = counts[1], counts[0]
            print(f"  {name:<14}{len(warm):>6}{len(cold_calls):>6}{minimum:>9}   {', '.join(warm)} ({why})")


def run() -> None:
    cold_imports()
    hot_paths()
