"""Local ARNs for the placeholders flows use, and the way back from an ARN to a registry name.

Flow files reference account-specific resources only through ``%KIND_NAME%`` placeholders
(:func:`infra.registry.placeholders`). Locally they resolve to ARNs under the fake instance of
:mod:`civicline.local.aws`, shaped exactly like real ones, so that flows, Lambda events and contact
events carry realistic values and the metrics pipeline maps ARNs back by their last path segment.
"""

from __future__ import annotations

import re
from typing import Literal

from civicline.local.aws import ACCOUNT, INSTANCE_ARN, REGION
from infra.registry import FLOWS, FUNCTIONS_BY_NAME, HOURS_BY_NAME, QUEUES_BY_NAME, placeholders

Kind = Literal["LAMBDA", "QUEUE", "FLOW", "HOURS"]

LAMBDA_PREFIX = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:civicline-"
_SEGMENT = {"QUEUE": "queue", "FLOW": "contact-flow", "HOURS": "operating-hours"}

#: our placeholder shape, %KIND_NAME%
PLACEHOLDER_RE = re.compile(r"%[A-Z][A-Z0-9_]*%")
#: any %Name% token left in a flow (others' templates use %QueueArn%): reported when unknown
ANY_PLACEHOLDER_RE = re.compile(r"%[A-Za-z][A-Za-z0-9_]*%")
#: template syntaxes of other tools (CloudFormation/Terraform ``${...}``, Handlebars ``{{...}}``)
FOREIGN_TEMPLATE_RE = re.compile(r"\$\{[^}]+\}|\{\{[^}]+\}\}")


def local_arn(kind: Kind | str, name: str) -> str:
    """``local_arn("QUEUE", "general")`` -> ``arn:aws:connect:...:instance/<id>/queue/general``.

    Lambda names are registry function names (``case_status``); the function is deployed as
    ``civicline-case_status`` locally.
    """
    kind = kind.upper()
    if kind == "LAMBDA":
        return LAMBDA_PREFIX + name
    if kind not in _SEGMENT:
        raise ValueError(f"unknown ARN kind {kind!r}")
    return f"{INSTANCE_ARN}/{_SEGMENT[kind]}/{name}"


def name_from_arn(arn: str) -> str:
    """The last path segment of an ARN (a queue/flow/hours name locally; an id in AWS).

    Lambda ARNs give the function name without the ``civicline-`` prefix; a qualified Lambda ARN
    (``...:function:name:alias``) drops the qualifier.
    """
    if arn.startswith("arn:aws:lambda:"):
        parts = arn.split(":")
        fn = parts[6] if len(parts) > 6 else parts[-1]
        return fn.removeprefix("civicline-")
    return arn.rstrip("/").rsplit("/", 1)[-1].rsplit(":", 1)[-1]


def function_from_arn(arn: str) -> str | None:
    """The registry function a Lambda ARN invokes, or ``None`` when it is not ours."""
    if not arn.startswith(LAMBDA_PREFIX):
        return None
    name = name_from_arn(arn)
    return name if name in FUNCTIONS_BY_NAME else None


def kind_of_arn(arn: str) -> str | None:
    """``QUEUE`` / ``FLOW`` / ``HOURS`` / ``LAMBDA`` for ARNs shaped like Connect's, else ``None``."""
    if arn.startswith("arn:aws:lambda:"):
        return "LAMBDA"
    for kind, segment in _SEGMENT.items():
        if f"/{segment}/" in arn:
            return kind
    return None


def queue_from_arn(arn: str) -> str | None:
    """The registry queue a local queue ARN names, or ``None``."""
    name = name_from_arn(arn)
    return name if kind_of_arn(arn) == "QUEUE" and name in QUEUES_BY_NAME else None


def flow_from_arn(arn: str) -> str | None:
    name = name_from_arn(arn)
    return name if kind_of_arn(arn) == "FLOW" and name in FLOWS else None


def hours_from_arn(arn: str) -> str | None:
    name = name_from_arn(arn)
    return name if kind_of_arn(arn) == "HOURS" and name in HOURS_BY_NAME else None


def placeholder_arns() -> dict[str, str]:
    """Every registry placeholder -> its local ARN."""
    return {token: local_arn(kind, name) for token, (kind, name) in placeholders().items()}


def resolve_placeholders(text: str) -> tuple[str, list[str]]:
    """Replace every known ``%KIND_NAME%`` in ``text``; return the text and the ``%...%`` tokens left.

    Foreign template syntaxes (``${...}``, ``{{...}}``) are left alone and not reported here.
    """
    known = placeholder_arns()

    def sub(match: re.Match[str]) -> str:
        return known.get(match.group(0), match.group(0))

    resolved = PLACEHOLDER_RE.sub(sub, text)
    unknown = sorted({m.group(0) for m in ANY_PLACEHOLDER_RE.finditer(resolved)})
    return resolved, unknown
