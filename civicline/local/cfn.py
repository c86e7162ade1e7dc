"""The synthesized CloudFormation templates, with every intrinsic function resolved to local values.

A deployed function reads what CloudFormation resolves for it at deploy time: table names, ARNs,
the instance and queue ARNs, the secret's ARN. :class:`CloudAssembly` resolves the same expressions
(``Ref``, ``Fn::GetAtt``, ``Fn::ImportValue``, ``Fn::Join``, ``Fn::Sub``, ``Fn::Select``,
``Fn::Split``) to *deployed-shaped* local values: a table is named as CloudFormation names it
(``<stack>-<logical id>-<suffix>``), ARNs carry the local account and region of
:mod:`civicline.local.aws`, and Connect objects resolve to the ARNs the local engine uses
(:func:`civicline.engine.arns.local_arn`), so flows, events and functions agree.

A deployment's own account and imported instance (``infra/environments/prod.yaml``) are mapped to
the local ones, so a prod template runs on the same moto. Physical ids that only exist once a
resource is created (a stream label, a secret's random suffix) are provisional until
:meth:`CloudAssembly.set_physical` records what moto assigned.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from civicline.local.aws import ACCOUNT, INSTANCE_ARN, REGION

PARTITION = "aws"
#: the caller number the local engine's contacts dial (schemas of the conformance samples)
LOCAL_SYSTEM_NUMBER = "+18005550100"
_SUB_RE = re.compile(r"\$\{([^}!][^}]*)\}")


class TemplateError(ValueError):
    """A template expression this resolver does not know; never guessed."""


@dataclass(frozen=True)
class Resource:
    stack: str
    logical_id: str
    type: str
    properties: dict[str, Any]


@dataclass
class CloudAssembly:
    """The templates of one environment (stack name -> template) and how to resolve them locally."""

    templates: dict[str, dict[str, Any]]
    resource_prefix: str
    #: the deployment's account and imported Connect instance, mapped to the local ones
    account: str | None = None
    instance_arn: str | None = None
    _physical: dict[tuple[str, str, str], str] = field(default_factory=dict)

    @classmethod
    def from_dir(cls, path: Path, stack_prefix: str, resource_prefix: str, **kwargs: Any) -> CloudAssembly:
        templates = {
            p.name.removesuffix(".template.json"): json.loads(p.read_text(encoding="utf-8"))
            for p in sorted(path.glob(f"{stack_prefix}-*.template.json"))
        }
        if not templates:
            raise TemplateError(f"no {stack_prefix}-*.template.json under {path}")
        return cls(templates, resource_prefix, **kwargs)

    # --- lookup ---------------------------------------------------------------------------------

    def resources(self, kind: str | None = None) -> list[Resource]:
        return [
            Resource(stack, logical, res["Type"], res.get("Properties", {}))
            for stack, template in self.templates.items()
            for logical, res in template.get("Resources", {}).items()
            if kind is None or res["Type"] == kind
        ]

    def resource(self, logical_id: str, stack: str | None = None) -> Resource:
        found = [r for r in self.resources() if r.logical_id == logical_id and stack in (None, r.stack)]
        if len(found) != 1:
            raise TemplateError(f"{len(found)} resources with logical id {logical_id!r}")
        return found[0]

    def set_physical(self, resource: Resource, attribute: str, value: str) -> None:
        """Record a value moto assigned (``Ref`` or an attribute) for later resolutions."""
        self._physical[(resource.stack, resource.logical_id, attribute)] = value

    # --- resolution -----------------------------------------------------------------------------

    def resolve(self, value: Any, stack: str) -> Any:
        """``value`` with every intrinsic function resolved (strings localized)."""
        if isinstance(value, str):
            return self._localize(value)
        if isinstance(value, list):
            return [self.resolve(v, stack) for v in value]
        if not isinstance(value, dict):
            return value
        if len(value) == 1:
            ((name, arg),) = value.items()
            if name == "Ref" or name.startswith("Fn::"):
                return self._intrinsic(name, arg, stack)
        return {k: self.resolve(v, stack) for k, v in value.items()}

    def _intrinsic(self, name: str, arg: Any, stack: str) -> Any:
        if name == "Ref":
            return self._ref(str(arg), stack)
        if name == "Fn::GetAtt":
            logical, attribute = arg if isinstance(arg, list) else str(arg).split(".", 1)
            return self._get_att(self.resource(logical, stack), attribute)
        if name == "Fn::ImportValue":
            return self._import(str(self.resolve(arg, stack)))
        if name == "Fn::Join":
            separator, parts = arg
            return str(separator).join(str(self.resolve(p, stack)) for p in self.resolve(parts, stack))
        if name == "Fn::Select":
            index, items = arg
            return self.resolve(items, stack)[int(self.resolve(index, stack))]
        if name == "Fn::Split":
            separator, text = arg
            return str(self.resolve(text, stack)).split(separator)
        if name == "Fn::Sub":
            return self._sub(arg, stack)
        raise TemplateError(f"unsupported intrinsic {name}")

    def _sub(self, arg: Any, stack: str) -> str:
        text, variables = (arg, {}) if isinstance(arg, str) else (arg[0], arg[1])
        values = {k: self.resolve(v, stack) for k, v in variables.items()}

        def replace(match: re.Match[str]) -> str:
            token = match.group(1)
            if token in values:
                return str(values[token])
            if "." in token and not token.startswith("AWS::"):
                logical, attribute = token.split(".", 1)
                return str(self._get_att(self.resource(logical, stack), attribute))
            return str(self._ref(token, stack))

        return self._localize(_SUB_RE.sub(replace, text))

    def _import(self, export_name: str) -> Any:
        for stack, template in self.templates.items():
            for output in template.get("Outputs", {}).values():
                export = output.get("Export", {}).get("Name")
                if export is not None and self.resolve(export, stack) == export_name:
                    return self.resolve(output["Value"], stack)
        raise TemplateError(f"no stack exports {export_name!r}")

    def _localize(self, text: str) -> str:
        if self.instance_arn:
            text = text.replace(self.instance_arn, INSTANCE_ARN)
        if self.account and self.account != ACCOUNT:
            text = text.replace(f":{self.account}:", f":{ACCOUNT}:")
        return text

    # --- Ref and GetAtt, by resource type -------------------------------------------------------------

    def _ref(self, name: str, stack: str) -> Any:
        pseudo = {
            "AWS::Region": REGION,
            "AWS::AccountId": ACCOUNT,
            "AWS::Partition": PARTITION,
            "AWS::URLSuffix": "amazonaws.com",
            "AWS::StackName": stack,
            "AWS::NoValue": None,
        }
        if name in pseudo:
            return pseudo[name]
        parameters = self.templates[stack].get("Parameters", {})
        if name in parameters:
            return parameters[name].get("Default")
        resource = self.resource(name, stack)
        known = self._physical.get((resource.stack, resource.logical_id, "Ref"))
        if known is not None:
            return known
        return _REFS.get(resource.type, _physical_name)(self, resource)

    def _get_att(self, resource: Resource, attribute: str) -> str:
        known = self._physical.get((resource.stack, resource.logical_id, attribute))
        if known is not None:
            return known
        getter = _ATTRIBUTES.get((resource.type, attribute))
        if getter is None:
            raise TemplateError(f"unsupported attribute {resource.type}.{attribute}")
        return str(getter(self, resource))

    # --- local names ----------------------------------------------------------------------------

    def name_property(self, resource: Resource, key: str) -> str | None:
        value = resource.properties.get(key)
        return None if value is None else str(self.resolve(value, resource.stack))

    def connect_name(self, resource: Resource) -> str:
        """A Connect object's name without the environment prefix (the registry's name)."""
        name = self.name_property(resource, "Name") or resource.logical_id
        return name.removeprefix(f"{self.resource_prefix}-")


def _physical_name(assembly: CloudAssembly, resource: Resource) -> str:
    """The name CloudFormation generates for an unnamed resource: stack, logical id, random suffix
    (here a stable one, so a name is the same in every run)."""
    digest = hashlib.sha256(f"{resource.stack}/{resource.logical_id}".encode()).hexdigest()
    suffix = "".join(c for c in digest.upper() if c.isalnum())[:12]
    return f"{resource.stack}-{resource.logical_id}-{suffix}"


def _named(key: str) -> Any:
    def name(assembly: CloudAssembly, resource: Resource) -> str:
        return assembly.name_property(resource, key) or _physical_name(assembly, resource)

    return name


def _arn(service: str, resource_part: str) -> str:
    return f"arn:{PARTITION}:{service}:{REGION}:{ACCOUNT}:{resource_part}"


def _table_arn(assembly: CloudAssembly, resource: Resource) -> str:
    return _arn("dynamodb", f"table/{assembly._ref(resource.logical_id, resource.stack)}")


def _stream_arn(assembly: CloudAssembly, resource: Resource) -> str:
    return f"{_table_arn(assembly, resource)}/stream/1970-01-01T00:00:00.000"  # until moto assigns one


def _key_id(assembly: CloudAssembly, resource: Resource) -> str:
    digest = hashlib.sha256(f"{resource.stack}/{resource.logical_id}".encode()).hexdigest()
    return f"{digest[:8]}-{digest[8:12]}-4{digest[13:16]}-8{digest[17:20]}-{digest[20:32]}"


def _secret_arn(assembly: CloudAssembly, resource: Resource) -> str:
    # CloudFormation names an unnamed secret after its logical id; moto adds the random suffix
    name = assembly.name_property(resource, "Name") or resource.logical_id
    return _arn("secretsmanager", f"secret:{name}-AbCdEf")


def _queue_name(assembly: CloudAssembly, resource: Resource) -> str:
    name: str = _named("QueueName")(assembly, resource)
    return name


def _connect(kind: str) -> Any:
    def arn(assembly: CloudAssembly, resource: Resource) -> str:
        from civicline.engine.arns import local_arn

        return local_arn(kind, assembly.connect_name(resource))

    return arn


def _function_name(assembly: CloudAssembly, resource: Resource) -> str:
    name: str = _named("FunctionName")(assembly, resource)
    return name


def _lex_alias(assembly: CloudAssembly, resource: Resource) -> str:
    from civicline.engine.arns import local_arn

    return local_arn("BOT", assembly.name_property(resource, "BotId") or resource.logical_id)


_REFS: dict[str, Any] = {
    "AWS::DynamoDB::Table": _named("TableName"),
    "AWS::S3::Bucket": _named("BucketName"),
    "AWS::SecretsManager::Secret": _secret_arn,
    "AWS::SQS::Queue": lambda a, r: f"https://sqs.{REGION}.amazonaws.com/{ACCOUNT}/{_queue_name(a, r)}",
    "AWS::SNS::Topic": lambda a, r: _arn("sns", _named("TopicName")(a, r)),
    "AWS::KMS::Key": _key_id,
    "AWS::Logs::LogGroup": _named("LogGroupName"),
    "AWS::Lambda::Function": _function_name,
    "AWS::IAM::Role": _named("RoleName"),
    "AWS::Connect::Instance": lambda a, r: INSTANCE_ARN,
    "AWS::Lex::Bot": lambda a, r: a.connect_name(r),  # locally a bot's id is its registry name
}

_ATTRIBUTES: dict[tuple[str, str], Any] = {
    ("AWS::DynamoDB::Table", "Arn"): _table_arn,
    ("AWS::DynamoDB::Table", "StreamArn"): _stream_arn,
    ("AWS::KMS::Key", "Arn"): lambda a, r: _arn("kms", f"key/{_key_id(a, r)}"),
    ("AWS::SQS::Queue", "Arn"): lambda a, r: _arn("sqs", _queue_name(a, r)),
    ("AWS::SQS::Queue", "QueueName"): _queue_name,
    ("AWS::Logs::LogGroup", "Arn"): lambda a, r: _arn("logs", f"log-group:{_named('LogGroupName')(a, r)}:*"),
    ("AWS::Lambda::Function", "Arn"): lambda a, r: _arn("lambda", f"function:{_function_name(a, r)}"),
    ("AWS::IAM::Role", "Arn"): lambda a, r: f"arn:{PARTITION}:iam::{ACCOUNT}:role/{_named('RoleName')(a, r)}",
    ("AWS::SNS::Topic", "TopicArn"): lambda a, r: _arn("sns", _named("TopicName")(a, r)),
    ("AWS::Connect::Instance", "Arn"): lambda a, r: INSTANCE_ARN,
    ("AWS::Connect::Instance", "Id"): lambda a, r: INSTANCE_ARN.rsplit("/", 1)[-1],
    ("AWS::Connect::Queue", "QueueArn"): _connect("QUEUE"),
    ("AWS::Connect::ContactFlow", "ContactFlowArn"): _connect("FLOW"),
    ("AWS::Connect::HoursOfOperation", "HoursOfOperationArn"): _connect("HOURS"),
    ("AWS::Connect::PhoneNumber", "Address"): lambda a, r: LOCAL_SYSTEM_NUMBER,
    ("AWS::Lex::BotVersion", "BotVersion"): lambda a, r: "1",
    ("AWS::Lex::BotAlias", "Arn"): _lex_alias,
    ("AWS::Connect::PhoneNumber", "PhoneNumberArn"): lambda a, r: (
        f"{INSTANCE_ARN}/phone-number/{r.logical_id}"
    ),
}
