"""Parameters and response of the ``notify_consent`` Lambda a case-status path invokes (after the
case was verified): record the citizen's choice of channel, or their STOP."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from schemas.functions import Lang, _Params, _Response


@dataclass(kw_only=True)
class NotifyConsentParameters(_Params):
    action: Literal["consent", "stop"]
    caseNumber: str = ""
    channel: Literal["SMS", "EMAIL", "CALL", ""] = ""
    #: phone (E.164) or e-mail address; blank: the caller's own number (SMS, CALL)
    destination: str = ""
    callerNumber: str = ""
    language: Lang = "en"


@dataclass(kw_only=True)
class NotifyConsentResponse(_Response):
    result: Literal["RECORDED", "STOPPED", "INVALID_INPUT"]
    channel: str | None = None
