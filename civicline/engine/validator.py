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

from civicline.engine.actions import ACTIONS
from civicline.engine.arns import FOREIGN_TEMPLATE_RE, LAMBDA_PREFIX, function_from_arn, name_from_arn
from civicline.engine.library import FlowLoadError, LoadedFlow, OldFormatError, parse_flow_text
from civicline.engine.references import NAMESPACES, is_reference, path_segments, references_in
from schemas import codec
from schemas.flow_language import FLOW_LANGUAGE_VERSION, OPERATORS, FlowAction, FlowDocument
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

#: every action type the reference documents (section 3); others are unknown to Connect
KNOWN_TYPES = frozenset(
    {
        "MessageParticipant",
        "GetParticipantInput",
        "ConnectParticipantWithLexBot",
        "DisconnectParticipant",
        "MessageParticipantIteratively",
        "InvokeLambdaFunction",
        "UpdateContactAttributes",
        "UpdateFlowAttributes",
        "Compare",
        "CheckHoursOfOperation",
        "CheckMetricData",
        "GetMetricData",
        "UpdateContactTargetQueue",
        "TransferContactToQueue",
        "DequeueContactAndTransferToQueue",
        "CreateCallbackContact",
        "UpdateContactCallbackNumber",
        "UpdateContactEventHooks",
        "TransferToFlow",
        "EndFlowExecution",
        "Loop",
        "DistributeByPercentage",
        "Wait",
        "UpdateFlowLoggingBehavior",
        "UpdateContactRecordingBehavior",
        "UpdateContactRecordingAndAnalyticsBehavior",
        "UpdateContactRoutingBehavior",
        "UpdateContactTextToSpeechVoice",
        "UpdateContactData",
        "CreateTask",
        "TagContact",
        "UntagContact",
        "StartOutboundChatContact",
        "InvokeFlowModule",
        "EndFlowModuleExecution",
        "TransferContactToAgent",
        "TransferParticipantToThirdParty",
        "CheckOutboundCallStatus",
        "CompleteOutboundCall",
        "UpdateContactMediaStreamingBehavior",
        "UpdatePreviousContactParticipantState",
        "UpdateContactMediaProcessing",
        "ResumeContact",
        "CreateCase",
        "GetCase",
        "UpdateCase",
        "CreateWisdomSession",
        "ShowView",
        "CheckVoiceId",
        "StartVoiceIdStream",
        "UpdateRoutingCriteria",
        "UpdateContactRoutingCriteria",
        "CreateCustomerProfile",
        "GetCustomerProfile",
        "UpdateCustomerProfile",
        "GetCustomerProfileObject",
        "GetCalculatedAttributesForCustomerProfile",
        "AssociateContactToCustomerProfile",
    }
)

TERMINAL = frozenset(
    {"DisconnectParticipant", "EndFlowExecution", "EndFlowModuleExecution", "TransferContactToAgent"}
)

#: error branches an action must wire (reference section 3 + Appendix A)
REQUIRED_ERRORS: dict[str, tuple[str, ...]] = {
    "InvokeLambdaFunction": ("NoMatchingError",),
    "TransferContactToQueue": ("QueueAtCapacity", "NoMatchingError"),
    "DequeueContactAndTransferToQueue": ("QueueAtCapacity", "NoMatchingError"),
    "UpdateContactAttributes": ("NoMatchingError",),
    "UpdateFlowAttributes": ("NoMatchingError",),
    "UpdateContactTargetQueue": ("NoMatchingError",),
    "TransferToFlow": ("NoMatchingError",),
    "CheckHoursOfOperation": ("NoMatchingError",),
    "CheckMetricData": ("NoMatchingError",),
    "GetMetricData": ("NoMatchingError",),
    "CreateCallbackContact": ("NoMatchingError",),
    "UpdateContactEventHooks": ("NoMatchingError",),
    "UpdateContactCallbackNumber": ("InvalidCallbackNumber", "CallbackNumberNotDialable"),
    "Compare": ("NoMatchingCondition",),
    "DistributeByPercentage": ("NoMatchingCondition",),
    "TransferParticipantToThirdParty": ("NoMatchingError",),
    "InvokeFlowModule": ("NoMatchingError",),
    "UpdateContactData": ("NoMatchingError",),
    "TagContact": ("NoMatchingError",),
    "Wait": ("NoMatchingError",),
}

