"""The key-policy statement that lets CloudWatch Logs use a customer-managed key for given groups.

One definition for every log group the stack encrypts (the functions' groups, Connect's flow-log
group): CloudWatch Logs encrypts with the key only under an encryption context naming the group
(``kms:EncryptionContext:aws:logs:arn``; "Encrypt log data in CloudWatch Logs using AWS KMS").
"""

from __future__ import annotations

from typing import Literal

from aws_cdk import Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms

#: what CloudWatch Logs does with a log group's key
LOGS_KEY_ACTIONS = ("kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*")


def allow_logs(key: kms.Key, operator: Literal["ArnEquals", "ArnLike"], log_group_name: str) -> None:
    """Let CloudWatch Logs of this region use ``key`` for the group(s) ``log_group_name`` names
    (a name, or a pattern with ``ArnLike``)."""
    stack = Stack.of(key)  # concrete where the environment is, tokens otherwise
    arn = f"arn:{stack.partition}:logs:{stack.region}:{stack.account}:log-group:{log_group_name}"
    key.add_to_resource_policy(
        iam.PolicyStatement(
            principals=[iam.ServicePrincipal(f"logs.{stack.region}.amazonaws.com")],
            actions=list(LOGS_KEY_ACTIONS),
            resources=["*"],  # in a key policy "*" means this key
            conditions={operator: {"kms:EncryptionContext:aws:logs:arn": arn}},
        )
    )
