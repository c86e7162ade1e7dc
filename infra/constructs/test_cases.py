"""The Connect test cases of tests/connect, deployed as ``AWS::Connect::TestCase`` for the flows.

Each case file is read exactly as ``civicline test`` reads it (:mod:`civicline.conntest.parser`) and
written back in the canonical spelling (:mod:`civicline.conntest.emit`); its ``%KIND_NAME%``
placeholders (functions, queues, hours, flows) become the deployed ARNs, and the entry flow the
deployed flow's id, so the very cases that pass offline run in the instance after a deploy
(``StartTestCaseExecution``, docs/deploy.md). They live in their own stack, behind
``test_cases.deploy`` in the environment file (:mod:`infra.stacks.test_cases`).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from aws_cdk import Fn
from aws_cdk import aws_connect as connect
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from civicline.conntest.emit import content
from civicline.conntest.model import TestCase
from civicline.conntest.parser import parse_case
from civicline.conntest.resources import canonical
from civicline.conntest.suite import collect
from infra.config import EnvConfig
from infra.constructs.connect_center import ConnectCenter, pascal
from infra.registry import FLOWS, FUNCTIONS, placeholder

ROOT = Path(__file__).resolve().parents[2]
PLACEHOLDER = re.compile(r"%[A-Z][A-Z0-9_]*%")
DEFAULT_FLOW = "main-inbound"


class TestCaseError(ValueError):
    """A case that cannot be deployed (malformed, or naming a resource the stack does not have)."""

    __test__ = False


def read_cases(paths: tuple[str, ...], root: Path = ROOT) -> list[tuple[Path, TestCase]]:
    """Every case under ``paths``, placeholders left in place (raises :class:`TestCaseError`)."""
    from civicline.conntest.model import CaseError

    cases = []
    for path in collect(root / p for p in paths):
        folder = path.parent.name if path.parent.name in FLOWS else None
        try:
            case = parse_case(json.loads(path.read_text(encoding="utf-8")), file=path, default_flow=folder)
        except (CaseError, json.JSONDecodeError) as exc:
            raise TestCaseError(f"{path.relative_to(root)}: {exc}") from exc
        cases.append((path, case))
    return cases


def entry_flow(case: TestCase) -> str:
    """The flow (registry stem) a case starts in: a placeholder, a name or a flow ARN."""
    flow = case.flow or DEFAULT_FLOW
    kind, _, name = canonical(flow, "FLOW").partition(":")
    if kind != "FLOW" or name not in FLOWS:
        raise TestCaseError(f"{case.name}: entry flow {flow!r} is not one of the stack's flows")
    return name


def substitute(text: str, arns: dict[str, str], where: str) -> str:
    """Replace each placeholder with its deployed ARN (a CDK token); an unknown one is an error."""
    missing = sorted({t for t in PLACEHOLDER.findall(text) if t not in arns})
    if missing:
        raise TestCaseError(f"{where}: no deployed resource for {', '.join(missing)}")
    for token in sorted(set(PLACEHOLDER.findall(text))):
        text = text.replace(token, arns[token])
    return text


def deployed_arns(
    center: ConnectCenter, functions: dict[str, lambda_.Function], flows: dict[str, connect.CfnContactFlow]
) -> dict[str, str]:
    """Every placeholder a case may use -> the deployed resource's ARN (as the flows are rendered)."""
    arns = {
        placeholder("LAMBDA", f.name): functions[f.name].function_arn for f in FUNCTIONS if f.connect_facing
    }
    arns.update({placeholder("QUEUE", name): q.attr_queue_arn for name, q in center.queues.items()})
    arns.update(
        {placeholder("HOURS", name): h.attr_hours_of_operation_arn for name, h in center.hours.items()}
    )
    arns.update({placeholder("FLOW", stem): flow.attr_contact_flow_arn for stem, flow in flows.items()})
    return arns


class TestCases(Construct):
    """One ``AWS::Connect::TestCase`` per case file (``cases``: logical id -> resource)."""

    __test__ = False

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: EnvConfig,
        center: ConnectCenter,
        functions: dict[str, lambda_.Function],
        flows: dict[str, connect.CfnContactFlow],
        root: Path = ROOT,
    ) -> None:
        super().__init__(scope, construct_id)
        self.cases: dict[str, connect.CfnTestCase] = {}
        arns = deployed_arns(center, functions, flows)
        flow_arns = {stem: flow.attr_contact_flow_arn for stem, flow in flows.items()}
        instance_arn = center.instance_arn
        self.skipped: dict[str, str] = {}
        for path, case in read_cases(config.test_cases.paths, root):
            folder = path.parent.name
            if FLOWS[entry_flow(case)] != "CONTACT_FLOW":
                # a test contact starts in a contact flow; queue and whisper flows are tested offline only
                self.skipped[str(path.relative_to(root))] = f"entry flow type {FLOWS[entry_flow(case)]}"
                continue
            logical = f"TestCase{pascal(folder)}{pascal(path.stem)}"
            stem = entry_flow(case)
            flow_id = Fn.select(3, Fn.split("/", flow_arns[stem]))
            where = str(path.relative_to(root))
            voice = connect.CfnTestCase.VoiceCallEntryPointParametersProperty(
                flow_id=flow_id,
                source_phone_number=case.source_number,
                destination_phone_number=case.destination_number,
            )
            chat = connect.CfnTestCase.ChatEntryPointParametersProperty(flow_id=flow_id)
            entry = connect.CfnTestCase.EntryPointProperty(
                type="CHAT" if case.channel == "CHAT" else "VOICE_CALL",
                voice_call_entry_point_parameters=voice if case.channel == "VOICE" else None,
                chat_entry_point_parameters=chat if case.channel == "CHAT" else None,
            )
            attributes = json.dumps(case.attributes) if case.attributes else None
            self.cases[logical] = connect.CfnTestCase(
                self,
                logical,
                instance_arn=instance_arn,
                name=f"{config.resource_prefix}-{folder}-{path.stem}"[:127],
                description=(case.description or case.name)[:500] or None,
                content=substitute(content(case.document), arns, where),
                entry_point=entry,
                initialization_data=substitute(attributes, arns, where) if attributes else None,
                status=config.test_cases.status,
            )
