"""The contact-center stack: Connect objects, functions, flows, event pipeline, observability.

Functions, queues and flows live in one stack because they reference each other (flows name function
and queue ARNs, functions read queue ARNs); splitting them would create cross-stack cycles. The data
they use comes from :class:`infra.stacks.data.DataStack`.
"""

from __future__ import annotations

from typing import Any

from aws_cdk import CfnOutput, Duration, Stack
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_kms as kms
from constructs import Construct

from infra.config import EnvConfig
from infra.constructs.channels import (
    CALL_FLOW,
    NOTIFIER_STREAMS,
    NotificationWiring,
    add_call_channel,
    add_email_channel,
    add_notifier,
)
from infra.constructs.chat_start import ChatStartApi
from infra.constructs.connect_center import ConnectCenter
from infra.constructs.email_storage import EmailMessageStorage
from infra.constructs.flow_logs import FlowLogs
from infra.constructs.flows import Flows
from infra.constructs.functions import Functions
from infra.constructs.observability import Observability
from infra.constructs.pipeline import DLQ_RETENTION_DAYS, EventPipeline, secure_queue
from infra.registry import TABLES


class ContactCenterStack(Stack):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: EnvConfig,
        tables: dict[str, dynamodb.ITable],
        key: kms.IKey,
        flow_texts: dict[str, str] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(scope, construct_id, **kwargs)
        self.center = ConnectCenter(self, "Connect", config=config)
        async_dlq = secure_queue(self, "AsyncDeadLetters", retention_period=Duration.days(DLQ_RETENTION_DAYS))
        self.functions = Functions(
            self,
            "Functions",
            config=config,
            tables=tables,
            key=key,
            queue_arns=self.center.queue_arns,
            instance_arn=self.center.instance_arn,
            async_dlq=async_dlq,
        )
        fns = self.functions.functions
        self.flows = Flows(self, "Flows", config=config, center=self.center, functions=fns, texts=flow_texts)
        dispatcher = fns["callback_dispatcher"]
        # StartOutboundVoiceContact runs a contact flow (not a whisper) once the callee answers
        dial_flow = self.flows.flows.get("callback-dial")
        if dial_flow is not None:
            dispatcher.add_environment("OUTBOUND_FLOW_ARN", dial_flow.attr_contact_flow_arn)
        number = next(iter(self.center.phone_numbers.values()), None)
        if number is not None:
            dispatcher.add_environment("SOURCE_PHONE_NUMBER", number.attr_address)
        # the dispatcher starts outbound calls in this instance only (contact ids are not known in advance)
        from aws_cdk import aws_iam as iam

        self.functions.roles["callback_dispatcher"].add_to_principal_policy(
            iam.PolicyStatement(
                actions=["connect:StartOutboundVoiceContact"],
                resources=[f"{self.center.instance_arn}/contact/*"],
            )
        )
        add_email_channel(self, self.functions.roles)  # SES send for e-mail acknowledgements
        if config.connect.create_instance:  # where Connect stores e-mail bodies (Get stored content)
            EmailMessageStorage(
                self,
                "EmailStorage",
                resource_prefix=config.resource_prefix,
                instance_arn=self.center.instance_arn,
                protect=config.protect_data,
            )
        self.chat_start: ChatStartApi | None = None
        chat_flow = self.flows.flows.get("main-inbound")
        if chat_flow is not None:  # the public web chat starts in the main inbound flow
            self.chat_start = ChatStartApi(
                self,
                "ChatStart",
                config=config,
                function=fns["chat_start"],
                role=self.functions.roles["chat_start"],
                flow_arn=chat_flow.attr_contact_flow_arn,
                instance_arn=self.center.instance_arn,
                logs_key=self.functions.logs_key,
            )
            CfnOutput(self, "ChatStartUrl", value=self.chat_start.url)
        self.pipeline = EventPipeline(
            self,
            "Events",
            instance_arn=self.center.instance_arn,
            aggregator=fns["contact_events"],
            dispatcher=dispatcher,
            outcomes=fns["callback_outcomes"],
            stream_tables={
                t.logical: tables[t.logical] for t in TABLES if t.stream and t.logical not in NOTIFIER_STREAMS
            },
            async_dlq=async_dlq,
        )
        add_notifier(self, fns, tables, self.pipeline.stream_dlq)  # case status changes -> notifications
        call_flow = self.flows.flows.get(CALL_FLOW)
        if call_flow is not None:  # notifications by call run flows/notification-call.json
            add_call_channel(
                fns,
                self.functions.roles,
                instance_arn=self.center.instance_arn,
                flow_arn=call_flow.attr_contact_flow_arn,
                source_number=number.attr_address if number is not None else None,
            )
        self.notifications = NotificationWiring(
            self,
            "Notifications",
            resource_prefix=config.resource_prefix,
            functions=fns,
            roles=self.functions.roles,
            metrics_buffer=self.pipeline.buffer,
        )
        self.observability = Observability(
            self,
            "Observability",
            config=config,
            instance_id=self.center.instance_id,
            flow_names={stem: f"{config.resource_prefix}-{stem}" for stem in self.flows.flows},
            functions=fns,
            dead_letter_queues={**self.pipeline.dead_letter_queues, **self.notifications.dead_letter_queues},
        )
        self.flow_logs: FlowLogs | None = None
        if self.center.instance is not None and config.connect.contact_flow_logs:
            # the group must exist before Connect creates its own (see infra/constructs/flow_logs.py)
            self.flow_logs = FlowLogs(self, "FlowLogs", config=config)
            self.center.instance.node.add_dependency(self.flow_logs.log_group)
        CfnOutput(self, "InstanceArn", value=self.center.instance_arn)
        for name, phone in self.center.phone_numbers.items():
            CfnOutput(self, f"PhoneNumber{name}Address", value=phone.attr_address)
