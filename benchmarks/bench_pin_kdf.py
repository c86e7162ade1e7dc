"""The PIN hash's cost against the handler's budget, next to floors measured in the same run.

Figures (median of ``ROUNDS`` timed runs on this machine, one core):

* the current KDF (:data:`functions.domain.identifiers.PIN_KDF`: scrypt over HMAC-SHA256 with the
  pepper), as ``verify_pin`` runs it once per lookup (wrong PIN, unknown case or right PIN alike);
* floor: HMAC-SHA256 of the PIN alone (the keyed step without any stretching);
* for comparison: the old unpeppered PBKDF2-SHA256 at 20,000 iterations;
* one whole wrong-PIN lookup through the real handler on moto (reservations + case read + KDF), so
  the KDF's share of the call is visible;
* the budget: the function's timeout (infra/registry.py) and the KDF projected to a 256 MB function,
  which Lambda gives about 256/1769 of a vCPU (CPU scales with memory; 1,769 MB is one vCPU);
* what the cost buys if the deployment secret leaks too: seconds per core to try every 4-digit PIN
  of one case (without the secret the hashes cannot be tried at all).
"""

from __future__ import annotations

import hashlib
import hmac
import os
import statistics
import time
from collections.abc import Callable
from typing import Any

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "15"))
#: Lambda's CPU share per MB of memory (one full vCPU at 1,769 MB)
VCPU_MB = 1769


def _interleaved_ms(work: dict[str, tuple[Callable[[], object], int]]) -> dict[str, float]:
    """Median ms per call of each piece of work, measured in interleaved rounds (each round runs every
    piece once, ``repeat`` times in a row), so a busy moment of this shared VM slows all alike."""
    times: dict[str, list[float]] = {name: [] for name in work}
    for fn, _repeat in work.values():
        fn()  # warm
    for _ in range(ROUNDS):
        for name, (fn, repeat) in work.items():
            start = time.perf_counter()
            for _ in range(repeat):
                fn()
            times[name].append((time.perf_counter() - start) * 1000 / repeat)
    return {name: statistics.median(values) for name, values in times.items()}


def _wrong_pin_lookup(aws: Any) -> Callable[[], None]:
    """A wrong-PIN lookup through the handler on moto (a fresh contact and number each time, the case
    counter cleared after each so the case never locks)."""
    from civicline.data.demo import demo_cases
    from functions.handlers.case_status import handler

    case = demo_cases()[0]
    wrong = "0000" if case.pin != "0000" else "1111"
    counter = iter(range(10**6))
    ddb = aws.client("dynamodb")

    def one() -> None:
        i = next(counter)
        event = {
            "Details": {
                "ContactData": {
                    "ContactId": f"bench-kdf-{i}",
                    "CustomerEndpoint": {"Address": f"+1202555{i % 10_000:04d}", "Type": "TELEPHONE_NUMBER"},
                },
                "Parameters": {"caseNumber": case.case_number, "pin": wrong},
            }
        }
        handler(event, None)
        ddb.delete_item(
            TableName=aws.table("state"),
            Key={"pk": {"S": f"ATTEMPTS#CASE#{case.case_number}"}, "sk": {"S": "VERIFY"}},
        )

    return one


def run() -> None:
    from datetime import UTC, datetime

    from civicline.data import seed_demo
    from civicline.local.aws import LocalAws
    from functions.domain.identifiers import PIN_KDF, hash_pin, verify_pin
    from infra.registry import FUNCTIONS_BY_NAME

    pepper = hmac.new(b"bench-secret", b"civicline/pin-pepper/v1", hashlib.sha256).digest()
    stored = hash_pin("4404", b"s" * 16, pepper)
    spec = FUNCTIONS_BY_NAME["case_status"]
    with LocalAws(prefix="bench-kdf") as aws:
        seed_demo(datetime.now(UTC))
        ms = _interleaved_ms(
            {
                "kdf": (lambda: verify_pin("4405", stored, pepper), 1),
                "floor": (lambda: hmac.new(pepper, b"4405", hashlib.sha256).digest(), 1000),
                "old": (lambda: hashlib.pbkdf2_hmac("sha256", b"4405", b"s" * 16, 20_000), 1),
                "lookup": (_wrong_pin_lookup(aws), 1),
            }
        )
    kdf, lookup, old = ms["kdf"], ms["lookup"], ms["old"]
    projected = kdf * VCPU_MB / spec.memory_mb
    memory_mib = 128 * PIN_KDF.n * PIN_KDF.r / 2**20
    print(f"\nPIN hash cost (median of {ROUNDS} interleaved rounds, one core of this machine)")
    rows = (
        (f"scrypt {PIN_KDF.label()} over HMAC (current)", f"{kdf:.1f} ms", f"{memory_mib:.0f} MiB"),
        ("floor: HMAC-SHA256 of the PIN only", f"{ms['floor'] * 1000:.1f} us", ""),
        (
            "old: PBKDF2-SHA256 20,000 iterations, no pepper",
            f"{old:.1f} ms",
            f"current / old {kdf / old:.1f}x",
        ),
        ("whole wrong-PIN lookup, handler on moto", f"{lookup:.1f} ms", f"KDF share {kdf / lookup:.0%}"),
        (
            f"KDF projected to {spec.memory_mb} MB Lambda",
            f"{projected:.0f} ms",
            f"timeout {spec.timeout_seconds * 1000} ms",
        ),
        (
            "all 10,000 4-digit PINs, secret leaked too",
            f"{kdf * 10:.0f} s/core",
            f"old: {old * 10:.0f} s/core",
        ),
    )
    for name, value, note in rows:
        print(f"  {name:<52}{value:>14}   {note}")
