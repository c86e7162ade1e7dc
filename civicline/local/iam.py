"""IAM identity-policy evaluation for the calls a function makes, as AWS authorizes them.

What a call needs (:func:`requests_of`): one or more *authorization requests*, each an IAM action,
a resource ARN and the condition keys the service puts in the request context. DynamoDB is the
service with structure here (docs cited at each rule):

* ``TransactWriteItems`` has no IAM action of its own: each ``Put``/``Update``/``Delete`` is
  authorized as ``PutItem``/``UpdateItem``/``DeleteItem`` and ``ConditionCheck`` as
  ``ConditionCheckItem`` ("Using IAM with DynamoDB transactions", DynamoDB Developer Guide,
  docs.aws.amazon.com/amazondynamodb/latest/developerguide/transaction-apis-iam.html), with
  ``dynamodb:EnclosingOperation`` set;
* ``BatchGetItem``/``BatchWriteItem`` are authorized once per table they touch;
* a ``Query`` on an index is authorized on ``table/<name>/index/<index>``;
* ``dynamodb:LeadingKeys`` holds the partition-key values a request touches, ``dynamodb:Attributes``
  the top-level attribute names it reads or writes (the projection of a read; a read without a
  projection asks for every attribute, so it can never satisfy an attribute-restricting condition),
  ``dynamodb:Select`` a Query/Scan's Select ("Using IAM policy conditions for fine-grained access
  control", developerguide/specifying-conditions.html; IAM User Guide example
  reference_policies_examples_dynamodb_attributes.html, which pairs ``ForAllValues:StringEquals``
  on ``dynamodb:Attributes`` with ``StringEqualsIfExists`` on ``dynamodb:Select``).

Evaluation (:class:`Policy`): an explicit Deny wins, otherwise some Allow statement must match the
action (``*``/``?`` wildcards), the resource and every condition. Condition operators this code does
not know raise :class:`UnsupportedCondition` instead of being guessed.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from civicline.local.aws import ACCOUNT, REGION

#: a read that names no projection reads every attribute: no attribute list can allow it
ALL_ATTRIBUTES = "*all attributes*"
_NAME_TOKEN = re.compile(r"#[A-Za-z0-9_]+|[A-Za-z_][A-Za-z0-9_]*")
_KEYWORDS = {"and", "or", "not", "between", "in", "set", "add", "remove", "delete", "if_not_exists"}
_FUNCTIONS = {
    "attribute_exists",
    "attribute_not_exists",
    "attribute_type",
    "begins_with",
    "contains",
    "size",
    "list_append",
    "if_not_exists",
}


class UnsupportedCondition(ValueError):
    """A condition operator or key this evaluator does not implement."""


@dataclass(frozen=True)
class AuthRequest:
    """One thing IAM authorizes: an action on a resource, with its request-context keys."""

    action: str
    resource: str
    context: Mapping[str, Sequence[str]] = field(default_factory=dict)

    def describe(self) -> str:
        keys = ", ".join(f"{k}={list(v)}" for k, v in sorted(self.context.items()))
        return f"{self.action} on {self.resource}" + (f" ({keys})" if keys else "")


# --- policy evaluation ---------------------------------------------------------------------------


def _listed(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list | tuple) else [value]


def _matches(pattern: str, text: str, *, case: bool = True) -> bool:
    """IAM's wildcard match: ``*`` any run, ``?`` one character, nothing else special."""
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.fullmatch(regex, text, 0 if case else re.IGNORECASE) is not None


def _string_test(base: str) -> Callable[[str, str], bool]:
    tests: dict[str, Callable[[str, str], bool]] = {
        "StringEquals": lambda want, got: want == got,
        "StringNotEquals": lambda want, got: want != got,
        "StringEqualsIgnoreCase": lambda want, got: want.lower() == got.lower(),
        "StringLike": _matches,
        "StringNotLike": lambda want, got: not _matches(want, got),
        "ArnEquals": lambda want, got: want == got,
        "ArnLike": _matches,
        "Bool": lambda want, got: want.lower() == got.lower(),
    }
    if base not in tests:
        raise UnsupportedCondition(f"condition operator {base!r}")
    return tests[base]


