"""The PIN hash (scrypt) remembered per input while the simulator runs.

Why: the case-status function verifies every PIN with scrypt at its production cost (about 40 ms of
CPU here, benchmarks/bench_pin_kdf.py), and a simulated day has only the demo data's few cases, so
the same (PIN, salt) inputs recur thousands of times: on a 10,000-call day the KDF alone was a
quarter of the run (docs/decisions.md). scrypt is a pure function, so remembering its output for an
input already seen returns exactly the bytes it would compute; the handler still derives, compares,
counts attempts and locks out as in AWS. Only for the simulator: the constant cost that makes a PIN
check slow on purpose (and the same for a wrong PIN) is what production keeps.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from typing import Any


@contextmanager
def remembered_scrypt(size: int = 4096) -> Iterator[None]:
    """Within the block, ``hashlib.scrypt`` answers an input it has already hashed from memory."""
    real = hashlib.scrypt

    @lru_cache(maxsize=size)
    def scrypt(password: bytes, salt: bytes, cost: tuple[int, int, int, int, int]) -> bytes:
        n, r, p, maxmem, dklen = cost
        return real(password, salt=salt, n=n, r=r, p=p, maxmem=maxmem, dklen=dklen)

    def keyed(password: Any, *, salt: Any, n: int, r: int, p: int, maxmem: int = 0, dklen: int = 64) -> bytes:
        return scrypt(bytes(password), bytes(salt), (n, r, p, maxmem, dklen))

    hashlib.scrypt = keyed
    try:
        yield
    finally:
        hashlib.scrypt = real
