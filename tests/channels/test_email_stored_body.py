"""The e-mail body as a deployment reads it: flows/inbound-email.json runs ``Get stored content``
(``LoadContactContent``), which downloads the message's plain text from the instance's EMAIL_MESSAGES
S3 storage into ``$.Email.EmailMessage.Plaintext`` (adminguide get-stored-content.html), and passes it
with the subject segment attribute ``$.SegmentAttributes['connect:EmailSubject']`` to email_triage.

The defect these tests guard: the deployed flow used to pass ``$.Attributes.emailBody``, which only
local runs set, so every deployed e-mail was classified on its subject alone.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from civicline.engine import Engine, LambdaInvoker, QueueMetrics, StaticCenter
from civicline.engine.contact import StoredEmail
from civicline.local.as_deployed import AsDeployed, running_as_deployed
from civicline.local.email_store import message_key
from functions.core.clock import set_clock
from tests.functional.conftest import Clock

pytestmark = [pytest.mark.infra]

NOW = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)
CONTACT = "12345678-aaaa-4bbb-8ccc-000000000001"


@pytest.fixture(scope="module")
def dev() -> Iterator[AsDeployed]:
    set_clock(Clock(NOW))
    try:
        with running_as_deployed("dev", seed_at=NOW) as run:
            from civicline.commands.email import _verify_sender_identity

            _verify_sender_identity()
            yield run
    finally:
        set_clock(None)


def _bucket(run: AsDeployed) -> str:
    """The bucket the template's EMAIL_MESSAGES storage configuration names (as deployed)."""
    assembly = run.stack.assembly
    [config] = [
        r
        for r in assembly.resources("AWS::Connect::InstanceStorageConfig")
        if r.properties["ResourceType"] == "EMAIL_MESSAGES"
    ]
    s3_config = config.properties["S3Config"]
    return str(assembly.resolve(s3_config["BucketName"], config.stack))


def _deliver(run: AsDeployed, subject: str, body: bytes | None, contact_id: str = CONTACT) -> Any:
    """An e-mail contact as Connect starts one: its plain text stored under the storage
    configuration's bucket, the subject a segment attribute, nothing in contact attributes."""
    bucket = _bucket(run)
    s3 = run.aws.client("s3")
    s3.create_bucket(Bucket=bucket)
    key = None
    if body is not None:
        key = message_key(contact_id)
        s3.put_object(Bucket=bucket, Key=key, Body=body)
    engine = Engine(
        run.library,
        invoker=LambdaInvoker(around=run.around),
        center=StaticCenter(
            clock=NOW, calendars=run.calendars, default_metrics=QueueMetrics(agents_available=1)
        ),
    )
    return engine.run_contact(
        "inbound-email",
        None,
        caller_number="ana@example.org",
        channel="EMAIL",
        contact_id=contact_id,
        segment_attributes={"connect:EmailSubject": subject},
        email_message=StoredEmail(bucket, key),
    )


def _triage(result: Any) -> dict[str, Any]:
    calls = [c for c in result.lambda_calls if c["function"] == "email_triage"]
    assert len(calls) == 1
    return dict(calls[0])


def test_a_body_only_routing_word_reaches_the_office_through_the_flow_as_deployed(dev: AsDeployed) -> None:
    # Given a message whose subject says nothing and whose body names the estate-tax office
    result = _deliver(dev, "A question", b"My mother died and I need to file the estate tax return.")
    # Then the flow loaded the stored body, passed it with the subject, and the office is the body's
    call = _triage(result)
    assert call["parameters"]["body"].startswith("My mother died")
    assert call["parameters"]["subject"] == "A question"
    attrs = result.contact.attributes
    assert (attrs["emailBodyStatus"], attrs["emailAcknowledgement"]) == ("LOADED", "SENT")
    assert (attrs["emailTopic"], result.ended["queue"]) == ("tier2", "civicline-dev-tier2"), attrs
    assert "emailScreenSignal" in attrs and "emailRepliesTo" in attrs
    assert result.ended["how"] == "QUEUE"
    assert "emailBody" not in attrs  # nothing of the body is copied into contact attributes


def test_a_spanish_body_is_read_and_answered_in_spanish(dev: AsDeployed) -> None:
    body = "Hola, ¿cómo renuevo mi pasaporte? Se me vence el mes próximo.".encode()
    result = _deliver(dev, "Consulta", body, "12345678-aaaa-4bbb-8ccc-000000000002")
    attrs = result.contact.attributes
    assert (attrs["language"], attrs["emailTopic"], attrs["emailBodyStatus"]) == ("es", "passports", "LOADED")


def test_a_body_over_32_kb_takes_the_error_branch_and_is_triaged_on_its_subject(dev: AsDeployed) -> None:
    # Given a plain text one byte over the block's 32 KB
    body = b"estate tax " * 2979 + b"x" * (32 * 1024 + 1 - 11 * 2979)
    assert len(body) == 32 * 1024 + 1
    result = _deliver(dev, "Passport renewal", body, "12345678-aaaa-4bbb-8ccc-000000000003")
    # Then Get stored content took its error branch (the page: "more than 32KB"), the function was
    # told the body is unknown and routed on the subject, and the contact is queued, not lost
    call = _triage(result)
    assert call["parameters"]["bodyStatus"] == "NOT_LOADED" and "body" not in call["parameters"]
    attrs = result.contact.attributes
    assert (attrs["emailBodyStatus"], attrs["emailTopic"]) == ("NOT_LOADED", "passports")
    assert result.ended["how"] == "QUEUE"


def test_exactly_32_kb_is_loaded(dev: AsDeployed) -> None:
    body = b"a" * (32 * 1024)
    result = _deliver(dev, "Passport", body, "12345678-aaaa-4bbb-8ccc-000000000004")
    assert result.contact.attributes["emailBodyStatus"] == "LOADED"


@pytest.mark.parametrize("subject", ["Driver license renewal", ""])
def test_missing_stored_content_still_triages_and_queues(dev: AsDeployed, subject: str) -> None:
    # Given a contact whose message has no plain-text object (HTML only, or never stored)
    result = _deliver(dev, subject, None, f"12345678-aaaa-4bbb-8ccc-00000000001{len(subject) % 10}")
    attrs = result.contact.attributes
    # Then the error branch triages on the subject with the reason recorded, and a blank subject is
    # not called an empty message (its body is unknown)
    assert attrs["emailBodyStatus"] == "NOT_LOADED"
    assert attrs["emailScreenSignal"] == ("" if subject else "BODY_NOT_LOADED")
    assert result.ended["how"] == "QUEUE"
