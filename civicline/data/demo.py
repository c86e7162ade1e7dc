"""The documented demo data set (docs/data.md lists it for people; this module is the source).

Deterministic: the same offices, rules, answers, holidays, case numbers and PINs on every run; only
the case dates move with the ``now`` given to :func:`cases`, so statuses and deadlines stay plausible.
Every phone number is in a fictional 555-01xx range.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

from functions.domain.identifiers import hash_pin, make_case_number
from infra import registry
from schemas.records import (
    Case,
    CaseStatus,
    Intent,
    KnowledgeAnswer,
    OfficeEntry,
    OfficeHours,
    RoutingRule,
    StatusChange,
    Weekday,
)

WEEKDAYS: tuple[Weekday, ...] = ("MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY")


def _hours(
    start: str = "08:00", end: str = "18:00", days: tuple[Weekday, ...] = WEEKDAYS
) -> list[OfficeHours]:
    return [OfficeHours(day=d, start=start, end=end) for d in days]


OFFICES: tuple[OfficeEntry, ...] = (
    OfficeEntry(
        office_id="central",
        name_en="the Citizen Service Center",
        name_es="el Centro de Atención Ciudadana",
        phone="+12025550100",
        queue="general",
        hours=_hours(),
        topics=["CONSULTATION", "CASE_STATUS"],
    ),
    OfficeEntry(
        office_id="appeals",
        name_en="the Appeals Office",
        name_es="la Oficina de Recursos",
        phone="+12025550110",
        queue="appeals",
        hours=_hours("09:00", "17:00"),
        topics=["APPEAL"],
    ),
    OfficeEntry(
        office_id="identity",
        name_en="the Identity Theft Unit",
        name_es="la Unidad de Robo de Identidad",
        phone="+12025550120",
        queue="identity_theft",
        hours=_hours(),
        topics=["IDENTITY_THEFT"],
    ),
    OfficeEntry(
        office_id="tier2",
        name_en="our specialist team",
        name_es="nuestro equipo de especialistas",
        phone="+12025550130",
        queue="tier2",
        hours=_hours(),
        topics=["TIER2"],
    ),
    OfficeEntry(
        office_id="north",
        name_en="the North District Office",
        name_es="la Oficina del Distrito Norte",
        phone="+12025550140",
        queue="general",
        hours=_hours("08:30", "16:30"),
        topics=["CONSULTATION"],
    ),
    OfficeEntry(
        office_id="dmv",
        name_en="the Department of Motor Vehicles",
        name_es="el Departamento de Vehículos Motorizados",
        phone="+12025550151",
        hours=_hours("08:00", "17:00", (*WEEKDAYS, "SATURDAY")),
        topics=["REDIRECT:1"],
    ),
    OfficeEntry(
        office_id="property_tax",
        name_en="the County Assessor's Office",
        name_es="la Oficina del Tasador del Condado",
        phone="+12025550152",
        hours=_hours("08:30", "16:30"),
        topics=["REDIRECT:2"],
    ),
    OfficeEntry(
        office_id="social_services",
        name_en="the Department of Social Services",
        name_es="el Departamento de Servicios Sociales",
        phone="+12025550153",
        hours=_hours("08:00", "17:00"),
        topics=["REDIRECT:3"],
    ),
    OfficeEntry(
        office_id="passports",
        name_en="the Passport and Immigration Services line",
        name_es="la línea de Pasaportes e Inmigración",
        phone="+12025550154",
        time_zone="America/Chicago",
        hours=_hours("07:00", "19:00"),
        topics=["REDIRECT:4"],
    ),
)

#: the 311-style redirect menu: digit -> office (the FLOWS helper passes the digit as ``topic``)
REDIRECT_TOPICS = {"1": "dmv", "2": "property_tax", "3": "social_services", "4": "passports"}
#: the consultation menu: digit -> knowledge topic
KNOWLEDGE_TOPICS = {"1": "filing deadlines", "2": "payment plans", "3": "required documents"}

RULES: tuple[RoutingRule, ...] = (
    RoutingRule(intent=Intent.CONSULTATION, queue="general", office_id="central"),
    RoutingRule(intent=Intent.CASE_STATUS, queue="status", office_id="central"),
    *(
        RoutingRule(
            intent=Intent.REDIRECT, topic=digit, queue="general", office_id=office, warm_transfer=True
        )
        for digit, office in REDIRECT_TOPICS.items()
    ),
    RoutingRule(intent=Intent.REDIRECT, queue="general", office_id="central", priority=9),
    RoutingRule(intent=Intent.APPEAL, queue="appeals", office_id="appeals"),
    RoutingRule(intent=Intent.IDENTITY_THEFT, queue="identity_theft", office_id="identity", priority=1),
    RoutingRule(intent=Intent.TIER2, queue="tier2", office_id="tier2"),
    RoutingRule(intent=Intent.OPERATOR, queue="operator"),
)

KNOWLEDGE: tuple[KnowledgeAnswer, ...] = (
    KnowledgeAnswer(
        topic="1",
        language="en",
        answer=(
            "Annual returns are due on April 15. If that day falls on a weekend or a holiday, the deadline "
            "moves to the next working day. You can ask for a six-month extension to file, but not to pay."
        ),
    ),
    KnowledgeAnswer(
        topic="1",
        language="es",
        answer=(
            "Las declaraciones anuales vencen el 15 de abril. Si ese día cae en fin de semana o feriado, el "
            "plazo pasa al siguiente día hábil. Puede pedir una prórroga de seis meses para declarar, "
            "pero no para pagar."
        ),
    ),
    KnowledgeAnswer(
        topic="2",
        language="en",
        answer=(
            "If you cannot pay in full, you can set up a payment plan of up to 72 monthly installments. "
            "Apply online or ask an agent; interest continues to accrue until the balance is paid."
        ),
        follow_up_queue="general",
    ),
    KnowledgeAnswer(
        topic="2",
        language="es",
        answer=(
            "Si no puede pagar el total, puede solicitar un plan de pagos de hasta 72 cuotas mensuales. "
            "Solicítelo en línea o con un agente; los intereses se siguen acumulando hasta saldar la deuda."
        ),
        follow_up_queue="general",
    ),
    KnowledgeAnswer(
        topic="3",
        language="en",
        answer=(
            "Bring a photo identification, your case or account number, and any letter we sent you. "
            "For benefits, also bring proof of income for the last three months."
        ),
    ),
    KnowledgeAnswer(
        topic="3",
        language="es",
        answer=(
            "Traiga una identificación con foto, su número de caso o de cuenta y cualquier carta que le "
            "hayamos enviado. Para prestaciones, traiga también comprobantes de ingresos de los últimos "
            "tres meses."
        ),
    ),
)

HOLIDAYS = registry.HOLIDAYS  # one definition: the service calendar's (infra/registry.py)


@dataclass(frozen=True)
class DemoCase:
    """A sample case as documented: the number and PIN a tester types, and what they should hear."""

    case_number: str
    pin: str
    status: CaseStatus
    office_id: str
    category: str
    opened_days_ago: int
    due_in_days: int | None


_CATEGORIES = ("tax return", "benefit claim", "building permit", "appeal", "identity theft")
_OFFICE_FOR = {
    "tax return": "central",
    "benefit claim": "north",
    "building permit": "central",
    "appeal": "appeals",
    "identity theft": "identity",
}
_STATUSES = tuple(CaseStatus)
_NEXT_STEPS = {
    CaseStatus.RECEIVED: (
        "We will start reviewing your case within ten working days.",
        "Empezaremos a revisar su caso dentro de diez días hábiles.",
    ),
    CaseStatus.IN_REVIEW: (
        "A reviewer is working on your case; you will get a letter with the decision.",
        "Un revisor está trabajando en su caso; recibirá una carta con la decisión.",
    ),
    CaseStatus.WAITING_FOR_CALLER: (
        "Please send the documents listed in our letter before the due date.",
        "Por favor envíe los documentos indicados en nuestra carta antes de la fecha límite.",
    ),
    CaseStatus.DECIDED: (
        "Read the decision letter; you may appeal within thirty days.",
        "Lea la carta de decisión; puede presentar un recurso dentro de treinta días.",
    ),
    CaseStatus.CLOSED: ("", ""),
}
CASE_COUNT = 20


def demo_cases() -> tuple[DemoCase, ...]:
    """The 20 sample cases, always the same (seeded generator)."""
    rng = random.Random(20260101)  # noqa: S311 - demo data, not secrets
    out: list[DemoCase] = []
    bodies = rng.sample(range(1_000_000, 10_000_000), CASE_COUNT)
    for index, body in enumerate(bodies):
        category = _CATEGORIES[index % len(_CATEGORIES)]
        status = _STATUSES[index % len(_STATUSES)]
        out.append(
            DemoCase(
                case_number=make_case_number(body),
                pin=f"{rng.randrange(10_000):04d}",
                status=status,
                office_id=_OFFICE_FOR[category],
                category=category,
                opened_days_ago=5 + 3 * index,
                due_in_days=None if status is CaseStatus.CLOSED else 10 + 2 * index,
            )
        )
    return tuple(out)


@cache
def _pin_hash(case_number: str, pin: str, pepper: bytes) -> str:
    """Per-case salt (derived, so the data set is reproducible) and the pepper of the secret in use;
    cached per pepper: hashing is deliberately slow."""
    salt = hashlib.sha256(f"civicline-demo:{case_number}".encode()).digest()[:16]
    return hash_pin(pin, salt, pepper)


def to_case(demo: DemoCase, now: datetime, pepper: bytes) -> Case:
    """The stored case: the PIN hashed with a per-case salt and ``pepper`` (the PIN pepper of the
    secret the functions will use: :func:`functions.core.pseudonym_key.derived_key`), dates relative
    to ``now``."""
    today = now.date()
    opened = today - timedelta(days=demo.opened_days_ago)
    history = [
        StatusChange(status=CaseStatus.RECEIVED, at=datetime.combine(opened, datetime.min.time(), now.tzinfo))
    ]
    if demo.status is not CaseStatus.RECEIVED:
        history.append(StatusChange(status=demo.status, at=now - timedelta(days=1)))
    next_en, next_es = _NEXT_STEPS[demo.status]
    return Case(
        case_number=demo.case_number,
        pin_hash=_pin_hash(demo.case_number, demo.pin, pepper),
        status=demo.status,
        history=history,
        office_id=demo.office_id,
        category=demo.category,
        opened_on=opened,
        due_date=today + timedelta(days=demo.due_in_days) if demo.due_in_days is not None else None,
        next_step_en=next_en,
        next_step_es=next_es,
    )
