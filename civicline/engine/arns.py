"""Local ARNs and names for the placeholders flows use, and the way back to a registry name.

Flow files reference account-specific resources only through ``%KIND_NAME%`` placeholders
(:func:`infra.registry.placeholders`). The engine owns the account it pretends to run in (the
constants below; :mod:`civicline.local.aws` uses them, never the other way round) and a
:class:`Naming` saying how resources are named and addressed:

* the default, local naming: a resource's ARN ends in its registry name (``.../queue/tier2``) and
  ``$.Queue.Name`` is ``tier2``: short transcripts, quick to read;
* an environment's naming (``civicline call --env dev``): names as that stack deploys them
  (``civicline-dev-tier2``, function ``civicline-dev-case-status``) and ARNs ending in an opaque id as
  Connect gives them, so a flow or function that leans on a name or an ARN's shape fails locally
  exactly as it would deployed.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from typing import Literal

from infra.registry import BOTS, FLOWS, FUNCTIONS_BY_NAME, HOURS_BY_NAME, QUEUES_BY_NAME, placeholders

REGION = "us-east-1"
ACCOUNT = "123456789012"
INSTANCE_ID = "00000000-0000-4000-8000-000000000001"
INSTANCE_ARN = f"arn:aws:connect:{REGION}:{ACCOUNT}:instance/{INSTANCE_ID}"

Kind = Literal["LAMBDA", "QUEUE", "FLOW", "HOURS", "BOT"]

LAMBDA_PREFIX = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:civicline-"
_SEGMENT = {"QUEUE": "queue", "FLOW": "contact-flow", "HOURS": "operating-hours"}
_REGISTRY: dict[str, frozenset[str]] = {
    "QUEUE": frozenset(QUEUES_BY_NAME),
    "FLOW": frozenset([*FLOWS, "bootstrap"]),
    "HOURS": frozenset(HOURS_BY_NAME),
    "LAMBDA": frozenset(FUNCTIONS_BY_NAME),
    "BOT": frozenset(BOTS),
}
#: a Lex V2 bot alias ARN: arn:aws:lex:<region>:<account>:bot-alias/<bot id>/<alias id>
LEX_ALIAS_PREFIX = f"arn:aws:lex:{REGION}:{ACCOUNT}:bot-alias/"

#: our placeholder shape, %KIND_NAME%
PLACEHOLDER_RE = re.compile(r"%[A-Z][A-Z0-9_]*%")
#: any %Name% token left in a flow (others' templates use %QueueArn%): reported when unknown
ANY_PLACEHOLDER_RE = re.compile(r"%[A-Za-z][A-Za-z0-9_]*%")
#: template syntaxes of other tools (CloudFormation/Terraform ``${...}``, Handlebars ``{{...}}``,
#: the ``<<name>>`` tokens a CDK app replaces in customer-dynamics' published flows)
FOREIGN_TEMPLATE_RE = re.compile(r"\$\{[^}]+\}|\{\{[^}]+\}\}|<<[A-Za-z_][\w.-]*>>")


#: the ARN of a resource of a Connect instance: ``arn:aws:connect:<region>:<account>:instance/<id>/
#: <segment>/<id>`` (an agent queue: ``.../queue/agent/<id>``), the CloudFormation patterns
_CONNECT_RESOURCE_RE = re.compile(
    r"arn:aws[-a-z0-9]*:connect:[-a-z0-9]*:[0-9]{12}:instance/[-\w]+/(?P<segment>[-a-z]+)/[-\w]+(?:/[-\w]+)?"
)
#: a resource ID as Connect gives them: a UUID (locally also a registry name)
_RESOURCE_ID_RE = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
#: the ARN segment of each resource a flow names by "ID or ARN"
RESOURCE_SEGMENTS: dict[str, frozenset[str]] = {
    "QUEUE": frozenset({"queue"}),
    "AGENT": frozenset({"agent"}),
    "FLOW": frozenset({"contact-flow"}),
    "MODULE": frozenset({"flow-module", "contact-flow"}),
    "HOURS": frozenset({"operating-hours"}),
}
#: what each kind is called in a finding or a transcript
RESOURCE_WORDS: dict[str, str] = {
    "QUEUE": "a queue",
    "AGENT": "an agent",
    "FLOW": "a flow",
    "MODULE": "a flow module",
    "HOURS": "an hours of operation",
}


@dataclass(frozen=True)
class Naming:
    """How resources are named and addressed: ``prefix`` empty = local, else a deployment's
    ``resource_prefix`` (``civicline-dev``), as :mod:`infra.constructs` names them."""

    prefix: str = ""

    @property
    def deployed(self) -> bool:
        return bool(self.prefix)

    def resource_name(self, kind: str, name: str) -> str:
        """The name Connect (or Lambda) knows the resource by."""
        if not self.deployed:
            return f"civicline-{name}" if kind == "LAMBDA" else name
        if kind == "LAMBDA":
            return f"{self.prefix}-{name.replace('_', '-')}"
        return f"{self.prefix}-{name}"

    def resource_id(self, kind: str, name: str) -> str:
        """The last ARN segment: the registry name locally, an opaque stable id when deployed."""
        if not self.deployed:
            return name
        return str(uuid.uuid5(uuid.NAMESPACE_URL, f"civicline:{self.prefix}:{kind}:{name}"))

    def arn(self, kind: str, name: str) -> str:
        kind = kind.upper()
        if kind == "LAMBDA":
            return f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{self.resource_name(kind, name)}"
        if kind == "BOT":
            return f"{LEX_ALIAS_PREFIX}{self.resource_id(kind, name)}/live"
        if kind not in _SEGMENT:
            raise ValueError(f"unknown ARN kind {kind!r}")
        return f"{INSTANCE_ARN}/{_SEGMENT[kind]}/{self.resource_id(kind, name)}"

    def registry_name(self, kind: str, arn: str) -> str | None:
        """The registry name behind one of this naming's ARNs, or ``None``."""
        return _registry_arns(self, kind).get(arn)


