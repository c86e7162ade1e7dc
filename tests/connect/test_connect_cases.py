"""CivicLine's own flows, tested in Amazon Connect's testing language: ``civicline test tests/connect``
must pass every case and exercise at least 90 % of the flows' branches (issue 12)."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from civicline.cli import app

HERE = Path(__file__).resolve().parent
#: the voice cases mirrored on CHAT (typed text for keys, chat wording): run offline with these,
#: not deployed as AWS::Connect::TestCase (the stack template would pass CloudFormation's 1 MB)
CHAT_MIRRORS = HERE.parent / "connect_chat"
BRANCH_FLOOR = 0.90
#: a test case starts a VOICE_CALL or CHAT contact (API_TestCaseEntryPoint), so an e-mail flow cannot
#: be entered by one: flows/inbound-email.json is walked on the EMAIL channel in tests/channels
NOT_ENTERABLE = frozenset({"inbound-email"})
#: flows a test case could enter but that have no Connect test cases yet (none: the outbound
#: notification call has its own in tests/connect/notification-call)
NO_CASES_YET: frozenset[str] = frozenset()


def _share(flows: dict[str, dict[str, list[int]]], kind: str) -> float:
    counted = {name: f for name, f in flows.items() if name not in NOT_ENTERABLE | NO_CASES_YET}
    covered = sum(f[kind][0] for f in counted.values())
    total = sum(f[kind][1] for f in counted.values())
    return covered / total


def test_every_connect_case_passes_with_branch_coverage_of_the_flows() -> None:
    # When the command runs the whole folder
    outcome = CliRunner().invoke(app, ["test", str(HERE), str(CHAT_MIRRORS), "--json", "--coverage"])
    report = json.loads(outcome.stdout)
    failing = [
        f"{r['name']}: {r['status']} {r['reason']}" for r in report["results"] if r["status"] != "PASSED"
    ]
    # Then every case passed, and the command said so
    assert failing == []
    assert outcome.exit_code == 0
    assert report["passed"] == len(report["results"]) >= 240
    chat = [r for r in report["results"] if r["name"].startswith("chat-") or r["name"].startswith("Chat:")]
    assert len(chat) >= 110
    # And the cases exercise the flows
    flows = report["coverage"]["flows"]
    assert _share(flows, "branches") >= BRANCH_FLOOR, flows
    assert _share(flows, "actions") >= 0.95
