"""The demo data set and the code that loads it into the tables (``civicline data seed``).

:func:`seed` writes every reference item and sample case through the functions' own DynamoDB client
(so it goes wherever the functions go: in-process moto inside :class:`~civicline.local.aws.LocalAws`,
a moto server, or AWS) using the table names from the environment (``functions.core.settings``).
Seeding twice writes the same items again: it is idempotent.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from civicline.data.demo import HOLIDAYS, KNOWLEDGE, OFFICES, RULES, demo_cases, to_case


@dataclass(frozen=True)
class SeedSummary:
    offices: int
    rules: int
    knowledge_answers: int
    holidays: int
    cases: int

    def as_dict(self) -> dict[str, int]:
        return {
            "offices": self.offices,
            "rules": self.rules,
            "knowledge_answers": self.knowledge_answers,
            "holidays": self.holidays,
            "cases": self.cases,
        }


def seed(now: datetime) -> SeedSummary:
    """Load the demo data set; case dates are relative to ``now`` (tz-aware)."""
    from functions.adapters import dynamo, reference
    from functions.adapters.cases import case_item

    reference_items = [
        *(reference.office_item(o) for o in OFFICES),
        *(reference.rule_item(r) for r in RULES),
        *(reference.knowledge_item(k) for k in KNOWLEDGE),
        *(reference.holiday_item(day, name) for day, name in HOLIDAYS),
    ]
    case_items = [case_item(to_case(c, now)) for c in demo_cases()]
    _write(dynamo.table("reference"), reference_items)
    _write(dynamo.table("cases"), case_items)
    reference.clear_cache()
    return SeedSummary(
        offices=len(OFFICES),
        rules=len(RULES),
        knowledge_answers=len(KNOWLEDGE),
        holidays=len(HOLIDAYS),
        cases=len(case_items),
    )


def _write(table: str, items: list[dict[str, Any]]) -> None:
    """BatchWriteItem in chunks of 25, retrying what DynamoDB leaves unprocessed."""
    from functions.adapters import dynamo

    client = dynamo.ddb()
    for start in range(0, len(items), 25):
        pending: dict[str, Any] = {
            table: [{"PutRequest": {"Item": dynamo.to_item(i)}} for i in items[start : start + 25]]
        }
        for _ in range(8):
            pending = client.batch_write_item(RequestItems=pending).get("UnprocessedItems") or {}
            if not pending:
                break
        else:
            raise RuntimeError(f"DynamoDB left items unprocessed in {table}")
