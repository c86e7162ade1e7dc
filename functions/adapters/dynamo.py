"""Low-level DynamoDB access shared by the adapters: the client, table names and item marshalling.

The low-level client (not the boto3 resource layer) keeps the cold start small; items are converted
to and from DynamoDB's typed JSON here, from plain JSON-compatible values (:func:`stored`).
Botocore errors propagate (the flow takes its error branch), except the conditional-check failures
the adapters handle as part of their logic.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator, Mapping
from typing import Any, TypeVar

from functions.core.aws import client
from functions.core.settings import get_settings
from schemas import codec

Item = dict[str, Any]
T = TypeVar("T")
#: the table keys every item carries besides its record's fields
KEYS = ("pk", "sk")


def ddb() -> Any:
    return client("dynamodb")


def table(logical: str) -> str:
    return get_settings().table(logical)


def stored(record: Any) -> Item:
    """A record contract as JSON-compatible values, checked against its contract first.

    Dataclasses do not validate when constructed, so this is where a record that breaks its contract
    (a bug) is stopped: it raises :class:`schemas.codec.ContractError` and nothing is written.
    """
    data: Item = codec.dump(record)
    codec.load(type(record), data)
    return data


def record(contract: type[T], item: Mapping[str, Any], meta: Collection[str] = KEYS) -> T:
    """A stored item as its record contract, validated; ``meta`` (keys, index keys, TTL...) left out."""
    return codec.load(contract, {k: v for k, v in item.items() if k not in meta})


def to_attr(value: Any) -> dict[str, Any]:
    """One JSON-compatible value as a DynamoDB attribute value."""
    if value is None:
        return {"NULL": True}
    if isinstance(value, bool):
        return {"BOOL": value}
    if isinstance(value, int | float):
        return {"N": repr(value) if isinstance(value, float) else str(value)}
    if isinstance(value, str):
        return {"S": value}
    if isinstance(value, Mapping):
        return {"M": {str(k): to_attr(v) for k, v in value.items()}}
    if isinstance(value, list | tuple):
        return {"L": [to_attr(v) for v in value]}
    raise TypeError(f"cannot store {type(value).__name__} in DynamoDB")


def from_attr(attr: Mapping[str, Any]) -> Any:
    """One DynamoDB attribute value as a plain value (numbers: int when integral, else float)."""
    kind, value = next(iter(attr.items()))
    if kind == "S":
        return value
    if kind == "N":
        number = float(value)
        return (
            int(number) if number.is_integer() and "." not in value and "e" not in value.lower() else number
        )
    if kind == "BOOL":
        return bool(value)
    if kind == "NULL":
        return None
    if kind == "M":
        return {k: from_attr(v) for k, v in value.items()}
    if kind == "L":
        return [from_attr(v) for v in value]
    if kind == "SS":
        return sorted(value)
    raise TypeError(f"unsupported DynamoDB type {kind}")


def to_item(values: Mapping[str, Any]) -> dict[str, Any]:
    """A whole item; ``None`` attributes are left out (absent, not NULL)."""
    return {k: to_attr(v) for k, v in values.items() if v is not None}


def from_item(item: Mapping[str, Any]) -> Item:
    return {k: from_attr(v) for k, v in item.items()}


def key(pk: str, sk: str) -> dict[str, Any]:
    return {"pk": {"S": pk}, "sk": {"S": sk}}


def is_conditional_failure(exc: Exception) -> bool:
    """True for a failed condition (plain write or inside a transaction)."""
    code = getattr(exc, "response", {}).get("Error", {}).get("Code", "")
    return code in ("ConditionalCheckFailedException", "TransactionCanceledException")


def get(table_logical: str, pk: str, sk: str, consistent: bool = False) -> Item | None:
    response = ddb().get_item(TableName=table(table_logical), Key=key(pk, sk), ConsistentRead=consistent)
    item = response.get("Item")
    return from_item(item) if item else None


def pages(operation: Callable[..., Mapping[str, Any]], **request: Any) -> Iterator[dict[str, Any]]:
    """Every raw item a Query or Scan returns, one call per page (``LastEvaluatedKey`` followed): the
    one pagination loop of the adapters; ``operation`` is a client's bound ``query`` or ``scan``."""
    while True:
        response = operation(**request)
        yield from response.get("Items", [])
        if "LastEvaluatedKey" not in response:
            return
        request = {**request, "ExclusiveStartKey": response["LastEvaluatedKey"]}


def query_pk(table_logical: str, pk: str) -> list[Item]:
    """Every item under a partition key (reference partitions are small: one page)."""
    request = {
        "TableName": table(table_logical),
        "KeyConditionExpression": "pk = :pk",
        "ExpressionAttributeValues": {":pk": {"S": pk}},
    }
    return [from_item(i) for i in pages(ddb().query, **request)]


def batch_get(
    requests: Mapping[str, list[tuple[str, str]]], consistent: bool = False
) -> dict[str, list[Item]]:
    """Several items from several tables in one BatchGetItem call (retrying unprocessed keys)."""
    pending: dict[str, Any] = {
        table(logical): {"Keys": [key(pk, sk) for pk, sk in keys], "ConsistentRead": consistent}
        for logical, keys in requests.items()
        if keys
    }
    by_physical = {table(logical): logical for logical in requests}
    found: dict[str, list[Item]] = {logical: [] for logical in requests}
    for _ in range(5):
        response = ddb().batch_get_item(RequestItems=pending)
        for physical, items in response.get("Responses", {}).items():
            found[by_physical[physical]].extend(from_item(i) for i in items)
        pending = response.get("UnprocessedKeys") or {}
        if not pending:
            return found
    from functions.core.errors import DependencyError

    raise DependencyError("DynamoDB left keys unprocessed after 5 tries")
