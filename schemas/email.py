"""Parameters and response of the ``email_triage`` Lambda the inbound e-mail flow invokes.

The flow passes what Connect knows of the e-mail contact: the sender (``$.CustomerEndpoint.Address``)
and the subject, plain-text body and headers (contact attributes set when the contact starts; see
docs/channels.md for how they get there in a deployed instance).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from schemas.functions import _Params, _Response


@dataclass(kw_only=True)
class EmailTriageParameters(_Params):
    sender: str = ""
    subject: str = ""
    body: str = ""
    #: the message's headers as one JSON object (``{"Auto-Submitted": "auto-replied"}``); may be blank
    headers: str = ""


@dataclass(kw_only=True)
class EmailTriageResponse(_Response):
    #: ROUTED: queue it; IGNORED: auto-reply or loop, end the contact without an agent
    result: Literal["ROUTED", "IGNORED", "INVALID_INPUT"]
    screen: str
    #: SENT, or why none was: RECENT (one per sender per window), AUTO_REPLY, LOOP, MALFORMED, SEND_FAILED
    acknowledgement: str
    reference: str | None = None
    queueName: str | None = None
    queueArn: str | None = None
    officeId: str | None = None
    topic: str | None = None
    reason: str | None = None
    confidence: str | None = None
    matched: str | None = None
    termsVersion: str | None = None
    language: str | None = None
    answerDeadline: str | None = None
    knowledgeAnswer: Literal["true", "false"] | None = None
