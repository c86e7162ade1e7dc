"""Dashboard and alarms: what an on-call engineer and a hotline manager look at first.

Sources: Amazon Connect's own metrics (``AWS/Connect``: calls per interval, flow errors), Lambda's
(errors, throttles, duration), SQS's (dead-letter depth), and the aggregator's EMF metrics in the
``CivicLine`` namespace (:data:`AGGREGATE_METRICS`, the contract with functions/handlers/contact_events.py,
documented in docs/deploy.md): level of service, speed of answer, abandonment, callback outcomes.
Alarms notify an SNS topic (encrypted with its own key) that mails ``alarm_email``.
"""

from __future__ import annotations

from collections.abc import Callable

from aws_cdk import Aws, Duration
from aws_cdk import aws_cloudwatch as cw
from aws_cdk import aws_cloudwatch_actions as cw_actions
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subs
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from functions.domain.email_backlog import DEADLINE_HOURS
from functions.domain.metrics_cloudwatch import CHANNEL_DIMENSION, QUEUE_DIMENSION
from functions.domain.metrics_registry import BY_NAME, GAUGES_BY_NAME, PUBLISHED, CloudWatchMetric, Ratio
from infra.config import EnvConfig
from infra.constructs.connect_center import pascal
from infra.registry import QUEUES

NAMESPACE = "CivicLine"
BY_NAME_PUBLISHED: dict[str, CloudWatchMetric] = {c.name: c.cloudwatch for c in PUBLISHED if c.cloudwatch}
DIMENSIONS = {"service": "civicline"}
#: EMF metric names the aggregator publishes per batch (summed over the period), by rollup counter:
#: read from the measure registry, the same definitions contact_events.py publishes
AGGREGATE_METRICS: dict[str, str] = {c.name: c.cloudwatch.name for c in PUBLISHED if c.cloudwatch}


def alarm_source_conditions() -> dict[str, dict[str, str]]:
    """Conditions that limit the CloudWatch service principal to this account's alarms."""
    return {
        "StringEquals": {"aws:SourceAccount": Aws.ACCOUNT_ID},
        "ArnLike": {"aws:SourceArn": f"arn:{Aws.PARTITION}:cloudwatch:{Aws.REGION}:{Aws.ACCOUNT_ID}:alarm:*"},
    }


def aggregate(counter: str, period: Duration, channel: str | None = None) -> cw.Metric:
    """A published registry counter, stack-wide or of one channel (the aggregator's EMF dimensions:
    functions.domain.metrics_cloudwatch)."""
    measure = BY_NAME[counter]
    dimensions = DIMENSIONS if channel is None else {**DIMENSIONS, CHANNEL_DIMENSION: channel}
    return cw.Metric(
        namespace=NAMESPACE,
        metric_name=AGGREGATE_METRICS[counter],
        dimensions_map=dimensions,
        statistic="Sum",
        period=period,
        label=measure.label if channel is None else f"{channel} {measure.label.lower()}",
    )


def ratio_expression(
    name: str, period: Duration, *, empty: float = 0, channel: str | None = None
) -> cw.MathExpression:
    """A registry ratio as CloudWatch metric math over the published counters (percent for shares;
    ``empty`` when the denominator is zero), stack-wide or of one channel. The counters' divisors are
    folded into the factor."""
    ratio = BY_NAME[name]
    assert isinstance(ratio, Ratio)
    names = list(dict.fromkeys((*ratio.numerator, *ratio.denominator)))
    prefix = "m" if channel is None else channel.lower()
    var = {counter: f"{prefix}{i}" for i, counter in enumerate(names)}
    divisors = {BY_NAME_PUBLISHED[n].divisor for n in ratio.numerator}
    assert len(divisors) == 1 and all(BY_NAME_PUBLISHED[n].divisor == 1 for n in ratio.denominator)
    factor = ratio.scale * divisors.pop() * (100 if ratio.unit == "ratio" else 1)
    num = " + ".join(var[n] for n in ratio.numerator)
    den = " + ".join(var[n] for n in ratio.denominator)
    unit = " (%)" if ratio.unit == "ratio" else " (s)" if ratio.unit == "seconds" else ""
    return cw.MathExpression(
        expression=f"IF(({den}) > 0, {factor:g} * ({num}) / ({den}), {empty:g})",
        using_metrics={var[n]: aggregate(n, period, channel) for n in names},
        label=f"{ratio.label}{unit}" if channel is None else f"{channel}{unit}",
        period=period,
    )


