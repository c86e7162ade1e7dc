"""The floor moto keeps before a day's first contact (civicline.local.moto_floor), checked on moto.

moto lists regions from the functions' botocore session and gets the same lists as from a session
of its own; AWS's managed policies, released while unparsed, are read again whenever moto would
parse them (``MOTO_IAM_LOAD_MANAGED_POLICIES``).
"""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from moto import mock_aws

from civicline.local.moto_floor import trim_moto_floor


def test_moto_lists_the_regions_of_its_own_session_from_the_functions_session(local_aws: Any) -> None:
    # Given the local AWS (which trims moto's floor) and a boto3 session of moto's own kind
    from moto.core.base_backend import AccountSpecificBackend

    from functions.core.aws import _session

    own = boto3.Session()
    # When moto asks for its session, Then it gets the functions' one, with the same regions
    assert AccountSpecificBackend.get_session() is _session()
    for service in ("dynamodb", "sesv2", "events", "sqs", "iam"):
        for partition in own.get_available_partitions():
            shared = AccountSpecificBackend.get_session().get_available_regions(
                service, partition_name=partition
            )
            assert shared == own.get_available_regions(service, partition_name=partition)


def test_the_managed_policy_string_is_released_and_still_loaded_when_asked(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Given the trimmed floor (twice: it is idempotent)
    from moto.iam import models

    trim_moto_floor()
    trim_moto_floor()
    assert models.aws_managed_policies_data == ""
    # When moto is asked to load AWS's managed policies
    monkeypatch.setenv("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")
    with mock_aws():
        iam = boto3.client("iam", region_name="us-east-1")
        policy = iam.get_policy(PolicyArn="arn:aws:iam::aws:policy/ReadOnlyAccess")["Policy"]
    # Then they are there, read again from moto's own module
    assert policy["PolicyName"] == "ReadOnlyAccess"
    assert len(models.aws_managed_policies_data) > 1_000_000


def test_without_the_setting_no_managed_policy_is_loaded(monkeypatch: pytest.MonkeyPatch) -> None:
    # Given the trimmed floor and moto's default (no managed policies)
    from moto.iam import models

    trim_moto_floor()
    assert models.aws_managed_policies_data == ""
    monkeypatch.delenv("MOTO_IAM_LOAD_MANAGED_POLICIES", raising=False)
    with mock_aws():
        iam = boto3.client("iam", region_name="us-east-1")
        # Then moto answers as it does without the trim: no such policy
        with pytest.raises(iam.exceptions.NoSuchEntityException):
            iam.get_policy(PolicyArn="arn:aws:iam::aws:policy/ReadOnlyAccess")
