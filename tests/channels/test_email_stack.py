"""The stack lets ``email_triage`` send acknowledgements from the agency's address only."""

from __future__ import annotations

import json
from typing import Any

from infra.constructs.channels import NOTIFICATION_SENDERS, sending_identity
from infra.constructs.functions import function_logical_id
from infra.registry import FUNCTIONS_BY_NAME
from tests.infra.conftest import synth  # noqa: F401 - the session synth fixture, by name


def _statements(template: dict[str, Any], function: str) -> list[dict[str, Any]]:
    role = f"{function_logical_id(FUNCTIONS_BY_NAME[function])}Role"
    return [
        s
        for r in template["Resources"].values()
        if r["Type"] == "AWS::IAM::Policy" and any(role in json.dumps(x) for x in r["Properties"]["Roles"])
        for s in r["Properties"]["PolicyDocument"]["Statement"]
    ]


def test_only_triage_and_the_notification_senders_may_send_and_only_from_the_agency_address(
    synth: Any,  # noqa: F811
) -> None:
    senders = ("email_triage", *NOTIFICATION_SENDERS)
    for function in senders:
        sends = [s for s in _statements(synth.center, function) if "ses:SendEmail" in json.dumps(s["Action"])]
        identity = [s for s in sends if "identity/" in json.dumps(s["Resource"])]
        assert len(identity) == 1, function
        address = FUNCTIONS_BY_NAME[function].env["EMAIL_FROM_ADDRESS"]
        assert identity[0]["Condition"] == {"StringEquals": {"ses:FromAddress": address}}
        assert f"identity/{sending_identity(address)}" in json.dumps(identity[0]["Resource"])
        # the notification senders also on their configuration set (delivery receipts), nothing else
        others = [s for s in sends if s is not identity[0]]
        assert all("configuration-set/" in json.dumps(s["Resource"]) for s in others), function
        assert len(others) == (function in NOTIFICATION_SENDERS)
    for other in FUNCTIONS_BY_NAME:
        if other not in senders:
            assert "ses:" not in json.dumps(_statements(synth.center, other)), other


def test_the_cases_stream_drives_the_notifier_only(synth: Any) -> None:  # noqa: F811
    mappings = [
        r["Properties"]
        for r in synth.center["Resources"].values()
        if r["Type"] == "AWS::Lambda::EventSourceMapping" and "CasesTable" in json.dumps(r["Properties"])
    ]
    assert len(mappings) == 1
    notifier = function_logical_id(FUNCTIONS_BY_NAME["notifier"])
    assert notifier in json.dumps(mappings[0]["FunctionName"])
    assert mappings[0]["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert "DestinationConfig" in mappings[0]


def test_the_instance_stores_email_messages_in_a_private_tls_only_bucket_of_the_stack(
    synth: Any,  # noqa: F811
) -> None:
    # Given the dev stack (it creates its Connect instance) / Then the instance's EMAIL_MESSAGES
    # storage configuration names the stack's bucket and prefix, which Get stored content reads
    from infra.email_messages import EMAIL_MESSAGES_PREFIX

    resources = synth.center["Resources"]
    [config] = [r for r in resources.values() if r["Type"] == "AWS::Connect::InstanceStorageConfig"]
    props = config["Properties"]
    assert (props["ResourceType"], props["StorageType"]) == ("EMAIL_MESSAGES", "S3")
    assert props["S3Config"]["BucketPrefix"] == EMAIL_MESSAGES_PREFIX
    assert props["InstanceArn"] == {"Fn::GetAtt": ["ConnectInstance", "Arn"]}
    bucket_id = props["S3Config"]["BucketName"]["Ref"]
    bucket = resources[bucket_id]["Properties"]
    assert bucket["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True,
        "BlockPublicPolicy": True,
        "IgnorePublicAcls": True,
        "RestrictPublicBuckets": True,
    }
    assert "LoggingConfiguration" in bucket
    [policy] = [
        r
        for r in resources.values()
        if r["Type"] == "AWS::S3::BucketPolicy" and r["Properties"]["Bucket"] == {"Ref": bucket_id}
    ]
    [deny] = policy["Properties"]["PolicyDocument"]["Statement"]
    assert deny["Effect"] == "Deny" and deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
