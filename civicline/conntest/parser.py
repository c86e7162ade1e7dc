"""Reading test-case files into the model: both file shapes, every documented spelling, one result.

Shapes: a ``CreateTestCase`` request body (``Content`` holds the document as a string), an
``AWS::Connect::TestCase`` resource (its ``Properties``), or the testing-language document itself.
Spellings the AWS pages disagree on are all accepted (docs/decisions.md): key names in any case,
``Assert``/``Assertion``, ``Usage.Type`` ``EXACTLY``/``Exactly``/``ANY``, ``DequeueAndTransferToQueue``,
``MatchingCriteria`` as a string or ``{"Type"}`` inside or beside ``Properties``, ``TextUtterance``/
``Utterance``/``TextInput``, an ``EndTest`` action type, trailing spaces in type names.
A malformed case raises :class:`CaseError` with a one-line reason and the JSON path.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, cast

from civicline.conntest.model import (
    ASSERT_OPERATORS,
    MOCK_ERRORS,
    MOCK_RESULTS,
    OVERRIDABLE,
    RESOURCE_KEY,
    Action,
    Assertion,
    CaseError,
    Criteria,
    Document,
    Event,
    EventType,
    FlowActionEvent,
    MessageEvent,
    Observation,
    Override,
    SendInstruction,
    TestCase,
    TestControl,
    Usage,
    UsageType,
)
from civicline.engine.actions import SPECS
from civicline.engine.arns import resolve_placeholders

VERSIONS = ("2019-10-30", "2025-06-21")
EVENT_TYPES: tuple[EventType, ...] = (
    "TestInitiated",
    "TestCompleted",
    "MessageReceived",
    "FlowActionStarted",
)
USAGE_TYPES: dict[str, UsageType] = {
    "exactly": "Exactly",
    "atleast": "AtLeast",
    "atmost": "AtMost",
    "always": "Always",
    "any": "Always",
}
#: spellings of flow action types in the testing pages -> the Flow-language type
ACTION_TYPE_ALIASES = {"DequeueAndTransferToQueue": "DequeueContactAndTransferToQueue"}
INSTRUCTIONS = {
    "dtmfinput": "DtmfInput",
    "dtmf": "DtmfInput",
    "textutterance": "TextUtterance",
    "utterance": "TextUtterance",
    "textinput": "TextUtterance",
    "text": "TextUtterance",
    "disconnect": "Disconnect",
}
ACTION_KINDS = {
    "sendinstruction": "SendInstruction",
    "overridesystembehavior": "OverrideSystemBehavior",
    "assert": "Assert",
    "assertion": "Assert",
    "testcontrol": "TestControl",
    "endtest": "EndTest",
}


def _key(value: str) -> str:
    return value.strip().replace("_", "").replace(" ", "").lower()


class Node:
    """A JSON object with its path: case-insensitive key lookup, errors that name where they are."""

    def __init__(self, value: Any, path: str) -> None:
        if not isinstance(value, dict):
            raise CaseError(f"expected an object, found {_kind(value)}", path)
        self.value: dict[str, Any] = value
        self.path = path
        self._keys = {_key(k): k for k in value}

    def raw(self, *names: str) -> tuple[str, Any] | None:
        for name in names:
            key = self._keys.get(_key(name))
            if key is not None and self.value[key] is not None:
                return key, self.value[key]
        return None

    def has(self, *names: str) -> bool:
        return self.raw(*names) is not None

    def node(self, *names: str, required: bool = True) -> Node | None:
        found = self.raw(*names)
        if found is None:
            if required:
                raise CaseError(f"missing {names[0]}", self.path)
            return None
        return Node(found[1], f"{self.path}.{found[0]}")

    def text(self, *names: str, required: bool = True, default: str = "") -> str:
        found = self.raw(*names)
        if found is None:
            if required:
                raise CaseError(f"missing {names[0]}", self.path)
            return default
        key, value = found
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise CaseError(f"{key} must be a string, found {_kind(value)}", f"{self.path}.{key}")
        return str(value).strip() if isinstance(value, str) else _number_text(value)

    def items(self, *names: str, required: bool = True) -> list[tuple[str, Any]]:
        found = self.raw(*names)
        if found is None:
            if required:
                raise CaseError(f"missing {names[0]}", self.path)
            return []
        key, value = found
        if not isinstance(value, list):
            raise CaseError(f"{key} must be an array, found {_kind(value)}", f"{self.path}.{key}")
        return [(f"{self.path}.{key}[{i}]", item) for i, item in enumerate(value)]

    def at(self, name: str) -> str:
        found = self.raw(name)
        return f"{self.path}.{found[0] if found else name}"


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    return {dict: "an object", list: "an array", str: "a string", bool: "a boolean"}.get(
        type(value), "a number"
    )


def _number_text(value: int | float) -> str:
    return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)


def _json(text: str, path: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise CaseError(f"not JSON: {exc.msg} at line {exc.lineno} column {exc.colno}", path) from exc


# -- events -----------------------------------------------------------------------------------


def _event_type(node: Node) -> EventType:
    value = node.text("Type")
    for known in EVENT_TYPES:
        if _key(known) == _key(value):
            return known
    raise CaseError(
        f"unknown event type {value!r} (expected one of {', '.join(EVENT_TYPES)})", node.at("Type")
    )


def _criteria(event: Node, props: Node | None) -> Criteria:
    for holder in (props, event):
        found = holder.raw("MatchingCriteria") if holder is not None else None
        if found is None:
            continue
        key, value = found
        where = f"{holder.path}.{key}" if holder is not None else key
        if isinstance(value, dict):
            value = Node(value, where).text("Type")
        if not isinstance(value, str):
            raise CaseError("MatchingCriteria must be a string or an object with Type", where)
        for known in ("Inclusion", "Similarity"):
            if _key(known) == _key(value):
                return known
        raise CaseError(f"unknown MatchingCriteria {value!r} (Inclusion or Similarity)", where)
    return "Inclusion"


def _message(event: Node) -> MessageEvent:
    props = event.node("Properties")
    assert props is not None
    criteria = _criteria(event, props)
    text = props.text("Text", required=False) or None
    prompt = props.text("PromptId", required=False) or None
    ssml = props.text("SSML", required=False) or None
    media_node = props.node("Media", required=False)
    media = media_node.text("Uri") if media_node is not None else None
    given = [x for x in (text, prompt, ssml, media) if x]
    if len(given) != 1:
        raise CaseError("MessageReceived needs exactly one of Text, PromptId, SSML or Media", props.path)
    return MessageEvent(criteria, text=text, prompt=prompt, ssml=ssml, media=media)


def flow_action_type(value: str, path: str) -> str:
    """A Flow-language action type from a testing-language spelling (trailing spaces, aliases)."""
    name = ACTION_TYPE_ALIASES.get(value.strip(), value.strip())
    if name not in SPECS:
        raise CaseError(f"unknown flow action type {value!r}", path)
    return name


def _flow_action(event: Node) -> FlowActionEvent:
    props = event.node("Properties")
    assert props is not None
    action_type = flow_action_type(props.text("ActionType"), props.at("ActionType"))
    params = props.node("ActionParameters", required=False)
    return FlowActionEvent(action_type, dict(params.value) if params is not None else {})


def _event(node: Node) -> Event:
    event_type = _event_type(node)
    identifier = node.text("Identifier", "Id", required=False)
    if event_type == "MessageReceived":
        return Event(event_type, identifier, message=_message(node))
    if event_type == "FlowActionStarted":
        return Event(event_type, identifier, flow_action=_flow_action(node))
    return Event(event_type, identifier)


# -- actions ----------------------------------------------------------------------------------


def _instruction(identifier: str, params: Node) -> SendInstruction:
    instruction = params.node("Instruction")
    assert instruction is not None
    kind_text = instruction.text("Type")
    kind = INSTRUCTIONS.get(_key(kind_text))
    if kind is None:
        raise CaseError(
            f"unknown instruction type {kind_text!r} (DtmfInput, TextUtterance or Disconnect)",
            instruction.at("Type"),
        )
    if kind == "Disconnect":
        return SendInstruction(identifier, "Disconnect")
    props = instruction.node("Properties")
    assert props is not None
    value = props.text("Value", "Text", "SSML")
    if not value:
        raise CaseError("an instruction needs a Value", props.path)
    return SendInstruction(identifier, cast(Any, kind), value)


def _resource(action_type: str, params: Node | None) -> str | None:
    if params is None:
        return None
    node: Node | None = params
    keys = RESOURCE_KEY[action_type]
    for key in keys[:-1]:
        node = node.node(key, required=False) if node is not None else None
    if node is None:
        return None
    return node.text(keys[-1], required=False) or None


def _loaded_data(result: Node) -> dict[str, Any] | None:
    found = result.raw("LoadedData")
    if found is None:
        found = result.raw("Value")
        if found is None or not isinstance(found[1], str) or not found[1].lstrip().startswith("{"):
            return None
    key, value = found
    where = f"{result.path}.{key}"
    data = _json(value, where) if isinstance(value, str) else value
    if not isinstance(data, dict):
        raise CaseError(f"{key} must be a JSON object (serialized), found {_kind(data)}", where)
    return data


def _delay(node: Node) -> float:
    text = node.text("DelaySeconds", required=False)
    try:
        delay = float(text) if text else 0.0
    except ValueError as exc:
        raise CaseError(f"DelaySeconds must be a number, found {text!r}", node.at("DelaySeconds")) from exc
    if delay < 0:
        raise CaseError("DelaySeconds cannot be negative", node.at("DelaySeconds"))
    return delay


def _mock(identifier: str, action_type: str, resource: str | None, strategy: Node) -> Override:
    response = strategy.node("Response")
    assert response is not None
    kind = response.text("Type")
    if _key(kind) == "executionresult":
        if action_type not in MOCK_RESULTS:
            raise CaseError(f"{action_type} can only be mocked with an Error response", response.at("Type"))
        result = response.node("ExecutionResult")
        assert result is not None
        data = _loaded_data(result)
        value = None if data is not None else (result.text("Value", required=False) or None)
        if action_type == "CheckHoursOfOperation":
            value = _hours_value(value, result)
        elif data is None:
            raise CaseError("a mocked result needs LoadedData (serialized JSON)", result.path)
        return Override(
            identifier, action_type, resource, "MockResponse", response="ExecutionResult",
            loaded_data=data, value=value, delay_seconds=_delay(result),
        )  # fmt: skip
    if _key(kind) == "error":
        error = response.node("Error")
        assert error is not None
        value = error.text("Value")
        allowed = MOCK_ERRORS[action_type]
        if value not in allowed:
            raise CaseError(
                f"{action_type} cannot be mocked with error {value!r} (one of {', '.join(sorted(allowed))})",
                error.at("Value"),
            )
        return Override(
            identifier, action_type, resource, "MockResponse", response="Error", value=value,
            delay_seconds=_delay(error),
        )  # fmt: skip
    raise CaseError(f"unknown Response.Type {kind!r} (ExecutionResult or Error)", response.at("Type"))


def _hours_value(value: str | None, result: Node) -> str:
    spellings = {"inhours": "InHours", "true": "InHours", "outofhours": "OutOfHours", "false": "OutOfHours"}
    normal = spellings.get(_key(value or ""))
    if normal is None:
        raise CaseError(f"an hours mock Value is InHours or OutOfHours, found {value!r}", result.at("Value"))
    return normal


def _override(identifier: str, params: Node) -> Override:
    behavior = params.node("Behavior")
    assert behavior is not None
    behavior_type = behavior.text("Type", required=False, default="FlowAction")
    if _key(behavior_type) != "flowaction":
        raise CaseError(f"unknown Behavior.Type {behavior_type!r} (FlowAction)", behavior.at("Type"))
    props = behavior.node("Properties")
    assert props is not None
    action_type = flow_action_type(props.text("ActionType"), props.at("ActionType"))
    if action_type not in OVERRIDABLE:
        raise CaseError(
            f"action type {action_type} cannot be overridden (only {', '.join(OVERRIDABLE)})",
            props.at("ActionType"),
        )
    resource = _resource(action_type, props.node("ActionParameters", required=False))
    strategy = props.node("Strategy")
    assert strategy is not None
    kind = strategy.text("Type")
    if _key(kind) == "substituteresource":
        return Override(
            identifier, action_type, resource, "SubstituteResource", substitute=strategy.text("SubstituteArn")
        )
    if _key(kind) == "mockresponse":
        return _mock(identifier, action_type, resource, strategy)
    raise CaseError(
        f"unknown Strategy.Type {kind!r} (SubstituteResource or MockResponse)", strategy.at("Type")
    )


def _assertion(identifier: str, params: Node) -> Assertion:
    namespace = params.text("Namespace")
    if not namespace.startswith("$"):
        raise CaseError(
            f"Namespace must be a JSONPath starting with $, found {namespace!r}", params.at("Namespace")
        )
    operator_text = params.text("Operator")
    operator = next((o for o in ASSERT_OPERATORS if _key(o) == _key(operator_text)), None)
    if operator is None:
        raise CaseError(
            f"unknown Assert operator {operator_text!r} (one of {', '.join(ASSERT_OPERATORS)})",
            params.at("Operator"),
        )
    operand = params.text("Operand", "Value", required=operator != "Exists") if operator != "Exists" else None
    return Assertion(identifier, namespace, operator, operand)


def _control(identifier: str, params: Node | None) -> TestControl:
    command = params.node("Command", required=False) if params is not None else None
    kind = command.text("Type") if command is not None else "EndTest"
    if _key(kind) == "endtest":
        return TestControl(identifier, "EndTest")
    if _key(kind) == "logdata" and command is not None:
        props = command.node("Properties")
        assert props is not None
        expressions = props.node("Expressions")
        assert expressions is not None
        return TestControl(identifier, "LogData", {str(k): str(v) for k, v in expressions.value.items()})
    where = command.at("Type") if command is not None else "$"
    raise CaseError(f"unknown TestControl command {kind!r} (EndTest or LogData)", where)


def _action(node: Node) -> tuple[Action, str | None]:
    identifier = node.text("Identifier", "Id", required=False) or node.path
    type_text = node.text("Type")
    kind = ACTION_KINDS.get(_key(type_text))
    if kind is None:
        raise CaseError(
            f"unknown action type {type_text!r}"
            " (SendInstruction, OverrideSystemBehavior, Assert, TestControl)",
            node.at("Type"),
        )
    params = node.node("Parameters", required=kind not in ("EndTest", "TestControl"))
    transitions = node.node("Transitions", required=False)
    following = transitions.text("NextAction", required=False) or None if transitions is not None else None
    action: Action
    if kind == "SendInstruction":
        assert params is not None
        action = _instruction(identifier, params)
    elif kind == "OverrideSystemBehavior":
        assert params is not None
        action = _override(identifier, params)
    elif kind == "Assert":
        assert params is not None
        action = _assertion(identifier, params)
    else:
        action = _control(identifier, params)
    return action, following


def _ordered(actions: list[tuple[Action, str | None, str]], path: str) -> tuple[Action, ...]:
    """The actions in ``NextAction`` order from the one nothing points to; unchained ones after."""
    by_id = {a.identifier: (a, nxt) for a, nxt, _ in actions}
    for _, nxt, where in actions:
        if nxt is not None and nxt not in by_id:
            raise CaseError(f"NextAction {nxt!r} names no action of this observation", where)
    pointed = {nxt for _, nxt, _ in actions if nxt}
    start = next((a for a, _, _ in actions if a.identifier not in pointed), None)
    order: list[Action] = []
    seen: set[str] = set()
    current = start.identifier if start is not None else None
    while current is not None and current not in seen:
        seen.add(current)
        action, current = by_id[current]
        order.append(action)
    order.extend(a for a, _, _ in actions if a.identifier not in seen)
    if len(order) != len(actions):
        raise CaseError("two actions share an Identifier", path)
    return tuple(order)


# -- observations and documents ---------------------------------------------------------------


def _usage(node: Node | None) -> Usage:
    if node is None:
        return Usage()
    text = node.text("Type", required=False, default="Exactly")
    usage_type = USAGE_TYPES.get(_key(text))
    if usage_type is None:
        raise CaseError(f"unknown Usage.Type {text!r} (Exactly, AtLeast, AtMost or Always)", node.at("Type"))
    times_text = node.text("Times", required=False)
    if not times_text:
        return Usage(usage_type, 1)
    try:
        times = int(float(times_text))
    except ValueError as exc:
        raise CaseError(f"Usage.Times must be an integer, found {times_text!r}", node.at("Times")) from exc
    if times < 0:
        raise CaseError("Usage.Times cannot be negative", node.at("Times"))
    return Usage(usage_type, times)


def _observation(node: Node) -> Observation:
    identifier = node.text("Identifier", "Id")
    event_node = node.node("Event")
    assert event_node is not None
    event = _event(event_node)
    actions = []
    for where, item in node.items("Actions", required=False):
        action, chained = _action(Node(item, where))
        actions.append((action, chained, where))
    transitions = node.node("Transitions", required=False)
    following: list[str] = []
    if transitions is not None:
        for where, item in transitions.items("NextObservations", "NextActions", required=False):
            if not isinstance(item, str):
                raise CaseError(f"an observation id is a string, found {_kind(item)}", where)
            following.append(item)
    return Observation(
        identifier,
        event,
        _ordered(actions, node.path),
        _usage(node.node("Usage", required=False)),
        tuple(following),
    )


def parse_document(data: Any, path: str = "$") -> Document:
    """A testing-language document (already decoded JSON) -> :class:`Document`."""
    root = Node(data, path)
    version = root.text("Version", required=False, default=VERSIONS[0])
    if version not in VERSIONS:
        raise CaseError(f"unknown Version {version!r} (one of {', '.join(VERSIONS)})", root.at("Version"))
    items = root.items("Observations")
    if not items:
        raise CaseError("Observations is empty", root.at("Observations"))
    observations = [_observation(Node(item, where)) for where, item in items]
    ids = [o.identifier for o in observations]
    for (where, _), observation in zip(items, observations, strict=True):
        if ids.count(observation.identifier) > 1:
            raise CaseError(f"observation Identifier {observation.identifier!r} is used twice", where)
        for target in observation.next:
            if target not in ids:
                raise CaseError(f"NextObservations names no observation {target!r}", where)
    return Document(version, tuple(observations))


def _attributes(text: str, path: str) -> dict[str, str]:
    data = _json(text, path) if text.strip() else {}
    if not isinstance(data, dict):
        raise CaseError(f"InitializationData must be a JSON object, found {_kind(data)}", path)
    nested = next((v for k, v in data.items() if _key(k) == "attributes" and isinstance(v, dict)), None)
    source = nested if nested is not None else data
    return {str(k): v if isinstance(v, str) else json.dumps(v) for k, v in source.items()}


def _request(root: Node, file: Path | None, default_flow: str | None) -> TestCase:
    content_key, content = root.raw("Content") or ("Content", None)
    where = f"{root.path}.{content_key}"
    if content is None:
        raise CaseError("missing Content", root.path)
    document = parse_document(_json(content, where) if isinstance(content, str) else content, where)
    flow, channel, source, destination = default_flow, "VOICE", None, None
    entry = root.node("EntryPoint", required=False)
    if entry is not None:
        entry_type = entry.text("Type", required=False, default="VOICE_CALL").upper()
        if entry_type not in ("VOICE_CALL", "CHAT"):
            raise CaseError(f"unknown EntryPoint.Type {entry_type!r} (VOICE_CALL or CHAT)", entry.at("Type"))
        channel = "CHAT" if entry_type == "CHAT" else "VOICE"
        names = ("ChatEntryPointParameters",) if channel == "CHAT" else ("VoiceCallEntryPointParameters",)
        params = entry.node(*names, required=False)
        if params is not None:
            flow = params.text("FlowId", required=False) or flow
            source = params.text("SourcePhoneNumber", required=False) or None
            destination = params.text("DestinationPhoneNumber", required=False) or None
    init_key = root.raw("InitializationData")
    attributes: dict[str, str] = {}
    if init_key is not None:
        key, value = init_key
        text = value if isinstance(value, str) else json.dumps(value)
        attributes = _attributes(text, f"{root.path}.{key}")
    return TestCase(
        name=root.text("Name", required=False) or (file.stem if file else "test case"),
        description=root.text("Description", required=False),
        file=file,
        channel=cast(Any, channel),
        flow=flow,
        source_number=source,
        destination_number=destination,
        attributes=attributes,
        document=document,
        shape="CreateTestCase",
    )


def parse_case(data: Any, *, file: Path | None = None, default_flow: str | None = None) -> TestCase:
    """Decoded JSON of either shape -> :class:`TestCase` (raises :class:`CaseError`)."""
    root = Node(data, "$")
    if root.has("Type") and root.has("Properties") and not root.has("Observations"):
        properties = root.node("Properties")
        assert properties is not None
        return _request(properties, file, default_flow)
    if root.has("Observations"):
        document = parse_document(data)
        name = file.stem if file is not None else "test case"
        metadata = root.node("Metadata", required=False)
        description = metadata.text("Description", required=False) if metadata is not None else ""
        return TestCase(name=name, document=document, file=file, flow=default_flow, description=description)
    if root.has("Content"):
        return _request(root, file, default_flow)
    raise CaseError("missing Observations (not a testing-language document nor a CreateTestCase request)")


def load_case(path: Path, *, default_flow: str | None = None) -> TestCase:
    """One test-case file -> :class:`TestCase` (raises :class:`CaseError`, never anything else)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CaseError(f"cannot read the file: {exc}") from exc
    resolved, _ = resolve_placeholders(text)  # %KIND_NAME% -> local ARNs, as the flow library does
    return parse_case(_json(resolved, "$"), file=path, default_flow=default_flow)