def condition_holds(operator: str, key: str, wanted: Any, context: Mapping[str, Sequence[str]]) -> bool:
    """One ``operator: {key: wanted}`` entry against the request context (IAM's semantics)."""
    qualifier, _, base = operator.rpartition(":")
    if_exists = base.endswith("IfExists")
    base = base.removesuffix("IfExists")
    values = [str(v) for v in _listed(wanted)]
    present = key in context
    got = [str(v) for v in context.get(key, ())]
    if base == "Null":
        return (not present) == (values[0].lower() == "true")
    test = _string_test(base)
    negated = base.startswith("StringNot")
    if qualifier == "ForAllValues":
        # every value in the request matches one the policy lists (vacuously true when none)
        return all(any(test(w, g) for w in values) for g in got) if not negated else True
    if qualifier == "ForAnyValue":
        return any(any(test(w, g) for w in values) for g in got)
    if qualifier:
        raise UnsupportedCondition(f"condition qualifier {qualifier!r}")
    if not present:
        return if_exists
    if len(got) != 1:
        raise UnsupportedCondition(f"{key} is multivalued: use ForAllValues or ForAnyValue")
    if negated:
        return all(test(w, got[0]) for w in values)
    return any(test(w, got[0]) for w in values)


@dataclass(frozen=True)
class Policy:
    """The identity-policy statements of one role (resolved: plain strings, no intrinsics)."""

    statements: tuple[Mapping[str, Any], ...]

    def allows(self, request: AuthRequest) -> bool:
        matching = [s for s in self.statements if self._applies(s, request)]
        if any(s.get("Effect") == "Deny" for s in matching):
            return False
        return any(s.get("Effect") == "Allow" for s in matching)

    @staticmethod
    def _applies(statement: Mapping[str, Any], request: AuthRequest) -> bool:
        if "NotAction" in statement or "NotResource" in statement:
            raise UnsupportedCondition("NotAction / NotResource statements")
        actions = [str(a) for a in _listed(statement.get("Action", []))]
        if not any(_matches(a, request.action, case=False) for a in actions):
            return False
        resources = [str(r) for r in _listed(statement.get("Resource", []))]
        if not any(_matches(r, request.resource) for r in resources):
            return False
        for operator, entries in statement.get("Condition", {}).items():
            for key, wanted in entries.items():
                if not condition_holds(operator, key, wanted, request.context):
                    return False
        return True


# --- what a call needs -----------------------------------------------------------------------


@dataclass(frozen=True)
class TableKeys:
    """Key schema of a table and its indexes (partition key by table and by index name)."""

    partition_key: str
    key_attributes: tuple[str, ...]
    index_partition_keys: Mapping[str, str] = field(default_factory=dict)


def _table_arn(name_or_arn: str) -> str:
    if name_or_arn.startswith("arn:"):
        return name_or_arn
    return f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/{name_or_arn}"


def _table_name(name_or_arn: str) -> str:
    return (
        name_or_arn.rsplit("table/", 1)[-1].split("/", 1)[0]
        if name_or_arn.startswith("arn:")
        else name_or_arn
    )


def _scalar(attribute: Mapping[str, Any] | None) -> str | None:
    if not attribute:
        return None
    value = next(iter(attribute.values()))
    return str(value) if not isinstance(value, dict | list) else None


def expression_names(expression: str | None, names: Mapping[str, str] | None) -> set[str]:
    """Top-level attribute names an expression refers to (``#n`` resolved, values and functions out)."""
    if not expression:
        return set()
    text = re.sub(r":[A-Za-z0-9_]+", " ", expression)
    found: set[str] = set()
    for token in _NAME_TOKEN.findall(text):
        if token.lower() in _KEYWORDS or token in _FUNCTIONS:
            continue
        found.add((names or {}).get(token, token) if token.startswith("#") else token)
    # a path such as a.b[0] names its top-level attribute first; dotted parts are not attributes
    return {name.split(".", 1)[0] for name in found}


def _read_attributes(params: Mapping[str, Any]) -> list[str]:
    projection = params.get("ProjectionExpression")
    if projection:
        return sorted(expression_names(projection, params.get("ExpressionAttributeNames")))
    if params.get("AttributesToGet"):
        return sorted(params["AttributesToGet"])
    return [ALL_ATTRIBUTES]


def _key_value(key: Mapping[str, Any] | None, keys: TableKeys) -> list[str]:
    value = _scalar((key or {}).get(keys.partition_key))
    return [value] if value is not None else []


