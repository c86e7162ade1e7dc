"""`metrics export-a11`: OMB A-11 section 280 quarterly CX data, field by field as documented.

The documented items are typed here from the source, independently of civicline.metrics.a11:
GSA Touchpoints, docs/models/omb_cx_reporting_collections.md (the fields OMB's collection tool
stores and performance.gov/cx publishes), cited in docs/metrics.md.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from civicline.metrics import a11
from civicline.metrics.queries import query
from schemas.records import Grain
from tests.metrics.conftest import deliver, fresh_store
from tests.metrics.lifecycles import Lifecycle

#: (field, what the source says it holds) in the source's order
DOCUMENTED: tuple[tuple[str, str], ...] = (
    ("id", "unique number for each set of survey responses"),
    ("collection_id", "collection record, one per HISP per reporting quarter"),
    ("collection_year", "year of data collection"),
    ("collection_quarter", "quarter of data collection"),
    ("collection_name", "name of collection; same for all HISPs"),
    ("collection_organization_id", "department number"),
    ("collection_organization_name", "name of department"),
    ("collection_organization_abbreviation", "abbreviation of department"),
    ("service_provider_id", "HISP number"),
    ("service_provider_name", "name of HISP"),
    ("service_provider_organization_id", "department number"),
    ("service_provider_organization_name", "name of department"),
    ("service_provider_organization_abbreviation", "abbreviation of department"),
    ("service_provided", "description of the designated service"),
    ("service_id", "designated service number"),
    ("service_name", "name of designated service"),
    ("transaction_point", "where the survey is provided to the customers"),
    ("channel", "mode by which the survey is deployed"),
    ("volume_of_customers", "customers served within the designated service for the quarter"),
    ("volume_of_customers_provided_survey_opportunity", "customers provided with the survey"),
    ("volume_of_respondents", "survey responses for the quarter"),
    ("omb_control_number", "OMB control number of the survey"),
    ("federal_register_url", "Federal Register URL of the survey"),
    *(
        item
        for q in range(1, 12)
        for item in (
            (f"q{q}_text", "text of the question"),
            *((f"q{q}_{p}", f"responses at point {p} of the 1-5 Likert scale") for p in range(1, 6)),
        )
    ),
    ("created_at", "record creation"),
    ("updated_at", "record update"),
    ("operational_metrics", "free text on operational metrics"),
)
#: what each question measures, per the source (q8-q11: "additional question of interest")
DOCUMENTED_QUESTIONS = {
    1: "satisfaction",
    2: "trust",
    3: "effectiveness",
    4: "ease",
    5: "efficiency",
    6: "transparency",
    7: "employeeHelpfulness",  # "employee interaction"
}
NY = ZoneInfo("America/New_York")


def test_the_export_has_exactly_the_documented_fields_in_order() -> None:
    assert tuple(name for name, _ in DOCUMENTED) == a11.FIELDS
    for number, driver in DOCUMENTED_QUESTIONS.items():
        assert a11.QUESTIONS[number - 1] is not None and a11.QUESTIONS[number - 1].value == driver
    # humanity, in the current federal driver set but without a fixed column, is the first extra
    assert a11.QUESTIONS[7] is not None and a11.QUESTIONS[7].value == "humanity"
    assert a11.QUESTIONS[8:] == (None, None, None)


@pytest.mark.parametrize(
    ("text", "calendar", "fiscal"),
    [("2026Q4", "2026Q4", (2027, 1)), ("FY2027 Q1", "2026Q4", (2027, 1)), ("fy2026q4", "2026Q3", (2026, 4))],
)
def test_quarters_are_named_either_way(text: str, calendar: str, fiscal: tuple[int, int]) -> None:
    from functions.domain.metrics import fiscal_year_quarter

    assert a11.calendar_quarter(text) == calendar
    assert fiscal_year_quarter(calendar) == fiscal


def _served(cid: str, local_start: datetime, survey: dict[str, Any] | None) -> Lifecycle:
    life = Lifecycle(cid, "answered", "status", local_start, 30.0, "none", survey, "k-" + cid, "CASE_STATUS")
    return life.build()


def _items(lives: list[Lifecycle], minutes: int = 5) -> list[dict[str, Any]]:
    """The lifecycles' survey rows as the survey function stores them (service = the intent)."""
    out = []
    for life in lives:
        item = life.survey_item()
        if item is not None:
            submitted = life.start + timedelta(minutes=minutes)
            out.append({**item, "service": "CASE_STATUS", "submitted_at": submitted.isoformat()})
    return out


