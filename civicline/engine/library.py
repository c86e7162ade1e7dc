"""Loading Flow-language documents: files, directories, placeholders, flow types.

A :class:`FlowLibrary` maps flow names (the file stem, e.g. ``main-inbound``) to parsed documents
whose ``%KIND_NAME%`` placeholders are already replaced with local ARNs, so the interpreter only ever
sees ARNs, as Connect would. Documents in the legacy console export format (``modules``) are refused
with :class:`OldFormatError`: they are a different language, not a variant of this one.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from pydantic import ValidationError

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

    @cached_property
    def actions(self) -> dict[str, FlowAction]:
        """Identifier -> action, built once per loaded flow."""
        return self.document.action_map()

    @property
    def disconnect_flow(self) -> bool:
        """Marked as a disconnect flow (runs after the caller hung up): may end silently."""
        meta = self.document.Metadata
        return (
            bool(meta.get("civicline", {}).get("disconnectFlow"))
            if isinstance(meta.get("civicline"), dict)
            else False
        )


def flow_type_of(name: str, document: FlowDocument) -> str:
    """Registry type for our flows; else ``Metadata.type`` (designer) or ``Metadata.flowType``; else
    ``CONTACT_FLOW_MODULE`` for modules and ``CONTACT_FLOW`` otherwise."""
    if name in FLOWS:
        return FLOWS[name]
    meta = document.Metadata
    for key in ("flowType", "type"):
        value = meta.get(key)
        if isinstance(value, str) and value:
            return _DESIGNER_TYPES.get(value, value.upper())
    return "CONTACT_FLOW_MODULE" if document.is_module else "CONTACT_FLOW"


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
    return LoadedFlow(
        name=name,
        document=document,
        flow_type=flow_type_of(name, document),
        source=source,
        raw_text=text,
        unknown_placeholders=tuple(unknown),
    )


def load_flow_file(path: Path) -> LoadedFlow:
    return parse_flow_text(path.read_text(encoding="utf-8"), name=path.stem, source=path)


@dataclass
class FlowLibrary:
    """Flows by name. ``TransferToFlow`` / event-hook ARNs are looked up here by their last segment."""

    flows: dict[str, LoadedFlow] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_directory(cls, directory: Path, *, strict: bool = True) -> FlowLibrary:
        """Every ``*.json`` in ``directory`` (name = file stem). An unloadable file raises
        :class:`FlowLoadError`, or with ``strict=False`` is skipped and listed in ``skipped``."""
        library = cls()
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
            self.add(loaded)
            return loaded
        if flow not in self.flows:
            raise KeyError(f"no flow named {flow!r} (have: {', '.join(self.names()) or 'none'})")
        return self.flows[flow]

    def by_arn(self, arn: str) -> LoadedFlow | None:
        """The flow a (local) flow ARN or plain name points at, if the library has it."""
        name = flow_from_arn(arn) or name_from_arn(arn)
        return self.flows.get(name) or self.flows.get(arn)
