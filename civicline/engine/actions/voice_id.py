"""The Voice ID actions (APIReference flow-control-actions-startvoiceidstream, -checkvoiceid;
adminguide set-voice-id, check-voice-id), against the instance's local Voice ID store.

StartVoiceIdStream "Sends audio to Voice ID": voice only ("If used with the chat or task channels,
the action takes the Error branch"), not in hold flows. CheckVoiceId's result, by its
``CheckVoiceIdOption``, is ``Enrolled`` / ``NotEnrolled`` / ``OptedOut`` (enrollmentStatus),
``Authenticated`` / ``NotAuthenticated`` / ``Inconclusive`` / ``NotEnrolled`` / ``OptedOut``
(voiceAuthentication: the score against the threshold, default 90) or ``HighRisk`` / ``LowRisk`` /
``Inconclusive`` (fraudDetection); "The Set Voice ID block needs to be set in the flow before this
one", and enrollment and authentication need the contact's Customer ID. A local run has no caller
audio: an enrolled speaker authenticates only when the store gives the score this caller would get,
otherwise the result is ``Inconclusive``, the page's result for "Unable to analyze a caller's
speech"; fraud detection likewise, with the store's ``fraud_risk``. The thresholds are Set Voice
ID's (``VoiceAuthenticationThreshold``, ``FraudDetectionThreshold``, which its export writes as
UpdateContactData parameters) when the contact has them, else the store's. Voice ID not enabled, no stream
started, or no Customer ID: the error branch. (Voice ID reached end of support on 2026-05-20,
check-voice-id; exported flows still hold these blocks.)
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from civicline.engine.actions.common import integer
from civicline.engine.actions.spec import (
    AH,
    AT,
    AW,
    CF,
    CH,
    CQ,
    CW,
    FLOW_TYPES,
    MODULE,
    NO_MATCHING_ERROR,
    OW,
    QT,
    VOICE,
    ActionSpec,
    Problem,
    action,
    fixed,
)
from civicline.engine.center import stores_of
from civicline.engine.outcome import Outcome
from civicline.engine.stores import VoiceIdStore
from schemas.flow_language import FlowAction

if TYPE_CHECKING:
    from civicline.engine.interpreter import Run

#: CheckVoiceIdOption -> the results it can return (check-voice-id; the exports' Equals operands)
RESULTS: dict[str, tuple[str, ...]] = {
    "enrollmentStatus": ("Enrolled", "NotEnrolled", "OptedOut"),
    "voiceAuthentication": ("Authenticated", "NotAuthenticated", "Inconclusive", "NotEnrolled", "OptedOut"),
    "fraudDetection": ("HighRisk", "LowRisk", "Inconclusive"),
}
#: check-voice-id, Flow types: inbound, customer queue, customer/outbound/agent whisper, transfer to
#: agent, transfer to queue (modules run inside an inbound flow)
CHECK_FLOW_TYPES = frozenset({CF, CQ, CW, OW, AW, AT, QT, MODULE})


def _store(run: Run) -> VoiceIdStore | None:
    return stores_of(run.center).voice_id


@action(
    ActionSpec(
        "StartVoiceIdStream",
        "flow control",
        "flow-control-actions-startvoiceidstream",
        flow_types=frozenset(FLOW_TYPES) - {CH, AH},
        channels=VOICE,
        errors=fixed(NO_MATCHING_ERROR),
        operators=frozenset(),
    )
)
def start_voice_id_stream(run: Run, act: FlowAction) -> Outcome:
    if _store(run) is None:
        return Outcome.fail(detail="Voice ID is not enabled for this instance")
    run.contact.voice_id_streaming = True
    return Outcome.ok()


def _check_option(act: FlowAction) -> Iterable[Problem]:
    option = act.Parameters.get("CheckVoiceIdOption")
    if option not in RESULTS:
        yield Problem(f"CheckVoiceIdOption {option!r} is none of {', '.join(RESULTS)}")
        return
    for cond in act.Transitions.Conditions:
        for operand in cond.Condition.Operands:
            if operand not in RESULTS[str(option)]:
                yield Problem(
                    f"{option} never returns {operand!r} (it returns {', '.join(RESULTS[str(option)])})"
                )


def _threshold(run: Run, setting: str, default: int) -> int:
    """Set Voice ID's threshold on this contact (UpdateContactData), else the store's default."""
    return integer(run.contact.voice_id_settings.get(setting), default)


def _speaker_result(speaker: dict[str, Any] | None, option: str, threshold: int) -> str:
    status = str((speaker or {}).get("status", "")).upper()
    if status == "OPTED_OUT":
        return "OptedOut"
    if status != "ENROLLED":
        return "NotEnrolled"
    if option == "enrollmentStatus":
        return "Enrolled"
    score = (speaker or {}).get("score")
    if not isinstance(score, int | float):
        return "Inconclusive"  # no caller audio in a local run
    return "Authenticated" if score >= threshold else "NotAuthenticated"


def _fraud_result(speaker: dict[str, Any] | None, threshold: int) -> str:
    risk = (speaker or {}).get("fraud_risk")
    if not isinstance(risk, int | float):
        return "Inconclusive"
    return "HighRisk" if risk >= threshold else "LowRisk"


@action(
    ActionSpec(
        "CheckVoiceId",
        "flow control",
        "flow-control-actions-checkvoiceid",
        flow_types=CHECK_FLOW_TYPES,
        channels=VOICE,
        errors=fixed(NO_MATCHING_ERROR),
        operators=frozenset({"Equals"}),
        static=frozenset({"CheckVoiceIdOption"}),
        check=_check_option,
    )
)
def check_voice_id(run: Run, act: FlowAction) -> Outcome:
    store = _store(run)
    option = str(act.Parameters.get("CheckVoiceIdOption", ""))
    if store is None:
        return Outcome.fail(detail="Voice ID is not enabled for this instance")
    if option not in RESULTS:
        return Outcome.fail(detail=f"CheckVoiceIdOption {option!r} is not one Connect takes")
    if not run.contact.voice_id_streaming:
        return Outcome.fail(detail="no Voice ID stream was started on this contact (Set Voice ID)")
    customer_id = run.contact.customer_id or ""
    speaker = store.speakers.get(customer_id)
    if option == "fraudDetection":
        return Outcome.ok(
            _fraud_result(speaker, _threshold(run, "FraudDetectionThreshold", store.fraud_threshold))
        )
    if not customer_id:
        return Outcome.fail(detail=f"{option} needs the contact's Customer ID (Set contact attributes)")
    threshold = _threshold(run, "VoiceAuthenticationThreshold", store.authentication_threshold)
    return Outcome.ok(_speaker_result(speaker, option, threshold))
