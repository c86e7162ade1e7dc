"""The OMB Circular A-11 section 280 quarterly CX data, in the shape OMB's collection tool publishes.

Why this shape: High-impact Service Providers report each quarter, per service and channel, the
volume of customers, of customers provided a survey opportunity and of respondents, the OMB control
number, and per question the number of responses at each point of the 1-5 scale. GSA's Touchpoints
(the tool OMB collects it with) documents those items as the ``omb_cx_reporting_collections``
fields; performance.gov/cx publishes them with the same names. CivicLine writes exactly those
fields, in that order (docs/metrics.md cites the sources; docs/decisions.md says which CivicLine
driver fills which question and why humanity is q8).

Fields the collection tool assigns (record ids, timestamps) stay empty; the agency's names and its
survey's OMB control number come from :class:`A11Reporting`. Counts are read from the ``ALL``
queue's quarter rollup (each contact and response counted once); the quarter is the calendar
quarter in the agency's time zone, which is exactly one federal fiscal quarter.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from civicline.metrics.queries import Row
from functions.domain.metrics import fiscal_year_quarter, parse_quarter
from schemas.records import A11Driver

#: q1..q11 as the collection tool defines them (q1 satisfaction, q2 trust, q3 effectiveness, q4 ease,
#: q5 efficiency, q6 transparency, q7 employee interaction, q8-q11 "additional question of interest")
QUESTIONS: tuple[A11Driver | None, ...] = (
    A11Driver.SATISFACTION,
    A11Driver.TRUST,
    A11Driver.EFFECTIVENESS,
    A11Driver.EASE,
    A11Driver.EFFICIENCY,
    A11Driver.TRANSPARENCY,
    A11Driver.EMPLOYEE_HELPFULNESS,
    A11Driver.HUMANITY,
    None,
    None,
    None,
)
SCALE = range(1, 6)
#: Connect channel -> the collection tool's channel value (its Service.channels list)
CHANNELS = {"VOICE": "phone", "CHAT": "chatbot", "EMAIL": "email", "TASK": "other_non_digital"}
TRANSACTION_POINT = "Post-contact survey offered by the contact center after the agent ends the contact"

HEADER_FIELDS = (
    "id",
    "collection_id",
    "collection_year",
    "collection_quarter",
    "collection_name",
    "collection_organization_id",
    "collection_organization_name",
    "collection_organization_abbreviation",
    "service_provider_id",
    "service_provider_name",
    "service_provider_organization_id",
    "service_provider_organization_name",
    "service_provider_organization_abbreviation",
    "service_provided",
    "service_id",
    "service_name",
    "transaction_point",
    "channel",
    "volume_of_customers",
    "volume_of_customers_provided_survey_opportunity",
    "volume_of_respondents",
    "omb_control_number",
    "federal_register_url",
)
QUESTION_FIELDS = tuple(name for q in range(1, 12) for name in (f"q{q}_text", *(f"q{q}_{p}" for p in SCALE)))
TRAILER_FIELDS = ("created_at", "updated_at", "operational_metrics")
#: every field, in the documented order
FIELDS: tuple[str, ...] = (*HEADER_FIELDS, *QUESTION_FIELDS, *TRAILER_FIELDS)

SURVEY_FLOW = Path(__file__).resolve().parents[2] / "flows" / "post-call-survey.json"
_FISCAL = re.compile(r"^FY(\d{4})\s*Q([1-4])$")


@dataclass(frozen=True)
class A11Reporting:
    """What the agency reports about itself (nothing here is counted)."""

    organization_name: str = ""
    organization_abbreviation: str = ""
    service_provider_name: str = ""
    omb_control_number: str = ""
    federal_register_url: str = ""
    collection_name: str = "CX Quarterly Reporting"


def calendar_quarter(text: str) -> str:
    """``2026Q4`` or ``FY2027 Q1`` / ``FY2027Q1`` -> the calendar quarter label ``2026Q4``."""
    fiscal = _FISCAL.match(text.strip().upper())
    if fiscal:
        year, quarter = int(fiscal.group(1)), int(fiscal.group(2))
        return f"{year - 1}Q4" if quarter == 1 else f"{year}Q{quarter - 1}"
    year, quarter = parse_quarter(text)
    return f"{year}Q{quarter}"


@cache
def question_texts() -> dict[str, str]:
    """The English statement of each driver as the survey flow speaks it (``q_<driver>``)."""
    flow = json.loads(SURVEY_FLOW.read_text(encoding="utf-8"))
    for action in flow["Actions"]:
        if action["Identifier"] == "prompts-en":
            attributes = action["Parameters"]["FlowAttributes"]
            return {
                d.value: attributes[f"q_{d.value}"]["Value"]
                for d in A11Driver
                if f"q_{d.value}" in attributes
            }
    return {}


def _quarter_counts(label: str, rows: Sequence[Row]) -> tuple[dict[str, int], dict[str, int]]:
    """(volumes, scale points) of the quarter, keyed as in the rollup (service|channel first)."""
    volumes: dict[str, int] = {}
    points: dict[str, int] = {}
    for row in rows:
        if row.rollup.period != label:
            continue
        for key, count in row.rollup.a11_volumes.items():
            volumes[key] = volumes.get(key, 0) + count
        for key, count in row.rollup.a11_points.items():
            points[key] = points.get(key, 0) + count
    return volumes, points


def records(
    quarter: str, rows: Sequence[Row], reporting: A11Reporting | None = None
) -> list[dict[str, object]]:
    """One record per service and channel seen in the quarter, every field of :data:`FIELDS`."""
    label = calendar_quarter(quarter)
    info = reporting or A11Reporting()
    volumes, points = _quarter_counts(label, rows)
    pairs = {tuple(k.split("|", 1)[1].rsplit("|", 1)) for k in volumes}
    pairs |= {tuple(k.rsplit("|", 2)[0].rsplit("|", 1)) for k in points}
    year, fiscal_quarter = fiscal_year_quarter(label)
    texts = question_texts()
    out: list[dict[str, object]] = []
    for service, channel in sorted(pairs):
        record: dict[str, object] = dict.fromkeys(FIELDS, "")
        record.update(
            collection_year=year,
            collection_quarter=fiscal_quarter,
            collection_name=info.collection_name,
            collection_organization_name=info.organization_name,
            collection_organization_abbreviation=info.organization_abbreviation,
            service_provider_name=info.service_provider_name,
            service_provider_organization_name=info.organization_name,
            service_provider_organization_abbreviation=info.organization_abbreviation,
            service_provided=service,
            service_name=service,
            transaction_point=TRANSACTION_POINT,
            channel=CHANNELS.get(channel, channel.lower()),
            volume_of_customers=volumes.get(f"customers|{service}|{channel}", 0),
            volume_of_customers_provided_survey_opportunity=volumes.get(f"offered|{service}|{channel}", 0),
            volume_of_respondents=volumes.get(f"respondents|{service}|{channel}", 0),
            omb_control_number=info.omb_control_number,
            federal_register_url=info.federal_register_url,
        )
        for number, driver in enumerate(QUESTIONS, start=1):
            if driver is None:
                record.update({f"q{number}_{p}": 0 for p in SCALE})
                continue
            record[f"q{number}_text"] = texts.get(driver.value, driver.value)
            for point in SCALE:
                record[f"q{number}_{point}"] = points.get(f"{service}|{channel}|{driver.value}|{point}", 0)
        out.append(record)
    return out


def csv_text(records_: Sequence[dict[str, object]]) -> str:
    """The records as CSV, header = :data:`FIELDS` (written even when the quarter has no data)."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=FIELDS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(records_)
    return buffer.getvalue()


def json_text(records_: Sequence[dict[str, object]]) -> str:
    """The records as a JSON array of objects with the same field names and order."""
    return json.dumps(list(records_), indent=2) + "\n"
