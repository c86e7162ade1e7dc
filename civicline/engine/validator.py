"""The Flow-language validator: structure, per-action rules, Lambda contracts and caller safety.

Reference section 9 is the checklist; on top of it, two CivicLine rules:

* **No caller is ever dropped.** Every path through a flow ends served: in a queue
  (TransferContactToQueue), in another flow (TransferToFlow), at an external number
  (TransferParticipantToThirdParty), with a queued callback (CreateCallbackContact), by ending a
  queue or whisper flow (EndFlowExecution, the contact goes on), or in a DisconnectParticipant that
  the caller reaches only after hearing a message. A path that takes an error branch and reaches a
  disconnect without a spoken message in between is a finding, reported at the action whose branch
  it is. Disconnect flows (they run after the caller hung up) may end silently: a flow is one when
  ``Metadata.civicline.disconnectFlow`` (or ``Metadata.disconnectFlow``) is true.
* **Lambda calls match their contracts.** Each InvokeLambdaFunction whose ARN is a registry function
  passes only (and all required) fields of the function's parameter model
  (:data:`schemas.functions.CONTRACTS`), and every ``$.External.<key>`` read where that call can be
  the most recent one names a field of its response model.

The first (with the endless-loop check) is an error in CivicLine's own flows
(:attr:`LoadedFlow.civicline_flow`) and a warning in anyone else's: Connect accepts such flows, and
``flows validate`` fails another's flow only for what Connect would refuse (docs/decisions.md, "House
rules bind our flows only").

Findings are printed as ``<file>: <identifier>: <severity>: <message>``; an error makes
``civicline flows validate`` exit 1, a warning does not.
"""

from __future__ import annotations

import json
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from civicline.engine.actions import SPECS, ActionSpec
from civicline.engine.actions.common import MESSAGE_SOURCES
from civicline.engine.arns import FOREIGN_TEMPLATE_RE, RESOURCE_WORDS, function_from_arn, names_resource
from civicline.engine.library import (
    FlowLibrary,
    FlowLoadError,
    LoadedFlow,
    OldFormatError,
    load_flow_file,
    parse_flow_text,
)
from civicline.engine.references import NAMESPACES, is_reference, path_segments, references_in
from schemas import codec
from schemas.flow_language import FLOW_LANGUAGE_VERSION, OPERATORS, FlowAction
from schemas.functions import CONTRACTS, parse_parameters

Severity = Literal["error", "warning"]

MAX_ACTIONS = 250
MAX_CONTENT_CHARS = 256_000
MAX_IDENTIFIER = 50
FORBIDDEN_IDENTIFIER_CHARS = frozenset("%:()\\/=$,;[]{}")
RESERVED_IDENTIFIERS = frozenset(
    {
        "__proto__",
        "constructor",
        "__defineGetter__",
        "__defineSetter__",
        "toString",
        "hasOwnProperty",
        "isPrototypeOf",
        "propertyIsEnumerable",
        "toLocaleString",
        "valueOf",
    }
)

_QUEUE_OR_WHISPER = frozenset(
    {"CUSTOMER_QUEUE", "CUSTOMER_WHISPER", "AGENT_WHISPER", "OUTBOUND_WHISPER", "CUSTOMER_HOLD", "AGENT_HOLD"}
)
#: flow data namespaces that are maps (never rendered whole into text)
_MAPS = frozenset(
    {"Attributes", "External", "FlowAttributes", "Metrics", "Lex", "References", "Tags", "Customer", "Case"}
)
#: error types that are really "otherwise" branches, not failures
_NOT_FAILURES = frozenset({"NoMatchingCondition"})


@dataclass(frozen=True)
class Finding:
    file: str
    identifier: str
    message: str
    severity: Severity = "error"

    def line(self) -> str:
        return f"{self.file}: {self.identifier}: {self.severity}: {self.message}"


