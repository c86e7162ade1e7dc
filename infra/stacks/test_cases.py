"""The Connect test cases stack: tests/connect as ``AWS::Connect::TestCase``, beside the contact center.

Kept out of :class:`infra.stacks.contact_center.ContactCenterStack` because the cases are large (each
holds its whole case document) and grow with every flow: in one template they took about 0.4 MB of
CloudFormation's 1 MB. They name the contact center's instance, flows, functions, queues and hours;
CDK turns each of those into an export of the contact-center stack and an ``Fn::ImportValue`` here,
and makes this stack depend on it (deployed after it, destroyed before it). docs/decisions.md,
"Connect test cases in their own stack".
"""

from __future__ import annotations

from typing import Any

from aws_cdk import Stack
from constructs import Construct

from infra.config import EnvConfig
from infra.constructs.test_cases import TestCases
from infra.stacks.contact_center import ContactCenterStack


class TestCasesStack(Stack):
    """One ``AWS::Connect::TestCase`` per deployable case file, in the contact center's instance."""

    __test__ = False

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: EnvConfig,
        center: ContactCenterStack,
        **kwargs: Any,
    ) -> None:
        super().__init__(scope, construct_id, **kwargs)
        self.cases = TestCases(
            self,
            "TestCases",
            config=config,
            center=center.center,
            functions=center.functions.functions,
            flows=center.flows.flows,
        )
        self.add_stack_dependency(center, "the test cases run in the contact center's instance and flows")


def add_test_cases_stack(
    scope: Construct, config: EnvConfig, center: ContactCenterStack, **kwargs: Any
) -> TestCasesStack | None:
    """The app's hook: ``<prefix>-TestCases`` when ``test_cases.deploy`` is on, else no stack at all."""
    if not config.test_cases.deploy:
        return None
    return TestCasesStack(scope, f"{config.stack_prefix}-TestCases", config=config, center=center, **kwargs)
