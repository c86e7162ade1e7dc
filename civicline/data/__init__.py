"""Seeding the tables: reference data (a deployment's step) apart from the demo cases (demo only).

* :func:`seed_reference` writes offices, routing rules, knowledge answers and holidays. The built-in
  set is fictional, so a deployment must give its own (:class:`ReferenceData` from a file); one that
  still holds a fictional number is refused there. Reference items are overwritten (that is how an
  edit is loaded).
* :func:`seed_demo_cases` writes the twenty demo cases, whose PINs are published. It writes to local
  tables only (:func:`~civicline.data.target.seed_target`) unless ``on_deployed_tables`` is set, and
  it never overwrites a case, locally either: each case is a conditional put
  (``attribute_not_exists(pk)``), and a number already taken is kept as it is and counted.
* :func:`seed_demo` is both, for local runs (the engine, the simulator, the tests), and refuses a
  deployment outright.

Everything goes through the functions' own DynamoDB client (in-process moto inside
:class:`~civicline.local.aws.LocalAws`, a moto server, or AWS), with the table names from the
environment (``functions.core.settings``). PIN hashes are keyed with the secret the functions use
(:mod:`functions.core.pseudonym_key`), so the demo PINs verify wherever they were seeded.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from civicline.data.reference_file import ReferenceData
from civicline.data.target import SeedRefused, SeedTarget, seed_target

__all__ = [
    "ReferenceData",
    "SeedRefused",
    "SeedSummary",
    "SeedTarget",
    "seed_demo",
    "seed_demo_cases",
    "seed_reference",
    "seed_target",
]


@dataclass(frozen=True)
class SeedSummary:
    """What a seed wrote: counts per kind; ``cases_kept`` were already there and left untouched."""

    offices: int = 0
    rules: int = 0
    knowledge_answers: int = 0
    holidays: int = 0
    cases: int = 0
    cases_kept: int = 0

    def as_dict(self) -> dict[str, int]:
        return {
            "offices": self.offices,
            "rules": self.rules,
            "knowledge_answers": self.knowledge_answers,
            "holidays": self.holidays,
            "cases": self.cases,
            "cases_kept": self.cases_kept,
        }


def seed_reference(data: ReferenceData | None = None) -> SeedSummary:
    """Write reference data: ``data``, or the built-in fictional set on local tables only."""
    from functions.adapters import dynamo, reference

    target = seed_target()
    if not target.local:
        if data is None:
            raise SeedRefused(
                f"{target.where}: the built-in reference data is fictional; give your agency's "
                "(civicline data seed-reference --file FILE; start from civicline data export-reference)"
            )
        if fictional := data.fictional_offices():
            raise SeedRefused(
                f"{target.where}: offices {', '.join(fictional)} still have fictional 555-01xx numbers"
            )
    data = data or ReferenceData.built_in()
    items = [
        *(reference.office_item(o) for o in data.offices),
        *(reference.rule_item(r) for r in data.rules),
        *(reference.knowledge_item(k) for k in data.knowledge),
        *(reference.holiday_item(h.date, h.name) for h in data.holidays),
    ]
    _batch_put(dynamo.table("reference"), items)
    reference.clear_cache()
    return SeedSummary(
        offices=len(data.offices),
        rules=len(data.rules),
        knowledge_answers=len(data.knowledge),
        holidays=len(data.holidays),
    )


def seed_demo_cases(now: datetime, *, on_deployed_tables: bool = False) -> SeedSummary:
    """Write the demo cases (dates relative to ``now``, tz-aware), never over an existing case.

    ``on_deployed_tables`` is the explicit "yes, put cases with published PINs in a deployment";
    there the hashes must be keyed with the deployment's secret, so its ARN (or key) must be set.
    """
    from civicline.data.demo import demo_cases, to_case
    from functions.adapters import dynamo
    from functions.adapters.cases import case_item
    from functions.core.pseudonym_key import PIN_PEPPER, derived_key
    from functions.core.settings import get_settings

    target = seed_target()
    if not target.local:
        if not on_deployed_tables:
            raise SeedRefused(f"{target.where}: demo cases (published PINs) go to local tables only")
        settings = get_settings()
        if not (settings.pseudonym_secret_arn or settings.pseudonym_key):
            raise SeedRefused(
                f"{target.where}: set PSEUDONYM_SECRET_ARN (the stack's secret) so the PINs verify there"
            )
    pepper = derived_key(PIN_PEPPER)
    client = dynamo.ddb()
    stored = kept = 0
    for demo in demo_cases():
        try:
            client.put_item(
                TableName=dynamo.table("cases"),
                Item=dynamo.to_item(case_item(to_case(demo, now, pepper))),
                ConditionExpression="attribute_not_exists(pk)",
            )
            stored += 1
        except client.exceptions.ConditionalCheckFailedException:
            kept += 1
    return SeedSummary(cases=stored, cases_kept=kept)


def seed_demo(now: datetime) -> SeedSummary:
    """The whole demo data set (built-in reference data and demo cases), for local tables only."""
    target = seed_target()
    if not target.local:
        raise SeedRefused(
            f"{target.where}: the demo data set is for local tables only; a deployment loads its own "
            "reference data with civicline data seed-reference --file FILE (docs/deploy.md)"
        )
    ref = seed_reference()
    cases = seed_demo_cases(now)
    return SeedSummary(
        offices=ref.offices,
        rules=ref.rules,
        knowledge_answers=ref.knowledge_answers,
        holidays=ref.holidays,
        cases=cases.cases,
        cases_kept=cases.cases_kept,
    )


def _batch_put(table: str, items: list[dict[str, Any]]) -> None:
    """BatchWriteItem in chunks of 25, retrying what DynamoDB leaves unprocessed (reference only:
    a batch put cannot be conditional, so cases never go through here)."""
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
