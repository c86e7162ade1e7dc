"""Per-environment configuration of the CDK app, typed and validated before any construct is built.

One YAML file per environment under ``infra/environments/`` (``dev.yaml``, ``prod.yaml``), chosen with
``cdk synth -c env=NAME`` or ``python -m infra.app --env NAME``. Everything that differs between
accounts lives here (region, the Connect instance to create or reuse, phone numbers, holidays,
routing profiles, the office directory, thresholds, log retention, the alarm e-mail); everything that
is the same everywhere (tables, functions, queues, flows) lives in :mod:`infra.registry`.

A mistake (an unknown queue in a routing profile, a flow that is not a CONTACT_FLOW behind a phone
number, both or neither of "create an instance" and "use this instance") fails here, with the field
named, instead of half-way through a CloudFormation deployment.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Annotated, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from functions.domain.email_backlog import DEADLINE_HOURS, WARNING_HOURS
from infra.registry import FLOWS, HOURS_BY_NAME, QUEUES_BY_NAME

ENVIRONMENTS_DIR = Path(__file__).resolve().parent / "environments"

#: the values CloudWatch Logs accepts for a log group's retention
LOG_RETENTION_DAYS = (
    1,
    3,
    5,
    7,
    14,
    30,
    60,
    90,
    120,
    150,
    180,
    365,
    400,
    545,
    731,
    1096,
    1827,
    2192,
    2557,
    2922,
    3288,
    3653,
)

_E164 = re.compile(r"^\+[1-9]\d{6,14}$")
_INSTANCE_ARN = re.compile(r"^arn:aws[a-z-]*:connect:[a-z0-9-]+:\d{12}:instance/[0-9a-f-]{36}$")
_PHONE_ARN = re.compile(r"^arn:aws[a-z-]*:connect:[a-z0-9-]+:\d{12}:phone-number/[0-9a-f-]{36}$")
_ALIAS = re.compile(r"^(?!d-)([\da-zA-Z]+)([-]*[\da-zA-Z])*$")


class InfraConfigError(ValueError):
    """The environment file is missing or invalid; the message names the file and the fields."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ConnectConfig(_Strict):
    """Create a Connect instance (``instance_alias``) or use an existing one (``existing_instance_arn``)."""

    instance_alias: Annotated[str, Field(max_length=45)] | None = None
    existing_instance_arn: str | None = None
    identity_management_type: Literal["CONNECT_MANAGED", "SAML"] = "CONNECT_MANAGED"
    contact_flow_logs: bool = True
    contact_lens: bool = False

    @model_validator(mode="after")
    def _one_source(self) -> ConnectConfig:
        if bool(self.instance_alias) == bool(self.existing_instance_arn):
            raise ValueError("set exactly one of connect.instance_alias (create) or existing_instance_arn")
        if self.instance_alias and not _ALIAS.match(self.instance_alias):
            raise ValueError(f"connect.instance_alias {self.instance_alias!r} is not a valid Connect alias")
        if self.existing_instance_arn and not _INSTANCE_ARN.match(self.existing_instance_arn):
            raise ValueError("connect.existing_instance_arn is not a Connect instance ARN")
        return self

    @property
    def create_instance(self) -> bool:
        return self.existing_instance_arn is None


class PhoneNumberConfig(_Strict):
    """A number to claim (country, type, optional prefix) or to import (``source_phone_number_arn``),
    and the flow callers reach when they dial it."""

    name: Annotated[str, Field(pattern=r"^[A-Za-z][A-Za-z0-9]{0,40}$")]
    country_code: Annotated[str, Field(pattern=r"^[A-Z]{2}$")] = "US"
    type: Literal["DID", "TOLL_FREE", "UIFN", "SHARED", "THIRD_PARTY_DID", "THIRD_PARTY_TF"] = "TOLL_FREE"
    prefix: Annotated[str, Field(pattern=r"^\+[0-9]{1,15}$")] | None = None
    source_phone_number_arn: str | None = None
    description: str = ""
    flow: str = "main-inbound"

    @model_validator(mode="after")
    def _check(self) -> PhoneNumberConfig:
        if FLOWS.get(self.flow) != "CONTACT_FLOW":
            raise ValueError(
                f"phone number {self.name}: flow {self.flow!r} is not a CONTACT_FLOW in the registry"
            )
        if self.source_phone_number_arn and not _PHONE_ARN.match(self.source_phone_number_arn):
            raise ValueError(f"phone number {self.name}: source_phone_number_arn is not a phone-number ARN")
        return self


