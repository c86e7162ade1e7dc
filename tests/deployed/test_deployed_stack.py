"""civicline.local.deployed: a function gets exactly its template environment, its tables under
deployed names, and a role that is enforced at the AWS boundary."""

from __future__ import annotations

import os
from typing import Any

import pytest
from botocore.exceptions import ClientError

from civicline.local.deployed import DeployedStack
from functions.core.settings import TABLE_ENV
from infra.registry import FUNCTIONS, TABLES

pytestmark = [pytest.mark.infra]


def test_table_names_are_deployed_shaped_and_the_tables_exist(
    deployed: DeployedStack, deployed_aws: Any
) -> None:
    # Given the stack's tables created on moto
    names = deployed.table_names()
    existing = set(deployed_aws.client("dynamodb").list_tables()["TableNames"])
    # Then every registry table is there, named as CloudFormation names it
    assert set(names) == {t.logical for t in TABLES}
    for logical, name in names.items():
        assert name.startswith(f"CivicLine-{deployed.env}-Data-"), name
        assert name in existing, logical


def test_a_function_sees_exactly_its_template_environment(
    deployed: DeployedStack, deployed_aws: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a stray local table variable and a local pseudonym key in the test process
    monkeypatch.setenv("METRICS_TABLE", "civicline-local-metrics")
    monkeypatch.setenv("PSEUDONYM_KEY", "local")
    expected = deployed.function_environment("survey")
    # When the block runs as survey
    with deployed.as_function("survey"):
        seen = {k: os.environ[k] for k in expected}
        stray = [v for v in TABLE_ENV.values() if v in os.environ and v not in expected]
        # Then its template variables are set, and no other table or key variable is
        assert seen == expected
        assert stray == []
        assert "PSEUDONYM_KEY" not in os.environ
        assert os.environ["AWS_LAMBDA_FUNCTION_NAME"] == f"civicline-{deployed.env}-survey"
    # And the environment is restored afterwards
    assert os.environ["METRICS_TABLE"] == "civicline-local-metrics"


def test_template_references_resolve_to_local_values(deployed: DeployedStack, deployed_aws: Any) -> None:
    from civicline.local.aws import INSTANCE_ARN

    env = deployed.function_environment("callback_dispatcher")
    assert env["CONNECT_INSTANCE_ARN"] == INSTANCE_ARN
    assert env["CALLBACKS_TABLE"] == deployed.table_names()["callbacks"]
    assert env["OUTBOUND_FLOW_ARN"] == f"{INSTANCE_ARN}/contact-flow/callback-dial"
    secret = deployed.function_environment("routing")["PSEUDONYM_SECRET_ARN"]
    assert deployed_aws.client("secretsmanager").describe_secret(SecretId=secret)["ARN"] == secret


def test_a_call_the_role_does_not_allow_is_denied_and_has_no_effect(
    deployed: DeployedStack, deployed_aws: Any
) -> None:
    from functions.core.aws import client

    metrics = deployed.table_names()["metrics"]
    # Given survey, whose role has no grant on the metrics table
    with deployed.as_function("survey"), pytest.raises(ClientError) as denied:
        # When it writes there
        client("dynamodb").put_item(TableName=metrics, Item={"pk": {"S": "X"}, "sk": {"S": "Y"}})
    # Then AWS's AccessDeniedException comes back, nothing is written, and the request is recorded
    assert denied.value.response["Error"]["Code"] == "AccessDeniedException"
    assert "dynamodb:PutItem" in str(denied.value)
    assert (
        deployed_aws.client("dynamodb")
        .get_item(TableName=metrics, Key={"pk": {"S": "X"}, "sk": {"S": "Y"}})
        .get("Item")
        is None
    )
    [call] = deployed.recorded("survey")
    assert (call.operation, call.allowed, call.request.action) == ("PutItem", False, "dynamodb:PutItem")


def test_every_function_has_a_role_with_statements(deployed: DeployedStack) -> None:
    for spec in FUNCTIONS:
        statements = deployed.grants(spec.name)
        assert statements, spec.name
        assert all(isinstance(s["Resource"], str | list) for s in statements), spec.name


def test_faults_on_the_functions_client_run_after_iam_and_short_circuit(
    deployed: DeployedStack, deployed_aws: Any
) -> None:
    from civicline.local.aws_faults import AwsFaults
    from functions.core.aws import client
    from tests.deployed import scenarios
    from tests.functional.conftest import make_event

    # Given survey as deployed, with every PutItem of its client throttled at the AWS boundary
    with deployed.as_function("survey"), AwsFaults(client("dynamodb")) as faults:
        faults.throttle("PutItem", times=None)
        # When a survey is submitted, its write fails as DynamoDB's would (the flow's error branch)
        with pytest.raises(ClientError) as failed:
            scenarios.entry_point("survey")(make_event({"satisfaction": "5"}, "f-1"), None)
        # And a call the role refuses is refused before the fault fires
        with pytest.raises(ClientError) as denied:
            client("dynamodb").put_item(
                TableName=deployed.table_names()["metrics"], Item={"pk": {"S": "X"}, "sk": {"S": "Y"}}
            )
    assert failed.value.response["Error"]["Code"] == "ProvisionedThroughputExceededException"
    assert denied.value.response["Error"]["Code"] == "AccessDeniedException"
    # Then nothing was stored, and IAM saw the survey's writes as allowed
    surveys = deployed_aws.client("dynamodb").scan(TableName=deployed.table_names()["surveys"])["Items"]
    assert surveys == []
    assert [c.allowed for c in deployed.recorded("survey") if c.operation == "PutItem"][:1] == [True]