def _item_request(
    action: str,
    params: Mapping[str, Any],
    schemas: Mapping[str, TableKeys],
    enclosing: str | None = None,
) -> AuthRequest:
    table = str(params["TableName"])
    keys = schemas.get(_table_name(table), TableKeys("pk", ("pk", "sk")))
    item = params.get("Item")
    key = item if item is not None else params.get("Key")
    context: dict[str, list[str]] = {"dynamodb:LeadingKeys": _key_value(key, keys)}
    names = params.get("ExpressionAttributeNames")
    if action == "PutItem":
        attributes = sorted(item or {})
    elif action == "UpdateItem":
        attributes = sorted(
            set(keys.key_attributes) & set(key or {})
            | expression_names(params.get("UpdateExpression"), names)
            | set(params.get("AttributeUpdates") or {})
        )
    elif action in ("GetItem",):
        attributes = _read_attributes(params)
    else:
        attributes = sorted(set(key or {}))
    context["dynamodb:Attributes"] = attributes
    if enclosing:
        context["dynamodb:EnclosingOperation"] = [enclosing]
    return AuthRequest(f"dynamodb:{action}", _table_arn(table), context)


def _query_request(params: Mapping[str, Any], schemas: Mapping[str, TableKeys]) -> AuthRequest:
    table = str(params["TableName"])
    keys = schemas.get(_table_name(table), TableKeys("pk", ("pk", "sk")))
    index = params.get("IndexName")
    resource = _table_arn(table) + (f"/index/{index}" if index else "")
    partition = keys.index_partition_keys.get(str(index), keys.partition_key) if index else keys.partition_key
    names = params.get("ExpressionAttributeNames") or {}
    values = params.get("ExpressionAttributeValues") or {}
    leading: list[str] = []
    for left, right in re.findall(
        r"(#?[A-Za-z0-9_]+)\s*=\s*(:[A-Za-z0-9_]+)", params.get("KeyConditionExpression", "")
    ):
        if names.get(left, left) == partition and _scalar(values.get(right)) is not None:
            leading.append(str(_scalar(values.get(right))))
    context: dict[str, list[str]] = {
        "dynamodb:LeadingKeys": leading,
        "dynamodb:Attributes": _read_attributes(params),
    }
    select = params.get("Select") or ("SPECIFIC_ATTRIBUTES" if params.get("ProjectionExpression") else None)
    if select:
        context["dynamodb:Select"] = [str(select)]
    return AuthRequest("dynamodb:Query", resource, context)


_TRANSACT_ACTIONS = {
    "Put": "PutItem",
    "Update": "UpdateItem",
    "Delete": "DeleteItem",
    "ConditionCheck": "ConditionCheckItem",
}


def dynamodb_requests(
    operation: str, params: Mapping[str, Any], schemas: Mapping[str, TableKeys]
) -> list[AuthRequest]:
    """The authorization requests one DynamoDB API call makes."""
    if operation in ("GetItem", "PutItem", "UpdateItem", "DeleteItem"):
        return [_item_request(operation, params, schemas)]
    if operation == "Query":
        return [_query_request(params, schemas)]
    if operation == "TransactWriteItems":
        found = []
        for entry in params.get("TransactItems", []):
            ((kind, body),) = entry.items()
            found.append(_item_request(_TRANSACT_ACTIONS[kind], body, schemas, "TransactWriteItems"))
        return found
    if operation == "TransactGetItems":
        return [
            _item_request("GetItem", entry["Get"], schemas, "TransactGetItems")
            for entry in params.get("TransactItems", [])
        ]
    if operation in ("BatchGetItem", "BatchWriteItem"):
        return [
            _batch_request(operation, table, body, schemas) for table, body in params["RequestItems"].items()
        ]
    if operation in ("DescribeStream", "GetRecords", "GetShardIterator"):
        arn = params.get("StreamArn") or str(params.get("ShardIterator", "")).split("|", 1)[0]
        return [AuthRequest(f"dynamodb:{operation}", str(arn))]
    if operation in ("ListTables", "ListStreams", "DescribeLimits", "DescribeEndpoints"):
        return [AuthRequest(f"dynamodb:{operation}", "*")]
    table = params.get("TableName") or params.get("ResourceArn") or "*"
    return [AuthRequest(f"dynamodb:{operation}", _table_arn(str(table)) if table != "*" else "*")]