class _Checker:
    def __init__(self, flow: LoadedFlow, label: str) -> None:
        self.flow = flow
        self.doc = flow.document
        self.label = label
        self.findings: list[Finding] = []
        self.actions = self.doc.action_map()
        #: the severity of CivicLine's own rules (no caller dropped, no endless loop)
        self.house: Severity = "error" if flow.civicline_flow else "warning"

    def add(self, identifier: str, message: str, severity: Severity = "error") -> None:
        self.findings.append(Finding(self.label, identifier or "-", message, severity))

    # -- document ----------------------------------------------------------------------------
    def document(self) -> None:
        if self.doc.Version != FLOW_LANGUAGE_VERSION:
            self.add("-", f"Version is {self.doc.Version!r}; only {FLOW_LANGUAGE_VERSION!r} is supported")
        if not self.doc.Actions:
            self.add("-", "the flow has no actions")
        if len(self.doc.Actions) > MAX_ACTIONS:
            self.add("-", f"{len(self.doc.Actions)} actions; a flow may have at most {MAX_ACTIONS}")
        size = len(json.dumps(json.loads(self.flow.raw_text), separators=(",", ":"), ensure_ascii=False))
        if size > MAX_CONTENT_CHARS:
            self.add("-", f"content is {size} characters; Connect accepts at most {MAX_CONTENT_CHARS}")
        if self.doc.StartAction not in self.actions:
            self.add("-", f"StartAction {self.doc.StartAction!r} is not an action identifier")
        self.placeholders()
        self.identifiers()

    def placeholders(self) -> None:
        for token in self.flow.unknown_placeholders:
            self.add("-", f"unknown placeholder {token} (not in infra/registry.py placeholders())")
        foreign = {
            m.group(0) for text in _strings(self.doc.model_dump()) for m in FOREIGN_TEMPLATE_RE.finditer(text)
        }
        for token in sorted(foreign):
            self.add("-", f"unresolved template placeholder {token} (another tool's syntax)", "warning")
        action_metadata = self.doc.Metadata.get("ActionMetadata")
        if isinstance(action_metadata, dict):
            for key in action_metadata:
                if key not in self.actions:
                    self.add("-", f"Metadata.ActionMetadata names {key!r}, which is not an action", "warning")

    def identifiers(self) -> None:
        seen: set[str] = set()
        for act in self.doc.Actions:
            ident = act.Identifier
            if ident in seen:
                self.add(ident, "duplicate identifier")
            seen.add(ident)
            if not ident:
                self.add("-", "empty identifier")
            if len(ident) > MAX_IDENTIFIER:
                self.add(ident, f"identifier longer than {MAX_IDENTIFIER} characters")
            bad = sorted(set(ident) & FORBIDDEN_IDENTIFIER_CHARS)
            if bad:
                self.add(ident, f"identifier contains forbidden characters {''.join(bad)!r}")
            if ident in RESERVED_IDENTIFIERS:
                self.add(ident, "identifier is a reserved name")

    # -- per action --------------------------------------------------------------------------
    def each_action(self) -> None:
        for act in self.doc.Actions:
            spec = SPECS.get(act.Type)
            self.transitions(act, spec)
            if spec is None:
                self.add(act.Identifier, f"unknown action type {act.Type!r}")
                continue
            if not spec.implemented:
                self.add(
                    act.Identifier,
                    f"action type {act.Type} is not implemented by the CivicLine engine",
                    "warning",
                )
            if not spec.allowed_in(self.flow.flow_type):
                self.add(
                    act.Identifier,
                    f"{act.Type} is not supported in a {self.flow.flow_type} flow"
                    f" ({self.flow.type_source}; {spec.page})",
                )
            self.errors(act, spec)
            self.conditions(act, spec)
            self.parameters(act, spec)
            for problem in spec.check(act) if spec.check else ():
                self.add(act.Identifier, problem.message, problem.severity)

    def transitions(self, act: FlowAction, spec: ActionSpec | None) -> None:
        t = act.Transitions
        for label, target in t.targets():
            if target not in self.actions:
                self.add(act.Identifier, f"{label} goes to {target!r}, which is not an action (dangling)")
        self.operands(act)
        if spec is not None and spec.terminal:
            if t.NextAction or t.Errors or t.Conditions:
                self.add(act.Identifier, f"{act.Type} is terminal; its Transitions must be {{}}", "warning")
            return
        if t.NextAction or spec is None:
            return
        covered = spec.outcomes is not None or (t.Conditions and t.error_target("NoMatchingCondition"))
        if not (spec.waits or covered or spec.leaves_on_success):
            self.add(act.Identifier, f"{act.Type} has no NextAction")

    def operands(self, act: FlowAction) -> None:
        for cond in act.Transitions.Conditions:
            c = cond.Condition
            if c.Operator not in OPERATORS:
                self.add(
                    act.Identifier,
                    f"unknown operator {c.Operator!r} (documented: {', '.join(sorted(OPERATORS))})",
                )
            if len(c.Operands) != 1:
                self.add(act.Identifier, f"operator {c.Operator} takes one operand, has {len(c.Operands)}")
            elif not isinstance(c.Operands[0], str):
                self.add(act.Identifier, f"operand {c.Operands[0]!r} is not a string")

    def errors(self, act: FlowAction, spec: ActionSpec) -> None:
        wired = [e.ErrorType for e in act.Transitions.Errors]
        for error in sorted({e for e in wired if wired.count(e) > 1}):
            self.add(act.Identifier, f"error branch {error} appears more than once")
        rules = spec.errors(act.Parameters)
        for error in sorted(rules.required - set(wired)):
            self.add(act.Identifier, f"{act.Type} needs an error branch {error}")
        if rules.allowed is None:
            return
        for error in wired:
            if error not in rules.allowed:
                who = f"{act.Type} with {rules.when}" if rules.when else act.Type
                self.add(act.Identifier, f"{who} does not support the error branch {error} ({spec.page})")

    def conditions(self, act: FlowAction, spec: ActionSpec) -> None:
        conds = act.Transitions.Conditions
        if spec.operators is not None:
            for cond in conds:
                operator = cond.Condition.Operator
                if not spec.operators:
                    self.add(act.Identifier, f"{act.Type} takes no conditions")
                    break
                if operator not in spec.operators:
                    self.add(act.Identifier, f"{act.Type} does not take the operator {operator}")
        if spec.outcomes is None:
            return
        found = [(c.Condition.Operator, tuple(c.Condition.Operands)) for c in conds]
        expected = {("Equals", (v,)) for v in spec.outcomes}
        if len(found) != len(spec.outcomes) or set(found) != expected:
            wanted = " and ".join(f"Equals {v!r}" for v in sorted(spec.outcomes))
            self.add(act.Identifier, f"{act.Type} needs exactly two conditions: {wanted}")

    def parameters(self, act: FlowAction, spec: ActionSpec) -> None:
        params = act.Parameters
        for key, value in params.items():
            if key in spec.static and references_in(value):
                self.add(act.Identifier, f"{key} must be static, not a JSONPath reference")
            if (
                key in spec.single_path
                and isinstance(value, str)
                and references_in(value)
                and not is_reference(value)
            ):
                self.add(
                    act.Identifier, f"{key} must be static or one whole JSONPath, not text with a reference"
                )
        for key, kind in spec.resources:
            value = params.get(key)
            static = isinstance(value, str) and value and not references_in(value)
            if static and not names_resource(kind, str(value)):
                word = RESOURCE_WORDS[kind]
                self.add(act.Identifier, f"{key} {value!r} is not the ID or ARN of {word} ({spec.page})")
        for ref in references_in(params):
            segments = path_segments(ref)
            if segments and segments[0] not in NAMESPACES:
                self.add(act.Identifier, f"{ref} is not a valid flow data path ({segments[0]} is unknown)")

    # -- reachability --------------------------------------------------------------------------
    def reachability(self) -> None:
        start = self.doc.StartAction
        if start not in self.actions:
            return
        seen = self._reachable([start])
        for act in self.doc.Actions:
            if act.Identifier not in seen:
                self.add(act.Identifier, "unreachable from StartAction")

    def _reachable(self, roots: Iterable[str]) -> set[str]:
        seen: set[str] = set()
        todo = deque(roots)
        while todo:
            ident = todo.popleft()
            if ident in seen or ident not in self.actions:
                continue
            seen.add(ident)
            todo.extend(t for _, t in self.actions[ident].Transitions.targets())
        return seen

    # -- safety: no caller dropped ---------------------------------------------------------------
    def safety(self) -> None:
        start = self.doc.StartAction
        if start not in self.actions or self.doc.is_module:
            return
        silent_ok = self.flow.disconnect_flow or self.flow.flow_type in _QUEUE_OR_WHISPER - {"CUSTOMER_QUEUE"}
        # a state: (action, origin) where origin is None once the caller has heard a message since
        # the flow started or the last failure; else (identifier, branch) of the failure (or start)
        start_origin = (start, "flow start")
        todo: deque[tuple[str, tuple[str, str] | None]] = deque([(start, start_origin)])
        seen: set[tuple[str, tuple[str, str] | None]] = set()
        reported: set[tuple[str, str, str]] = set()
        while todo:
            state = todo.popleft()
            if state in seen:
                continue
            seen.add(state)
            ident, origin = state
            act = self.actions.get(ident)
            if act is None:
                continue
            if (
                act.Type in ("DisconnectParticipant", "EndFlowExecution")
                and origin is not None
                and not silent_ok
            ):
                self._dropped(act, origin, reported)
                continue
            todo.extend(_successors(act, origin))
        self._endless(self._reachable([start]))

    def _dropped(self, act: FlowAction, origin: tuple[str, str], reported: set[tuple[str, str, str]]) -> None:
        """Report (once) a failure or the flow start that reaches a hang-up with nothing said."""
        if act.Type == "EndFlowExecution" and self.flow.flow_type in _QUEUE_OR_WHISPER:
            return
        key = (origin[0], origin[1], act.Identifier)
        if key in reported:
            return
        reported.add(key)
        where = "the flow start" if origin[1] == "flow start" else origin[1]
        self.add(
            origin[0],
            f"caller dropped: {where} leads to {act.Type} {act.Identifier!r}"
            " with no spoken message on the way",
            self.house,
        )

    def _endless(self, reachable: set[str]) -> None:
        """Actions from which no path ever ends the contact (an endless loop)."""
        ends = {a.Identifier for a in self.doc.Actions if _can_end(a) or not a.Transitions.targets()}
        can_end = set(ends)
        changed = True
        while changed:
            changed = False
            for a in self.doc.Actions:
                if a.Identifier not in can_end and any(t in can_end for _, t in a.Transitions.targets()):
                    can_end.add(a.Identifier)
                    changed = True
        for ident in sorted(reachable - can_end):
            self.add(ident, "no path from this action ever ends the contact (endless loop)", self.house)

    # -- behaviour a flow depends on ----------------------------------------------------------
    def dependencies(self) -> None:
        """Warn where a flow relies on what Connect does not give (docs/engine.md): the estimated
        wait after GetMetricData for all channels, a whole map rendered into text."""
        one_channel = any(
            a.Type == "GetMetricData" and a.Parameters.get("QueueChannel") for a in self.doc.Actions
        )
        for act in self.doc.Actions:
            for ref in references_in(act.Parameters):
                segments = path_segments(ref) or []
                if segments[:3] == ["Metrics", "Queue", "EstimatedWaitTime"] and not one_channel:
                    self.add(
                        act.Identifier,
                        f"reads {ref}, which GetMetricData returns only for one QueueChannel"
                        " (get-queue-metrics.html): here it is empty",
                        "warning",
                    )
                if len(segments) == 1 and segments[0] in _MAPS:
                    self.add(act.Identifier, f"{ref} is a whole map: it renders as nothing", "warning")

    # -- contracts ---------------------------------------------------------------------------
    def contracts(self) -> None:
        for act in self.doc.Actions:
            if act.Type != "InvokeLambdaFunction":
                continue
            function = function_from_arn(str(act.Parameters.get("LambdaFunctionARN", "")))
            attrs = act.Parameters.get("LambdaInvocationAttributes") or {}
            if function is not None and function in CONTRACTS and isinstance(attrs, dict):
                self._contract(act, function, attrs)
        self._external_reads()

    def _contract(self, act: FlowAction, function: str, attrs: dict[str, Any]) -> None:
        """The call passes only, and all required, fields of the function's parameter model."""
        params_model, _ = CONTRACTS[function]
        fields = codec.fields_of(params_model)
        for key in attrs:
            if key not in fields:
                self.add(
                    act.Identifier, f"{function}: parameter {key!r} is not a field of {params_model.__name__}"
                )
        for name, info in fields.items():
            if info.required and name not in attrs:
                self.add(act.Identifier, f"{function}: required parameter {name!r} is not passed")
        static = {
            k: v for k, v in attrs.items() if k in fields and isinstance(v, str) and not references_in(v)
        }
        try:
            parse_parameters(params_model, {**_dummy_required(fields, attrs), **static})
        except codec.ContractError as exc:
            for loc_path, kind in exc.errors:
                loc = str(loc_path[0]) if loc_path else ""
                if loc in static:
                    self.add(act.Identifier, f"{function}: parameter {loc}={static[loc]!r}: {kind}")

    def _latest_calls(self, start: str) -> dict[str, set[str | None]]:
        """Data-flow: which Lambda call can be the latest one at each action (None: no call)."""
        latest: dict[str, set[str | None]] = {start: {None}}
        todo = deque([start])
        while todo:
            ident = todo.popleft()
            act = self.actions.get(ident)
            if act is None:
                continue
            incoming = latest.get(ident, set())
            for label, target in act.Transitions.targets():
                if act.Type == "InvokeLambdaFunction":
                    out: set[str | None] = {None} if label.startswith("error ") else {ident}
                else:
                    out = incoming
                have = latest.setdefault(target, set())
                if not out <= have:
                    have.update(out)
                    todo.append(target)
        return latest

    def _external_reads(self) -> None:
        """Every ``$.External.<key>`` read names a field of the response of each call that can be
        the latest one there."""
        start = self.doc.StartAction
        if start not in self.actions:
            return
        latest = self._latest_calls(start)
        for act in self.doc.Actions:
            keys = [
                segments[1]
                for ref in references_in(act.Parameters)
                if (segments := path_segments(ref)) and segments[0] == "External" and len(segments) > 1
            ]
            if not keys:
                continue
            sources = latest.get(act.Identifier, set())
            callers = [s for s in sources if s is not None]
            if not callers and act.Identifier in latest:
                self.add(
                    act.Identifier, f"reads $.External.{keys[0]} but no Lambda call precedes it", "warning"
                )
            for source in callers:
                fn = function_from_arn(str(self.actions[source].Parameters.get("LambdaFunctionARN", "")))
                if fn is None or fn not in CONTRACTS:
                    continue
                response_model = CONTRACTS[fn][1]
                for key in keys:
                    if key not in codec.fields_of(response_model):
                        self.add(
                            act.Identifier,
                            f"reads $.External.{key}, which {fn} ({response_model.__name__}) does not return"
                            f" (after {source!r})",
                        )


