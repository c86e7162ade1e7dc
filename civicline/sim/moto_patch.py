"""One way to put a simulator replacement on a moto or botocore attribute for a while, and take it off.

Why one helper: each hot-path module (moto_query, moto_serialize, moto_condition, moto_dispatch,
moto_update, moto_signing) replaces one or two attributes of a library class for the length of a
day, keeps the library's own callable so the replacement can fall back to it, must tolerate nested
use (a day inside a sweep inside a test) and must leave the library exactly as it found it: a
classmethod stays a classmethod, an attribute that was only inherited is deleted again rather than
pinned on the object. Written out six times, those rules had already drifted apart.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, NamedTuple

_ABSENT = object()


class Swap(NamedTuple):
    """Put ``replacement`` on ``owner.attribute``; the library's callable is kept as ``saved[key]``."""

    key: str
    owner: Any
    attribute: str
    replacement: Any


@contextmanager
def replaced(saved: dict[str, Any], *swaps: Swap) -> Iterator[bool]:
    """Install ``swaps`` unless ``saved`` says they already are (nested use: yields False and does
    nothing); on exit restore each attribute as it was (its own raw value, or absent) and empty
    ``saved``. Yields True to the call that installed them."""
    if saved:
        yield False
        return
    raw = [vars(swap.owner).get(swap.attribute, _ABSENT) for swap in swaps]
    for swap in swaps:
        saved[swap.key] = getattr(swap.owner, swap.attribute)
    for swap in swaps:
        setattr(swap.owner, swap.attribute, swap.replacement)
    try:
        yield True
    finally:
        for swap, value in zip(swaps, raw, strict=True):
            if value is _ABSENT:
                delattr(swap.owner, swap.attribute)
            else:
                setattr(swap.owner, swap.attribute, value)
        saved.clear()
