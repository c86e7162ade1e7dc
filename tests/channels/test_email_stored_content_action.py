"""The engine's ``LoadContactContent`` (Get stored content) against S3 on moto, as the page defines it
(adminguide get-stored-content.html): the plain text into ``$.Email.EmailMessage.Plaintext``, at most
32 KB; the error branch when it is bigger, missing or cannot be downloaded; e-mail contacts only."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from civicline.engine import Engine, FlowLibrary, StaticCenter
from civicline.engine.contact import StoredEmail
from civicline.engine.library import parse_flow_text
from civicline.engine.validator import validate_text
from civicline.local.email_store import LOCAL_BUCKET, store_message

LIMIT = 32 * 1024


def _flow(content_type: str = "EmailMessage", flow_type: str = "contactFlow") -> str:
    """Load the stored body, copy it to an attribute (loaded) or say it was not (error branch)."""
    return json.dumps(
        {
            "Version": "2019-10-30",
            "StartAction": "load",
            "Metadata": {"type": flow_type},
            "Actions": [
                {
                    "Identifier": "load",
                    "Type": "LoadContactContent",
                    "Parameters": {"ContentType": content_type},
                    "Transitions": {
                        "NextAction": "loaded",
                        "Errors": [{"NextAction": "not-loaded", "ErrorType": "NoMatchingError"}],
                    },
                },
                {
                    "Identifier": "loaded",
                    "Type": "UpdateContactAttributes",
                    "Parameters": {"Attributes": {"body": "LOADED"}},
                    "Transitions": {
                        "NextAction": "end",
                        "Errors": [{"NextAction": "end", "ErrorType": "NoMatchingError"}],
                    },
                },
                {
                    "Identifier": "not-loaded",
                    "Type": "UpdateContactAttributes",
                    "Parameters": {"Attributes": {"body": "NOT_LOADED"}},
                    "Transitions": {
                        "NextAction": "end",
                        "Errors": [{"NextAction": "end", "ErrorType": "NoMatchingError"}],
                    },
                },
                {"Identifier": "end", "Type": "DisconnectParticipant", "Parameters": {}, "Transitions": {}},
            ],
        }
    )


def _run(stored: StoredEmail | None, channel: str = "EMAIL") -> Any:
    library = FlowLibrary()
    library.add(parse_flow_text(_flow(), name="load-test"))
    engine = Engine(library, center=StaticCenter(open=True))
    return engine.run_contact(
        "load-test", None, caller_number="ana@example.org", channel=channel, email_message=stored
    )


def test_the_stored_plain_text_is_loaded_into_the_email_namespace(local_aws: Any) -> None:
    result = _run(store_message("c-1", "Hola, ¿cómo renuevo mi pasaporte?"))
    assert result.contact.attributes["body"] == "LOADED"
    assert result.contact.email_content == {
        "EmailMessage": {"Plaintext": "Hola, ¿cómo renuevo mi pasaporte?"}
    }


@pytest.mark.parametrize(
    ("stored", "why"),
    [
        (None, "not an e-mail message at all"),
        (StoredEmail(LOCAL_BUCKET, None), "no plain-text version (HTML only)"),
        (StoredEmail(LOCAL_BUCKET, "connect/email-messages/never-stored/plaintext.txt"), "no such object"),
        (StoredEmail("no-such-bucket-anywhere", "k"), "no such bucket"),
    ],
)
def test_missing_stored_content_takes_the_error_branch(local_aws: Any, stored: Any, why: str) -> None:
    store_message("c-0", "something")  # the bucket exists
    result = _run(stored)
    assert result.contact.attributes["body"] == "NOT_LOADED", why
    assert result.contact.email_content is None


def test_the_block_is_email_only_a_chat_takes_the_error_branch(local_aws: Any) -> None:
    result = _run(store_message("c-2", "text"), channel="CHAT")
    assert result.contact.attributes["body"] == "NOT_LOADED"


def test_a_download_fault_at_botocore_takes_the_error_branch_and_loads_nothing(
    local_aws: Any, aws_faults: Any
) -> None:
    stored = store_message("c-3", "estate tax")
    faults = aws_faults("s3")
    faults.fail("GetObject", "AccessDenied", status=403)
    assert _run(stored).contact.attributes["body"] == "NOT_LOADED"
    faults.timeout("GetObject")
    assert _run(stored).contact.attributes["body"] == "NOT_LOADED"
    assert faults.fired() == 2
    assert _run(stored).contact.email_content == {"EmailMessage": {"Plaintext": "estate tax"}}  # spent


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(size=st.integers(min_value=LIMIT - 8, max_value=LIMIT + 8), char=st.sampled_from(["a", "é", "\n"]))
def test_at_most_32_kb_of_plain_text_is_loaded_and_more_takes_the_error_branch(
    local_aws: Any, size: int, char: str
) -> None:
    text = (char * size).encode("utf-8")[:size].decode("utf-8", errors="ignore")
    stored = store_message("c-4", text)
    contact = _run(stored).contact
    if len(text.encode("utf-8")) <= LIMIT:
        assert contact.email_content == {"EmailMessage": {"Plaintext": text}}
    else:
        assert (contact.attributes["body"], contact.email_content) == ("NOT_LOADED", None)


def test_the_validator_knows_the_block_its_content_type_and_its_flow_types() -> None:
    def about_the_block(text: str) -> list[str]:
        return [f.message for f in validate_text(text, name="t") if f.identifier == "load"]

    assert not [m for m in about_the_block(_flow()) if "ContentType" in m or "LoadContactContent" in m]
    assert any("ContentType" in m for m in about_the_block(_flow("EmailAttachment")))
    assert any("CAMPAIGN" in m for m in about_the_block(_flow(flow_type="campaign")))
