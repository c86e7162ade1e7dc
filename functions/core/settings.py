"""Settings read from the environment, validated lazily.

Nothing is read at import time: a handler's cold start must not pay for settings it does not use,
and tests can change the environment between invocations (call :func:`reset_settings`).
A missing table name is reported only when that table is first used, with the variable to set.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from typing import Annotated, Any, ClassVar

from functions.core.errors import ConfigurationError
from functions.domain.calendar import Calendar, service_calendar
from infra.registry import QUEUES_BY_NAME
from schemas import codec
from schemas.constraints import Range

#: environment variable holding each table's physical name (set by CDK and by the local engine)
TABLE_ENV = {
    "reference": "REFERENCE_TABLE",
    "cases": "CASES_TABLE",
    "callbacks": "CALLBACKS_TABLE",
    "state": "STATE_TABLE",
    "surveys": "SURVEYS_TABLE",
    "metrics": "METRICS_TABLE",
}


@dataclass(frozen=True, kw_only=True)
class Settings:
    """Runtime configuration of the functions. Defaults are the documented demo values.

    Checked by :func:`schemas.codec.load` like the contracts: environment strings become numbers,
    booleans and dates, and out-of-range values are refused, without importing pydantic.
    """

    __pydantic_config__: ClassVar[dict[str, Any]] = {"extra": "ignore"}

    tables: dict[str, str] = field(default_factory=dict)
    queue_arns: dict[str, str] = field(default_factory=dict)
    aws_timeout_seconds: Annotated[float, Range(gt=0, le=8)] = 1.0
    aws_max_attempts: Annotated[int, Range(ge=1, le=5)] = 2
    appeal_due_days: Annotated[int, Range(ge=1, le=365)] = 30
    appeal_working_days: bool = False
    holidays: tuple[date, ...] = ()
    max_verify_attempts: Annotated[int, Range(ge=1, le=20)] = 3
    #: failures per lockout window shared by every caller whose number is withheld
    withheld_verify_attempts: Annotated[int, Range(ge=1, le=1000)] = 10
    lockout_seconds: Annotated[int, Range(ge=60)] = 900
    repeat_window_days: Annotated[int, Range(ge=1, le=90)] = 7
    service_level_seconds: Annotated[int, Range(ge=1)] = 60
    time_zone: str = "America/New_York"
    instance_arn: str = ""
    outbound_flow_arn: str = ""
    source_phone_number: str = ""
    dial_rate_per_second: Annotated[float, Range(gt=0, le=5)] = 1.5
    #: Secrets Manager secret holding the pseudonym key (set by the stack); else ``pseudonym_key``
    pseudonym_secret_arn: str = ""
    pseudonym_key: str = ""
    #: scheduled callbacks one queue takes per window; 0: no limit
    callback_window_capacity: Annotated[int, Range(ge=0)] = 0
    #: E.164 digit prefixes a callback may dial (country codes, optionally area codes): NANP only
    callback_dial_prefixes: tuple[str, ...] = ("1",)
    idempotency_ttl_seconds: Annotated[int, Range(ge=60)] = 3600
    #: how far back the e-mail backlog reads the rollups: an e-mail waiting longer drops out of it
    email_backlog_lookback_hours: Annotated[int, Range(ge=24, le=2160)] = 168
    #: the flow a web chat starts in (chat_start: StartChatContact's ContactFlowId), set by the stack
    chat_flow_arn: str = ""
    #: StartChatContact's ChatDurationInMinutes (API minimum 60, maximum 10,080)
    chat_duration_minutes: Annotated[int, Range(ge=60, le=10080)] = 60
    #: the agency pages a browser may start a chat from (chat_start: CORS and its Origin check)
    chat_allowed_origins: tuple[str, ...] = ()

    def table(self, logical: str) -> str:
        """Physical name of a table, or a ConfigurationError naming the variable to set."""
        name = self.tables.get(logical)
        if not name:
            env = TABLE_ENV.get(logical, logical.upper() + "_TABLE")
            raise ConfigurationError(f"table {logical!r} is not configured: set {env}")
        return name

    def queue_arn(self, queue_name: str) -> str:
        """ARN of a queue by its logical name; the local engine uses synthetic ARNs."""
        try:
            return self.queue_arns[queue_name]
        except KeyError:
            raise ConfigurationError(f"queue {queue_name!r} has no ARN in QUEUE_ARNS") from None

    def calendar(self) -> Calendar:
        """The service calendar (functions/domain/calendar.py): the registry's hours and public
        holidays, in this deployment's time zone, plus its own closures (``HOLIDAYS``)."""
        return service_calendar(time_zone=self.time_zone, holidays=self.holidays)

    def queue_key(self, reference: str | None) -> str | None:
        """The registry key (``tier2``) of a queue given by its ARN, or by the key itself.

        The one place a queue ARN becomes a registry key: ``QUEUE_ARNS`` is set by the stack from
        the registry (and by the local engine from the same registry), so the answer is the same
        locally and deployed. A Connect queue *name* is never accepted: it is ``civicline-dev-tier2``
        in a deployment and ``tier2`` locally (docs/decisions.md).
        """
        if not reference:
            return None
        for key, arn in self.queue_arns.items():
            if arn == reference:
                return key
        return reference if reference in self.queue_arns or reference in QUEUES_BY_NAME else None