@cache
def _registry_arns(naming: Naming, kind: str) -> dict[str, str]:
    """ARN -> registry name of every registry resource of ``kind`` under ``naming`` (the first name
    wins, as a search in the registry's order would find it). The registry and a naming are
    immutable, so the map is built once per pair: the engine resolves a flow, function or queue ARN
    back to its name at most actions, and comparing against every registry name's ARN was a tenth
    of the engine's time."""
    found: dict[str, str] = {}
    for name in _REGISTRY.get(kind, frozenset()):
        found.setdefault(naming.arn(kind, name), name)
    return found


LOCAL = Naming()
_active: list[Naming] = [LOCAL]


def naming() -> Naming:
    """The naming in force (local unless inside :func:`use_naming`)."""
    return _active[-1]


@contextmanager
def use_naming(active: Naming) -> Iterator[Naming]:
    """Name and address resources as ``active`` inside the block (``--env`` runs)."""
    _active.append(active)
    try:
        yield active
    finally:
        _active.pop()


def local_arn(kind: Kind | str, name: str) -> str:
    """``local_arn("QUEUE", "general")`` -> ``arn:aws:connect:...:instance/<id>/queue/general``.

    Under the local naming the last segment is the registry name and a Lambda is
    ``civicline-<registry name>``; under an environment's naming (:func:`use_naming`) it is the ARN
    the engine gives that environment's resource (opaque id, deployed function name).
    """
    return naming().arn(kind, name)


def name_from_arn(arn: str) -> str:
    """The registry name behind an ARN when it is one of ours; else its last path segment.

    Lambda ARNs give the function name without the ``civicline-`` prefix; a qualified Lambda ARN
    (``...:function:name:alias``) drops the qualifier.
    """
    kind = kind_of_arn(arn)
    if kind == "LAMBDA":
        parts = arn.split(":")
        unqualified = ":".join(parts[:7])
        known = naming().registry_name("LAMBDA", unqualified)
        if known:
            return known
        fn = parts[6] if len(parts) > 6 else parts[-1]
        return fn.removeprefix("civicline-")
    if kind is not None:
        known = naming().registry_name(kind, arn)
        if known:
            return known
    return arn.rstrip("/").rsplit("/", 1)[-1].rsplit(":", 1)[-1]


def function_from_arn(arn: str) -> str | None:
    """The registry function a Lambda ARN invokes, or ``None`` when it is not ours."""
    if kind_of_arn(arn) != "LAMBDA":
        return None
    name = name_from_arn(arn)
    unqualified = ":".join(arn.split(":")[:7])
    return name if name in FUNCTIONS_BY_NAME and local_arn("LAMBDA", name) == unqualified else None


