"""Helpers the action behaviours share: parameter parsing, message sources, queue targets, numbers."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any
from xml.parsers import expat

from civicline.engine.arns import name_from_arn, queue_from_arn
from civicline.engine.conditions import as_number
from civicline.engine.references import strip_ssml

if TYPE_CHECKING:
    from civicline.engine.interpreter import Run

E164_RE = re.compile(r"^\+[1-9]\d{6,14}$")
#: calling codes for PhoneNumberValidation NumberFormat Local (the ones a US public hotline meets)
CALLING_CODES = {"US": "1", "CA": "1", "PR": "1", "MX": "52", "GB": "44", "ES": "34", "DE": "49", "FR": "33"}
#: the message sources of MessageParticipant / GetParticipantInput / Lex (at most one)
MESSAGE_SOURCES = ("PromptId", "Text", "SSML", "Media")
#: sources only the voice channel plays (participant-actions-messageparticipant: "PromptId and SSML
#: are only supported for the voice channel"; Media is an audio file)
VOICE_SOURCES = frozenset({"PromptId", "SSML", "Media"})


def flag(value: Any) -> bool:
    """A Flow-language boolean: the strings "True"/"False" (any case)."""
    return str(value).strip().lower() == "true"


def integer(value: Any, default: int) -> int:
    """A Flow-language integer (exports write numbers as strings); ``default`` when not one."""
    number = as_number(str(value)) if value is not None and not isinstance(value, bool) else None
    if number is None or number != number.to_integral_value():
        return default
    return int(number)


def message_source(params: dict[str, Any]) -> str | None:
    return next((key for key in MESSAGE_SOURCES if key in params), None)


def ssml_problem(ssml: str) -> str | None:
    """Why Polly would refuse this SSML (not well-formed XML, or not one <speak> document)."""
    parser = expat.ParserCreate()
    roots: list[str] = []
    parser.StartElementHandler = lambda name, _attrs: roots.append(name) if not roots else None
    try:
        parser.Parse(ssml.strip(), True)
    except expat.ExpatError as exc:
        return f"malformed SSML: {expat.ErrorString(exc.code)}"
    if roots[:1] != ["speak"]:
        return "SSML must be one <speak> document"
    return None


def prompt_text(run: Run, params: dict[str, Any]) -> str:
    """What a message source says: Text / SSML (tags stripped) / a prompt or audio placeholder."""
    if "Text" in params:
        return run.text(params["Text"])
    if "SSML" in params:
        return strip_ssml(run.text(params["SSML"]))
    if "PromptId" in params:
        return f"[prompt {name_from_arn(run.resolve_text(params['PromptId']))}]"
    media = params.get("Media")
    if isinstance(media, dict):
        return f"[audio {media.get('Uri', '')}]"
    return ""


def message_problem(run: Run, params: dict[str, Any]) -> str | None:
    """Why a message cannot be delivered on this contact (channel, malformed SSML), else None."""
    source = message_source(params)
    if source in VOICE_SOURCES and run.contact.channel != "VOICE":
        return f"{source} is voice only; the contact is {run.contact.channel}"
    if source == "SSML":
        return ssml_problem(run.text(params["SSML"]))
    return None


def queue_name(arn: str) -> str:
    return queue_from_arn(arn) or name_from_arn(arn)


def target_queue(run: Run, params: dict[str, Any]) -> tuple[str, str] | None:
    """(arn, name) of ``QueueId`` when given, else the working queue; ``None`` when neither."""
    if params.get("QueueId"):
        arn = run.resolve_text(params["QueueId"])
        return (arn, queue_name(arn)) if arn else None
    if params.get("AgentId"):
        agent = run.resolve_text(params["AgentId"])
        return (agent, f"agent/{name_from_arn(agent)}") if agent else None
    if run.contact.queue_arn and run.contact.queue_name:
        return run.contact.queue_arn, run.contact.queue_name
    return None


def phone_number(digits: str, number_format: str, country: str) -> str | None:
    """E.164 from keyed digits: ``Local`` + country (US: 10 digits, or 11 starting with 1), or E164."""
    digits = digits.strip().lstrip("+")
    if not digits.isdigit():
        return None
    if number_format.lower() == "local":
        code = CALLING_CODES.get(country.upper())
        if code is None:
            return None
        if code == "1":
            if len(digits) == 11 and digits.startswith("1"):
                digits = digits[1:]
            if len(digits) != 10 or digits[0] in "01":
                return None
            return "+1" + digits
        digits = digits.removeprefix("0")
        number = f"+{code}{digits}"
    else:
        number = "+" + digits
    return number if E164_RE.match(number) else None
