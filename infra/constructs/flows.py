"""The flows of flows/*.json, deployed with every placeholder resolved, and what Connect needs to run
them: one integration association and one ``connect.amazonaws.com`` invoke permission (scoped to the
instance) per function, and the phone-number-to-flow association CloudFormation cannot express.
"""

from __future__ import annotations

import json

from aws_cdk import Aws, Fn
from aws_cdk import aws_connect as connect
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import custom_resources as cr
from constructs import Construct

from infra.config import EnvConfig
from infra.constructs.chat_bot import ChatBots
from infra.constructs.connect_center import ConnectCenter, pascal
from infra.flows import BOOTSTRAP_FLOW, BOOTSTRAP_STEM, invoked_functions, plan, read_flows, render
from infra.registry import FLOWS, FUNCTIONS, placeholder


def flow_logical_id(stem: str) -> str:
    return f"Flow{pascal(stem)}"


class Flows(Construct):
    """Contact flows in dependency order, integration associations, invoke permissions, and the
    phone-number associations (custom resource)."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: EnvConfig,
        center: ConnectCenter,
        functions: dict[str, lambda_.Function],
        texts: dict[str, str] | None = None,
    ) -> None:
        super().__init__(scope, construct_id)
        texts = read_flows() if texts is None else texts
        self.texts = texts

        # Connect must know a function (integration association) and be allowed to call it, only
        # from this instance (SourceArn) of this account (SourceAccount).
        self.associations: dict[str, connect.CfnIntegrationAssociation] = {}
        for spec in FUNCTIONS:
            if not spec.connect_facing:
                continue
            fn = functions[spec.name]
            self.associations[spec.name] = connect.CfnIntegrationAssociation(
                self,
                f"Lambda{pascal(spec.name)}Association",
                instance_id=center.instance_arn,
                integration_type="LAMBDA_FUNCTION",
                integration_arn=fn.function_arn,
            )
            fn.add_permission(
                "ConnectInvoke",
                principal=iam.ServicePrincipal("connect.amazonaws.com"),
                action="lambda:InvokeFunction",
                source_arn=center.instance_arn,
                source_account=Aws.ACCOUNT_ID,
            )

        arns: dict[str, str] = {}
        for spec in FUNCTIONS:
            if spec.connect_facing:
                arns[placeholder("LAMBDA", spec.name)] = functions[spec.name].function_arn
        for name, queue in center.queues.items():
            arns[placeholder("QUEUE", name)] = queue.attr_queue_arn
        for name, hours in center.hours.items():
            arns[placeholder("HOURS", name)] = hours.attr_hours_of_operation_arn
        # the Lex bots of the chat menus (flows/bots/*.json)
        self.bots = ChatBots(
            self,
            "ChatBots",
            prefix=config.resource_prefix,
            instance_arn=center.instance_arn,
            code_hooks={"chat_picker": functions["chat_picker"]},
        )
        arns.update(self.bots.arns)

        wait = config.thresholds.virtual_hold_wait_seconds
        order, back_edges = plan(texts)
        self.back_edges = back_edges
        self.bootstrap: connect.CfnContactFlow | None = None
        if back_edges:
            self.bootstrap = self._flow(
                config,
                center,
                BOOTSTRAP_STEM,
                "CONTACT_FLOW",
                render(BOOTSTRAP_STEM, json.dumps(BOOTSTRAP_FLOW), arns),
            )
        self.flows: dict[str, connect.CfnContactFlow] = {}
        for stem in order:
            # forward references exist by now; a back-edge points at the bootstrap flow until patched
            initial = dict(arns)
            for target in back_edges.get(stem, ()):
                assert self.bootstrap is not None
                initial[placeholder("FLOW", target)] = self.bootstrap.attr_contact_flow_arn
            content = render(stem, texts[stem], initial, virtual_hold_seconds=wait)
            flow = self._flow(config, center, stem, FLOWS[stem], content)
            for fn_name in sorted(invoked_functions(texts[stem])):
                if fn_name in self.associations:
                    flow.add_resource_dependency(self.associations[fn_name])
            for bot, association in self.bots.associations.items():
                if placeholder("BOT", bot) in texts[stem]:
                    flow.add_resource_dependency(association)
            self.flows[stem] = flow
            arns[placeholder("FLOW", stem)] = flow.attr_contact_flow_arn

        # second step for back-edges: the full content, once every flow it names exists
        self.patches: dict[str, cr.AwsCustomResource] = {}
        for stem in sorted(back_edges):
            flow = self.flows[stem]
            flow_id = Fn.select(3, Fn.split("/", flow.attr_contact_flow_arn))
            call = cr.AwsSdkCall(
                service="Connect",
                action="UpdateContactFlowContent",
                parameters={
                    "InstanceId": center.instance_id,
                    "ContactFlowId": flow_id,
                    "Content": render(stem, texts[stem], arns, virtual_hold_seconds=wait),
                },
                physical_resource_id=cr.PhysicalResourceId.of(f"{stem}-content"),
            )
            patch = cr.AwsCustomResource(
                self,
                f"{flow_logical_id(stem)}Content",
                on_create=call,
                on_update=call,
                policy=cr.AwsCustomResourcePolicy.from_statements(
                    [
                        iam.PolicyStatement(
                            actions=["connect:UpdateContactFlowContent"],
                            resources=[flow.attr_contact_flow_arn, center.instance_arn],
                        )
                    ]
                ),
                install_latest_aws_sdk=False,
            )
            self.patches[stem] = patch

        # Callbacks dial out from the queues: caller id = the hotline number, whisper = the callback's
        # outbound whisper. Only when that flow does not reference a queue (which would be a cycle).
        whisper = self.flows.get("callback-outbound-whisper")
        first_number = next(iter(center.phone_numbers.values()), None)
        if whisper is not None and "%QUEUE_" not in texts["callback-outbound-whisper"]:
            for queue in center.queues.values():
                queue.outbound_caller_config = connect.CfnQueue.OutboundCallerConfigProperty(
                    outbound_caller_id_name="CivicLine",
                    outbound_caller_id_number_arn=first_number.attr_phone_number_arn
                    if first_number
                    else None,
                    outbound_flow_arn=whisper.attr_contact_flow_arn,
                )

        self.phone_associations: dict[str, cr.AwsCustomResource] = {}
        for number in config.phone_numbers:
            if number.flow not in self.flows:
                continue  # validated config; the flow file is not written yet
            phone = center.phone_numbers[number.name]
            flow = self.flows[number.flow]
            phone_id = Fn.select(1, Fn.split("/", phone.attr_phone_number_arn))
            # arn:aws:connect:<region>:<account>:instance/<instance id>/contact-flow/<flow id>
            flow_id = Fn.select(3, Fn.split("/", flow.attr_contact_flow_arn))
            call = cr.AwsSdkCall(
                service="Connect",
                action="AssociatePhoneNumberContactFlow",
                parameters={
                    "PhoneNumberId": phone_id,
                    "InstanceId": center.instance_id,
                    "ContactFlowId": flow_id,
                },
                physical_resource_id=cr.PhysicalResourceId.of(f"{number.name}-{number.flow}"),
            )
            association = cr.AwsCustomResource(
                self,
                f"Phone{number.name}FlowAssociation",
                on_create=call,
                on_update=call,
                on_delete=cr.AwsSdkCall(
                    service="Connect",
                    action="DisassociatePhoneNumberContactFlow",
                    parameters={"PhoneNumberId": phone_id, "InstanceId": center.instance_id},
                ),
                policy=cr.AwsCustomResourcePolicy.from_statements(
                    [
                        iam.PolicyStatement(
                            actions=[
                                "connect:AssociatePhoneNumberContactFlow",
                                "connect:DisassociatePhoneNumberContactFlow",
                            ],
                            resources=[
                                phone.attr_phone_number_arn,
                                center.instance_arn,
                                flow.attr_contact_flow_arn,
                            ],
                        )
                    ]
                ),
                install_latest_aws_sdk=False,
            )
            self.phone_associations[number.name] = association

    def _flow(
        self, config: EnvConfig, center: ConnectCenter, stem: str, flow_type: str, content: str
    ) -> connect.CfnContactFlow:
        flow = connect.CfnContactFlow(
            self,
            flow_logical_id(stem),
            instance_arn=center.instance_arn,
            name=f"{config.resource_prefix}-{stem}",
            type=flow_type,
            description=f"CivicLine {stem} (flows/{stem}.json)",
            state="ACTIVE",
            content=content,
        )
        flow.override_logical_id(flow_logical_id(stem))
        return flow