#: error types an action may wire (others are refused by Connect); absent = not checked
ALLOWED_ERRORS: dict[str, frozenset[str]] = {
    "MessageParticipant": frozenset({"NoMatchingError"}),
    "InvokeLambdaFunction": frozenset({"NoMatchingError"}),
    "UpdateContactAttributes": frozenset({"NoMatchingError"}),
    "Compare": frozenset({"NoMatchingCondition"}),
    "CheckHoursOfOperation": frozenset({"NoMatchingError"}),
    "CheckMetricData": frozenset({"NoMatchingError", "NoMatchingCondition"}),
    "UpdateContactTargetQueue": frozenset({"NoMatchingError"}),
    "TransferContactToQueue": frozenset({"QueueAtCapacity", "NoMatchingError"}),
    "TransferToFlow": frozenset({"NoMatchingError"}),
    "UpdateFlowLoggingBehavior": frozenset(),
    "UpdateContactCallbackNumber": frozenset({"InvalidCallbackNumber", "CallbackNumberNotDialable"}),
    "CreateCallbackContact": frozenset({"NoMatchingError"}),
    "Loop": frozenset({"NoMatchingError"}),
    "DistributeByPercentage": frozenset({"NoMatchingCondition"}),
    "TransferParticipantToThirdParty": frozenset(
        {"ConnectionTimeLimitExceeded", "CallFailed", "NoMatchingError"}
    ),
    "DisconnectParticipant": frozenset(),
    "EndFlowExecution": frozenset(),
}

#: parameters that must be static (reference 1.5 kind 1)
STATIC_ONLY = frozenset(
    {
        "StoreInput",
        "InvocationTimeLimitSeconds",
        "InvocationType",
        "FlowLoggingBehavior",
        "MetricType",
        "QueuePriority",
        "QueueTimeAdjustmentSeconds",
        "InputTimeLimitSeconds",
        "InitialCallDelaySeconds",
        "MaximumConnectionAttempts",
        "RetryDelaySeconds",
        "InterruptFrequencySeconds",
    }
)
#: parameters that are static or one whole JSONPath (kind 2)
SINGLE_PATH = frozenset(
    {
        "QueueId",
        "AgentId",
        "ContactFlowId",
        "PromptId",
        "ComparisonValue",
        "LoopCount",
        "HoursOfOperationId",
        "CallbackNumber",
        "FlowModuleId",
    }
)

#: flow types where an action may run (reference 3.0, action pages); unlisted actions: anywhere
FLOW_TYPES: dict[str, frozenset[str]] = {
    "GetParticipantInput": frozenset({"CONTACT_FLOW", "CUSTOMER_QUEUE", "AGENT_TRANSFER", "QUEUE_TRANSFER"}),
    "MessageParticipantIteratively": frozenset({"CUSTOMER_QUEUE", "CUSTOMER_HOLD", "AGENT_HOLD"}),
    "TransferContactToQueue": frozenset({"CONTACT_FLOW", "AGENT_TRANSFER", "QUEUE_TRANSFER"}),
    "UpdateContactTargetQueue": frozenset({"CONTACT_FLOW", "AGENT_TRANSFER", "QUEUE_TRANSFER"}),
    "TransferToFlow": frozenset({"CONTACT_FLOW", "AGENT_TRANSFER", "QUEUE_TRANSFER"}),
    "CheckHoursOfOperation": frozenset(
        {"CONTACT_FLOW", "CUSTOMER_QUEUE", "AGENT_TRANSFER", "QUEUE_TRANSFER"}
    ),
    "CheckMetricData": frozenset({"CONTACT_FLOW", "CUSTOMER_QUEUE", "AGENT_TRANSFER", "QUEUE_TRANSFER"}),
    "CreateCallbackContact": frozenset(
        {"CONTACT_FLOW", "CUSTOMER_QUEUE", "AGENT_TRANSFER", "QUEUE_TRANSFER"}
    ),
    "DequeueContactAndTransferToQueue": frozenset({"CUSTOMER_QUEUE"}),
    "InvokeFlowModule": frozenset({"CONTACT_FLOW", "CONTACT_FLOW_MODULE"}),
    "EndFlowModuleExecution": frozenset({"CONTACT_FLOW_MODULE"}),
}

