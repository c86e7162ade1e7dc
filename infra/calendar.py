"""An environment's service calendar, as its stack deploys it (pure: no aws_cdk import, so the
local engine can read it without starting the CDK's JavaScript runtime)."""

from __future__ import annotations

from functions.domain.calendar import Calendar, service_calendar
from infra.config import EnvConfig


def environment_calendar(config: EnvConfig, hours: str = "main") -> Calendar:
    """The service calendar as ``config`` deploys it: its time zone and weekly hours over the
    registry's, closed on the registry's public holidays and the environment's own closures.

    The stack turns the holidays into ``HoursOfOperationOverrides`` of type CLOSED, one per day
    (EffectiveFrom and EffectiveTill are YYYY-MM-DD dates: AWS CloudFormation,
    AWS::Connect::HoursOfOperation HoursOfOperationOverride), so Connect's CheckHoursOfOperation
    closes on exactly the days the functions and the local engine close on.
    """
    time_zone, weekly = config.weekly_hours(hours)
    return service_calendar(hours, time_zone=time_zone, weekly=weekly, holidays=config.holidays)
