"""civicline.sim.moto_patch: a replacement is put on and taken off leaving the library as it was."""

from __future__ import annotations

from typing import Any

import pytest

from civicline.sim.moto_patch import Swap, replaced, stock


class _Base:
    def inherited(self) -> str:
        return "base"


class _Library(_Base):
    @classmethod
    def make(cls, text: str) -> str:
        return f"library {text}"


def test_a_classmethod_is_restored_as_a_classmethod_and_kept_callable() -> None:
    # Given a saved dict and a replacement for a classmethod
    saved: dict[str, Any] = {}
    raw = vars(_Library)["make"]
    with replaced(saved, Swap("make", _Library, "make", classmethod(lambda cls, text: "fast"))) as mine:
        # When installed / Then the replacement answers and the library's callable is kept
        assert mine
        assert _Library.make("x") == "fast"
        assert saved["make"]("x") == "library x"
    # Then on exit the raw classmethod is back and nothing is kept
    assert vars(_Library)["make"] is raw
    assert saved == {}


def test_an_inherited_attribute_is_deleted_again_not_pinned() -> None:
    # Given an instance whose method only comes from its class
    thing = _Library()
    with replaced({}, Swap("inherited", thing, "inherited", lambda: "fast")):
        assert thing.inherited() == "fast"
    # Then the instance has no attribute of its own afterwards
    assert "inherited" not in vars(thing)
    assert thing.inherited() == "base"


def test_nested_use_installs_once_and_the_outer_call_restores() -> None:
    saved: dict[str, Any] = {}
    swap = Swap("make", _Library, "make", classmethod(lambda cls, text: "fast"))
    with replaced(saved, swap) as outer:
        with replaced(saved, swap) as inner:
            assert (outer, inner) == (True, False)
        # When the inner use ends / Then the replacement is still in place
        assert _Library.make("x") == "fast"
    assert _Library.make("x") == "library x"


def test_an_error_inside_still_restores() -> None:
    saved: dict[str, Any] = {}
    with (
        pytest.raises(RuntimeError),
        replaced(saved, Swap("make", _Library, "make", classmethod(lambda cls, t: "f"))),
    ):
        raise RuntimeError("boom")
    assert _Library.make("x") == "library x"
    assert saved == {}


def test_stock_puts_the_library_back_for_a_while_and_the_swaps_again_after() -> None:
    """Given two swaps installed (a classmethod and an inherited method of an instance), when a
    block runs inside ``stock()``, then the library's own attributes answer in it (raw classmethod,
    no attribute pinned on the instance) and the replacements answer again after it, until their
    own ``replaced`` ends."""
    thing = _Library()
    raw = vars(_Library)["make"]
    swaps = (
        Swap("make", _Library, "make", classmethod(lambda cls, text: "fast")),
        Swap("inherited", thing, "inherited", lambda: "fast"),
    )
    with replaced({}, *swaps):
        with stock():
            assert vars(_Library)["make"] is raw
            assert "inherited" not in vars(thing)
            assert (_Library.make("x"), thing.inherited()) == ("library x", "base")
        assert (_Library.make("x"), thing.inherited()) == ("fast", "fast")
    assert (_Library.make("x"), thing.inherited()) == ("library x", "base")
    # Then outside any swap, stock() has nothing to undo
    with stock():
        assert vars(_Library)["make"] is raw


def test_stock_restores_the_swaps_when_the_block_fails() -> None:
    swap = Swap("make", _Library, "make", classmethod(lambda cls, text: "fast"))
    with replaced({}, swap):
        with pytest.raises(RuntimeError), stock():
            raise RuntimeError("inside")
        assert _Library.make("x") == "fast"


def test_the_caches_a_replacement_filled_are_emptied_by_the_call_that_installed_it() -> None:
    # Given a replacement that remembers what it answered, in a dict and a list
    saved: dict[str, Any] = {}
    seen: dict[str, str] = {}
    last: list[str] = []

    def remembering(cls: Any, text: str) -> str:
        last.append(text)
        return seen.setdefault(text, "fast")

    swap = Swap("make", _Library, "make", classmethod(remembering))
    with replaced(saved, swap, forget=(seen, last)):
        with replaced(saved, swap, forget=(seen, last)):
            _Library.make("x")
        # When a nested use ends / Then what was remembered is still there
        assert seen == {"x": "fast"} and last == ["x"]
    # Then the installing call's exit empties both
    assert seen == {} and last == []
