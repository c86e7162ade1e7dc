"""The local IAM model (civicline.local.iam): what a DynamoDB call asks IAM, and how a statement
answers, on the condition keys and operators the stack uses."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from civicline.local.iam import (
    ALL_ATTRIBUTES,
    AuthRequest,
    Policy,
    TableKeys,
    UnsupportedCondition,
    _matches,
    dynamodb_requests,
)

TABLE = "arn:aws:dynamodb:us-east-1:123456789012:table/T"
KEYS = {"T": TableKeys("pk", ("pk", "sk"), {"by_state_due": "gsi1pk"})}


def allow(actions: list[str], resource: str = TABLE, **conditions: Any) -> Policy:
    statement: dict[str, Any] = {"Effect": "Allow", "Action": actions, "Resource": resource}
    if conditions:
        statement["Condition"] = {k.replace("__", ":"): v for k, v in conditions.items()}
    return Policy((statement,))


def key(pk: str) -> dict[str, Any]:
    return {"pk": {"S": pk}, "sk": {"S": "X"}}


def test_leading_keys_restrict_items_by_partition_key_prefix() -> None:
    policy = allow(["dynamodb:PutItem"], ForAllValues__StringLike={"dynamodb:LeadingKeys": ["APPEAL#*"]})
    [appeal] = dynamodb_requests("PutItem", {"TableName": "T", "Item": key("APPEAL#AP-1")}, KEYS)
    [case] = dynamodb_requests("PutItem", {"TableName": "T", "Item": key("CASE#1")}, KEYS)
    assert policy.allows(appeal)
    assert not policy.allows(case)


def test_a_batch_read_is_allowed_only_if_every_key_matches() -> None:
    policy = allow(
        ["dynamodb:BatchGetItem"], ForAllValues__StringLike={"dynamodb:LeadingKeys": ["ATTEMPTS#*"]}
    )
    params = {"RequestItems": {"T": {"Keys": [key("ATTEMPTS#CASE#1"), key("HIST#x")]}}}
    [request] = dynamodb_requests("BatchGetItem", params, KEYS)
    assert request.context["dynamodb:LeadingKeys"] == ["ATTEMPTS#CASE#1", "HIST#x"]
    assert not policy.allows(request)


def test_attribute_limits_need_a_projection() -> None:
    # Given a grant that may read only these attributes (the IAM User Guide's pairing with Select)
    policy = allow(
        ["dynamodb:GetItem"],
        ForAllValues__StringEquals={"dynamodb:Attributes": ["pk", "sk", "office_id", "status"]},
        StringEqualsIfExists={"dynamodb:Select": "SPECIFIC_ATTRIBUTES"},
    )
    [whole] = dynamodb_requests("GetItem", {"TableName": "T", "Key": key("CASE#1")}, KEYS)
    projected = {
        "TableName": "T",
        "Key": key("CASE#1"),
        "ProjectionExpression": "office_id, #s",
        "ExpressionAttributeNames": {"#s": "status"},
    }
    [some] = dynamodb_requests("GetItem", projected, KEYS)
    [too_much] = dynamodb_requests(
        "GetItem", {**projected, "ProjectionExpression": "office_id, pin_hash"}, KEYS
    )
    # Then a read of the whole item is refused, a projection of allowed attributes is not
    assert whole.context["dynamodb:Attributes"] == [ALL_ATTRIBUTES]
    assert not policy.allows(whole)
    assert some.context["dynamodb:Attributes"] == ["office_id", "status"]
    assert policy.allows(some)
    assert not policy.allows(too_much)


def test_a_transaction_is_authorized_item_by_item() -> None:
    params = {
        "TransactItems": [
            {"Put": {"TableName": "T", "Item": key("CALLBACK#1")}},
            {"Update": {"TableName": "T", "Key": key("CAPACITY#q"), "UpdateExpression": "ADD booked :one"}},
            {"Delete": {"TableName": "T", "Key": key("OPEN#k")}},
        ]
    }
    requests = dynamodb_requests("TransactWriteItems", params, KEYS)
    assert [r.action for r in requests] == ["dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"]
    assert all(r.context["dynamodb:EnclosingOperation"] == ["TransactWriteItems"] for r in requests)
    policy = allow(["dynamodb:PutItem", "dynamodb:DeleteItem"])
    assert [policy.allows(r) for r in requests] == [True, False, True]


def test_an_index_query_is_authorized_on_the_index_arn() -> None:
    params = {
        "TableName": "T",
        "IndexName": "by_state_due",
        "KeyConditionExpression": "gsi1pk = :p AND gsi1sk <= :now",
        "ExpressionAttributeValues": {":p": {"S": "DUE"}, ":now": {"S": "2026"}},
    }
    [request] = dynamodb_requests("Query", params, KEYS)
    assert request.resource == f"{TABLE}/index/by_state_due"
    assert request.context["dynamodb:LeadingKeys"] == ["DUE"]
    assert not allow(["dynamodb:Query"]).allows(request)
    assert allow(["dynamodb:Query"], f"{TABLE}/index/*").allows(request)


def test_a_deny_wins_and_actions_match_with_wildcards() -> None:
    request = AuthRequest("sns:Publish", "arn:aws:sns:us-east-1:1:t", {"aws:SecureTransport": ["false"]})
    both = Policy(
        (
            {"Effect": "Allow", "Action": "sns:*", "Resource": "*"},
            {
                "Effect": "Deny",
                "Action": "sns:Publish",
                "Resource": "*",
                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            },
        )
    )
    assert not both.allows(request)
    assert both.allows(
        AuthRequest("sns:Publish", "arn:aws:sns:us-east-1:1:t", {"aws:SecureTransport": ["true"]})
    )
    assert Policy(({"Effect": "Allow", "Action": "dynamodb:Get*", "Resource": "*"},)).allows(
        AuthRequest("dynamodb:GetItem", TABLE)
    )


def test_an_unknown_condition_operator_is_refused_not_guessed() -> None:
    policy = allow(["dynamodb:GetItem"], NumericLessThan={"dynamodb:Something": "3"})
    with pytest.raises(UnsupportedCondition):
        policy.allows(AuthRequest("dynamodb:GetItem", TABLE, {"dynamodb:Something": ["1"]}))


@given(st.text(alphabet="ab*?#", max_size=6), st.text(alphabet="ab#", max_size=6))
def test_wildcards_match_like_fnmatch_without_classes(pattern: str, text: str) -> None:
    import fnmatch

    # IAM's * and ? are fnmatch's; IAM has no [...] classes, and this alphabet has none
    assert _matches(pattern, text) == fnmatch.fnmatchcase(text, pattern)


# --- messaging: SES, End User Messaging SMS, EventBridge ------------------------------------------

SES_IDENTITY = "arn:aws:ses:us-east-1:123456789012:identity/civicline.example"
POOL = "arn:aws:sms-voice:us-east-1:123456789012:pool/pool-civicline-notifications"
BUS = "arn:aws:events:us-east-1:123456789012:event-bus/default"


def test_an_ses_send_is_authorized_on_its_identity_and_only_from_the_granted_address() -> None:
    from civicline.local.iam import requests_of

    policy = allow(
        ["ses:SendEmail"], SES_IDENTITY, StringEquals={"ses:FromAddress": "help@civicline.example"}
    )

    def send(sender: str, **more: str) -> list[AuthRequest]:
        params = {"FromEmailAddress": sender, "Destination": {"ToAddresses": ["a@example.org"]}, **more}
        return requests_of("ses", "SendEmail", params, {})

    assert all(policy.allows(r) for r in send("CivicLine <help@civicline.example>"))
    assert not any(policy.allows(r) for r in send("boss@civicline.example"))
    # a configuration set is a second resource the send is authorized on
    with_set = send("help@civicline.example", ConfigurationSetName="notify")
    assert [r.resource.rsplit(":", 1)[-1] for r in with_set] == [
        "identity/civicline.example",
        "configuration-set/notify",
    ]
    assert not policy.allows(with_set[1])


def test_an_sms_send_is_authorized_on_the_origination_identity_it_names() -> None:
    from civicline.local.iam import requests_of

    policy = allow(["sms-voice:SendTextMessage"], POOL)
    named = requests_of(
        "sms-voice", "SendTextMessage", {"OriginationIdentity": "pool-civicline-notifications"}, {}
    )
    by_arn = requests_of("sms-voice", "SendTextMessage", {"OriginationIdentity": POOL}, {})
    unnamed = requests_of("sms-voice", "SendTextMessage", {"DestinationPhoneNumber": "+12025550100"}, {})
    other = requests_of("sms-voice", "SendTextMessage", {"OriginationIdentity": "phone-1234"}, {})
    assert policy.allows(named[0]) and policy.allows(by_arn[0])
    # the service would pick any identity of the account: a pool-scoped grant refuses it
    assert not policy.allows(unnamed[0])
    assert not policy.allows(other[0])


def test_put_events_is_authorized_per_entry_with_its_source() -> None:
    from civicline.local.iam import requests_of

    policy = allow(["events:PutEvents"], BUS, StringEquals={"events:source": "civicline.notifications"})
    entries = [
        {"Source": "civicline.notifications", "DetailType": "Notification Outcome", "Detail": "{}"},
        {"Source": "aws.connect", "DetailType": "Amazon Connect Contact Event", "Detail": "{}"},
    ]
    ours, forged = requests_of("events", "PutEvents", {"Entries": entries}, {})
    assert policy.allows(ours)
    assert not policy.allows(forged)