def kind_of_arn(arn: str) -> str | None:
    """``QUEUE`` / ``FLOW`` / ``HOURS`` / ``LAMBDA`` for ARNs shaped like Connect's, else ``None``."""
    if arn.startswith("arn:aws:lambda:"):
        return "LAMBDA"
    for kind, segment in _SEGMENT.items():
        if f"/{segment}/" in arn:
            return kind
    return None


def queue_from_arn(arn: str) -> str | None:
    """The name Connect gives the queue of this ARN (``$.Queue.Name``), or ``None`` if not ours.

    Locally that is the registry name (``tier2``); under an environment's naming the deployed name
    (``civicline-dev-tier2``). Use :func:`queue_key` for the registry name.
    """
    key = name_from_arn(arn)
    if kind_of_arn(arn) != "QUEUE" or key not in QUEUES_BY_NAME or local_arn("QUEUE", key) != arn:
        return None
    return naming().resource_name("QUEUE", key)


def queue_key(queue: str) -> str | None:
    """The registry queue behind a queue ARN, a Connect queue name (either naming) or a key."""
    if kind_of_arn(queue) == "QUEUE":
        key = name_from_arn(queue)
        return key if key in QUEUES_BY_NAME else None
    prefix = f"{naming().prefix}-" if naming().deployed else ""
    key = queue.removeprefix(prefix) if prefix else queue
    return key if key in QUEUES_BY_NAME else None


def flow_from_arn(arn: str) -> str | None:
    name = name_from_arn(arn)
    return name if kind_of_arn(arn) == "FLOW" and name in FLOWS else None


def hours_from_arn(arn: str) -> str | None:
    name = name_from_arn(arn)
    return name if kind_of_arn(arn) == "HOURS" and name in HOURS_BY_NAME else None


def placeholder_arns() -> dict[str, str]:
    """Every registry placeholder -> its ARN under the naming in force."""
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


def names_resource(kind: str, value: str) -> bool:
    """Whether ``value`` can name a Connect resource of ``kind``: its ID or its ARN, as the action
    pages put it ("QueueId: A queue ID or queue ARN", contact-actions-updatecontacttargetqueue).

    Anything else ("ENTER WORKING QUEUE ARN HERE", a Lambda ARN as a queue, a queue or hours ARN of
    the engine's own instance that the registry does not have) names nothing: Connect refuses it in
    a published flow and a dynamic value takes the error branch. Another tool's
    template token (``${...}``, ``{{...}}``, ``%Name%``) stands for a resource that tool fills in.
    """
    if FOREIGN_TEMPLATE_RE.search(value) or ANY_PLACEHOLDER_RE.search(value):
        return True
    match = _CONNECT_RESOURCE_RE.fullmatch(value)
    if match is not None:
        if match["segment"] not in RESOURCE_SEGMENTS[kind]:
            return False
        # in the engine's own instance the registry is the whole truth for queues and hours (a
        # flow may also be a library flow of any name: the library decides, not this function)
        ours = value.startswith(f"{INSTANCE_ARN}/") and kind in ("QUEUE", "HOURS") and "/agent/" not in value
        return not ours or naming().registry_name(kind, value) is not None
    local = _REGISTRY.get("FLOW" if kind == "MODULE" else kind, frozenset())
    return _RESOURCE_ID_RE.fullmatch(value) is not None or value in local


#: a Lambda function ARN, optionally qualified by a version or alias (Lambda's own ARN pattern)
_LAMBDA_ARN_RE = re.compile(r"arn:aws[-a-z]*:lambda:[-a-z0-9]+:[0-9]{12}:function:[-\w]+(?::[-\w$]+)?")


def names_function(value: str) -> bool:
    """Whether ``value`` is a Lambda function ARN (InvokeLambdaFunction ``LambdaFunctionARN``), or
    another tool's template token standing for one; "ENTER LAMBDA HERE" is not."""
    if FOREIGN_TEMPLATE_RE.search(value) or ANY_PLACEHOLDER_RE.search(value):
        return True
    return _LAMBDA_ARN_RE.fullmatch(value) is not None