def test_the_fiscal_quarter_turns_at_midnight_on_1_october_in_the_agencys_zone(local_aws: Any) -> None:
    # Given, in New York, a customer served at 23:40 on 30 September (03:40 UTC on 1 October) who
    # declined the survey, and one served at 00:10 on 1 October who answered it
    store = fresh_store(local_aws)
    late = _served("sep", datetime(2026, 9, 30, 23, 40, tzinfo=NY), {"declined": True, "complete": False})
    early = _served("oct", datetime(2026, 10, 1, 0, 10, tzinfo=NY), {"drivers": {"trust": 5, "ease": 2}})
    lives = [late, early]
    # When their events and survey rows reach the real aggregator
    deliver(store, [local_aws_envelope(e.detail) for life in lives for e in life.events], _items(lives))
    rows = query(store, queues=["ALL"], grain=Grain.QUARTER)
    # Then FY2026 Q4 (July-September) holds the first: one customer offered the survey, no respondent
    [q4] = a11.records("FY2026Q4", rows)
    assert (q4["collection_year"], q4["collection_quarter"]) == (2026, 4)
    assert (q4["service_name"], q4["channel"]) == ("CASE_STATUS", "phone")
    volumes = (
        "volume_of_customers",
        "volume_of_customers_provided_survey_opportunity",
        "volume_of_respondents",
    )
    assert [q4[v] for v in volumes] == [1, 1, 0]
    assert all(q4[f"q{q}_{p}"] == 0 for q in range(1, 12) for p in range(1, 6))
    # And FY2027 Q1 (October-December) the second, with its answers at their scale points
    [q1] = a11.records("2026Q4", rows)
    assert (q1["collection_year"], q1["collection_quarter"]) == (2027, 1)
    assert [q1[v] for v in volumes] == [1, 1, 1]
    assert (q1["q2_5"], q1["q4_2"], q1["q1_5"]) == (1, 1, 0)  # trust 5, ease 2, no satisfaction answer
    assert q1["q2_text"] == "This interaction increased my trust in this agency."
    assert q1["q9_text"] == "" and q1["q9_1"] == 0
    # And a quarter with no contact at all has no record, but the CSV still has its header
    assert a11.records("2027Q1", rows) == []
    assert a11.csv_text([]).strip().split(",") == list(a11.FIELDS)


def local_aws_envelope(detail: dict[str, Any]) -> dict[str, Any]:
    from tests.metrics.conftest import envelope

    return envelope(detail)


def test_csv_and_json_carry_the_same_records_and_the_agencys_identifiers(local_aws: Any) -> None:
    store = fresh_store(local_aws)
    lives = [_served("c1", datetime(2026, 11, 23, 9, 0, tzinfo=NY), {"drivers": {"humanity": 4}})]
    deliver(store, [local_aws_envelope(e.detail) for life in lives for e in life.events], _items(lives))
    rows = query(store, queues=["ALL"], grain=Grain.QUARTER)
    info = a11.A11Reporting(organization_name="Department of Revenue", omb_control_number="1234-0001")
    records = a11.records("2026Q4", rows, info)
    from_csv = list(csv.DictReader(io.StringIO(a11.csv_text(records))))
    from_json = json.loads(a11.json_text(records))
    assert [list(r) for r in from_json] == [list(a11.FIELDS)]
    assert {k: str(v) for k, v in from_json[0].items()} == from_csv[0]
    assert from_csv[0]["omb_control_number"] == "1234-0001"
    assert from_csv[0]["collection_organization_name"] == "Department of Revenue"
    assert from_csv[0]["q8_text"] == "I was treated fairly and with respect." and from_csv[0]["q8_4"] == "1"


@pytest.mark.slow
def test_a_simulated_days_volumes_are_consistent_and_add_up_to_the_measures(tmp_path: Path) -> None:
    from civicline.metrics.files import FileRollups
    from civicline.sim.day import run_day
    from civicline.sim.profiles import load_profile
    from civicline.sim.summary import summarize

    # Given a small day through the real flows, survey function and aggregator, where every answered
    # caller hears the survey offer and half of them decline it (so respondents < offered < customers
    # on a 60-call day: the profile's own shares leave too few answers to check the arithmetic)
    from schemas.profile import Survey, SurveyRefusal

    regional = load_profile("regional-hotline-day")
    survey = Survey(**{**regional.survey.model_dump(), "response_rate": 1.0})
    survey = survey.model_copy(update={"refusal": SurveyRefusal(declined=0.5), "refusal_by_channel": {}})
    profile = regional.model_copy(update={"survey": survey})
    result = run_day(profile, 7, calls=60, hours=3)
    from civicline.metrics.files import ROLLUPS_FILE, rollups_text

    (tmp_path / ROLLUPS_FILE).write_text(rollups_text(result.rollups, result.rules), encoding="utf-8")
    source = FileRollups.load(tmp_path)
    rows = query(source, queues=["ALL"], grain=Grain.QUARTER)
    [quarter] = {r.rollup.period for r in rows}
    records = a11.records(quarter, rows)
    # Then per service and channel: respondents <= offered <= customers
    assert records
    for record in records:
        customers = record["volume_of_customers"]
        offered = record["volume_of_customers_provided_survey_opportunity"]
        assert record["volume_of_respondents"] <= offered <= customers, record["service_name"]  # type: ignore[operator]
    # And the volumes add up to the day's measures, which equal the simulator's truth
    metrics = summarize(result, profile)["metrics"]
    total = {v: sum(int(r[v]) for r in records) for v in ("volume_of_customers", "volume_of_respondents")}  # type: ignore[call-overload]
    assert total["volume_of_customers"] == metrics["inbound_contacts"]
    assert total["volume_of_respondents"] == metrics["survey_responses"] > 0
    offered = sum(int(r["volume_of_customers_provided_survey_opportunity"]) for r in records)  # type: ignore[call-overload]
    assert offered == metrics["surveys_offered"]