class HoursConfig(_Strict):
    """Overrides of a registry hours-of-operation: time zone and weekly opening, plus holidays."""

    time_zone: str | None = None
    weekly: dict[str, tuple[str, str]] | None = None

    @field_validator("weekly")
    @classmethod
    def _days(cls, value: dict[str, tuple[str, str]] | None) -> dict[str, tuple[str, str]] | None:
        days = {"MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY"}
        for day, (start, end) in (value or {}).items():
            if day not in days:
                raise ValueError(f"unknown weekday {day!r}")
            for text in (start, end):
                if not re.match(r"^([01]\d|2[0-3]):[0-5]\d$", text):
                    raise ValueError(f"{day}: {text!r} is not HH:MM")
            if start >= end:
                raise ValueError(f"{day}: opening {start} is not before closing {end}")
        return value


class QueueConfig(_Strict):
    max_contacts: Annotated[int, Field(ge=1)] | None = None


class RoutingProfileQueue(_Strict):
    queue: str
    priority: Annotated[int, Field(ge=1, le=99)] = 1
    delay: Annotated[int, Field(ge=0, le=9999)] = 0


class RoutingProfileConfig(_Strict):
    """An agent routing profile: which queues its agents serve, in which priority."""

    name: Annotated[str, Field(pattern=r"^[A-Za-z][A-Za-z0-9-]{0,60}$")]
    description: Annotated[str, Field(min_length=1, max_length=250)]
    queues: Annotated[tuple[RoutingProfileQueue, ...], Field(min_length=1)]
    default_outbound_queue: str
    chat_concurrency: Annotated[int, Field(ge=0, le=10)] = 0


class OfficeConfig(_Strict):
    """An office of the directory: a phone quick connect agents use for warm transfers."""

    name: Annotated[str, Field(pattern=r"^[A-Za-z][A-Za-z0-9-]{0,60}$")]
    phone: str
    description: str = ""

    @field_validator("phone")
    @classmethod
    def _e164(cls, value: str) -> str:
        if not _E164.match(value):
            raise ValueError(f"{value!r} is not an E.164 number")
        return value


class Thresholds(_Strict):
    """Service thresholds handed to the functions (environment) and to the alarms."""

    virtual_hold_wait_seconds: Annotated[int, Field(ge=0, le=3600)] = 120
    service_level_seconds: Annotated[int, Field(ge=1, le=3600)] = 60
    appeal_due_days: Annotated[int, Field(ge=1, le=365)] = 30
    appeal_working_days: bool = False
    max_verify_attempts: Annotated[int, Field(ge=1, le=20)] = 3
    lockout_seconds: Annotated[int, Field(ge=60)] = 900
    repeat_window_days: Annotated[int, Field(ge=1, le=90)] = 7
    dial_rate_per_second: Annotated[float, Field(gt=0, le=2)] = 1.5
    #: scheduled callbacks one queue takes per window (what its staff can return); 0: no limit
    callback_window_capacity: Annotated[int, Field(ge=0, le=10_000)] = 0
    los_target_percent: Annotated[float, Field(gt=0, le=100)] = 80.0
    #: the e-mail backlog alarm that warns before the 24 h answer deadline: the oldest waiting
    #: e-mail is this many hours old (the margin left to answer it is 24 minus this)
    email_backlog_warn_hours: Annotated[float, Field(gt=0, lt=DEADLINE_HOURS)] = WARNING_HOURS


class TestCasesConfig(_Strict):
    """Connect test cases (tests/connect) deployed as AWS::Connect::TestCase, to run after a deploy."""

    __test__ = False

    deploy: bool = False
    #: folders or files under the repository root, as ``civicline test`` takes them
    paths: tuple[str, ...] = ("tests/connect",)
    status: Literal["SAVED", "PUBLISHED"] = "PUBLISHED"


class ChatWebConfig(_Strict):
    """The public web chat's start API (infra/constructs/chat_start.py, functions/handlers/chat_start.py)."""

    #: the agency pages allowed to call it from a browser (CORS); exact origins, no wildcard
    allowed_origins: tuple[Annotated[str, Field(pattern=r"^https://[a-z0-9.-]+(:[0-9]{1,5})?$")], ...] = (
        "https://civicline.example",
    )
    #: the API stage's steady request rate (per second) and burst, for every caller together
    rate_limit: Annotated[float, Field(gt=0, le=100)] = 5.0
    burst_limit: Annotated[int, Field(ge=1, le=200)] = 10
    #: StartChatContact's ChatDurationInMinutes (the API takes 60 to 10,080)
    duration_minutes: Annotated[int, Field(ge=60, le=10080)] = 60
    #: the web ACL's rate-based rule: requests one client IP may send in the window before it is
    #: answered 429 (AWS WAF's lowest limit is 10; windows 60, 120, 300 or 600 seconds)
    per_ip_limit: Annotated[int, Field(ge=10, le=100_000)] = 100
    per_ip_window_seconds: Literal[60, 120, 300, 600] = 300


