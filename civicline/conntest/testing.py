"""Flow tests in Python for pytest: build a Connect test case fluently, or check case files.

``Scenario`` writes the same testing-language document a JSON case holds (``document()``, ``save()``)
and runs it like ``civicline test`` does (``run()``; ``check()`` raises ``AssertionError`` naming the
failing observation). ``case_files`` and ``check_file`` parametrize a pytest test over JSON cases.
See docs/testing.md.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path
from typing import Any

from civicline.conntest.parser import load_case, parse_case
from civicline.conntest.runner import CaseResult
from civicline.conntest.suite import FLOWS_DIR, LocalCenter, collect, folder_flow, run_case
from civicline.engine import FlowLibrary


def _override(action_type: str, parameters: dict[str, Any], strategy: dict[str, Any]) -> dict[str, Any]:
    properties = {"ActionType": action_type, "ActionParameters": parameters, "Strategy": strategy}
    return {
        "Type": "OverrideSystemBehavior",
        "Parameters": {
            "ActionType": "OverrideSystemBehavior",
            "Behavior": {"Type": "FlowAction", "Properties": properties},
        },
    }


def _mock(response: dict[str, Any]) -> dict[str, Any]:
    return {"Type": "MockResponse", "Response": response}


@dataclass
class Scenario:
    """One test case, written step by step: what the caller hears or the flow does, then what the test
    does about it. Each ``hears``/``sees`` starts an observation awaited after the previous one."""

    name: str
    flow: str = "main-inbound"
    attributes: dict[str, str] = field(default_factory=dict)
    channel: str = "VOICE"  # or CHAT: the case starts a chat (ChatEntryPointParameters)
    setup: list[dict[str, Any]] = field(default_factory=list)
    observations: list[dict[str, Any]] = field(default_factory=list)

    # -- events ------------------------------------------------------------------------------
    def hears(self, text: str, *, similar: bool = False, times: int | None = None) -> Scenario:
        """The customer is told ``text`` (contained in the message, or similar to it)."""
        criteria = "Similarity" if similar else "Inclusion"
        properties = {"Text": text, "MatchingCriteria": {"Type": criteria}}
        return self._observe({"Type": "MessageReceived", "Properties": properties}, times)

    def sees(self, action_type: str, times: int | None = None, **parameters: Any) -> Scenario:
        """A flow action of that type starts (with these parameters, in any resource spelling)."""
        properties = {"ActionType": action_type, "ActionParameters": parameters}
        return self._observe({"Type": "FlowActionStarted", "Properties": properties}, times)

    def at_end(self) -> Scenario:
        """What follows is checked when the test completes."""
        return self._observe({"Type": "TestCompleted", "Properties": {}}, None)

    def never_hears(self, text: str) -> Scenario:
        """``text`` must not be heard at any time during the test (Usage AtMost 0, unconnected)."""
        observation = self._event({"Type": "MessageReceived", "Properties": {"Text": text}}, 0)
        observation["Usage"] = {"Type": "AtMost", "Times": 0}
        observation["Unlinked"] = True
        self.observations.append(observation)
        return self

    # -- actions on the current observation --------------------------------------------------
    def press(self, keys: str) -> Scenario:
        instruction = {"Type": "DtmfInput", "Properties": {"Value": keys}}
        return self._act({"Type": "SendInstruction", "Parameters": self._send(instruction)})

    def types(self, text: str) -> Scenario:
        """A chat customer sends ``text`` (a TextUtterance)."""
        instruction = {"Type": "TextUtterance", "Properties": {"Value": text}}
        return self._act({"Type": "SendInstruction", "Parameters": self._send(instruction)})

    def hang_up(self) -> Scenario:
        return self._act({"Type": "SendInstruction", "Parameters": self._send({"Type": "Disconnect"})})

    def expect(self, namespace: str, operator: str = "Exists", operand: str | None = None) -> Scenario:
        params: dict[str, Any] = {"Namespace": namespace, "Operator": operator}
        if operand is not None:
            params["Operand"] = operand
        return self._act({"Type": "Assert", "Parameters": params})

    def end_test(self) -> Scenario:
        command = {"ActionType": "TestControl", "Command": {"Type": "EndTest"}}
        return self._act({"Type": "TestControl", "Parameters": command})

    # -- overrides, registered when the test starts ------------------------------------------
    def mock_lambda(self, function: str, answer: dict[str, Any], *, delay_seconds: float = 0) -> Scenario:
        result: dict[str, Any] = {"LoadedData": json.dumps(answer)}
        if delay_seconds:
            result["DelaySeconds"] = delay_seconds
        response = {"Type": "ExecutionResult", "ExecutionResult": result}
        self.setup.append(_override("InvokeLambdaFunction", {"LambdaFunctionARN": function}, _mock(response)))
        return self

    def fail_lambda(self, function: str, error: str = "NoMatchingError") -> Scenario:
        response = {"Type": "Error", "Error": {"Value": error}}
        self.setup.append(_override("InvokeLambdaFunction", {"LambdaFunctionARN": function}, _mock(response)))
        return self

    def hours(self, value: str, hours: str = "%HOURS_MAIN%") -> Scenario:
        """``InHours`` or ``OutOfHours`` for the next check of those hours."""
        response = {"Type": "ExecutionResult", "ExecutionResult": {"Value": value}}
        self.setup.append(_override("CheckHoursOfOperation", {"HoursOfOperationId": hours}, _mock(response)))
        return self

    def queue_full(self, queue: str | None = None) -> Scenario:
        """The next transfer (to ``queue``, or to any queue) finds it at capacity."""
        response = {"Type": "Error", "Error": {"Value": "QueueAtCapacity"}}
        params = {"QueueId": queue} if queue else {}
        self.setup.append(_override("TransferContactToQueue", params, _mock(response)))
        return self

    # -- the document and running it ---------------------------------------------------------
    def document(self) -> dict[str, Any]:
        items = []
        if self.setup:
            start = {"Type": "TestInitiated", "Properties": {}}
            items.append({**self._event(start, None), "Actions": list(self.setup)})
        items.extend(dict(o) for o in self.observations)
        for index, item in enumerate(items):
            item["Identifier"] = f"{index + 1:02d}"
            item["Event"] = {**item["Event"], "Identifier": f"event-{index + 1:02d}"}
            for number, action in enumerate(item["Actions"]):
                action["Identifier"] = f"{index + 1:02d}-{number + 1}"
                following = item["Actions"][number + 1 :]
                action["Transitions"] = {"NextAction": f"{index + 1:02d}-{number + 2}"} if following else {}
            item["Transitions"] = {"NextObservations": []}
        linked = [i for i in items if not i.pop("Unlinked", False)]
        for item, following in pairwise(linked):
            item["Transitions"] = {"NextObservations": [following["Identifier"]]}
        return {"Version": "2019-10-30", "Metadata": {"Description": self.name}, "Observations": items}

    def request(self) -> dict[str, Any]:
        """The ``CreateTestCase`` request body for this scenario."""
        entry = (
            {"Type": "CHAT", "ChatEntryPointParameters": {"FlowId": self.flow}}
            if self.channel == "CHAT"
            else {"Type": "VOICE_CALL", "VoiceCallEntryPointParameters": {"FlowId": self.flow}}
        )
        body: dict[str, Any] = {
            "Name": self.name,
            "EntryPoint": entry,
            "Content": json.dumps(self.document()),
        }
        if self.attributes:
            body["InitializationData"] = json.dumps(self.attributes)
        return body

    def save(self, path: Path) -> Path:
        path.write_text(json.dumps(self.request(), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        return path

    def run(self, library: FlowLibrary | None = None) -> CaseResult:
        case = parse_case(self.request())
        with LocalCenter().session() as center:
            return run_case(case, library or FlowLibrary.from_directory(FLOWS_DIR), center)

    def check(self, library: FlowLibrary | None = None) -> CaseResult:
        """Run and raise ``AssertionError`` with the reason unless the case passed."""
        result = self.run(library)
        if result.status != "PASSED":
            raise AssertionError(f"{result.status} {self.name}: {result.reason}")
        return result

    # -- internals ---------------------------------------------------------------------------
    @staticmethod
    def _send(instruction: dict[str, Any]) -> dict[str, Any]:
        return {"ActionType": "SendInstruction", "Actor": "Customer", "Instruction": instruction}

    @staticmethod
    def _event(event: dict[str, Any], times: int | None) -> dict[str, Any]:
        observation: dict[str, Any] = {"Event": {**event, "Actor": "System"}, "Actions": []}
        if times is not None:
            observation["Usage"] = {"Type": "Exactly", "Times": times}
        return observation

    def _observe(self, event: dict[str, Any], times: int | None) -> Scenario:
        self.observations.append(self._event(event, times))
        return self

    def _act(self, action: dict[str, Any]) -> Scenario:
        if not self.observations:
            raise ValueError("start an observation (hears, sees or at_end) before its actions")
        self.observations[-1]["Actions"].append(action)
        return self


def case_files(*paths: str | Path) -> list[Path]:
    """The case files under ``paths`` (for ``pytest.mark.parametrize``)."""
    return collect(Path(p) for p in paths)


def check_file(path: str | Path, *, flow: str | None = None) -> CaseResult:
    """Run one case file; raise ``AssertionError`` with the reason unless it passed."""
    library = FlowLibrary.from_directory(FLOWS_DIR)
    case = load_case(Path(path), default_flow=flow or folder_flow(Path(path), library))
    with LocalCenter().session() as center:
        result = run_case(case, library, center)
    if result.status != "PASSED":
        raise AssertionError(f"{result.status} {result.name}: {result.reason}")
    return result