def answered_late(period: Duration) -> cw.MathExpression:
    """E-mails an agent accepted after their answer deadline (answered - answered within 24 h): both
    counters are published when the answer is counted, so their difference is exact per period."""
    return cw.MathExpression(
        expression="answered - ontime",
        using_metrics={
            "answered": aggregate("emails_answered", period, "EMAIL"),
            "ontime": aggregate("emails_answered_within_24h", period, "EMAIL"),
        },
        label="E-mails answered after their 24 h deadline",
        period=period,
    )


#: the function that publishes the e-mail backlog, and how often it runs
BACKLOG_FUNCTION = "email_backlog"
BACKLOG_MINUTES = 5


def backlog_gauge(name: str, period: Duration, queue: str | None = None) -> cw.Metric:
    """A registry gauge of the e-mail backlog (its Maximum in the period), stack-wide or of one queue
    (the function's EMF dimensions: functions.domain.metrics_cloudwatch.backlog_sets)."""
    gauge = GAUGES_BY_NAME[name]
    dimensions = DIMENSIONS if queue is None else {**DIMENSIONS, QUEUE_DIMENSION: queue}
    return cw.Metric(
        namespace=NAMESPACE,
        metric_name=gauge.cloudwatch.name,
        dimensions_map=dimensions,
        statistic="Maximum",
        period=period,
        label=gauge.label if queue is None else queue,
    )


def backlog_age_hours(period: Duration, queue: str, index: int) -> cw.MathExpression:
    """One queue's oldest waiting e-mail, in hours (the unit of the deadline); ``index`` keeps the
    metric ids of one graph distinct."""
    return cw.MathExpression(
        expression=f"age{index} / 3600",
        using_metrics={f"age{index}": backlog_gauge("email_backlog_oldest_age_seconds", period, queue)},
        label=queue,
        period=period,
    )


def level_of_service(period: Duration) -> cw.MathExpression:
    """IRS-style LOS in percent (100 when nobody sought an agent, so the alarm stays quiet)."""
    return ratio_expression("level_of_service", period, empty=100)


#: the dashboard's measure widgets: (title, registry ratios) and the callback funnel's counters
DASHBOARD_RATIOS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Level of service (%)", ("level_of_service",)),
    ("Average speed of answer (s)", ("asa_seconds",)),
    ("Abandonment (%)", ("abandonment_rate",)),
)
CALLBACK_FUNNEL = ("callbacks_offered", "callbacks_accepted", "callbacks_dialed", "callbacks_connected")
#: contact channels and notification channels on the per-channel widgets
CONTACT_CHANNELS = ("VOICE", "CHAT", "EMAIL")
NOTIFICATION_CHANNELS = ("SMS", "EMAIL", "VOICE")
#: per-channel widgets: (title, registry ratio, one line per contact channel)
CHANNEL_RATIOS: tuple[tuple[str, str], ...] = (
    ("Abandonment by channel (%)", "abandonment_rate"),
    ("Service level by channel (%)", "service_level"),
    ("Average speed of answer by channel (s)", "asa_seconds"),
)
#: per-channel count widgets: (title, registry counters, channels)
CHANNEL_COUNTS: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...] = (
    ("Contacts by channel", ("inbound_contacts", "offered"), CONTACT_CHANNELS),
    (
        "E-mail: received, answered, within 24 h, closed",
        ("emails_received", "emails_answered", "emails_answered_within_24h", "emails_closed_unanswered"),
        ("EMAIL",),
    ),
    (
        "Notifications by channel",
        ("notifications_sent", "notifications_delivered", "notifications_opted_out", "notifications_failed"),
        NOTIFICATION_CHANNELS,
    ),
)


