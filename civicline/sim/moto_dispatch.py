"""moto's list of a response class's actions, computed once per class while the simulator runs.

Why: on every request moto's ``BaseResponse.call_action`` lists the handler class's functions with
``inspect.getmembers`` (``method_names_from_class``), hundreds of attributes sorted and filtered, to
check that the action exists: about a tenth of moto's own per-request work, paid by every one of
the day's 3.5 AWS calls per contact (docs/decisions.md, "Simulation: CPU per contact").

What this keeps: the same list, from moto's own function, for the same class; nothing defines or
removes a response class's functions while a day runs, so the list is a pure function of the class.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from civicline.sim.moto_patch import Swap, replaced

_SAVED: dict[str, Any] = {}
_NAMES: dict[type, list[str]] = {}


def _method_names(clazz: Any) -> list[str]:
    names = _NAMES.get(clazz)
    if names is None:
        names = _NAMES[clazz] = _SAVED["method_names"](clazz)
    return list(names)


@contextmanager
def remembered_actions() -> Iterator[None]:
    """Install the per-class list in moto's response module, then restore moto's function."""
    import importlib

    responses: Any = importlib.import_module("moto.core.responses")
    swap = Swap("method_names", responses, "method_names_from_class", _method_names)
    with replaced(_SAVED, swap, forget=(_NAMES,)):
        yield
