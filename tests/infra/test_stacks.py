"""The synthesized templates: data protection, flows, Connect wiring, events, IAM, observability.

One synthesis of the dev environment with the real flows/*.json and cdk-nag on (conftest.py); a
failing cdk-nag check fails the fixture, so every test here also proves nag is clean.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from civicline.local.aws import create_table_kwargs
from infra.calendar import environment_calendar
from infra.constructs.functions import ASSET_CONTENT, function_logical_id
from infra.constructs.pipeline import MAX_RECEIVE_COUNT, RULE_MAX_EVENT_AGE_HOURS, RULE_RETRY_ATTEMPTS
from infra.flows import PLACEHOLDER_RE, invoked_functions, plan, read_flows
from infra.nag import ACKNOWLEDGEMENTS, REQUIRED_WILDCARDS
from infra.registry import FLOWS, FUNCTIONS, FUNCTIONS_BY_NAME, TABLES, WRITE_ACTIONS
from schemas.contact_events import RULE_PATTERN

pytestmark = [pytest.mark.infra, pytest.mark.xdist_group("infra")]

ROOT = Path(__file__).resolve().parents[2]
INSTANCE_ARN = {"Fn::GetAtt": ["ConnectInstance", "Arn"]}


def _of(template: dict[str, Any], kind: str) -> dict[str, dict[str, Any]]:
    return {k: v for k, v in template["Resources"].items() if v["Type"] == kind}


def _flatten(value: Any) -> str:
    """A CloudFormation string expression as text, with intrinsic functions shown as <...> markers."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and "Fn::Join" in value:
        sep, parts = value["Fn::Join"]
        return sep.join(_flatten(p) for p in parts)
    if isinstance(value, dict) and "Fn::GetAtt" in value:
        return "<GetAtt:{}.{}>".format(*value["Fn::GetAtt"])
    if isinstance(value, dict) and "Ref" in value:
        return f"<Ref:{value['Ref']}>"
    return "<" + json.dumps(value, sort_keys=True).replace('"', "'") + ">"  # stays valid inside JSON text


# -- data ---------------------------------------------------------------------------------------


