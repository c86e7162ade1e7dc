"""Change the process environment for one block, as a Lambda container would see it, and undo it.

The functions read their environment once and cache what they build from it, as a warm Lambda
container does: :func:`functions.core.settings.settings` (table names, queue ARNs, time zone),
:func:`functions.core.aws.client` (boto3 clients, bound to the endpoint and region of the moment)
and :mod:`functions.core.pseudonym_key` (the key read through ``PSEUDONYM_SECRET_ARN``). Changing
``os.environ`` alone therefore changes nothing for a function that already ran: it would keep the
previous table names, client and key. So :func:`environment` drops those caches on the way in (the
block sees its own environment) and again on the way out (whatever runs next, another simulated
function or the next test, does not inherit the block's tables or key), even when the block raises.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager


def reset_function_state() -> None:
    """Forget what a container caches from its environment: settings, clients, the pseudonym key."""
    from functions.core.aws import reset_clients
    from functions.core.pseudonym_key import reset_pseudonym_key
    from functions.core.settings import reset_settings

    reset_settings()
    reset_clients()
    reset_pseudonym_key()


@contextmanager
def environment(values: Mapping[str, str], *, remove: Iterable[str] = ()) -> Iterator[None]:
    """Inside the block: ``os.environ`` without ``remove`` and with ``values``, the functions' cached
    settings, clients and pseudonym key rebuilt from it. After it (also on an exception): the
    environment exactly as it was, and the caches dropped again."""
    saved = dict(os.environ)
    for key in remove:
        os.environ.pop(key, None)
    os.environ.update(values)
    reset_function_state()
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)
        reset_function_state()
