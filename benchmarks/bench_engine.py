"""Engine throughput: actions per second, contacts per second, validation time per flow.

Figures are printed next to a floor measured in the same run: the cost of the bare work the engine
cannot avoid (walking the same number of dict lookups; one JSON round trip of a Lambda event).
"""

from __future__ import annotations

import json
import time
from pathlib import Path

from civicline.engine import CallerScript, ContactState, Engine, FlowLibrary, LambdaInvoker, StaticCenter
from civicline.engine.events import lambda_event
from civicline.engine.library import parse_flow_text
from civicline.engine.validator import validate_path

ROOT = Path(__file__).resolve().parent.parent
CONFORMANCE = ROOT.parent / "shared" / "conformance" / "flows"


def _chain(length: int) -> str:
    """A flow of ``length`` attribute/compare actions ending in a queue transfer."""
    actions = []
    for i in range(length):
        nxt = f"a{i + 1}" if i + 1 < length else "hangup"
        if i % 2:
            actions.append(
                {
                    "Identifier": f"a{i}",
                    "Type": "Compare",
                    "Parameters": {"ComparisonValue": "$.Attributes.k"},
                    "Transitions": {
                        "NextAction": nxt,
                        "Errors": [{"ErrorType": "NoMatchingCondition", "NextAction": nxt}],
                        "Conditions": [
                            {"NextAction": nxt, "Condition": {"Operator": "Equals", "Operands": ["v"]}}
                        ],
                    },
                }
            )
        else:
            actions.append(
                {
                    "Identifier": f"a{i}",
                    "Type": "MessageParticipant",
                    "Parameters": {"Text": "Step $.Attributes.k."},
                    "Transitions": {"NextAction": nxt},
                }
            )
    actions.append({"Identifier": "hangup", "Type": "DisconnectParticipant", "Transitions": {}})
    return json.dumps({"Version": "2019-10-30", "StartAction": "a0", "Actions": actions})


def _rate(count: int, seconds: float) -> str:
    return f"{count / seconds:,.0f}/s" if seconds > 0 else "n/a"


def run() -> None:
    library = FlowLibrary()
    library.add(parse_flow_text(_chain(200), name="chain"))
    engine = Engine(library, center=StaticCenter())
    contacts = 200
    started = time.perf_counter()
    for _ in range(contacts):
        engine.run_contact("chain", CallerScript(), attributes={"k": "v"})
    elapsed = time.perf_counter() - started
    actions = contacts * 201
    data = {f"a{i}": i for i in range(201)}
    floor_start = time.perf_counter()
    for _ in range(contacts):
        for i in range(201):
            _ = data[f"a{i}"]
    floor = time.perf_counter() - floor_start
    print(
        f"{'interpreter (no Lambdas)':<38} {_rate(actions, elapsed):>14} actions"
        f"   floor {_rate(actions, floor):>14}"
    )
    print(f"{'':<38} {_rate(contacts, elapsed):>14} contacts  (201 actions each)")

    event = lambda_event(ContactState(attributes={"k": "v" * 40}), {"p": "q"})
    rounds = 5000
    started = time.perf_counter()
    invoker = LambdaInvoker(handlers={"routing": lambda e, c: {"result": "ok"}})
    for _ in range(rounds):
        invoker.invoke("routing", event)
    invoke = time.perf_counter() - started
    started = time.perf_counter()
    for _ in range(rounds):
        json.loads(json.dumps(json.loads(json.dumps(event))))
    floor = time.perf_counter() - started
    print(
        f"{'Lambda invoke (no-op handler)':<38} {invoke / rounds * 1e6:>11.1f} µs/call"
        f"  floor {floor / rounds * 1e6:.1f} µs "
        "(two JSON round trips)"
    )

    flows = sorted((ROOT / "flows").glob("*.json")) + sorted(CONFORMANCE.glob("*.json"))
    if flows:
        started = time.perf_counter()
        findings = sum(len(validate_path(p)) for p in flows)
        elapsed = time.perf_counter() - started
        print(
            f"{'validator':<38} {elapsed / len(flows) * 1000:>11.2f} ms/flow"
            f"   ({len(flows)} flows, {findings} findings)"
        )

    if (ROOT / "flows" / "main-inbound.json").exists():
        from civicline.local.aws import LocalAws

        with LocalAws():
            try:
                from datetime import UTC, datetime

                from civicline.data import seed_demo

                seed_demo(datetime.now(UTC))
            except ImportError:
                pass
            ours = FlowLibrary.from_directory(ROOT / "flows", strict=False)
            engine = Engine(ours, center=StaticCenter())
            engine.run_contact("main-inbound", CallerScript(["1", "1"]))  # warm imports
            count = 30
            started = time.perf_counter()
            calls = 0
            for _ in range(count):
                calls += len(engine.run_contact("main-inbound", CallerScript(["1", "1"])).lambda_calls)
            elapsed = time.perf_counter() - started
        print(
            f"{'main-inbound, real Lambdas on moto':<38} {elapsed / count * 1000:>11.1f} ms/contact "
            f"({calls / count:.1f} Lambda calls each)"
        )
