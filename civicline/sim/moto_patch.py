"""One way to put a simulator replacement on a moto or botocore attribute for a while, and take it off.

Why one helper: each hot-path module (moto_query, moto_serialize, moto_condition, moto_dispatch,
moto_update, moto_signing) replaces one or two attributes of a library class for the length of a
day, keeps the library's own callable so the replacement can fall back to it, must tolerate nested
use (a day inside a sweep inside a test) and must leave the library exactly as it found it: a
classmethod stays a classmethod, an attribute that was only inherited is deleted again rather than
pinned on the object. Written out six times, those rules had already drifted apart.

:func:`stock` puts the libraries' own attributes back for a while inside any number of ``replaced``
(the unit sample of ``benchmarks.phases`` must cost what a stock PutItem costs, whatever levers the
day has on).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, NamedTuple, Protocol

_ABSENT = object()
#: every swap installed now, with the raw value it replaced, in the order installed
_ACTIVE: list[tuple[Swap, Any]] = []


class Clearable(Protocol):
    """A cache a replacement fills (a dict or a list): emptied when its swaps are restored."""

    def clear(self) -> None: ...


class Swap(NamedTuple):
    """Put ``replacement`` on ``owner.attribute``; the library's callable is kept as ``saved[key]``."""

    key: str
    owner: Any
    attribute: str
    replacement: Any


@contextmanager
def replaced(saved: dict[str, Any], *swaps: Swap, forget: tuple[Clearable, ...] = ()) -> Iterator[bool]:
    """Install ``swaps`` unless ``saved`` says they already are (nested use: yields False and does
    nothing); on exit restore each attribute as it was (its own raw value, or absent), empty
    ``saved`` and the ``forget`` caches the replacements filled (what they remembered is about the
    objects of this block). Yields True to the call that installed them."""
    if saved:
        yield False
        return
    raw = [vars(swap.owner).get(swap.attribute, _ABSENT) for swap in swaps]
    for swap in swaps:
        saved[swap.key] = getattr(swap.owner, swap.attribute)
    for swap in swaps:
        setattr(swap.owner, swap.attribute, swap.replacement)
    mine = list(zip(swaps, raw, strict=True))
    _ACTIVE.extend(mine)
    try:
        yield True
    finally:
        for entry in mine:
            _ACTIVE.remove(entry)
        _restore(mine)
        saved.clear()
        for cache in forget:
            cache.clear()


def _restore(entries: list[tuple[Swap, Any]]) -> None:
    for swap, value in reversed(entries):
        if value is _ABSENT:
            delattr(swap.owner, swap.attribute)
        else:
            setattr(swap.owner, swap.attribute, value)


@contextmanager
def stock() -> Iterator[None]:
    """The libraries' own attributes for the length of the block, every installed swap put back
    on exit (in the order it was installed). Only swaps made through :func:`replaced`: a patch
    installed otherwise (moto_retention's, cold_items') stays in place."""
    active = list(_ACTIVE)
    _restore(active)
    try:
        yield
    finally:
        for swap, _ in active:
            setattr(swap.owner, swap.attribute, swap.replacement)
