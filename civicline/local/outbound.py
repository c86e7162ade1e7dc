"""Amazon Connect's ``StartOutboundVoiceContact``, locally: the answered call runs its flow in the engine.

moto has no Amazon Connect. A function that places a call (the notifier's CALL channel) calls boto3
as deployed; this answers that call at botocore's ``before-call`` (service level, so the deployed
IAM enforcer and :class:`~civicline.local.aws_faults.AwsFaults`, registered deeper or first, run
before it) the way Connect does: a new ``ContactId``, or, for a ``ClientToken`` already used, the
contact it started ("If a contact is already started, the contact ID is returned", API reference,
StartOutboundVoiceContact). The callee answers and the flow named by ``ContactFlowId`` runs through
:class:`~civicline.engine.Engine` with the call's attributes, ``initiation_method="OUTBOUND"``,
and the keys ``keys`` scripts. The transcripts are kept for the caller to read.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from civicline.engine import CallerScript, CallResult, Engine, FlowLibrary, LambdaInvoker, StaticCenter
from civicline.engine.arns import INSTANCE_ARN, name_from_arn
from civicline.local.aws_faults import _api_params, _Http

FLOWS_DIR = Path(__file__).resolve().parents[2] / "flows"


@dataclass
class PlacedCall:
    """One call Connect accepted: its contact, token and the flow's transcript (with the number
    dialed, which stays here: it is never logged)."""

    contact_id: str
    client_token: str
    destination: str
    flow: str
    result: CallResult


@dataclass
class LocalOutboundCalls:
    """The calls placed while :func:`answer_outbound_calls` is active (``calls``), one per contact."""

    keys: Sequence[str] = ()
    library: FlowLibrary | None = None
    calls: list[PlacedCall] = field(default_factory=list)

    def place(self, params: dict[str, Any]) -> str:
        token = str(params.get("ClientToken") or "")
        for placed in self.calls:
            if token and placed.client_token == token:
                return placed.contact_id  # Connect: the contact already started under this token
        flow = name_from_arn(f"{INSTANCE_ARN}/contact-flow/{params.get('ContactFlowId', '')}")
        library = self.library or FlowLibrary.from_directory(FLOWS_DIR)
        engine = Engine(library, invoker=LambdaInvoker(), center=StaticCenter())
        contact_id = str(uuid.uuid4())
        result = engine.run_contact(
            flow,
            CallerScript(list(self.keys)),
            caller_number=str(params.get("DestinationPhoneNumber", "")),
            contact_id=contact_id,
            attributes={str(k): str(v) for k, v in (params.get("Attributes") or {}).items()},
            initiation_method="OUTBOUND",
        )
        self.calls.append(
            PlacedCall(contact_id, token, str(params.get("DestinationPhoneNumber", "")), flow, result)
        )
        return contact_id


@contextmanager
def answer_outbound_calls(calls: LocalOutboundCalls | None = None) -> Iterator[LocalOutboundCalls]:
    """Answer ``StartOutboundVoiceContact`` on the functions' current Connect client as Connect does,
    running each flow. Pass the same ``calls`` to keep one Connect across several functions (each
    :meth:`~civicline.local.deployed.DeployedStack.as_function` has its own client): a token used by
    one is known to the other."""
    from functions.core.aws import client

    connect = client("connect")
    calls = calls if calls is not None else LocalOutboundCalls()

    def answer(model: Any, params: dict[str, Any], **_: Any) -> Any:
        if model.name != "StartOutboundVoiceContact":
            return None
        body = {"ContactId": calls.place(_api_params(params))}
        return _Http(200, json.dumps(body)), {**body, "ResponseMetadata": {"HTTPStatusCode": 200}}

    connect.meta.events.register("before-call.connect", answer)
    try:
        yield calls
    finally:
        connect.meta.events.unregister("before-call.connect", answer)
