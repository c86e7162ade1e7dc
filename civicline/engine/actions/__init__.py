"""Every Flow-language action type: one :class:`~civicline.engine.actions.spec.ActionSpec` each.

Grouped like Connect's own reference: :mod:`.participant`, :mod:`.interactions`, :mod:`.contact`,
:mod:`.queues`, :mod:`.flow_control`. The interpreter runs ``SPECS[type].run``; the validator checks
each action against the same record. Documented types the engine does not run are registered here
with no behaviour (the validator still knows them; the interpreter ends the contact naming them).
"""

from __future__ import annotations

from civicline.engine.actions import (
    cases,
    contact,
    flow_control,
    interactions,
    participant,
    profiles,
    queues,
    stored_content,
    views,
    voice_id,
)
from civicline.engine.actions.common import phone_number
from civicline.engine.actions.spec import (
    NO_MATCHING_ERROR,
    SPECS,
    ActionSpec,
    Behaviour,
    ErrorRules,
    Problem,
    fixed,
    known,
)
from civicline.engine.outcome import Outcome
from schemas.flow_language import FlowAction

_GROUPS = (
    cases,
    contact,
    flow_control,
    interactions,
    participant,
    profiles,
    queues,
    stored_content,
    views,
    voice_id,
)  # imported for registration

for _type, _group, _page in (
    ("StartOutboundChatContact", "contact", "contact-actions-startoutboundchatcontact"),
    (
        "UpdateContactRecordingAndAnalyticsBehavior",
        "contact",
        "contact-actions-updatecontactrecordingandanalyticsbehavior",
    ),
    ("UpdateContactMediaProcessing", "contact", "contact-actions-updatecontactmediaprocessing"),
    ("ResumeContact", "contact", "contact-actions-resumecontact"),
    ("CheckOutboundCallStatus", "flow control", "flow-control-actions-checkoutboundcallstatus"),
):
    known(_type, _group, _page)  # type: ignore[arg-type]

#: action type -> behaviour, for the types the engine runs
ACTIONS: dict[str, Behaviour] = {name: spec.run for name, spec in SPECS.items() if spec.run is not None}


def spec_for(type_: str) -> ActionSpec | None:
    return SPECS.get(type_)


def not_implemented(act: FlowAction) -> Outcome:
    return Outcome.end("ERROR", detail=f"action type {act.Type} is not implemented by the CivicLine engine")


__all__ = [
    "ACTIONS",
    "NO_MATCHING_ERROR",
    "SPECS",
    "ActionSpec",
    "ErrorRules",
    "Outcome",
    "Problem",
    "fixed",
    "not_implemented",
    "phone_number",
    "spec_for",
]
