"""Seeding: reference data (a deployment's step) apart from the demo cases (local only, never over a
case), `civicline data seed-reference / seed-demo / seed / export-reference / cases`."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from civicline.data import ReferenceData, SeedRefused, seed_demo, seed_demo_cases, seed_reference, seed_target
from civicline.data.demo import demo_cases
from functions.domain.identifiers import is_valid_case_number
from tests.conftest import ROOT
from tests.functional.conftest import NOW, make_event

REFERENCE_COUNTS = {"offices": 9, "rules": 11, "knowledge_answers": 6, "holidays": 22}


@pytest.fixture
def deployed(local_aws: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    """The moto tables as a seed sees deployed ones: moto's interception hidden from the target
    check, so the client's endpoint (AWS's own) is what decides, exactly as against a deployment."""
    monkeypatch.setattr("civicline.data.target._moto_in_process", lambda: False)
    assert not seed_target().local
    return local_aws


def _items(aws: Any, logical: str) -> list[dict[str, Any]]:
    return list(aws.client("dynamodb").scan(TableName=aws.table(logical))["Items"])


def _lookup(case_number: str, pin: str, contact: str) -> dict[str, str]:
    from functions.handlers.case_status import handler

    return handler(make_event({"caseNumber": case_number, "pin": pin}, contact, "+12025550188"), None)


def _store_real_case(case_number: str, pin: str) -> None:
    """A real case, as the agency's case system would write it (random salt, the deployment's pepper)."""
    from civicline.data.demo import to_case
    from functions.adapters import dynamo
    from functions.adapters.cases import case_item
    from functions.core.pseudonym_key import PIN_PEPPER, derived_key
    from functions.domain.identifiers import hash_pin, new_salt

    demo = next(c for c in demo_cases() if c.case_number == case_number)
    real = replace(
        to_case(demo, NOW, derived_key(PIN_PEPPER)),
        pin_hash=hash_pin(pin, new_salt(), derived_key(PIN_PEPPER)),
    )
    dynamo.ddb().put_item(TableName=dynamo.table("cases"), Item=dynamo.to_item(case_item(real)))


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


def test_reference_and_cases_are_separate_seeds(local_aws: Any) -> None:
    # Given empty local tables / When only the reference data is seeded
    summary = seed_reference()
    # Then offices, rules, answers and holidays are there, and no case
    assert {k: v for k, v in summary.as_dict().items() if v} == REFERENCE_COUNTS
    assert len(_items(local_aws, "reference")) == 9 + 11 + 6 + 22
    assert _items(local_aws, "cases") == []
    # When the demo cases are seeded, Then the twenty cases are stored, hashed with the current scheme
    assert seed_demo_cases(NOW).as_dict()["cases"] == 20
    hashes = [i["pin_hash"]["S"] for i in _items(local_aws, "cases")]
    assert len(hashes) == 20 and all(h.startswith("hmac-scrypt-v1$") for h in hashes)


def test_seeding_twice_keeps_every_case_as_it_is(local_aws: Any) -> None:
    # Given the demo data set seeded once
    first = seed_demo(NOW)
    assert first.as_dict() == {**REFERENCE_COUNTS, "cases": 20, "cases_kept": 0}
    before = _items(local_aws, "cases")
    # When it is seeded again, later / Then no case is written again: all twenty are kept as they were
    second = seed_demo(NOW.replace(year=NOW.year + 1))
    assert second.as_dict() == {**REFERENCE_COUNTS, "cases": 0, "cases_kept": 20}
    assert _items(local_aws, "cases") == before


def test_a_seed_never_replaces_a_real_case_that_has_a_demo_number(local_aws: Any) -> None:
    # Given a real case whose number is also a demo case's (17502303, demo PIN 4404), real PIN 9137
    _store_real_case("17502303", "9137")
    # When the demo data set is seeded over it
    summary = seed_demo(NOW)
    # Then the real case is kept: its own PIN opens it and the published demo PIN does not
    assert summary.cases_kept == 1 and summary.cases == 19
    assert _lookup("17502303", "9137", "real")["result"] == "FOUND"
    assert _lookup("17502303", "4404", "demo")["result"] == "NOT_FOUND"


def test_a_deployment_never_receives_demo_data_unless_explicitly_asked(deployed: Any) -> None:
    # Given tables that are not local / When the demo data set, the demo cases or the built-in
    # (fictional) reference data are seeded, Then each is refused and nothing is written
    for seed in (lambda: seed_demo(NOW), lambda: seed_demo_cases(NOW), seed_reference):
        with pytest.raises(SeedRefused, match="the deployed tables at https://dynamodb"):
            seed()
    assert _items(deployed, "cases") == [] and _items(deployed, "reference") == []


def test_a_deployment_refuses_reference_data_that_is_still_fictional(deployed: Any) -> None:
    # Given the built-in reference data with one office given a real number
    data = ReferenceData.built_in()
    edited = replace(data, offices=tuple(replace(o, phone="+12025551234") for o in data.offices))
    partly = replace(data, offices=(edited.offices[0], *data.offices[1:]))
    # When the partly edited file is seeded, Then it is refused, naming the fictional offices
    with pytest.raises(SeedRefused, match="appeals, identity"):
        seed_reference(partly)
    # When every office has the agency's number, Then it is stored
    assert seed_reference(edited).offices == 9
    assert _items(deployed, "cases") == []


def test_demo_cases_on_a_deployment_need_the_flag_and_its_secret_and_skip_existing_cases(
    deployed: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from functions.core.pseudonym_key import reset_pseudonym_key
    from functions.core.settings import reset_settings

    _store_real_case("17502303", "9137")
    # Given the explicit flag but no deployment secret / Then refused (the PINs would not verify)
    with pytest.raises(SeedRefused, match="PSEUDONYM_SECRET_ARN"):
        seed_demo_cases(NOW, on_deployed_tables=True)
    # Given the flag and the deployment's secret / When seeded
    monkeypatch.setenv("PSEUDONYM_KEY", "k" * 32)
    reset_settings()
    reset_pseudonym_key()
    try:
        summary = seed_demo_cases(NOW, on_deployed_tables=True)
        # Then the existing case number is refused (kept), the others stored and their PINs work
        assert (summary.cases, summary.cases_kept) == (19, 1)
        other = demo_cases()[1]
        assert _lookup(other.case_number, other.pin, "demo")["result"] == "FOUND"
    finally:
        monkeypatch.delenv("PSEUDONYM_KEY")
        reset_settings()
        reset_pseudonym_key()


def test_the_target_is_local_only_for_in_process_moto_or_a_loopback_endpoint(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from civicline.local.aws import LocalAws
    from functions.core.aws import reset_clients

    with LocalAws(prefix="target"):
        assert seed_target().local
    for endpoint, local in (
        ("http://127.0.0.1:5000", True),
        ("http://localhost:8000", True),
        ("http://[::1]:8000", True),
        ("https://dynamodb.eu-west-1.amazonaws.com", False),
        ("http://10.0.0.5:8000", False),
    ):
        monkeypatch.setenv("AWS_ENDPOINT_URL", endpoint)
        monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
        reset_clients()
        assert seed_target().local is local, endpoint
    reset_clients()


def test_cli_seed_and_cases_locally(local_aws: Any) -> None:
    from civicline.cli import app

    runner = CliRunner()
    result = runner.invoke(app, ["data", "seed"])
    assert result.exit_code == 0, result.output
    assert "cases: 20" in result.output
    again = runner.invoke(app, ["data", "seed"])
    assert "20 case numbers already existed and were left as they are" in again.output
    listing = runner.invoke(app, ["data", "cases"])
    assert listing.exit_code == 0
    assert demo_cases()[0].case_number in listing.output and demo_cases()[0].pin in listing.output


def test_cli_on_deployed_tables_refuses_demo_data_and_loads_an_agency_file(
    deployed: Any, tmp_path: Path
) -> None:
    from civicline.cli import app

    runner = CliRunner()
    # Given deployed tables / When the demo seeds run, Then they are refused with a clear message
    for command in (["data", "seed"], ["data", "seed-demo"], ["data", "seed-reference"]):
        result = runner.invoke(app, command)
        assert result.exit_code == 3, (command, result.output)
        assert "refused" in result.output
    # When the operator exports the template and replaces the fictional numbers
    template = tmp_path / "reference.json"
    assert runner.invoke(app, ["data", "export-reference", "--out", str(template)]).exit_code == 0
    raw = json.loads(template.read_text(encoding="utf-8"))
    assert runner.invoke(app, ["data", "seed-reference", "--file", str(template)]).exit_code == 3
    for office in raw["offices"]:
        office["phone"] = "+12025551234"
    template.write_text(json.dumps(raw), encoding="utf-8")
    # Then the file is loaded, and still no case
    result = runner.invoke(app, ["data", "seed-reference", "--file", str(template)])
    assert result.exit_code == 0, result.output
    assert "offices: 9" in result.output
    assert _items(deployed, "cases") == []


def test_cli_reference_file_errors_name_the_field(local_aws: Any, tmp_path: Path) -> None:
    from civicline.cli import app

    bad = tmp_path / "bad.json"
    bad.write_text(
        json.dumps({"offices": [{"office_id": "x"}], "rules": [], "knowledge": [], "holidays": []})
    )
    result = CliRunner().invoke(app, ["data", "seed-reference", "--file", str(bad)])
    assert result.exit_code == 2
    assert "offices.0" in result.output


def test_cli_seed_without_tables_says_what_to_set(monkeypatch: Any) -> None:
    from civicline.cli import app

    for env in ("REFERENCE_TABLE", "CASES_TABLE"):
        monkeypatch.delenv(env, raising=False)
    result = CliRunner().invoke(app, ["data", "seed"])
    assert result.exit_code == 2
    assert "REFERENCE_TABLE" in result.output


def test_readme_link_target_exists() -> None:
    assert Path(ROOT / "docs" / "data.md").is_file()