_QUEUE_OR_WHISPER = frozenset(
    {"CUSTOMER_QUEUE", "CUSTOMER_WHISPER", "AGENT_WHISPER", "OUTBOUND_WHISPER", "CUSTOMER_HOLD", "AGENT_HOLD"}
)
_SPEAKERS = frozenset({"MessageParticipant", "GetParticipantInput", "MessageParticipantIteratively"})
_SERVED_ON_SUCCESS = frozenset(
    {
        "TransferContactToQueue",
        "DequeueContactAndTransferToQueue",
        "TransferToFlow",
        "TransferParticipantToThirdParty",
    }
)
#: error types that are really "otherwise" branches, not failures
_NOT_FAILURES = frozenset({"NoMatchingCondition"})
#: UpdateContactEventHooks hook names (reference 3.18)
EVENT_HOOKS = frozenset(
    {
        "AgentHold",
        "AgentWhisper",
        "CustomerHold",
        "CustomerQueue",
        "CustomerRemaining",
        "CustomerWhisper",
        "DefaultAgentUI",
        "DisconnectAgentUI",
        "PauseContact",
        "ResumeContact",
    }
)
_STAFFING = frozenset({"NumberOfAgentsAvailable", "NumberOfAgentsStaffed", "NumberOfAgentsOnline"})
_QUEUE_METRICS = frozenset({"OldestContactInQueueAgeSeconds", "NumberOfContactsInQueue"})


@dataclass(frozen=True)
class Finding:
    file: str
    identifier: str
    message: str
    severity: Severity = "error"

    def line(self) -> str:
        return f"{self.file}: {self.identifier}: {self.severity}: {self.message}"


def is_disconnect_flow(document: FlowDocument) -> bool:
    meta = document.Metadata
    marker = meta.get("civicline")
    if isinstance(marker, dict) and marker.get("disconnectFlow") is True:
        return True
    return meta.get("disconnectFlow") is True