def _batch_request(operation: str, table: str, body: Any, schemas: Mapping[str, TableKeys]) -> AuthRequest:
    keys = schemas.get(_table_name(table), TableKeys("pk", ("pk", "sk")))
    leading: list[str] = []
    attributes: set[str] = set()
    if operation == "BatchGetItem":
        for key in body.get("Keys", []):
            leading += _key_value(key, keys)
        attributes.update(_read_attributes(body))
    else:
        for write in body:
            ((_kind, request),) = write.items()
            item = request.get("Item") or request.get("Key")
            leading += _key_value(item, keys)
            attributes.update(item or {})
    context = {"dynamodb:LeadingKeys": sorted(set(leading)), "dynamodb:Attributes": sorted(attributes)}
    return AuthRequest(f"dynamodb:{operation}", _table_arn(table), context)


def _connect_instance_arn(params: Mapping[str, Any]) -> str:
    """The instance a Connect call names (``InstanceId``: an id or the whole ARN), as an ARN."""
    instance = str(params.get("InstanceId", ""))
    if instance.startswith("arn:"):
        return instance
    return f"arn:aws:connect:{REGION}:{ACCOUNT}:instance/{instance}"


def requests_of(
    service: str, operation: str, params: Mapping[str, Any], schemas: Mapping[str, TableKeys]
) -> list[AuthRequest]:
    """What IAM checks for one API call of ``service`` (its IAM prefix, e.g. ``dynamodb``)."""
    if service == "dynamodb":
        return dynamodb_requests(operation, params, schemas)
    action = f"{service}:{operation}"
    if service == "secretsmanager":
        secret = str(params.get("SecretId", "*"))
        resource = (
            secret
            if secret.startswith("arn:")
            else f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:{secret}-*"
        )
        return [AuthRequest(action, resource)]
    if service == "connect" and operation == "StartChatContact":
        # the flow the chat starts in (``contact-flow``) and the contact it creates (``contact``,
        # its id not yet known): both resource types the Service Authorization Reference's copies
        # list for the action, each taken as required (docs/channels.md, "AWS pages checked")
        instance = _connect_instance_arn(params)
        flow = f"{instance}/contact-flow/{params.get('ContactFlowId', '')}"
        return [AuthRequest(action, flow), AuthRequest(action, f"{instance}/contact/*")]
    if service == "connect" and operation == "StartOutboundVoiceContact":
        # resource type ``contact`` (required): instance/<id>/contact/<contact id>, the contact not
        # yet known ("Actions, resources, and condition keys for Amazon Connect", as recorded in
        # docs/notifications.md, "AWS pages checked")
        return [AuthRequest(action, f"{_connect_instance_arn(params)}/contact/*")]
    if service in _SERVICE_MODELS:
        return _SERVICE_MODELS[service](operation, params)
    if service == "sqs" and params.get("QueueUrl"):
        name = str(params["QueueUrl"]).rstrip("/").rsplit("/", 1)[-1]
        return [AuthRequest(action, f"arn:aws:sqs:{REGION}:{ACCOUNT}:{name}")]
    return [AuthRequest(action, "*")]


# --- messaging: SES, End User Messaging SMS, EventBridge ------------------------------------------


def _address(text: str) -> str:
    """The bare address of ``Name <address>`` (what ``ses:FromAddress`` compares)."""
    found = re.search(r"<([^>]+)>", text)
    return (found.group(1) if found else text).strip()


