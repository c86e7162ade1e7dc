"""The CPU hot paths of a simulated day, each a context manager, entered together by the day.

Each one keeps what a client sees of moto identical (answers, errors, stored items; the tests named
in each module compare against moto's own code) and only removes work moto repeats:

* :func:`civicline.sim.moto_query.partition_queries`: a Query reads its partition, not the table;
* :func:`civicline.sim.moto_serialize.direct_attribute_values`: attribute values serialized directly;
* :func:`civicline.sim.moto_condition.cached_conditions`: a condition expression parsed once;
* :func:`civicline.sim.moto_dispatch.remembered_actions`: a handler class's actions listed once;
* :func:`civicline.sim.moto_signing.unsigned_requests`: requests to moto not signed (nothing checks);
* :func:`civicline.sim.moto_envelope.remembered_envelope`: the user-agent string and moto's URL
  map of a service built once per input, not per call;
* :func:`day_collector`: the garbage collector's policy while the day runs.

Entered by :func:`civicline.sim.fastmoto.fast_transactions` (the one hook of a simulated day).
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager

#: objects allocated (net) between two young-generation collections while a day runs (CPython's
#: default is 700: a day allocates millions of short-lived request and response dictionaries)
DAY_GEN0_THRESHOLD = 50_000


@contextmanager
def day_collector(gen0: int = DAY_GEN0_THRESHOLD) -> Iterator[None]:
    """Collect less often while a day runs, over the objects the day made, then restore.

    Why: the process's setup (moto's and botocore's models, the flows, the imported modules) is a
    large heap that lives as long as the process, and CPython's collector traverses it again at every
    full collection. ``gc.freeze()`` moves what exists now out of the collector's generations (it is
    still freed normally when unreferenced), and a higher young-generation threshold makes fewer
    passes over the day's own short-lived objects. Cycles are still collected; nothing the day
    computes depends on when. On exit the frozen objects go back and the thresholds are restored.
    """
    saved = gc.get_threshold()
    gc.freeze()  # no collection first: freezing is constant-time, entered once per day or test
    gc.set_threshold(gen0, saved[1], saved[2])
    try:
        yield
    finally:
        gc.set_threshold(*saved)
        gc.unfreeze()


#: levers left out (``python -m benchmarks.phases --without query,gc``: each lever measured alone)
DISABLED: set[str] = set()


@contextmanager
def cpu_hot_paths() -> Iterator[None]:
    """All of the above but :data:`DISABLED`, restored in reverse order."""
    from civicline.sim.moto_condition import cached_conditions
    from civicline.sim.moto_dispatch import remembered_actions
    from civicline.sim.moto_envelope import remembered_envelope
    from civicline.sim.moto_query import partition_queries
    from civicline.sim.moto_serialize import direct_attribute_values
    from civicline.sim.moto_signing import unsigned_requests

    levers = {
        "query": partition_queries,
        "serialize": direct_attribute_values,
        "condition": cached_conditions,
        "dispatch": remembered_actions,
        "signing": unsigned_requests,
        "envelope": remembered_envelope,
        "gc": day_collector,
    }
    with ExitStack() as stack:
        for name, lever in levers.items():
            if name not in DISABLED:
                stack.enter_context(lever())
        yield
