"""Loading Flow-language documents: files, directories, placeholders, flow types.

A :class:`FlowLibrary` maps flow names (the file stem, e.g. ``main-inbound``) to parsed documents
whose ``%KIND_NAME%`` placeholders are already replaced with local ARNs, so the interpreter only ever
sees ARNs, as Connect would. Documents in the legacy console export format (``modules``) are refused
with :class:`OldFormatError`: they are a different language, not a variant of this one.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from civicline.engine.actions import SPECS
from civicline.engine.actions.lex import LexBot, load_bots
from civicline.engine.actions.spec import AH, AT, AW, CF, CH, CQ, CW, MODULE, OW, QT
from civicline.engine.arns import flow_from_arn, name_from_arn, resolve_placeholders
from infra.registry import FLOWS
from schemas.flow_language import FlowAction, FlowDocument

#: Metadata.type written by the Connect designer -> the API flow type
_DESIGNER_TYPES = {
    "contactFlow": "CONTACT_FLOW",
    "customerQueue": "CUSTOMER_QUEUE",
    "customerHold": "CUSTOMER_HOLD",
    "customerWhisper": "CUSTOMER_WHISPER",
    "agentHold": "AGENT_HOLD",
    "agentWhisper": "AGENT_WHISPER",
    "outboundWhisper": "OUTBOUND_WHISPER",
    "agentTransfer": "AGENT_TRANSFER",
    "queueTransfer": "QUEUE_TRANSFER",
    "campaign": "CAMPAIGN",
}


#: the flow type a flow attached to an event hook runs as (contact-actions-updatecontacteventhooks)
HOOK_TYPES = {
    "CustomerQueue": CQ,
    "CustomerHold": CH,
    "AgentHold": AH,
    "AgentWhisper": AW,
    "CustomerWhisper": CW,
    "CustomerRemaining": CF,
}
#: which type an untyped flow is taken to be when its actions allow several (most common first)
PREFERENCE = (CF, CQ, AW, CW, OW, CH, AH, AT, QT)
#: words in a flow's name that pick among the allowed types
_NAME_HINTS = (("outbound", OW), ("customer whisper", CW), ("whisper", AW), ("hold", CH), ("queue", CQ))
#: type sources that later evidence (an attachment) may replace
WEAK_SOURCES = ("inferred", "default")


class FlowLoadError(ValueError):
    """A file that is not a usable Flow-language document (bad JSON, old format, wrong shape)."""


class OldFormatError(FlowLoadError):
    """The legacy ``modules`` console export format, which the Flow-language tools do not accept."""


@dataclass(frozen=True)
class LoadedFlow:
    """One parsed flow: its name, Connect flow type, document, and the text it was parsed from."""

    name: str
    document: FlowDocument
    flow_type: str
    source: Path | None
    raw_text: str
    unknown_placeholders: tuple[str, ...] = ()
    type_source: str = "Metadata.type"
    attached_as: tuple[str, ...] = ()

    @cached_property
    def actions(self) -> dict[str, FlowAction]:
        """Identifier -> action, built once per loaded flow."""
        return self.document.action_map()

    @property
    def disconnect_flow(self) -> bool:
        """The one definition of a disconnect flow (it runs after a participant hung up, so it may
        end silently): attached as the ``CustomerRemaining`` hook by a flow of the library, or
        marked ``Metadata.civicline.disconnectFlow`` / ``Metadata.disconnectFlow``."""
        meta = self.document.Metadata
        marker = meta.get("civicline")
        marked = isinstance(marker, dict) and marker.get("disconnectFlow") is True
        return marked or meta.get("disconnectFlow") is True or "CustomerRemaining" in self.attached_as

    @property
    def civicline_flow(self) -> bool:
        """One of CivicLine's own flows (infra/registry.py ``FLOWS``), which CivicLine's own
        validator rules bind; anyone else's flow is held to Connect's rules only."""
        return self.name in FLOWS

    @property
    def type_declared(self) -> bool:
        """The type is written down (registry, Metadata, a module's Settings), not inferred or given."""
        return self.type_source == "registry" or self.type_source.startswith(("Metadata", "a module"))

    @property
    def type_inferred(self) -> bool:
        return self.type_source.startswith(WEAK_SOURCES)

    def as_type(self, flow_type: str, source: str) -> LoadedFlow:
        return replace(self, flow_type=flow_type, type_source=source)


def inferred_type(name: str, document: FlowDocument) -> tuple[str, str]:
    """The type an untyped flow's actions allow (reference 3.0 restrictions, and EndFlowExecution's
    "only in whisper flows and customer queue flows"), the most common first, a word of its name
    breaking ties; ``CONTACT_FLOW`` when nothing narrows it."""
    allowed = set(PREFERENCE)
    holding: list[str] = []
    for act in document.Actions:
        spec = SPECS.get(act.Type)
        limit = spec.implies or spec.flow_types if spec is not None else None
        if limit is not None and not allowed <= limit:
            allowed &= limit
            holding.append(act.Type)
    candidates = [t for t in PREFERENCE if t in allowed]
    if not candidates:
        return CF, "default (its actions fit no single flow type)"
    label = f"{name} {document.Metadata.get('name', '')}".lower().replace("-", " ").replace("_", " ")
    hinted = [t for word, t in _NAME_HINTS if word in label and t in candidates]
    chosen = hinted[0] if hinted else candidates[0]
    if not holding:
        return chosen, "default (no Metadata.type)"
    return chosen, f"inferred from its actions ({', '.join(sorted(set(holding)))})"


def typed(name: str, document: FlowDocument) -> tuple[str, str]:
    """(flow type, where it came from): the registry for our flows; else ``Metadata.type`` (designer)
    or ``Metadata.flowType``; modules are ``CONTACT_FLOW_MODULE``; else inferred from the actions."""
    if name in FLOWS:
        return FLOWS[name], "registry"
    meta = document.Metadata
    for key in ("flowType", "type"):
        value = meta.get(key)
        if isinstance(value, str) and value:
            return _DESIGNER_TYPES.get(value, value.upper()), f"Metadata.{key}"
    if document.is_module:
        return MODULE, "a module (Settings)"
    return inferred_type(name, document)


def flow_type_of(name: str, document: FlowDocument) -> str:
    return typed(name, document)[0]


def parse_flow_text(text: str, *, name: str, source: Path | None = None) -> LoadedFlow:
    """Parse one document (placeholders resolved). Raises :class:`FlowLoadError` saying why not."""
    resolved, unknown = resolve_placeholders(text)
    try:
        data: Any = json.loads(resolved)
    except json.JSONDecodeError as exc:
        raise FlowLoadError(f"not JSON: {exc.msg} at line {exc.lineno} column {exc.colno}") from exc
    if isinstance(data, dict) and "modules" in data and "Actions" not in data:
        raise OldFormatError(
            "legacy console export format ('modules'): re-export the flow from the Connect flow designer"
            " in the Flow language (Version 2019-10-30, StartAction, Actions)"
        )
    if not isinstance(data, dict):
        raise FlowLoadError("a Flow-language document is a JSON object")
    try:
        document = FlowDocument.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise FlowLoadError(f"not a Flow-language document: {where}: {first['msg']}") from exc
    flow_type, type_source = typed(name, document)
    return LoadedFlow(
        name=name,
        document=document,
        flow_type=flow_type,
        source=source,
        raw_text=text,
        unknown_placeholders=tuple(unknown),
        type_source=type_source,
    )


def load_flow_file(path: Path) -> LoadedFlow:
    return parse_flow_text(path.read_text(encoding="utf-8"), name=path.stem, source=path)


@dataclass
class FlowLibrary:
    """Flows by name. ``TransferToFlow`` / event-hook ARNs are looked up here by their last segment."""

    flows: dict[str, LoadedFlow] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)
    bots: dict[str, LexBot] = field(default_factory=dict)

    @classmethod
    def from_directory(cls, directory: Path, *, strict: bool = True) -> FlowLibrary:
        """Every ``*.json`` in ``directory`` (name = file stem). An unloadable file raises
        :class:`FlowLoadError`, or with ``strict=False`` is skipped and listed in ``skipped``."""
        library = cls(bots=load_bots(Path(directory) / "bots"))
        for path in sorted(Path(directory).glob("*.json")):
            try:
                library.add(load_flow_file(path))
            except FlowLoadError as exc:
                if strict:
                    raise FlowLoadError(f"{path}: {exc}") from exc
                library.skipped[path.name] = str(exc)
        return library

    @classmethod
    def from_files(cls, paths: list[Path]) -> FlowLibrary:
        library = cls()
        for path in paths:
            library.add(load_flow_file(Path(path)))
        return library

    def add(self, flow: LoadedFlow) -> None:
        self.flows[flow.name] = flow
        self._attach()

    def _attach(self) -> None:
        """Record how each flow is attached (event hooks set by the library's flows) and type the
        untyped ones by their attachment."""
        hooks: dict[str, set[str]] = {}
        for flow in self.flows.values():
            for hook, target in _hooks_set(flow.document.Actions):
                attached = self.by_arn(target)
                if attached is not None:
                    hooks.setdefault(attached.name, set()).add(hook)
        for name, flow in list(self.flows.items()):
            attached_as = tuple(sorted(hooks.get(name, ())))
            updated = replace(flow, attached_as=attached_as) if attached_as != flow.attached_as else flow
            typed_by = [h for h in attached_as if h in HOOK_TYPES]
            if typed_by and flow.type_inferred:
                updated = updated.as_type(HOOK_TYPES[typed_by[0]], f"attached as the {typed_by[0]} hook")
            if updated is not flow:
                self.flows[name] = updated

    def names(self) -> list[str]:
        return sorted(self.flows)

    def __contains__(self, name: object) -> bool:
        return name in self.flows

    def get(self, flow: str | Path) -> LoadedFlow:
        """By name, or load a file path (added to the library so transfers can come back to it)."""
        if isinstance(flow, Path) or (isinstance(flow, str) and flow.endswith(".json")):
            path = Path(flow)
            if path.stem in self.flows and self.flows[path.stem].source == path:
                return self.flows[path.stem]
            loaded = load_flow_file(path)
            for name, bot in load_bots(path.parent / "bots").items():
                self.bots.setdefault(name, bot)
            self.add(loaded)
            return loaded
        if flow not in self.flows:
            raise KeyError(f"no flow named {flow!r} (have: {', '.join(self.names()) or 'none'})")
        return self.flows[flow]

    def by_arn(self, arn: str) -> LoadedFlow | None:
        """The flow a (local) flow ARN or plain name points at, if the library has it."""
        name = flow_from_arn(arn) or name_from_arn(arn)
        return self.flows.get(name) or self.flows.get(arn)


def _hooks_set(actions: Iterable[FlowAction]) -> Iterable[tuple[str, str]]:
    """(hook, static target) of every UpdateContactEventHooks action."""
    for act in actions:
        if act.Type != "UpdateContactEventHooks":
            continue
        hooks = act.Parameters.get("EventHooks")
        if isinstance(hooks, dict):
            yield from ((str(k), str(v)) for k, v in hooks.items() if isinstance(v, str))