class _Checker:
    def __init__(self, flow: LoadedFlow, label: str) -> None:
        self.flow = flow
        self.doc = flow.document
        self.label = label
        self.findings: list[Finding] = []
        self.actions = self.doc.action_map()

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
            self.transitions(act)
            if act.Type not in KNOWN_TYPES:
                self.add(act.Identifier, f"unknown action type {act.Type!r}")
                continue
            if act.Type not in ACTIONS:
                self.add(
                    act.Identifier,
                    f"action type {act.Type} is not implemented by the CivicLine engine",
                    "warning",
                )
            allowed_types = FLOW_TYPES.get(act.Type)
            if allowed_types and self.flow.flow_type not in allowed_types:
                self.add(
                    act.Identifier, f"{act.Type} is not available in a {self.flow.flow_type} flow", "warning"
                )
            self.errors(act)
            self.parameters(act)
            rule = getattr(self, f"rule_{act.Type}", None)
            if rule is not None:
                rule(act)

    def transitions(self, act: FlowAction) -> None:
        t = act.Transitions
        for label, target in t.targets():
            if target not in self.actions:
                self.add(act.Identifier, f"{label} goes to {target!r}, which is not an action (dangling)")
        for cond in t.Conditions:
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
        if act.Type in TERMINAL:
            if t.NextAction or t.Errors or t.Conditions:
                self.add(act.Identifier, f"{act.Type} is terminal; its Transitions must be {{}}", "warning")
            return
        if t.NextAction:
            return
        covered_by_conditions = act.Type in ("CheckHoursOfOperation", "Loop") or (
            t.Conditions and t.error_target("NoMatchingCondition")
        )
        if act.Type == "MessageParticipantIteratively" or covered_by_conditions:
            return
        if act.Type in _SERVED_ON_SUCCESS | {"TransferContactToQueue"}:
            return  # success leaves the flow
        self.add(act.Identifier, f"{act.Type} has no NextAction")

    def errors(self, act: FlowAction) -> None:
        wired = [e.ErrorType for e in act.Transitions.Errors]
        for error in sorted({e for e in wired if wired.count(e) > 1}):
            self.add(act.Identifier, f"error branch {error} appears more than once")
        required = list(REQUIRED_ERRORS.get(act.Type, ()))
        if act.Type == "GetParticipantInput":
            store = _flag(act.Parameters.get("StoreInput"))
            required = ["NoMatchingError"] + (
                [] if store else ["InputTimeLimitExceeded", "NoMatchingCondition"]
            )
        for error in required:
            if error not in wired:
                self.add(act.Identifier, f"{act.Type} needs an error branch {error}")
        if act.Type == "MessageParticipant" and "NoMatchingError" not in wired:
            self.add(
                act.Identifier, "no NoMatchingError branch: a failed prompt would stop the contact", "warning"
            )
        allowed = ALLOWED_ERRORS.get(act.Type)
        if allowed is not None:
            for error in wired:
                if error not in allowed:
                    self.add(act.Identifier, f"{act.Type} does not support the error branch {error}")

    def parameters(self, act: FlowAction) -> None:
        params = act.Parameters
        for key, value in params.items():
            if key in STATIC_ONLY and references_in(value):
                self.add(act.Identifier, f"{key} must be static, not a JSONPath reference")
            if (
                key in SINGLE_PATH
                and isinstance(value, str)
                and references_in(value)
                and not is_reference(value)
            ):
                self.add(
                    act.Identifier, f"{key} must be static or one whole JSONPath, not text with a reference"
                )
        for ref in references_in(params):
            segments = path_segments(ref)
            if segments and segments[0] not in NAMESPACES:
                self.add(act.Identifier, f"{ref} is not a valid flow data path ({segments[0]} is unknown)")
        sources = [k for k in ("PromptId", "Text", "SSML", "Media") if k in params]
        if len(sources) > 1:
            self.add(act.Identifier, f"only one of {', '.join(sources)} may be given")
        for pair in (("QueueId", "AgentId"), ("QueuePriority", "QueueTimeAdjustmentSeconds")):
            if all(k in params for k in pair):
                self.add(act.Identifier, f"{pair[0]} and {pair[1]} are mutually exclusive")

    # -- per-type rules (names match action types) -----------------------------------------------
    def rule_MessageParticipant(self, act: FlowAction) -> None:
        if not any(k in act.Parameters for k in ("PromptId", "Text", "SSML", "Media")):
            self.add(act.Identifier, "MessageParticipant needs one of PromptId, Text, SSML or Media")

    def rule_GetParticipantInput(self, act: FlowAction) -> None:
        params = act.Parameters
        store = _flag(params.get("StoreInput"))
        wired = {e.ErrorType for e in act.Transitions.Errors}
        limit = params.get("InputTimeLimitSeconds")
        if limit is not None and not _positive_int(limit):
            self.add(act.Identifier, f"InputTimeLimitSeconds {limit!r} is not a positive integer")
        validation = params.get("InputValidation")
        if store:
            if not isinstance(validation, dict) or not validation:
                self.add(act.Identifier, "StoreInput True needs InputValidation")
                validation = {}
            if "PhoneNumberValidation" in validation and "CustomValidation" in validation:
                self.add(act.Identifier, "PhoneNumberValidation and CustomValidation are mutually exclusive")
            phone = validation.get("PhoneNumberValidation")
            if isinstance(phone, dict):
                if phone.get("NumberFormat") not in ("Local", "E164"):
                    self.add(act.Identifier, "PhoneNumberValidation.NumberFormat must be Local or E164")
                if phone.get("NumberFormat") == "Local" and not phone.get("CountryCode"):
                    self.add(act.Identifier, "PhoneNumberValidation Local needs a CountryCode")
                if "InvalidPhoneNumber" not in wired:
                    self.add(
                        act.Identifier, "phone-number validation needs an error branch InvalidPhoneNumber"
                    )
            custom = validation.get("CustomValidation")
            if isinstance(custom, dict) and not _positive_int(custom.get("MaximumLength")):
                self.add(act.Identifier, "CustomValidation.MaximumLength must be a positive integer")
            if act.Transitions.Conditions:
                self.add(act.Identifier, "StoreInput True takes no conditions")
            for error in ("NoMatchingCondition", "InputTimeLimitExceeded"):
                if error in wired:
                    self.add(act.Identifier, f"StoreInput True does not support the error branch {error}")
            if "PhoneNumberValidation" not in validation and "InvalidPhoneNumber" in wired:
                self.add(act.Identifier, "InvalidPhoneNumber needs PhoneNumberValidation")
        else:
            if "InvalidPhoneNumber" in wired:
                self.add(act.Identifier, "InvalidPhoneNumber is only for StoreInput True")
            for cond in act.Transitions.Conditions:
                c = cond.Condition
                if c.Operator != "Equals":
                    self.add(act.Identifier, f"a DTMF menu compares with Equals only, not {c.Operator}")
                operand = c.Operands[0] if c.Operands else None
                if not (isinstance(operand, str) and len(operand) == 1 and operand in "0123456789*#"):
                    self.add(act.Identifier, f"DTMF menu operand {operand!r} is not one key 0-9, * or #")

    def rule_InvokeLambdaFunction(self, act: FlowAction) -> None:
        params = act.Parameters
        limit = params.get("InvocationTimeLimitSeconds")
        asynchronous = str(params.get("InvocationType", "SYNCHRONOUS")).upper() == "ASYNCHRONOUS"
        top = 60 if asynchronous else 8
        if limit is None:
            self.add(act.Identifier, "InvocationTimeLimitSeconds is missing (1-8 s)", "warning")
        elif not _int_between(limit, 1, top):
            self.add(act.Identifier, f"InvocationTimeLimitSeconds {limit!r} is outside 1-{top} s")
        validation = params.get("ResponseValidation")
        if isinstance(validation, dict) and validation.get("ResponseType") not in (
            None,
            "STRING_MAP",
            "JSON",
        ):
            self.add(
                act.Identifier, f"ResponseType {validation.get('ResponseType')!r} is not STRING_MAP or JSON"
            )
        arn = str(params.get("LambdaFunctionARN", ""))
        if not arn:
            self.add(act.Identifier, "LambdaFunctionARN is missing")
        elif arn.startswith(LAMBDA_PREFIX) and function_from_arn(arn) is None:
            self.add(act.Identifier, f"Lambda {name_from_arn(arn)!r} is not a registry function")
        elif not arn.startswith(LAMBDA_PREFIX) and not is_reference(arn):
            self.add(
                act.Identifier, "Lambda ARN is not a registry function (contract not checked)", "warning"
            )
        attrs = params.get("LambdaInvocationAttributes")
        if attrs is not None and not isinstance(attrs, dict):
            self.add(act.Identifier, "LambdaInvocationAttributes must be an object")

    def rule_CheckHoursOfOperation(self, act: FlowAction) -> None:
        self._exact_conditions(act, {"True", "False"})

    def rule_Loop(self, act: FlowAction) -> None:
        self._exact_conditions(act, {"ContinueLooping", "DoneLooping"})
        count = act.Parameters.get("LoopCount")
        if count is not None and not is_reference(count) and not _int_between(count, 0, 100):
            self.add(act.Identifier, f"LoopCount {count!r} is outside 0-100")

    def _exact_conditions(self, act: FlowAction, values: set[str]) -> None:
        conds = act.Transitions.Conditions
        found = [(c.Condition.Operator, tuple(c.Condition.Operands)) for c in conds]
        expected = {("Equals", (v,)) for v in values}
        if len(found) != len(values) or set(found) != expected:
            wanted = " and ".join(f"Equals {v!r}" for v in sorted(values))
            self.add(act.Identifier, f"{act.Type} needs exactly two conditions: {wanted}")

    def rule_UpdateFlowLoggingBehavior(self, act: FlowAction) -> None:
        if act.Parameters.get("FlowLoggingBehavior") not in ("Enabled", "Disabled"):
            self.add(act.Identifier, "FlowLoggingBehavior must be Enabled or Disabled")

    def rule_UpdateContactCallbackNumber(self, act: FlowAction) -> None:
        if not is_reference(act.Parameters.get("CallbackNumber")):
            self.add(
                act.Identifier, "CallbackNumber must be a JSONPath reference (e.g. $.StoredCustomerInput)"
            )

    def rule_Compare(self, act: FlowAction) -> None:
        if not is_reference(act.Parameters.get("ComparisonValue")):
            self.add(act.Identifier, "ComparisonValue must be one JSONPath reference")
        if not act.Transitions.Conditions:
            self.add(act.Identifier, "Compare has no conditions", "warning")

    def rule_CheckMetricData(self, act: FlowAction) -> None:
        metric = act.Parameters.get("MetricType")
        if metric not in _STAFFING | _QUEUE_METRICS:
            self.add(act.Identifier, f"MetricType {metric!r} is not documented")
            return
        for cond in act.Transitions.Conditions:
            c = cond.Condition
            if metric in _STAFFING and (c.Operator, c.Operands) != ("NumberGreaterThan", ["0"]):
                self.add(act.Identifier, f"{metric} takes only the condition NumberGreaterThan '0'")

    def rule_DistributeByPercentage(self, act: FlowAction) -> None:
        previous = 0.0
        for cond in act.Transitions.Conditions:
            c = cond.Condition
            if c.Operator != "NumberLessThan":
                self.add(act.Identifier, f"DistributeByPercentage uses NumberLessThan, not {c.Operator}")
                continue
            try:
                value = float(str(c.Operands[0]))
            except (ValueError, IndexError):
                self.add(act.Identifier, f"threshold {c.Operands!r} is not a number")
                continue
            if value <= previous or value > 101:
                self.add(act.Identifier, f"threshold {value:g} is not increasing within 1-101")
            previous = value

    def rule_UpdateContactEventHooks(self, act: FlowAction) -> None:
        hooks = act.Parameters.get("EventHooks")
        if not isinstance(hooks, dict) or len(hooks) != 1:
            self.add(act.Identifier, "EventHooks must hold exactly one hook")
            return
        for hook in hooks:
            if hook not in EVENT_HOOKS:
                self.add(
                    act.Identifier,
                    f"unknown event hook {hook!r} (documented: {', '.join(sorted(EVENT_HOOKS))})",
                )

    def rule_Wait(self, act: FlowAction) -> None:
        if "TimeoutSeconds" in act.Parameters:
            self.add(
                act.Identifier, "Wait takes TimeLimitSeconds (the service rejects TimeoutSeconds)", "warning"
            )

    def rule_TransferContactToQueue(self, act: FlowAction) -> None:
        if act.Parameters:
            self.add(
                act.Identifier,
                "TransferContactToQueue takes no parameters (set the working queue)",
                "warning",
            )

    def rule_UpdateContactTargetQueue(self, act: FlowAction) -> None:
        if not act.Parameters.get("QueueId") and not act.Parameters.get("AgentId"):
            self.add(act.Identifier, "UpdateContactTargetQueue needs QueueId or AgentId")

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
        silent_ok = is_disconnect_flow(self.doc) or self.flow.flow_type in _QUEUE_OR_WHISPER - {
            "CUSTOMER_QUEUE"
        }
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
                if act.Type == "EndFlowExecution" and self.flow.flow_type in _QUEUE_OR_WHISPER:
                    continue
                key = (origin[0], origin[1], ident)
                if key not in reported:
                    reported.add(key)
                    where = "the flow start" if origin[1] == "flow start" else origin[1]
                    self.add(
                        origin[0],
                        f"caller dropped: {where} leads to {act.Type} {ident!r}"
                        " with no spoken message on the way",
                    )
                continue
            for label, target in act.Transitions.targets():
                failure = label.startswith("error ") and label.split(" ", 1)[1] not in _NOT_FAILURES
                if act.Type == "MessageParticipant" and _speaks(act):
                    # a prompt's own error branch counts as spoken: the prompt was played or
                    # attempted (a text prompt fails only on a service fault), so a goodbye whose
                    # error branch hangs up does not drop the caller
                    nxt: tuple[str, tuple[str, str] | None] = (target, None)
                elif failure:
                    nxt = (target, (ident, label))
                elif act.Type in _SPEAKERS and _speaks(act):
                    nxt = (target, None)
                elif act.Type == "CreateCallbackContact":
                    continue  # a callback was booked: the caller is served whatever follows
                else:
                    nxt = (target, origin)
                todo.append(nxt)
        self._endless(self._reachable([start]))

    def _endless(self, reachable: set[str]) -> None:
        """Actions from which no path ever ends the contact (an endless loop)."""
        ends = {
            a.Identifier
            for a in self.doc.Actions
            if a.Type
            in TERMINAL | _SERVED_ON_SUCCESS | {"CreateCallbackContact", "MessageParticipantIteratively"}
            or not a.Transitions.targets()
        }
        can_end = set(ends)
        changed = True
        while changed:
            changed = False
            for a in self.doc.Actions:
                if a.Identifier not in can_end and any(t in can_end for _, t in a.Transitions.targets()):
                    can_end.add(a.Identifier)
                    changed = True
        for ident in sorted(reachable - can_end):
            self.add(ident, "no path from this action ever ends the contact (endless loop)")

    # -- contracts ---------------------------------------------------------------------------
    def contracts(self) -> None:
        for act in self.doc.Actions:
            if act.Type != "InvokeLambdaFunction":
                continue
            function = function_from_arn(str(act.Parameters.get("LambdaFunctionARN", "")))
            if function is None or function not in CONTRACTS:
                continue
            params_model, _ = CONTRACTS[function]
            attrs = act.Parameters.get("LambdaInvocationAttributes") or {}
            if not isinstance(attrs, dict):
                continue
            fields = codec.fields_of(params_model)
            for key in attrs:
                if key not in fields:
                    self.add(
                        act.Identifier,
                        f"{function}: parameter {key!r} is not a field of {params_model.__name__}",
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
        self._external_reads()

    def _external_reads(self) -> None:
        """Data-flow: which Lambda call can be the latest one at each action; check its reads."""
        start = self.doc.StartAction
        if start not in self.actions:
            return
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
    params = act.Parameters
    if act.Type == "MessageParticipantIteratively":
        return bool(params.get("Messages"))
    return any(k in params for k in ("PromptId", "Text", "SSML", "Media"))


def _flag(value: Any) -> bool:
    return str(value).strip().lower() == "true"


def _positive_int(value: Any) -> bool:
    return _int_between(value, 1, 10**9)


def _int_between(value: Any, low: int, high: int) -> bool:
    if isinstance(value, bool):
        return False
    try:
        number = int(str(value).strip())
    except ValueError:
        return False
    return low <= number <= high


def validate_flow(flow: LoadedFlow, label: str | None = None) -> list[Finding]:
    """Every finding for one loaded flow (never raises on a parsed document)."""
    checker = _Checker(flow, label or (str(flow.source) if flow.source else flow.name))
    checker.document()
    checker.each_action()
    checker.reachability()
    checker.safety()
    checker.contracts()
    return checker.findings


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