def test_every_table_is_encrypted_with_the_key_and_has_pitr(synth) -> None:  # type: ignore[no-untyped-def]
    # Given the synthesized data stack
    tables = _of(synth.data, "AWS::DynamoDB::Table")
    # Then every registry table is there under its pinned logical ID, encrypted with the rotated key
    assert set(tables) == {spec.construct_id for spec in TABLES}  # logical IDs pinned
    key = synth.data["Resources"]["DataKey"]
    assert key["Type"] == "AWS::KMS::Key" and key["Properties"]["EnableKeyRotation"] is True
    for name, table in tables.items():
        props = table["Properties"]
        assert props["SSESpecification"] == {
            "KMSMasterKeyId": {"Fn::GetAtt": ["DataKey", "Arn"]},
            "SSEEnabled": True,
            "SSEType": "KMS",
        }, name
        assert props["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}, name
        # dev: removable; outside dev deletion protection is on (test_config covers protect_data)
        assert props["DeletionProtectionEnabled"] is synth.config.protect_data


def test_local_engine_tables_match_the_stack(synth) -> None:  # type: ignore[no-untyped-def]
    # Given the CreateTable arguments the local engine uses for each registry table
    tables = _of(synth.data, "AWS::DynamoDB::Table")
    for spec in TABLES:
        local = create_table_kwargs(spec, "x")
        props = tables[spec.construct_id]["Properties"]
        # Then keys, attribute types, indexes, billing, TTL and streams are the same
        assert props["KeySchema"] == local["KeySchema"], spec.logical
        assert sorted(props["AttributeDefinitions"], key=str) == sorted(
            local["AttributeDefinitions"], key=str
        )
        assert props["BillingMode"] == local["BillingMode"]
        assert props.get("GlobalSecondaryIndexes", []) == local.get("GlobalSecondaryIndexes", [])
        ttl = props.get("TimeToLiveSpecification")
        assert (ttl["AttributeName"] if ttl else None) == spec.ttl_attribute
        stream = props.get("StreamSpecification", {}).get("StreamViewType")
        assert stream == local.get("StreamSpecification", {}).get("StreamViewType")


def test_local_engine_rule_uses_the_deployed_pattern(synth) -> None:  # type: ignore[no-untyped-def]
    from civicline.local.aws import BUS_NAME, RULE_NAME, LocalAws

    # Given the deployed rule pattern without the instance filter
    rule = next(
        r for r in _of(synth.center, "AWS::Events::Rule").values() if "EventPattern" in r["Properties"]
    )
    deployed = dict(rule["Properties"]["EventPattern"])
    assert deployed.pop("detail") == {"instanceArn": [INSTANCE_ARN]}
    # When the local engine creates its rule
    with LocalAws() as aws:
        local = json.loads(
            aws.client("events").describe_rule(Name=RULE_NAME, EventBusName=BUS_NAME)["EventPattern"]
        )
    # Then both route the same source and detail-type
    assert deployed == local == RULE_PATTERN


# -- functions ----------------------------------------------------------------------------------


def test_functions_are_arm64_with_explicit_limits_and_the_layer(synth) -> None:  # type: ignore[no-untyped-def]
    # Given the synthesized functions and the configured Powertools layer
    functions = _of(synth.center, "AWS::Lambda::Function")
    layer = synth.config.powertools_layer.arn(synth.config.region, synth.config.runtime)
    # Then each matches its registry entry: arm64, runtime, handler, memory, timeout, concurrency
    for spec in FUNCTIONS:
        props = functions[function_logical_id(spec)]["Properties"]
        assert props["Architectures"] == ["arm64"]
        assert props["Runtime"] == synth.config.runtime
        assert props["Handler"] == spec.handler
        assert props["MemorySize"] == spec.memory_mb
        assert props["Timeout"] == spec.timeout_seconds
        assert props.get("ReservedConcurrentExecutions") == spec.reserved_concurrency
        assert props["Layers"] == [layer]
        env = props["Environment"]["Variables"]
        assert "QUEUE_ARNS" in env and env["CONNECT_INSTANCE_ARN"] == INSTANCE_ARN
    # one code asset for all of them
    assert (
        len(
            {
                json.dumps(f["Properties"]["Code"], sort_keys=True)
                for f in functions.values()
                if f["Properties"].get("Runtime", "").startswith("python")
            }
        )
        == 1
    )


def test_code_asset_holds_only_the_function_code(synth) -> None:  # type: ignore[no-untyped-def]
    # Given the staged asset of the python functions
    assets = [p for p in synth.outdir.glob("asset.*") if (p / "functions").is_dir()]
    assert len(assets) == 1
    top = {p.name for p in assets[0].iterdir()}
    # Then it holds functions/, schemas/ and infra's registry, nothing else
    assert top == {"functions", "schemas", "infra"}
    assert {p.name for p in (assets[0] / "infra").iterdir()} == {"__init__.py", "registry.py"}
    assert not list(assets[0].rglob("__pycache__"))
    assert (assets[0] / "functions" / "handlers").is_dir()
    assert set(ASSET_CONTENT) >= {"functions", "schemas"}


def test_each_role_reaches_only_its_declared_tables(synth) -> None:  # type: ignore[no-untyped-def]
    # Given every function's role policy
    policies = _of(synth.center, "AWS::IAM::Policy")
    # Then it names exactly the tables the registry declares, and write actions only for writers
    for spec in FUNCTIONS:
        role = f"{function_logical_id(spec)}Role"
        statements = [
            s
            for p in policies.values()
            if any(role in json.dumps(r) for r in p["Properties"]["Roles"])
            for s in p["Properties"]["PolicyDocument"]["Statement"]
        ]
        text = json.dumps(statements)
        for table in TABLES:
            imported = f"ExportsOutputFnGetAtt{table.construct_id}Arn"
            expected = table.logical in spec.tables
            assert (imported in text) is expected, (spec.name, table.logical)
        writes = any(
            f"dynamodb:{action}" in json.dumps(s["Action"]) for s in statements for action in WRITE_ACTIONS
        )
        assert writes is any(spec.writes(t) for t in spec.tables), spec.name


def test_no_wildcard_resource_unless_aws_requires_it(synth) -> None:  # type: ignore[no-untyped-def]
    decisions = (ROOT / "docs" / "decisions.md").read_text(encoding="utf-8")
    for marker in REQUIRED_WILDCARDS:
        assert marker in decisions, f"docs/decisions.md does not explain the wildcard {marker!r}"
    for template in (synth.data, synth.center, synth.test_cases):
        for name, policy in _of(template, "AWS::IAM::Policy").items():
            for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
                resources = statement.get("Resource", [])
                for resource in resources if isinstance(resources, list) else [resources]:
                    text = _flatten(resource)
                    if "*" not in text:
                        continue
                    why = json.dumps(statement["Action"]) + " " + text
                    assert any(marker in why for marker in REQUIRED_WILDCARDS), f"{name}: wildcard {why}"


# -- flows and Connect --------------------------------------------------------------------------


def test_flows_are_free_of_placeholders_and_name_the_right_functions(synth) -> None:  # type: ignore[no-untyped-def]
    # Given the deployed flows and the flow files they come from
    flows = _of(synth.center, "AWS::Connect::ContactFlow")
    texts = read_flows()
    _, back = plan(texts)
    patches = {
        k: v
        for k, v in synth.center["Resources"].items()
        if v["Type"] == "Custom::AWS" and "UpdateContactFlowContent" in _flatten(v["Properties"]["Create"])
    }
    assert len(patches) == len(back)
    for stem, text in texts.items():
        content = _flatten(
            flows[f"Flow{''.join(p.capitalize() for p in stem.split('-'))}"]["Properties"]["Content"]
        )
        assert not PLACEHOLDER_RE.search(content), stem
        document = json.loads(content)
        assert document["Version"] == "2019-10-30"
        called = set(re.findall(r"<GetAtt:(\w+)Function\.Arn>", content))
        expected = {
            function_logical_id(FUNCTIONS_BY_NAME[n]).removesuffix("Function")
            for n in invoked_functions(text)
        }
        assert called == expected, stem
    for stem, targets in back.items():
        # Then a back-edge first points at the bootstrap flow, and the patch sets the real target
        logical = f"Flow{''.join(p.capitalize() for p in stem.split('-'))}"
        initial = _flatten(flows[logical]["Properties"]["Content"])
        assert "<GetAtt:FlowBootstrap.ContactFlowArn>" in initial
        (patch,) = [p for k, p in patches.items() if k.startswith(f"Flows{logical}Content")]
        call = json.loads(_flatten(patch["Properties"]["Create"]))
        final = call["parameters"]["Content"]
        assert not PLACEHOLDER_RE.search(final)
        assert "FlowBootstrap" not in final
        for target in targets:
            assert (
                f"<GetAtt:Flow{''.join(p.capitalize() for p in target.split('-'))}.ContactFlowArn>" in final
            )
        json.loads(final)


def test_one_association_and_one_permission_per_invoked_function(synth) -> None:  # type: ignore[no-untyped-def]
    # Given the functions the flows invoke
    invoked = set().union(*(invoked_functions(t) for t in read_flows().values()))
    # Then each has exactly one integration association and one invoke permission scoped to the instance
    associations = _of(synth.center, "AWS::Connect::IntegrationAssociation")
    permissions = [
        p["Properties"]
        for p in _of(synth.center, "AWS::Lambda::Permission").values()
        if p["Properties"]["Principal"] == "connect.amazonaws.com"
    ]
    for name in invoked:
        arn = {"Fn::GetAtt": [function_logical_id(FUNCTIONS_BY_NAME[name]), "Arn"]}
        mine = [a for a in associations.values() if a["Properties"]["IntegrationArn"] == arn]
        assert len(mine) == 1, name
        assert {k: v for k, v in mine[0]["Properties"].items() if k != "Tags"} == {
            "InstanceId": INSTANCE_ARN,
            "IntegrationArn": arn,
            "IntegrationType": "LAMBDA_FUNCTION",
        }
        granted = [p for p in permissions if p["FunctionName"] == arn]
        assert len(granted) == 1, name
        assert granted[0]["SourceArn"] == INSTANCE_ARN
        assert granted[0]["Action"] == "lambda:InvokeFunction"
    assert invoked <= {f.name for f in FUNCTIONS if f.connect_facing}


def test_connect_objects_and_phone_association(synth) -> None:  # type: ignore[no-untyped-def]
    resources = synth.center["Resources"]
    assert resources["ConnectInstance"]["Type"] == "AWS::Connect::Instance"  # pinned
    assert resources["PhoneNumberHotline"]["Type"] == "AWS::Connect::PhoneNumber"  # pinned
    assert len(_of(synth.center, "AWS::Connect::Queue")) == 6
    assert len(_of(synth.center, "AWS::Connect::RoutingProfile")) == len(synth.config.routing_profiles)
    assert len(_of(synth.center, "AWS::Connect::QuickConnect")) == len(synth.config.offices)
    hours = next(iter(_of(synth.center, "AWS::Connect::HoursOfOperation").values()))["Properties"]
    assert len(hours["HoursOfOperationOverrides"]) == len(environment_calendar(synth.config).holidays)
    associate = [
        v
        for v in resources.values()
        if v["Type"] == "Custom::AWS"
        and "AssociatePhoneNumberContactFlow" in _flatten(v["Properties"]["Create"])
    ]
    assert len(associate) == len(synth.config.phone_numbers)
    create = _flatten(associate[0]["Properties"]["Create"])
    assert "'FlowMainInbound', 'ContactFlowArn'" in create
    assert "PhoneNumberHotline" in create


# -- events -------------------------------------------------------------------------------------


def test_contact_event_rule_pattern_dlq_and_retry(synth) -> None:  # type: ignore[no-untyped-def]
    rules = [
        r["Properties"]
        for r in _of(synth.center, "AWS::Events::Rule").values()
        if "EventPattern" in r["Properties"]
        and r["Properties"]["EventPattern"].get("source") == ["aws.connect"]
    ]
    assert len(rules) == 2  # the notification rules (other sources): tests/channels/test_notif_stack.py
    (rule,) = [r for r in rules if r["EventPattern"]["detail"] == {"instanceArn": [INSTANCE_ARN]}]
    assert rule["EventPattern"] == {**RULE_PATTERN, "detail": {"instanceArn": [INSTANCE_ARN]}}
    # the second rule: events that settle placed callback calls, straight to callback_outcomes
    (outcomes,) = [r for r in rules if r is not rule]
    assert outcomes["EventPattern"]["detail"] == {
        "instanceArn": [INSTANCE_ARN],
        "eventType": ["CONNECTED_TO_AGENT", "CONNECTED_TO_SYSTEM", "DISCONNECTED"],
    }
    (outcomes_target,) = outcomes["Targets"]
    assert "CallbackOutcomes" in outcomes_target["Arn"]["Fn::GetAtt"][0]
    assert "DeadLetterConfig" in outcomes_target
    assert outcomes_target["RetryPolicy"]["MaximumRetryAttempts"] == RULE_RETRY_ATTEMPTS
    (target,) = rule["Targets"]
    assert "DeadLetterConfig" in target
    assert target["RetryPolicy"] == {
        "MaximumEventAgeInSeconds": RULE_MAX_EVENT_AGE_HOURS * 3600,
        "MaximumRetryAttempts": RULE_RETRY_ATTEMPTS,
    }
    queues = _of(synth.center, "AWS::SQS::Queue")
    buffer = queues[target["Arn"]["Fn::GetAtt"][0]]["Properties"]
    assert buffer["RedrivePolicy"]["maxReceiveCount"] == MAX_RECEIVE_COUNT
    assert target["DeadLetterConfig"]["Arn"]["Fn::GetAtt"][0] in queues
    for queue in queues.values():
        assert queue["Properties"]["SqsManagedSseEnabled"] is True
    mappings = [m["Properties"] for m in _of(synth.center, "AWS::Lambda::EventSourceMapping").values()]
    assert all(m["FunctionResponseTypes"] == ["ReportBatchItemFailures"] for m in mappings)
    streams = [m for m in mappings if "StartingPosition" in m]
    assert len(streams) == sum(1 for t in TABLES if t.stream)
    assert all("OnFailure" in m["DestinationConfig"] for m in streams)
    schedule = [
        r["Properties"]
        for r in _of(synth.center, "AWS::Events::Rule").values()
        if "ScheduleExpression" in r["Properties"]
    ]
    assert schedule[0]["ScheduleExpression"] == "rate(1 minute)"
    assert "DeadLetterConfig" in schedule[0]["Targets"][0] and "RetryPolicy" in schedule[0]["Targets"][0]


# -- observability and nag ----------------------------------------------------------------------


def test_dashboard_and_alarms(synth) -> None:  # type: ignore[no-untyped-def]
    # Given the alarms and the dashboard
    alarms = _of(synth.center, "AWS::CloudWatch::Alarm")
    names = " ".join(alarms)
    # Then flows, functions, DLQs and the level of service are watched, all notifying the e-mail topic
    for stem in FLOWS:
        assert f"FlowErrors{''.join(p.capitalize() for p in stem.split('-'))}" in names
    for spec in FUNCTIONS:
        stem = function_logical_id(spec).removesuffix("Function")
        assert f"Errors{stem}" in names and f"Throttles{stem}" in names
    assert sum("Depth" in n for n in alarms) >= 5
    assert "LevelOfServiceBelowTarget" in names
    topic = next(iter(_of(synth.center, "AWS::SNS::Topic").values()))["Properties"]
    assert "KmsMasterKeyId" in topic
    (subscription,) = _of(synth.center, "AWS::SNS::Subscription").values()
    assert subscription["Properties"]["Endpoint"] == synth.config.alarm_email
    for alarm in alarms.values():
        assert alarm["Properties"]["AlarmActions"]
    body = _flatten(
        next(iter(_of(synth.center, "AWS::CloudWatch::Dashboard").values()))["Properties"]["DashboardBody"]
    )
    for title in (
        "Calls",
        "Level of service",
        "Average speed of answer",
        "Abandonment",
        "Callback outcomes",
        "Lambda errors",
        "Lambda duration",
    ):
        assert title in body


def test_dev_deploys_three_stacks_in_dependency_order(synth) -> None:  # type: ignore[no-untyped-def]
    # Given the dev cloud assembly
    prefix = synth.config.stack_prefix
    manifest = json.loads((synth.outdir / "manifest.json").read_text())
    stacks = {k: v for k, v in manifest["artifacts"].items() if v["type"] == "aws:cloudformation:stack"}
    # Then data, contact center and test cases are its stacks, each deployed after the one before
    assert sorted(stacks) == sorted(f"{prefix}-{n}" for n in ("Data", "ContactCenter", "TestCases"))
    assert f"{prefix}-Data" in stacks[f"{prefix}-ContactCenter"]["dependencies"]
    assert f"{prefix}-ContactCenter" in stacks[f"{prefix}-TestCases"]["dependencies"]
    # And the Connect test cases are only in their own stack
    assert len(_of(synth.test_cases, "AWS::Connect::TestCase")) == len(synth.test_cases["Resources"]) >= 100
    assert not _of(synth.center, "AWS::Connect::TestCase")


def test_every_acknowledgement_matches_a_construct(synth) -> None:  # type: ignore[no-untyped-def]
    applied = {rule for _, rule in synth.acks}
    for ack in ACKNOWLEDGEMENTS:
        assert ack.rule in applied, f"stale acknowledgement {ack.path} {ack.rule}"
        assert len(ack.reason) > 30
    report = json.loads((synth.outdir / "validation-report.json").read_text())
    assert all(p["conclusion"] != "failure" for p in report.get("pluginReports", []))


@pytest.mark.slow
def test_cfn_lint_reports_no_errors(synth) -> None:  # type: ignore[no-untyped-def]
    templates = sorted(str(p) for p in synth.outdir.glob("*.template.json"))
    result = subprocess.run(
        [str(Path(sys.executable).parent / "cfn-lint"), "--format", "parseable", *templates],
        capture_output=True,
        text=True,
        check=False,
    )
    # cfn-lint's exit code: bit 1 = fatal, bit 2 = errors, 4 = warnings, 8 = informational
    assert not result.returncode & 3, result.stdout + result.stderr
    assert not [line for line in result.stdout.splitlines() if re.search(r":E\d{4}:", line)]


def test_unresolvable_placeholder_fails_the_synth(synth, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from infra.app import build_app
    from infra.flows import FlowRenderError

    # Given a flow with a placeholder the registry does not know
    texts = read_flows()
    texts["agent-whisper"] = texts["agent-whisper"].replace(
        '"Version"', '"X": "%QUEUE_NOWHERE%", "Version"', 1
    )
    # When the app is built, Then it fails naming the placeholder
    with pytest.raises(FlowRenderError, match="QUEUE_NOWHERE"):
        build_app(synth.config, outdir=str(tmp_path), flow_texts=texts, nag=False)


def test_outside_dev_tables_are_protected_and_retained() -> None:
    from aws_cdk import App, Environment
    from aws_cdk.assertions import Template

    from infra.config import load_config
    from infra.stacks.data import DataStack

    # Given the prod environment's data stack
    config = load_config("prod")
    stack = DataStack(
        App(), "Data", config=config, env=Environment(account=config.account, region=config.region)
    )
    template = Template.from_stack(stack).to_json()
    # Then every table has deletion protection and is retained, like its key
    for name, table in _of(template, "AWS::DynamoDB::Table").items():
        assert table["Properties"]["DeletionProtectionEnabled"] is True, name
        assert table["DeletionPolicy"] == "Retain", name
    assert template["Resources"]["DataKey"]["DeletionPolicy"] == "Retain"
