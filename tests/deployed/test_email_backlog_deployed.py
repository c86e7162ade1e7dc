"""The e-mail backlog function as the stack deploys it (dev and prod): the template's environment,
its role enforced (a projected Query of the 15-minute rollups), on the rollups the deployed
aggregator stored."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from civicline.local.deployed import DeployedStack
from tests.deployed import scenarios
from tests.functional.conftest import Clock

pytestmark = [pytest.mark.infra]


def test_the_deployed_function_reads_the_backlog_the_aggregator_stored(
    deployed: DeployedStack, deployed_aws: Any, clock: Clock
) -> None:
    # Given two e-mails in general 21 h ago, one answered, stored by the aggregator as deployed
    results = scenarios.email_backlog(deployed, clock)
    assert results["stored"]["batchItemFailures"] == []
    # When the scheduled reading runs as deployed
    reading = results["reading"]
    # Then one e-mail waits in general, since its 15-minute interval's start (21 h or a little more)
    assert reading["queues"] == {"general": 1} and reading["malformed"] == 0
    assert 21 * 3600 <= reading["oldest_age_seconds"] < 21 * 3600 + 15 * 60
    # And every call it made was one its role allows: Query, projected, on the metrics table
    calls = deployed.recorded("email_backlog")
    assert calls and all(c.allowed for c in calls)
    assert {c.operation for c in calls} == {"Query"}


def test_the_role_refuses_a_read_beyond_the_email_counters(
    deployed: DeployedStack, deployed_aws: Any, clock: Clock
) -> None:
    from functions.core.aws import client
    from functions.core.settings import get_settings

    # Given the backlog function's role
    with deployed.as_function("email_backlog"):
        table = get_settings().table("metrics")
        # When its code would read a contact's aggregator state, or a whole rollup item
        for key, projection in (("CONTACT#bl-2", "pk, sk"), ("ROLLUP#general#15m", None)):
            kwargs: dict[str, Any] = {
                "TableName": table,
                "KeyConditionExpression": "pk = :pk",
                "ExpressionAttributeValues": {":pk": {"S": key}},
            }
            if projection:
                kwargs["ProjectionExpression"] = projection
            # Then IAM refuses it
            with pytest.raises(ClientError) as refused:
                client("dynamodb").query(**kwargs)
            assert refused.value.response["Error"]["Code"] == "AccessDeniedException"
