"""Requests to moto left unsigned while the simulator runs (botocore's SigV4 signing skipped).

Why: every AWS call of a simulated day is answered by moto in this process, and botocore signs each
one first (a canonical request, four HMACs, the ``Authorization`` header): 7 % of a day's CPU in the
profile (docs/decisions.md, "Simulation: where a day's CPU goes now"), on each of the day's 4 calls
per contact, for a signature nothing checks.

What this keeps: moto verifies no signature (only its IAM enforcement would, which a day never turns
on); it reads the ``Authorization`` header for two things only. The access key names the account:
the local credentials (``testing``) and an unsigned request (``AKIAEXAMPLE``) both resolve to moto's
default account. The region comes from the endpoint's URL first, which every client here has. So
the same requests reach the same backends with the same parameters, and moto gives the same answers,
errors and stored items (``tests/simulation/test_perf_moto_signing.py`` compares them with signed
calls). botocore's ``before-sign`` event is still emitted; only signing of the ``standard`` kind is
skipped (a presigned URL is still signed).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from civicline.sim.moto_patch import Swap, replaced

_SAVED: dict[str, Any] = {}


def _signer() -> Any:
    import importlib

    return importlib.import_module("botocore.signers").RequestSigner


def _unsigned(self: Any, operation_name: str, signing_type: str, context: Any) -> Any:
    import botocore

    if signing_type != "standard":
        return _SAVED["choose"](self, operation_name, signing_type, context)
    return botocore.UNSIGNED


@contextmanager
def unsigned_requests() -> Iterator[None]:
    """Install the unsigned choice on botocore's request signer, then restore botocore's own."""
    signer = _signer()
    with replaced(_SAVED, Swap("choose", signer, "_choose_signer", _unsigned)):
        yield


#: botocore's own choice while :func:`signed` has put it back (its own ``replaced`` record)
_SIGNED: dict[str, Any] = {}


@contextmanager
def signed() -> Iterator[None]:
    """botocore's own signing for a while inside :func:`unsigned_requests` (a unit sample must cost
    what a stock PutItem costs); outside it, nothing to undo."""
    if not _SAVED:
        yield
        return
    with replaced(_SIGNED, Swap("choose", _signer(), "_choose_signer", _SAVED["choose"])):
        yield
