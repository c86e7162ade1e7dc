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

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "15"))
#: Lambda's CPU share per MB of memory (one full vCPU at 1,769 MB)
VCPU_MB = 1769


def _median_ms(work: Callable[[], object], rounds: int = ROUNDS) -> float:
    work()  # warm
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        work()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def _lookup_ms() -> float:
    """A wrong-PIN lookup through the handler on moto (a fresh contact and number each time)."""
    from datetime import UTC, datetime

    from civicline.data import seed_demo
    from civicline.data.demo import demo_cases
    from civicline.local.aws import LocalAws
    from functions.handlers.case_status import handler

    case = demo_cases()[0]
    wrong = "0000" if case.pin != "0000" else "1111"
    counter = iter(range(10**6))

    def one() -> None:
        i = next(counter)
        event = {
            "Details": {
                "ContactData": {
                    "ContactId": f"bench-kdf-{i}",
                    "CustomerEndpoint": {"Address": f"+1202555{1000 + i:04d}", "Type": "TELEPHONE_NUMBER"},
                },
                "Parameters": {"caseNumber": case.case_number, "pin": wrong},
            }
        }
        # a new case counter would lock after 3: give each run its own window by clearing it
        assert handler(event, None)["result"] in ("NOT_FOUND", "LOCKED")
        ddb = aws.client("dynamodb")
        ddb.delete_item(
            TableName=aws.table("state"),
            Key={"pk": {"S": f"ATTEMPTS#CASE#{case.case_number}"}, "sk": {"S": "VERIFY"}},
        )

    with LocalAws(prefix="bench-kdf") as aws:
        seed_demo(datetime.now(UTC))
        return _median_ms(one)


def run() -> None:
    from functions.domain.identifiers import PIN_KDF, hash_pin, verify_pin
    from infra.registry import FUNCTIONS_BY_NAME

    pepper = hmac.new(b"bench-secret", b"civicline/pin-pepper/v1", hashlib.sha256).digest()
    stored = hash_pin("4404", b"s" * 16, pepper)
    spec = FUNCTIONS_BY_NAME["case_status"]
    kdf = _median_ms(lambda: verify_pin("4405", stored, pepper))
    floor = _median_ms(lambda: hmac.new(pepper, b"4405", hashlib.sha256).digest(), rounds=ROUNDS * 100)
    old = _median_ms(lambda: hashlib.pbkdf2_hmac("sha256", b"4405", b"s" * 16, 20_000))
    lookup = _lookup_ms()
    projected = kdf * VCPU_MB / spec.memory_mb
    memory_mib = 128 * PIN_KDF.n * PIN_KDF.r / 2**20
    print(f"\nPIN hash cost (median of {ROUNDS}, one core of this machine)")
    rows = (
        (f"scrypt {PIN_KDF.label()} over HMAC (current)", f"{kdf:.1f} ms", f"{memory_mib:.0f} MiB"),
        ("floor: HMAC-SHA256 of the PIN only", f"{floor * 1000:.1f} us", ""),
        ("old: PBKDF2-SHA256 20,000 iterations, no pepper", f"{old:.1f} ms", ""),
        ("whole wrong-PIN lookup, handler on moto", f"{lookup:.1f} ms", f"KDF share {kdf / lookup:.0%}"),
        (
            f"KDF projected to {spec.memory_mb} MB Lambda",
            f"{projected:.0f} ms",
            f"budget {spec.timeout_seconds * 1000} ms",
        ),
        (
            "all 10,000 4-digit PINs, secret leaked too",
            f"{kdf * 10:.0f} s/core",
            f"old: {old * 10:.0f} s/core",
        ),
    )
    for name, value, note in rows:
        print(f"  {name:<52}{value:>14}   {note}")
