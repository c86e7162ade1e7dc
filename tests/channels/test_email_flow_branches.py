"""Every outcome branch of flows/inbound-email.json is driven, and no e-mail contact ends in error:
the function's answers and faults drawn at random, queues full at random (like
tests/flows/test_branch_coverage.py does for the voice flows)."""

from __future__ import annotations

import random
from typing import Any

from civicline.engine import Engine, FlowLibrary, QueueMetrics, StaticCenter
from civicline.engine.arns import local_arn
from civicline.local.email_store import store_message
from infra.registry import QUEUES_BY_NAME
from tests.flows.conftest import FLOWS_DIR, ContractLambdas
from tests.flows.test_branch_coverage import menu_branches, taken

ANSWERS: list[dict[str, str]] = [
    {
        "result": "ROUTED",
        "screen": "MESSAGE",
        "acknowledgement": "SENT",
        "queueName": "tier2",
        "queueArn": local_arn("queue", "tier2"),
        "answerDeadline": "2026-12-02T10:00:00+00:00",
    },
    {"result": "ROUTED", "screen": "MESSAGE", "acknowledgement": "RECENT"},  # no queue ARN: general
    {"result": "IGNORED", "screen": "AUTO_REPLY", "acknowledgement": "AUTO_REPLY"},
    {"result": "INVALID_INPUT"},
]


def test_every_outcome_branch_of_the_email_flow_is_driven_and_nothing_errors(local_aws: Any) -> None:
    library = FlowLibrary.from_directory(FLOWS_DIR, strict=False)
    rng = random.Random(20261201)
    covered: set[tuple[str, str, str]] = set()
    for _ in range(200):
        lambdas = ContractLambdas()
        lambdas.respond("email_triage", *[rng.choice(ANSWERS) for _ in range(3)])
        fault: Any = lambda function, attempt: rng.choice([None, None, "error", "timeout"])  # noqa: E731
        center = StaticCenter(
            open=True,
            full_queues=frozenset(q for q in QUEUES_BY_NAME if rng.random() < 0.3),
            default_metrics=QueueMetrics(agents_available=1, agents_online=1, agents_staffed=1),
        )
        engine = Engine(library, invoker=lambdas.invoker(fault), center=center)
        # the stored message: plain text (loaded), none (HTML only) or none at all (error branch)
        contact_id = f"00000000-0000-4000-8000-{len(covered):012d}"
        stored = rng.choice([store_message(contact_id, "a question"), store_message(contact_id, None), None])
        result = engine.run_contact(
            "inbound-email",
            None,
            caller_number="ana@example.org",
            channel="EMAIL",
            contact_id=contact_id,
            email_message=stored,
        )
        assert result.ended["how"] != "ERROR", result.ended
        covered |= taken(result)
    wanted = {t for t in menu_branches(library) if t[0] == "inbound-email"}
    assert len(wanted) >= 4
    assert sorted(wanted - covered) == []
