"""The Amazon Connect instance and its routing objects: hours, queues, routing profiles, quick connects,
phone numbers.

The instance is created (``connect.instance_alias``) or reused by ARN (``connect.existing_instance_arn``);
everything else is created in it. Names carry the environment so two environments can share one
instance if they must. aws-cdk-lib has only L1 (``Cfn*``) constructs for Connect.
"""

from __future__ import annotations

from aws_cdk import Fn, RemovalPolicy
from aws_cdk import aws_connect as connect
from constructs import Construct

from infra.calendar import environment_calendar
from infra.config import EnvConfig
from infra.registry import HOURS, QUEUES

INSTANCE_LOGICAL_ID = "ConnectInstance"
_WEEKDAYS = ("MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY")


def _slice(text: str) -> connect.CfnHoursOfOperation.HoursOfOperationTimeSliceProperty:
    hours, minutes = (int(part) for part in text.split(":"))
    return connect.CfnHoursOfOperation.HoursOfOperationTimeSliceProperty(hours=hours, minutes=minutes)


def pascal(name: str) -> str:
    return "".join(part.capitalize() for part in name.replace("-", "_").split("_"))


class ConnectCenter(Construct):
    """Instance (or import), hours of operation with holidays, queues, routing profiles, quick
    connects for the office directory, and the claimed or imported phone numbers."""

    def __init__(self, scope: Construct, construct_id: str, *, config: EnvConfig) -> None:
        super().__init__(scope, construct_id)
        prefix = config.resource_prefix
        self.instance: connect.CfnInstance | None = None
        if config.connect.create_instance:
            assert config.connect.instance_alias
            self.instance = connect.CfnInstance(
                self,
                "Instance",
                instance_alias=config.connect.instance_alias,
                identity_management_type=config.connect.identity_management_type,
                attributes=connect.CfnInstance.AttributesProperty(
                    inbound_calls=True,
                    outbound_calls=True,
                    contactflow_logs=config.connect.contact_flow_logs,
                    contact_lens=config.connect.contact_lens,
                ),
            )
            self.instance.override_logical_id(INSTANCE_LOGICAL_ID)
            self.instance.apply_removal_policy(
                RemovalPolicy.RETAIN if config.protect_data else RemovalPolicy.DESTROY
            )
            self.instance_arn: str = self.instance.attr_arn
        else:
            assert config.connect.existing_instance_arn
            self.instance_arn = config.connect.existing_instance_arn
        # arn:aws:connect:<region>:<account>:instance/<id>
        self.instance_id: str = Fn.select(1, Fn.split("/", self.instance_arn))

        self.hours: dict[str, connect.CfnHoursOfOperation] = {}
        for spec in HOURS:
            calendar = environment_calendar(config, spec.name)
            time_zone, weekly = calendar.time_zone, calendar.weekly
            self.hours[spec.name] = connect.CfnHoursOfOperation(
                self,
                f"Hours{pascal(spec.name)}",
                instance_arn=self.instance_arn,
                name=f"{prefix}-{spec.name}",
                description=f"CivicLine {spec.name} hours, closed on the configured holidays",
                time_zone=time_zone,
                config=[
                    connect.CfnHoursOfOperation.HoursOfOperationConfigProperty(
                        day=day, start_time=_slice(weekly[day][0]), end_time=_slice(weekly[day][1])
                    )
                    for day in _WEEKDAYS
                    if day in weekly
                ],
                hours_of_operation_overrides=[
                    connect.CfnHoursOfOperation.HoursOfOperationOverrideProperty(
                        override_name=f"holiday-{day.isoformat()}",
                        override_description="Public holiday: closed",
                        override_type="CLOSED",
                        effective_from=day.isoformat(),
                        effective_till=day.isoformat(),
                        override_config=[
                            connect.CfnHoursOfOperation.HoursOfOperationOverrideConfigProperty(
                                day=_WEEKDAYS[day.weekday()],
                                start_time=connect.CfnHoursOfOperation.OverrideTimeSliceProperty(
                                    hours=0, minutes=0
                                ),
                                end_time=connect.CfnHoursOfOperation.OverrideTimeSliceProperty(
                                    hours=23, minutes=59
                                ),
                            )
                        ],
                    )
                    for day in sorted(calendar.holidays)
                ]
                or None,
            )

        self.quick_connects: dict[str, connect.CfnQuickConnect] = {}
        for office in config.offices:
            self.quick_connects[office.name] = connect.CfnQuickConnect(
                self,
                f"Office{office.name}",
                instance_arn=self.instance_arn,
                name=f"{prefix}-{office.name}",
                description=(office.description or f"Office directory: {office.name}")[:250],
                quick_connect_config=connect.CfnQuickConnect.QuickConnectConfigProperty(
                    quick_connect_type="PHONE_NUMBER",
                    phone_config=connect.CfnQuickConnect.PhoneNumberQuickConnectConfigProperty(
                        phone_number=office.phone
                    ),
                ),
            )
        quick_connect_arns = [qc.attr_quick_connect_arn for qc in self.quick_connects.values()]

        self.queues: dict[str, connect.CfnQueue] = {}
        for queue in QUEUES:
            override = config.queues.get(queue.name)
            max_contacts = override.max_contacts if override and override.max_contacts else queue.max_contacts
            self.queues[queue.name] = connect.CfnQueue(
                self,
                f"Queue{pascal(queue.name)}",
                instance_arn=self.instance_arn,
                name=f"{prefix}-{queue.name}",
                description=queue.description[:250],
                hours_of_operation_arn=self.hours[queue.hours].attr_hours_of_operation_arn,
                max_contacts=max_contacts,
                quick_connect_arns=quick_connect_arns or None,
                status="ENABLED",
            )

        self.routing_profiles: dict[str, connect.CfnRoutingProfile] = {}
        for profile in config.routing_profiles:
            concurrencies = [
                connect.CfnRoutingProfile.MediaConcurrencyProperty(channel="VOICE", concurrency=1)
            ]
            if profile.chat_concurrency:
                concurrencies.append(
                    connect.CfnRoutingProfile.MediaConcurrencyProperty(
                        channel="CHAT", concurrency=profile.chat_concurrency
                    )
                )
            channels = ["VOICE", *(["CHAT"] if profile.chat_concurrency else [])]
            self.routing_profiles[profile.name] = connect.CfnRoutingProfile(
                self,
                f"Profile{profile.name}",
                instance_arn=self.instance_arn,
                name=f"{prefix}-{profile.name}",
                description=profile.description,
                default_outbound_queue_arn=self.queues[profile.default_outbound_queue].attr_queue_arn,
                media_concurrencies=concurrencies,
                queue_configs=[
                    connect.CfnRoutingProfile.RoutingProfileQueueConfigProperty(
                        priority=item.priority,
                        delay=item.delay,
                        queue_reference=connect.CfnRoutingProfile.RoutingProfileQueueReferenceProperty(
                            channel=channel, queue_arn=self.queues[item.queue].attr_queue_arn
                        ),
                    )
                    for item in profile.queues
                    for channel in channels
                ],
            )

        self.phone_numbers: dict[str, connect.CfnPhoneNumber] = {}
        for number in config.phone_numbers:
            phone = connect.CfnPhoneNumber(
                self,
                f"Phone{number.name}",
                target_arn=self.instance_arn,
                description=number.description or None,
                **(
                    {"source_phone_number_arn": number.source_phone_number_arn}
                    if number.source_phone_number_arn
                    else {"country_code": number.country_code, "type": number.type, "prefix": number.prefix}
                ),
            )
            # a claimed number is scarce (toll-free numbers are not guaranteed to come back)
            phone.override_logical_id(f"PhoneNumber{number.name}")
            phone.apply_removal_policy(RemovalPolicy.RETAIN if config.protect_data else RemovalPolicy.DESTROY)
            self.phone_numbers[number.name] = phone

    @property
    def queue_arns(self) -> dict[str, str]:
        return {name: queue.attr_queue_arn for name, queue in self.queues.items()}