class LayerConfig(_Strict):
    """The public Powertools for AWS Lambda (Python) v3 layer: it brings Powertools and pydantic v2."""

    account: Annotated[str, Field(pattern=r"^\d{12}$")] = "017000801446"
    version: Annotated[int, Field(ge=1)]

    def arn(self, region: str, runtime: str) -> str:
        flavour = runtime.replace(".", "")  # python3.13 -> python313
        name = f"AWSLambdaPowertoolsPythonV3-{flavour}-arm64"
        return f"arn:aws:lambda:{region}:{self.account}:layer:{name}:{self.version}"


class EnvConfig(_Strict):
    """Everything one deployment of CivicLine needs to know."""

    name: Annotated[str, Field(pattern=r"^[a-z][a-z0-9]{0,15}$")]
    account: Annotated[str, Field(pattern=r"^\d{12}$")] | None = None
    region: Annotated[str, Field(pattern=r"^[a-z]{2}(-gov)?-[a-z]+-\d$")]
    connect: ConnectConfig
    phone_numbers: tuple[PhoneNumberConfig, ...] = ()
    hours: dict[str, HoursConfig] = Field(default_factory=dict)
    holidays: tuple[date, ...] = ()
    queues: dict[str, QueueConfig] = Field(default_factory=dict)
    routing_profiles: tuple[RoutingProfileConfig, ...] = ()
    offices: tuple[OfficeConfig, ...] = ()
    thresholds: Thresholds = Thresholds()
    test_cases: TestCasesConfig = TestCasesConfig()
    chat_web: ChatWebConfig = ChatWebConfig()
    runtime: Literal["python3.12", "python3.13"] = "python3.13"
    powertools_layer: LayerConfig
    log_retention_days: int = 30
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    alarm_email: Annotated[str, Field(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")]
    deletion_protection: bool | None = None
    tags: dict[str, str] = Field(default_factory=dict)

    @field_validator("log_retention_days")
    @classmethod
    def _retention(cls, value: int) -> int:
        if value not in LOG_RETENTION_DAYS:
            raise ValueError(f"{value} is not a CloudWatch Logs retention; use one of {LOG_RETENTION_DAYS}")
        return value

    @model_validator(mode="after")
    def _references(self) -> EnvConfig:
        for hours in self.hours:
            if hours not in HOURS_BY_NAME:
                raise ValueError(f"hours.{hours}: no such hours of operation in the registry")
        for queue in self.queues:
            if queue not in QUEUES_BY_NAME:
                raise ValueError(f"queues.{queue}: no such queue in the registry")
        names = [p.name for p in self.routing_profiles]
        if len(names) != len(set(names)):
            raise ValueError("routing_profiles: names must be unique")
        for profile in self.routing_profiles:
            served = [q.queue for q in profile.queues]
            for queue in [*served, profile.default_outbound_queue]:
                if queue not in QUEUES_BY_NAME:
                    raise ValueError(f"routing profile {profile.name}: unknown queue {queue!r}")
            if len(served) != len(set(served)):
                raise ValueError(f"routing profile {profile.name}: a queue is listed twice")
        for label, items in (("phone_numbers", self.phone_numbers), ("offices", self.offices)):
            seen = [item.name for item in items]
            if len(seen) != len(set(seen)):
                raise ValueError(f"{label}: names must be unique")
        return self

    @property
    def protect_data(self) -> bool:
        """Deletion protection and retained stateful resources: on everywhere but development."""
        return self.deletion_protection if self.deletion_protection is not None else self.name != "dev"

    @property
    def stack_prefix(self) -> str:
        return f"CivicLine-{self.name}"

    @property
    def resource_prefix(self) -> str:
        return f"civicline-{self.name}"

    def weekly_hours(self, hours_name: str) -> tuple[str, dict[str, tuple[str, str]]]:
        """(time zone, weekday -> (open, close)) for an hours of operation, config over registry."""
        spec = HOURS_BY_NAME[hours_name]
        override = self.hours.get(hours_name, HoursConfig())
        return (override.time_zone or spec.time_zone, dict(override.weekly or spec.weekly))


def available_environments() -> list[str]:
    return sorted(p.stem for p in ENVIRONMENTS_DIR.glob("*.yaml"))


def load_config(name: str, directory: Path | None = None) -> EnvConfig:
    """Read and validate ``<directory>/<name>.yaml``; errors name the file and each bad field."""
    folder = directory or ENVIRONMENTS_DIR
    path = folder / f"{name}.yaml"
    if not path.is_file():
        known = ", ".join(sorted(p.stem for p in folder.glob("*.yaml"))) or "none"
        raise InfraConfigError(f"no environment {name!r}: {path} does not exist (known: {known})")
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if not isinstance(raw, dict):
        raise InfraConfigError(f"{path}: the top level must be a mapping")
    raw.setdefault("name", name)
    try:
        config = EnvConfig.model_validate(raw)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or '<root>'}: {err['msg']}" for err in exc.errors()
        )
        raise InfraConfigError(f"{path}: {problems}") from None
    if config.name != name:
        raise InfraConfigError(f"{path}: name {config.name!r} does not match the file name {name!r}")
    return config
