"""Where Amazon Connect stores inbound e-mail messages: an S3 bucket named by the instance's storage
configuration for ``EMAIL_MESSAGES`` (``AWS::Connect::InstanceStorageConfig``; botocore's connect
model: InstanceStorageResourceType). The flow's ``Get stored content`` block downloads a message's
plain text from there (adminguide get-stored-content.html), so without this configuration a
deployed e-mail flow cannot read any body. The names are in :mod:`infra.email_messages`.
"""

from __future__ import annotations

from aws_cdk import RemovalPolicy, Stack
from aws_cdk import aws_connect as connect
from aws_cdk import aws_s3 as s3
from constructs import Construct

from infra.email_messages import EMAIL_MESSAGES_PREFIX, email_messages_bucket_name


class EmailMessageStorage(Construct):
    """The bucket for inbound e-mail messages and the instance's ``EMAIL_MESSAGES`` storage
    configuration naming it (adminguide enable-email1.html, Step 4: "Email requires two Amazon S3
    bucket pointers"; this is the messages one, the one the flow's Get stored content reads).

    Created only with an instance the stack creates: an existing instance keeps its own data storage
    settings (an instance has one storage configuration per resource type, so a second would fail).
    Encryption is S3-managed, so Connect needs no grant on a customer key; access logs go to a
    bucket of their own; no public access; TLS only.
    """

    def __init__(
        self, scope: Construct, construct_id: str, *, resource_prefix: str, instance_arn: str, protect: bool
    ) -> None:
        super().__init__(scope, construct_id)
        removal = RemovalPolicy.RETAIN if protect else RemovalPolicy.DESTROY
        logs = s3.Bucket(
            self,
            "AccessLogs",
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            encryption=s3.BucketEncryption.S3_MANAGED,
            enforce_ssl=True,
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_PREFERRED,
            removal_policy=removal,
        )
        self.bucket = s3.Bucket(
            self,
            "Messages",
            bucket_name=email_messages_bucket_name(resource_prefix, Stack.of(self).account),
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            encryption=s3.BucketEncryption.S3_MANAGED,
            enforce_ssl=True,
            server_access_logs_bucket=logs,
            server_access_logs_prefix="email-messages/",
            removal_policy=removal,
        )
        self.storage = connect.CfnInstanceStorageConfig(
            self,
            "EmailMessagesStorage",
            instance_arn=instance_arn,
            resource_type="EMAIL_MESSAGES",
            storage_type="S3",
            s3_config=connect.CfnInstanceStorageConfig.S3ConfigProperty(
                bucket_name=self.bucket.bucket_name, bucket_prefix=EMAIL_MESSAGES_PREFIX
            ),
        )
