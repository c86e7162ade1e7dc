"""The e-mail channel's AWS permissions beyond its tables: sending acknowledgements with Amazon SES.

Least privilege: ``ses:SendEmail`` on the one sending identity (the domain of the function's
``EMAIL_FROM_ADDRESS``), and only with that address as the sender (``ses:FromAddress``). SES
authorizes a send against the identity resource (and a configuration set, when one is used; none
is). The Connect e-mail address (``AWS::Connect::EmailAddress``) needs a domain verified in the
account and is created when the agency's domain is known (docs/channels.md).
"""

from __future__ import annotations

from aws_cdk import Stack
from aws_cdk import aws_iam as iam
from constructs import Construct

from infra.registry import FUNCTIONS_BY_NAME

#: the function that sends acknowledgements, and the variable naming its sender address
SENDER_FUNCTION = "email_triage"
FROM_ADDRESS_ENV = "EMAIL_FROM_ADDRESS"


def sending_identity(address: str) -> str:
    """The SES identity a send from ``address`` is authorized against: its domain."""
    return address.rsplit("@", 1)[-1]


def add_email_channel(scope: Construct, roles: dict[str, iam.Role]) -> None:
    """Let the triage function send from the agency's address, and nothing else."""
    role = roles.get(SENDER_FUNCTION)
    spec = FUNCTIONS_BY_NAME.get(SENDER_FUNCTION)
    if role is None or spec is None:
        return
    address = spec.env[FROM_ADDRESS_ENV]
    stack = Stack.of(scope)
    identity = (
        f"arn:{stack.partition}:ses:{stack.region}:{stack.account}:identity/{sending_identity(address)}"
    )
    role.add_to_principal_policy(
        iam.PolicyStatement(
            actions=["ses:SendEmail"],
            resources=[identity],
            conditions={"StringEquals": {"ses:FromAddress": address}},
        )
    )
