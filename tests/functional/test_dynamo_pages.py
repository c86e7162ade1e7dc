"""The adapters' one pagination loop (functions.adapters.dynamo.pages), on moto: every page read,
one call per page, in key order, the caller's request left as it was."""

from __future__ import annotations

from typing import Any

from functions.adapters import dynamo


def test_every_page_of_a_query_is_read_once_in_order(local_aws: Any) -> None:
    # Given five items under one partition of the state table
    ddb = local_aws.client("dynamodb")
    name = local_aws.table("state")
    for i in range(5):
        ddb.put_item(TableName=name, Item={"pk": {"S": "PAGES#1"}, "sk": {"S": f"{i:02d}"}})
    calls: list[dict[str, Any]] = []

    def query(**request: Any) -> Any:
        calls.append(request)
        return ddb.query(**request)

    request = {
        "TableName": name,
        "KeyConditionExpression": "pk = :pk",
        "ExpressionAttributeValues": {":pk": {"S": "PAGES#1"}},
        "Limit": 2,
    }
    # When it is read two items a page
    items = list(dynamo.pages(query, **request))
    # Then all five come back in key order, in three calls (2 + 2 + 1), each after the first from
    # where the previous page stopped, and the caller's request is unchanged
    assert [i["sk"]["S"] for i in items] == ["00", "01", "02", "03", "04"]
    assert len(calls) == 3
    assert "ExclusiveStartKey" not in calls[0]
    assert calls[1]["ExclusiveStartKey"]["sk"]["S"] == "01"
    assert "ExclusiveStartKey" not in request


def test_an_empty_partition_is_one_call_and_no_items(local_aws: Any) -> None:
    # Given a partition with nothing in it / When it is read / Then one call, no items
    ddb = local_aws.client("dynamodb")
    calls: list[int] = []

    def query(**request: Any) -> Any:
        calls.append(1)
        return ddb.query(**request)

    request = {
        "TableName": local_aws.table("state"),
        "KeyConditionExpression": "pk = :pk",
        "ExpressionAttributeValues": {":pk": {"S": "PAGES#none"}},
    }
    assert list(dynamo.pages(query, **request)) == []
    assert calls == [1]