class Observability(Construct):
    """The dashboard, the alarm topic and every alarm."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: EnvConfig,
        instance_id: str,
        flow_names: dict[str, str],
        functions: dict[str, lambda_.Function],
        dead_letter_queues: dict[str, sqs.IQueue],
    ) -> None:
        super().__init__(scope, construct_id)
        self.key = kms.Key(
            self,
            "AlarmTopicKey",
            description=f"CivicLine {config.name}: alarm topic",
            enable_key_rotation=True,
        )
        # CloudWatch publishes alarm notifications to the encrypted topic: it needs the key (SNS
        # "Enable compatibility between event sources from AWS services and encrypted topics",
        # docs.aws.amazon.com/sns/latest/dg/sns-key-management.html) and a topic policy that lets it
        # publish; both only on behalf of this account's alarms (confused deputy)
        alarms_only = alarm_source_conditions()
        self.key.add_to_resource_policy(
            iam.PolicyStatement(
                principals=[iam.ServicePrincipal("cloudwatch.amazonaws.com")],
                actions=["kms:Decrypt", "kms:GenerateDataKey"],
                resources=["*"],  # in a key policy "*" means this key
                conditions=alarms_only,
            )
        )
        self.topic = sns.Topic(
            self,
            "AlarmTopic",
            display_name=f"CivicLine {config.name} alarms",
            master_key=self.key,
            enforce_ssl=True,
        )
        # enforce_ssl makes CDK write a topic policy, which REPLACES SNS's default policy: without
        # this Allow, CloudWatch may not publish and no alarm e-mail is ever sent (issue 13, item
        # 13; "Example cases for Amazon SNS access control", sns-access-policy-use-cases.html)
        self.topic.add_to_resource_policy(
            iam.PolicyStatement(
                sid="AllowCloudWatchAlarmsOfThisAccount",
                principals=[iam.ServicePrincipal("cloudwatch.amazonaws.com")],
                actions=["sns:Publish"],
                resources=[self.topic.topic_arn],
                conditions=alarms_only,
            )
        )
        # a notification SNS could not deliver is kept, not dropped
        self.dead_letters = sqs.Queue(
            self,
            "AlarmDeadLetters",
            encryption=sqs.QueueEncryption.SQS_MANAGED,
            enforce_ssl=True,
            retention_period=Duration.days(14),
        )
        self.topic.add_subscription(
            subs.EmailSubscription(config.alarm_email, dead_letter_queue=self.dead_letters)
        )
        action = cw_actions.SnsAction(self.topic)
        five = Duration.minutes(5)
        self.alarms: list[cw.Alarm] = []

        def alarm(
            alarm_id: str,
            metric: cw.IMetric,
            description: str,
            *,
            threshold: float = 1,
            below: bool = False,
            periods: int = 1,
            missing: cw.TreatMissingData = cw.TreatMissingData.NOT_BREACHING,
        ) -> cw.Alarm:
            created = cw.Alarm(
                self,
                alarm_id,
                metric=metric,
                alarm_description=description,
                threshold=threshold,
                evaluation_periods=periods,
                comparison_operator=(
                    cw.ComparisonOperator.LESS_THAN_THRESHOLD
                    if below
                    else cw.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD
                ),
                treat_missing_data=missing,
            )
            created.add_alarm_action(action)
            self.alarms.append(created)
            return created

        flow_errors: list[cw.IMetric] = []
        for stem, name in flow_names.items():
            metric = cw.Metric(
                namespace="AWS/Connect",
                metric_name="ContactFlowErrors",
                dimensions_map={
                    "InstanceId": instance_id,
                    "MetricGroup": "ContactFlow",
                    "ContactFlowName": name,
                },
                statistic="Sum",
                period=five,
                label=stem,
            )
            flow_errors.append(metric)
            alarm(f"FlowErrors{pascal(stem)}", metric, f"Flow {stem} took an error branch it did not expect")

        lambda_errors: list[cw.IMetric] = []
        durations: list[cw.IMetric] = []
        for name, fn in functions.items():
            errors = fn.metric_errors(period=five, label=name)
            lambda_errors.append(errors)
            durations.append(fn.metric_duration(period=five, statistic="p95", label=name))
            alarm(f"Errors{pascal(name)}", errors, f"Lambda {name} raised errors")
            alarm(
                f"Throttles{pascal(name)}", fn.metric_throttles(period=five), f"Lambda {name} was throttled"
            )

        for name, queue in dead_letter_queues.items():
            alarm(
                f"Depth{name}",
                queue.metric_approximate_number_of_messages_visible(period=five, statistic="Maximum"),
                f"Messages in {name}: something failed after its retries; inspect and redrive",
            )

        hour = Duration.hours(1)
        alarm(
            "LevelOfServiceBelowTarget",
            level_of_service(hour),
            f"Level of service below {config.thresholds.los_target_percent}% over the last hour",
            threshold=config.thresholds.los_target_percent,
            below=True,
        )

        calls = cw.Metric(
            namespace="AWS/Connect",
            metric_name="CallsPerInterval",
            dimensions_map={"InstanceId": instance_id, "MetricGroup": "VoiceCalls"},
            statistic="Sum",
            period=five,
            label="Calls",
        )
        quarter = Duration.minutes(15)
        self.dashboard = cw.Dashboard(
            self,
            "Dashboard",
            dashboard_name=f"{config.resource_prefix}-hotline",
            default_interval=Duration.hours(24),
        )
        measures = [
            cw.GraphWidget(
                title=title,
                left=[ratio_expression(name, quarter) for name in names],
                left_annotations=[
                    cw.HorizontalAnnotation(value=config.thresholds.los_target_percent, label="target")
                ]
                if "level_of_service" in names
                else None,
                width=8,
            )
            for title, names in DASHBOARD_RATIOS
        ]
        self.dashboard.add_widgets(cw.GraphWidget(title="Calls", left=[calls], width=8), *measures[:2])
        self.dashboard.add_widgets(
            measures[2],
            cw.GraphWidget(
                title="Callback outcomes",
                left=[aggregate(name, quarter) for name in CALLBACK_FUNNEL],
                stacked=False,
                width=8,
            ),
            cw.GraphWidget(title="Flow errors", left=flow_errors, width=8),
        )
        self._channel_widgets(quarter)
        alarm(
            "EmailAnsweredAfterDeadline",
            answered_late(hour),
            "An e-mail was answered after its 24 h answer deadline (the promise to citizens) last hour",
        )
        self._email_backlog(config, functions.get(BACKLOG_FUNCTION), alarm)
        self.dashboard.add_widgets(
            cw.GraphWidget(title="Lambda errors", left=lambda_errors, width=12),
            cw.GraphWidget(title="Lambda duration p95 (ms)", left=durations, width=12),
        )

    def _email_backlog(
        self, config: EnvConfig, function: lambda_.IFunction | None, alarm: Callable[..., cw.Alarm]
    ) -> None:
        """The backlog function's schedule, the two deadline alarms and the backlog widgets."""
        five = Duration.minutes(BACKLOG_MINUTES)
        self.backlog_dead_letters: sqs.Queue | None = None
        if function is not None:
            self.backlog_dead_letters = sqs.Queue(
                self,
                "EmailBacklogScheduleDeadLetters",
                encryption=sqs.QueueEncryption.SQS_MANAGED,
                enforce_ssl=True,
                retention_period=Duration.days(14),
            )
            rule = events.Rule(
                self,
                "EmailBacklogSchedule",
                description="Publish the e-mail backlog per queue to CloudWatch",
                schedule=events.Schedule.rate(five),
            )
            rule.add_target(
                targets.LambdaFunction(
                    function,
                    dead_letter_queue=self.backlog_dead_letters,
                    retry_attempts=2,
                    max_event_age=five,  # an older reading is worthless: the next run reads afresh
                )
            )
            alarm(
                "DepthEmailBacklogScheduleDeadLetters",
                self.backlog_dead_letters.metric_approximate_number_of_messages_visible(
                    period=five, statistic="Maximum"
                ),
                "The e-mail backlog schedule could not invoke its function: the backlog is not measured",
            )
        age = backlog_gauge("email_backlog_oldest_age_seconds", five)
        warn = config.thresholds.email_backlog_warn_hours
        alarm(
            "EmailBacklogNearDeadline",
            age,
            f"An e-mail has waited {warn:g} h: answer it before its {DEADLINE_HOURS} h deadline passes "
            "(dashboard: oldest waiting e-mail by queue)",
            threshold=warn * 3600,
        )
        alarm(
            "EmailBacklogPastDeadline",
            age,
            f"An e-mail is still waiting after its {DEADLINE_HOURS} h answer deadline (the promise made)",
            threshold=DEADLINE_HOURS * 3600,
        )
        # every run publishes the stack-wide reading (zeros included): no datapoint for 15 minutes
        # means the backlog is not measured (schedule off, function failing), and the two alarms
        # above would stay quiet however old the e-mails get
        alarm(
            "EmailBacklogNotMeasured",
            backlog_gauge("email_backlog", Duration.minutes(15)).with_(statistic="SampleCount"),
            "The e-mail backlog was not measured for 15 minutes: the deadline alarms cannot fire "
            "(check the email_backlog function's errors and its schedule)",
            threshold=1,
            below=True,
            missing=cw.TreatMissingData.BREACHING,
        )
        alarm(
            "EmailBacklogMalformedRows",
            backlog_gauge("email_backlog_malformed_rows", five),
            "The e-mail backlog reading skipped rollup rows it could not read (the function's log "
            "names their queues): the backlog shown may be too small",
        )
        queues = [q.name for q in QUEUES]
        self.dashboard.add_widgets(
            cw.GraphWidget(
                title="E-mails waiting by queue",
                left=[backlog_gauge("email_backlog", five, q) for q in queues],
                width=12,
            ),
            cw.GraphWidget(
                title="Oldest waiting e-mail by queue (h)",
                left=[backlog_age_hours(five, q, i) for i, q in enumerate(queues)],
                left_annotations=[
                    cw.HorizontalAnnotation(value=warn, label="warning"),
                    cw.HorizontalAnnotation(value=DEADLINE_HOURS, label="deadline"),
                ],
                width=12,
            ),
        )

    def _channel_widgets(self, period: Duration) -> None:
        """One row of ratios and one of counts, each line one channel (the EMF ``Channel`` dimension)."""
        ratios = [
            cw.GraphWidget(
                title=title,
                left=[ratio_expression(name, period, channel=ch) for ch in CONTACT_CHANNELS],
                width=8,
            )
            for title, name in CHANNEL_RATIOS
        ]
        self.dashboard.add_widgets(*ratios)
        day = Duration.days(1)
        counts = [
            cw.GraphWidget(
                title=title,
                left=[aggregate(name, period, ch) for ch in channels for name in names],
                width=6,
            )
            for title, names, channels in CHANNEL_COUNTS
        ]
        on_time = cw.GraphWidget(
            title="E-mail answered within 24 h (%, per day)",
            left=[ratio_expression("email_answered_within_24h_rate", day, channel="EMAIL")],
            width=6,
        )
        self.dashboard.add_widgets(*counts, on_time)