Origin = tuple[str, str] | None


def _successors(act: FlowAction, origin: Origin) -> Iterable[tuple[str, Origin]]:
    """The safety walk's next states: origin is None once the caller heard a message since the last
    failure, else (identifier, branch) of that failure."""
    for label, target in act.Transitions.targets():
        failure = label.startswith("error ") and label.split(" ", 1)[1] not in _NOT_FAILURES
        if act.Type == "MessageParticipant" and _speaks(act):
            # a prompt's own error branch counts as spoken: the prompt was played or attempted (a
            # text prompt fails only on a service fault), so a goodbye whose error branch hangs up
            # does not drop the caller
            yield target, None
        elif failure:
            yield target, (act.Identifier, label)
        elif _speaks(act):
            yield target, None
        elif act.Type != "CreateCallbackContact":  # a booked callback serves the caller
            yield target, origin


def _dummy_required(fields: dict[str, codec.FieldSpec], attrs: dict[str, Any]) -> dict[str, Any]:
    """Values for required fields that are passed dynamically, so static ones can be checked alone."""
    out: dict[str, Any] = {}
    for name, info in fields.items():
        if info.required:
            annotation = getattr(info.hint, "__args__", None)
            out[name] = annotation[0] if annotation else "x"
    return out


def _strings(value: Any) -> Iterable[str]:
    """Every string in a JSON-like value (keys and values)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield str(key)
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def _speaks(act: FlowAction) -> bool:
    """The action delivers a message to the customer (it speaks and has a message source)."""
    spec = SPECS.get(act.Type)
    if spec is None or not spec.speaks:
        return False
    params = act.Parameters
    if act.Type == "MessageParticipantIteratively":
        return bool(params.get("Messages"))
    return any(k in params for k in MESSAGE_SOURCES)


def _can_end(act: FlowAction) -> bool:
    """The action can end the contact's run in this flow (terminal, leaves on success, books a
    callback, or waits in a queue)."""
    spec = SPECS.get(act.Type)
    if spec is None:
        return False
    return spec.terminal or spec.leaves_on_success or spec.waits or act.Type == "CreateCallbackContact"


def validate_flow(flow: LoadedFlow, label: str | None = None) -> list[Finding]:
    """Every finding for one loaded flow (never raises on a parsed document)."""
    checker = _Checker(flow, label or (str(flow.source) if flow.source else flow.name))
    checker.document()
    checker.each_action()
    checker.reachability()
    checker.safety()
    checker.contracts()
    checker.dependencies()
    return checker.findings


#: parameters whose whole-JSONPath value the designer takes as a path without a flag (every other
#: whole-JSONPath parameter of the real exports carries useDynamic: Text, SSML, PromptId, QueueId, ...)
ALWAYS_PATHS = frozenset({"ComparisonValue", "CallbackNumber", "WisdomSessionArn"})


def designer_findings(flow: LoadedFlow, label: str | None = None) -> list[Finding]:
    """What the Connect designer needs to open and re-save the flow unchanged (warnings): a position
    for every action, ``useDynamic`` on resource parameters held in a JSONPath, and
    ``conditionMetadata`` on a queue-age check (whose operand is in milliseconds)."""
    where = label or (str(flow.source) if flow.source else flow.name)
    metadata = flow.document.Metadata.get("ActionMetadata")
    actions_meta = metadata if isinstance(metadata, dict) else {}
    found: list[Finding] = []
    for act in flow.document.Actions:
        meta = actions_meta.get(act.Identifier)
        meta = meta if isinstance(meta, dict) else {}
        if "position" not in meta:
            found.append(
                Finding(where, act.Identifier, "no designer position (Metadata.ActionMetadata)", "warning")
            )
        found.extend(
            Finding(where, act.Identifier, problem, "warning") for problem in _designer_problems(act, meta)
        )
    return found


def _designer_problems(act: FlowAction, meta: dict[str, Any]) -> Iterable[str]:
    parameters = meta.get("parameters")
    params_meta = parameters if isinstance(parameters, dict) else {}
    for key, value in act.Parameters.items():
        if key in ALWAYS_PATHS or not is_reference(value):
            continue
        flag_meta = params_meta.get(key)
        marked = isinstance(flag_meta, dict) and flag_meta.get("useDynamic") is True
        if not (marked or meta.get("useDynamic") is True):
            yield f"{key} holds a JSONPath but is not marked useDynamic: the designer shows it as static"
    age_check = (
        act.Type == "CheckMetricData" and act.Parameters.get("MetricType") == "OldestContactInQueueAgeSeconds"
    )
    if age_check and act.Transitions.Conditions and not meta.get("conditionMetadata"):
        yield "no conditionMetadata: the designer shows the threshold in milliseconds as seconds"


def validate_paths(paths: Iterable[Path], *, designer: bool = False) -> list[Finding]:
    """Every finding for several files validated together: each flow is checked as part of the
    library the others make, so how it is attached (a queue flow set by an event hook, a disconnect
    flow) counts, as it does when they run."""
    findings: list[Finding] = []
    library = FlowLibrary()
    loaded: list[tuple[Path, str]] = []
    for path in paths:
        try:
            library.add(load_flow_file(Path(path)))
        except (FlowLoadError, OSError, UnicodeDecodeError):
            findings.extend(validate_path(Path(path)))  # reports why it does not load
            continue
        loaded.append((Path(path), Path(path).stem))
    for path, name in loaded:
        findings.extend(validate_flow(library.flows[name], str(path)))
        if designer:
            findings.extend(designer_findings(library.flows[name], str(path)))
    return findings


def validate_text(text: str, *, name: str, label: str | None = None) -> list[Finding]:
    where = label or name
    try:
        flow = parse_flow_text(text, name=name)
    except OldFormatError as exc:
        return [Finding(where, "-", f"refused: {exc}")]
    except FlowLoadError as exc:
        return [Finding(where, "-", str(exc))]
    return validate_flow(flow, where)


def validate_path(path: Path) -> list[Finding]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return [Finding(str(path), "-", f"cannot read: {exc}")]
    return validate_text(text, name=path.stem, label=str(path))


def has_errors(findings: Iterable[Finding]) -> bool:
    return any(f.severity == "error" for f in findings)