_SCALARS = {
    "AWS_TIMEOUT_SECONDS": "aws_timeout_seconds",
    "AWS_MAX_ATTEMPTS": "aws_max_attempts",
    "APPEAL_DUE_DAYS": "appeal_due_days",
    "APPEAL_WORKING_DAYS": "appeal_working_days",
    "HOLIDAYS": "holidays",
    "MAX_VERIFY_ATTEMPTS": "max_verify_attempts",
    "WITHHELD_VERIFY_ATTEMPTS": "withheld_verify_attempts",
    "LOCKOUT_SECONDS": "lockout_seconds",
    "REPEAT_WINDOW_DAYS": "repeat_window_days",
    "SERVICE_LEVEL_SECONDS": "service_level_seconds",
    "TIME_ZONE": "time_zone",
    "CONNECT_INSTANCE_ARN": "instance_arn",
    "OUTBOUND_FLOW_ARN": "outbound_flow_arn",
    "SOURCE_PHONE_NUMBER": "source_phone_number",
    "DIAL_RATE_PER_SECOND": "dial_rate_per_second",
    "CALLBACK_WINDOW_CAPACITY": "callback_window_capacity",
    "CALLBACK_DIAL_PREFIXES": "callback_dial_prefixes",
    "PSEUDONYM_SECRET_ARN": "pseudonym_secret_arn",
    "PSEUDONYM_KEY": "pseudonym_key",
    "IDEMPOTENCY_TTL_SECONDS": "idempotency_ttl_seconds",
    "EMAIL_BACKLOG_LOOKBACK_HOURS": "email_backlog_lookback_hours",
    "CHAT_FLOW_ARN": "chat_flow_arn",
    "CHAT_DURATION_MINUTES": "chat_duration_minutes",
    "CHAT_ALLOWED_ORIGINS": "chat_allowed_origins",
}


@cache
def get_settings() -> Settings:
    """Read and validate the environment once per process (per Lambda container)."""
    raw: dict[str, object] = {
        field: os.environ[env] for env, field in _SCALARS.items() if os.environ.get(env)
    }
    # comma-separated in the environment
    for listed in ("holidays", "callback_dial_prefixes", "chat_allowed_origins"):
        if isinstance(raw.get(listed), str):
            raw[listed] = [part.strip() for part in str(raw[listed]).split(",") if part.strip()]
    raw["tables"] = {logical: os.environ[env] for logical, env in TABLE_ENV.items() if os.environ.get(env)}
    if os.environ.get("QUEUE_ARNS"):
        try:
            raw["queue_arns"] = json.loads(os.environ["QUEUE_ARNS"])
        except json.JSONDecodeError as exc:
            raise ConfigurationError(f"QUEUE_ARNS is not JSON: {exc.msg}") from None
    try:
        return codec.load(Settings, raw)
    except codec.ContractError as exc:
        fields = ", ".join(".".join(str(p) for p in loc) for loc, _ in exc.errors)
        raise ConfigurationError(f"invalid settings: {fields}") from None


def reset_settings() -> None:
    """Forget cached settings (tests and the local engine change the environment)."""
    get_settings.cache_clear()