def ses_requests(operation: str, params: Mapping[str, Any]) -> list[AuthRequest]:
    """SES (v1 and v2) sends: ``ses:SendEmail`` (``SendRawEmail`` for v1 raw mail) on the sending
    identity and, when the call names one, the configuration set; the request context carries
    ``ses:FromAddress``, ``ses:Recipients`` and ``ses:ApiVersion`` ("Actions, resources, and
    condition keys for Amazon Simple Email Service v2", Service Authorization Reference,
    list_amazonsimpleemailservicev2.html; "Identity and access management in Amazon SES",
    ses/latest/dg/control-user-access.html). The identity modelled is the From address's domain
    (the identity the agency verifies); an address-level identity is not modelled."""
    if operation not in ("SendEmail", "SendRawEmail", "SendBulkEmail"):
        return [AuthRequest(f"ses:{operation}", "*")]
    v2 = "FromEmailAddress" in params or "Content" in params
    sender = _address(str(params.get("FromEmailAddress") or params.get("Source") or ""))
    destination = params.get("Destination") or {}
    recipients = [
        _address(str(a))
        for field_name in ("ToAddresses", "CcAddresses", "BccAddresses")
        for a in destination.get(field_name, [])
    ]
    context: dict[str, list[str]] = {
        "ses:FromAddress": [sender],
        "ses:Recipients": recipients,
        "ses:ApiVersion": ["2" if v2 else "1"],
    }
    domain = sender.rsplit("@", 1)[-1]
    base = f"arn:aws:ses:{REGION}:{ACCOUNT}"
    action = "ses:SendRawEmail" if operation == "SendRawEmail" else "ses:SendEmail"
    found = [AuthRequest(action, f"{base}:identity/{domain}", context)]
    configuration_set = params.get("ConfigurationSetName")
    if configuration_set:
        found.append(AuthRequest(action, f"{base}:configuration-set/{configuration_set}", context))
    return found


def _origination_arn(identity: str) -> str:
    """The ARN of an origination identity given as an ARN, a pool id, a phone-number id or a
    sender id (SendTextMessage's ``OriginationIdentity`` takes any of them)."""
    if identity.startswith("arn:"):
        return identity
    kind = (
        "pool" if identity.startswith("pool-") else "phone-number" if identity.startswith("phone-") else None
    )
    base = f"arn:aws:sms-voice:{REGION}:{ACCOUNT}"
    return f"{base}:{kind}/{identity}" if kind else f"{base}:sender-id/{identity}/*"


def sms_requests(operation: str, params: Mapping[str, Any]) -> list[AuthRequest]:
    """End User Messaging SMS sends: ``sms-voice:SendTextMessage`` (or ``SendVoiceMessage``) on
    the origination identity the call names and on the configuration set it names ("Actions,
    resources, and condition keys for AWS End User Messaging SMS and Voice V2", Service
    Authorization Reference, list_awsendusermessagingsmsandvoicev2.html; the resource ARNs as
    "AWS End User Messaging SMS actions for IAM policies", sms-voice/latest/userguide/
    permissions-actions.html, lists them). A send that names no origination identity lets the
    service pick any identity of the account: it is authorized here on ``*``, so a grant scoped to
    one pool refuses it (the functions always name theirs)."""
    action = f"sms-voice:{operation}"
    if operation not in ("SendTextMessage", "SendVoiceMessage", "SendMediaMessage"):
        return [AuthRequest(action, "*")]
    identity = str(params.get("OriginationIdentity") or "")
    found = [AuthRequest(action, _origination_arn(identity) if identity else "*")]
    configuration_set = str(params.get("ConfigurationSetName") or "")
    if configuration_set:
        arn = (
            configuration_set
            if configuration_set.startswith("arn:")
            else f"arn:aws:sms-voice:{REGION}:{ACCOUNT}:configuration-set/{configuration_set}"
        )
        found.append(AuthRequest(action, arn))
    return found


def events_requests(operation: str, params: Mapping[str, Any]) -> list[AuthRequest]:
    """EventBridge ``PutEvents``: one ``events:PutEvents`` per entry, on the entry's bus (the
    default bus when none is named), with ``events:source`` and ``events:detail-type`` of that
    entry ("Using IAM policy conditions in Amazon EventBridge", eventbridge/latest/userguide/
    eb-use-conditions.html; list_amazoneventbridge.html)."""
    if operation != "PutEvents":
        return [AuthRequest(f"events:{operation}", "*")]
    found = []
    for entry in params.get("Entries", []):
        bus = str(entry.get("EventBusName") or "default")
        arn = bus if bus.startswith("arn:") else f"arn:aws:events:{REGION}:{ACCOUNT}:event-bus/{bus}"
        context = {
            "events:source": [str(entry.get("Source", ""))],
            "events:detail-type": [str(entry.get("DetailType", ""))],
        }
        found.append(AuthRequest("events:PutEvents", arn, context))
    return found


_SERVICE_MODELS: dict[str, Callable[[str, Mapping[str, Any]], list[AuthRequest]]] = {
    "ses": ses_requests,
    "sms-voice": sms_requests,
    "events": events_requests,
}


def denied(policy: Policy, requests: Iterable[AuthRequest]) -> list[AuthRequest]:
    return [r for r in requests if not policy.allows(r)]
