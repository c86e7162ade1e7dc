"""The demo data set and `civicline data seed` / `civicline data cases`."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from civicline.data import seed
from civicline.data.demo import demo_cases
from functions.domain.identifiers import is_valid_case_number
from tests.conftest import ROOT
from tests.functional.conftest import NOW


def test_demo_cases_are_deterministic_and_valid() -> None:
    first, second = demo_cases(), demo_cases()
    assert first == second
    assert len(first) == 20
    assert len({c.case_number for c in first}) == 20
    assert all(is_valid_case_number(c.case_number) and re.fullmatch(r"[0-9]{4}", c.pin) for c in first)


def test_docs_list_every_sample_case_with_its_pin() -> None:
    text = (ROOT / "docs" / "data.md").read_text(encoding="utf-8")
    for case in demo_cases():
        assert re.search(rf"\|\s*`?{case.case_number}`?\s*\|\s*`?{case.pin}`?\s*\|", text), case.case_number


def test_seed_is_idempotent_and_stores_no_pin_in_clear(local_aws: Any) -> None:
    first = seed(NOW)
    second = seed(NOW)
    assert first == second
    assert first.as_dict() == {"offices": 9, "rules": 11, "knowledge_answers": 6, "holidays": 22, "cases": 20}
    ddb = local_aws.client("dynamodb")
    items = ddb.scan(TableName=local_aws.table("cases"))["Items"]
    assert len(items) == 20
    for item in items:
        assert item["pin_hash"]["S"].startswith("pbkdf2_sha256$")
    reference = ddb.scan(TableName=local_aws.table("reference"))["Items"]
    assert len(reference) == 9 + 11 + 6 + 22
    assert {i["sk"]["S"] for i in reference if i["pk"]["S"].startswith("KB#")} == {"en", "es"}


def test_cli_seed_and_cases(local_aws: Any) -> None:
    from civicline.cli import app

    runner = CliRunner()
    result = runner.invoke(app, ["data", "seed"])
    assert result.exit_code == 0, result.output
    assert "cases: 20" in result.output
    listing = runner.invoke(app, ["data", "cases"])
    assert listing.exit_code == 0
    assert demo_cases()[0].case_number in listing.output and demo_cases()[0].pin in listing.output


def test_cli_seed_without_tables_says_what_to_set(monkeypatch: Any) -> None:
    from civicline.cli import app

    for env in ("REFERENCE_TABLE", "CASES_TABLE"):
        monkeypatch.delenv(env, raising=False)
    result = CliRunner().invoke(app, ["data", "seed"])
    assert result.exit_code == 2
    assert "REFERENCE_TABLE" in result.output


def test_readme_link_target_exists() -> None:
    assert Path(ROOT / "docs" / "data.md").is_file()
