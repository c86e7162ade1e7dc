"""What moto holds for the whole process that a local day never reads: trimmed before moto starts.

Why: a simulated day's peak memory is its floor (imports, moto, botocore's data, the flow library)
plus its growth per contact, and about 117 MB of a 10,000-call day's 299 MB peak was there before
the first contact (docs/decisions.md, "Simulation: peak memory of the full day"). Two parts of that
floor are copies moto keeps of data it only needs in a mode the local AWS does not use:

* moto lists each service's regions from a boto3 session of its own, which loads a second copy of
  botocore's endpoint data (about 7 MB of Python objects) beside the functions' session;
* ``moto.iam`` (imported by every moto request, which registers the account's visit with IAM) keeps
  AWS's managed policies as one 4.7 MB JSON string for ever, parsed only when
  ``MOTO_IAM_LOAD_MANAGED_POLICIES`` is true.

Both are idempotent and keep moto's answers: the regions are the same lists from the same files, and
the policies are read again from moto's own module whenever moto would parse them.
"""

from __future__ import annotations

import importlib
from typing import Any

_DROPPED = ""


def trim_moto_floor() -> None:
    """Share the functions' botocore session with moto and drop the unparsed managed policies."""
    share_region_session()
    drop_unparsed_managed_policies()


def share_region_session() -> None:
    """moto lists regions from the functions' botocore session (``functions.core.aws._session``).

    botocore's session has the two methods moto calls on its boto3 session
    (``get_available_partitions``, ``get_available_regions(service, partition_name=...)``), read
    from the same loader and files. Not cached here, so a reset of the functions' clients leaves
    no stale session behind.
    """
    from moto.core.base_backend import AccountSpecificBackend

    from functions.core.aws import _session

    AccountSpecificBackend.get_session = classmethod(  # type: ignore[method-assign,assignment]
        lambda _cls: _session()
    )


def drop_unparsed_managed_policies() -> None:
    """Release moto's managed-policy string; reload it from moto's module when moto parses it."""
    data: Any = importlib.import_module("moto.iam.aws_managed_policies")
    models: Any = importlib.import_module("moto.iam.models")  # moto's module globals, untyped

    if not getattr(models.IAMBackend._init_aws_policies, "reloads_policies", False):
        original = models.IAMBackend._init_aws_policies

        def init_aws_policies(backend: Any) -> Any:
            if models.aws_managed_policies_data == _DROPPED and models.load_iam_aws_managed_policies():
                models.aws_managed_policies_data = importlib.reload(data).aws_managed_policies_data
            return original(backend)

        init_aws_policies.reloads_policies = True  # type: ignore[attr-defined]
        models.IAMBackend._init_aws_policies = init_aws_policies
    models.aws_managed_policies_data = _DROPPED
    data.aws_managed_policies_data = _DROPPED
