"""Naming resources in a test case the three ways the project does: placeholder, registry name, ARN.

``%LAMBDA_CASE_STATUS%``, ``case_status``, ``civicline-dev-case_status`` and
``arn:aws:lambda:us-east-1:111122223333:function:civicline-case_status`` all name the same function;
queues, hours and flows likewise (``%QUEUE_TIER2%``, ``tier2``, ``.../queue/tier2``). Everything is
reduced to ``KIND:name`` so an expectation matches whatever spelling the flow resolved to, the way
the flow library resolves placeholders (:mod:`civicline.engine.arns`).
"""

from __future__ import annotations

import re

from civicline.engine.arns import kind_of_arn, name_from_arn, placeholder_arns
from infra.registry import FLOWS, FUNCTIONS_BY_NAME, HOURS_BY_NAME, QUEUES_BY_NAME

#: deployed resource names are civicline-<env>-<name> (infra/config.py resource_prefix)
_DEPLOYED_PREFIX = re.compile(r"^civicline-(?:(?:dev|prod|[a-z0-9]+)-)??")
_REGISTRIES: dict[str, set[str]] = {
    "LAMBDA": set(FUNCTIONS_BY_NAME),
    "QUEUE": set(QUEUES_BY_NAME),
    "HOURS": set(HOURS_BY_NAME),
    "FLOW": set(FLOWS),
}
#: the parameter keys whose values are resources, and of which kind
RESOURCE_PARAMETERS = {
    "LambdaFunctionARN": "LAMBDA",
    "QueueId": "QUEUE",
    "HoursOfOperationId": "HOURS",
    "ContactFlowId": "FLOW",
    "FlowModuleId": "FLOW",
}


def _registry_name(kind: str, name: str) -> str:
    """``civicline-dev-tier2`` / ``civicline-tier2`` -> ``tier2`` when that is a registry name."""
    if name in _REGISTRIES.get(kind, set()):
        return name
    for candidate in (name.removeprefix("civicline-"), _DEPLOYED_PREFIX.sub("", name, count=1)):
        if candidate in _REGISTRIES.get(kind, set()):
            return candidate
        head, _, rest = candidate.partition("-")
        if rest in _REGISTRIES.get(kind, set()) and head:
            return rest
    return name


def canonical(value: str, kind: str | None = None) -> str:
    """``KIND:name`` for a resource reference in any of the three spellings; the text otherwise."""
    text = value.strip()
    if text in placeholder_arns():
        text = placeholder_arns()[text]
    arn_kind = kind_of_arn(text) if text.startswith("arn:") else None
    if arn_kind is not None:
        return f"{arn_kind}:{_registry_name(arn_kind, name_from_arn(text))}"
    if kind is not None:
        return f"{kind}:{_registry_name(kind, text)}"
    for known, names in _REGISTRIES.items():
        if _registry_name(known, text) in names:
            return f"{known}:{_registry_name(known, text)}"
    return text


def same_resource(expected: str, observed: str, kind: str | None = None) -> bool:
    return canonical(expected, kind) == canonical(observed, kind)
