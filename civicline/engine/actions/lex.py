"""Local Amazon Lex bots for ConnectParticipantWithLexBot: intents matched from DTMF or an utterance.

A bot definition (``<flows dir>/bots/<name>.json``)::

    {"name": "survey", "aliases": ["arn:aws:lex:...:bot-alias/BOT/ALIAS"],
     "intents": {"Yes": {"utterances": ["yes", "yeah"], "dtmf": ["1"]},
                 "No": {"utterances": ["no"], "dtmf": ["2"]},
                 "GiveNumber": {"slots": {"number": "[0-9]{4,12}"}}}}

An entry matches the intent whose DTMF list holds it, else whose utterance list holds it (case and
surrounding space ignored), else an intent whose name it is, else an intent with a slot whose
pattern the entry (or one of its words) matches in full: that word fills the slot (Lex V2 slot
elicitation; ``$.Lex.Slots.<name>``); otherwise ``FallbackIntent`` (Lex's built-in), which no
condition normally names, so the action takes NoMatchingCondition. A flow whose
bot has no local definition gets one made of its action's condition operands (DTMF ``1`` is the
first intent, ``2`` the second ...): the transcript says so.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from civicline.engine.arns import name_from_arn, naming
from schemas.flow_language import FlowAction

if TYPE_CHECKING:
    from civicline.engine.interpreter import Run

FALLBACK = "FallbackIntent"


@dataclass(frozen=True)
class Intent:
    name: str
    utterances: tuple[str, ...] = ()
    dtmf: tuple[str, ...] = ()
    #: slot name -> the pattern a value must match in full (a local stand-in for its slot type)
    slots: tuple[tuple[str, str], ...] = ()
    #: (slot, synonym, value): a custom slot type's synonyms ("status" -> "2"), case ignored
    synonyms: tuple[tuple[str, str, str], ...] = ()
    #: the bot alias's Lambda code hook is called on this intent (its DialogCodeHook is on)
    code_hook: bool = False

    def fill(self, entry: str) -> dict[str, str] | None:
        """The slot values this entry gives (a synonym in it, else the whole entry or one word
        matching the slot's pattern), or None when a slot stays empty."""
        if not self.slots:
            return None
        values: dict[str, str] = {}
        for name, pattern in self.slots:
            value = self._synonym(name, entry) or _pattern_value(pattern, entry)
            if value is None:
                return None
            values[name] = value
        return values

    def _synonym(self, slot: str, entry: str) -> str | None:
        padded = f" {_fold(entry.replace(',', ' ').replace('.', ' '))} "
        found = [
            (length, value)
            for name, word, value, length in self.folded_synonyms
            if name == slot and word in padded
        ]
        return max(found)[1] if found else None

    @cached_property
    def folded_synonyms(self) -> tuple[tuple[str, str, str, int], ...]:
        """(slot, `` folded word ``, value, length of the word as written) of each synonym, folded
        once per intent (the bot is matched against every entry of every contact)."""
        return tuple((name, f" {_fold(word)} ", value, len(word)) for name, word, value in self.synonyms)

    @cached_property
    def folded_utterances(self) -> frozenset[str]:
        """The utterances folded (case and spaces), once per intent."""
        return frozenset(_fold(u) for u in self.utterances)

    @cached_property
    def folded_name(self) -> str:
        return _fold(self.name)


def _pattern_value(pattern: str, entry: str) -> str | None:
    """The value a slot pattern takes from an entry: the whole entry or one word matching in full;
    a pattern with a group keeps only the group (a phone number inside "call me at ...", as Lex's
    AMAZON.PhoneNumber picks the number out of the message)."""
    for candidate in (entry.strip(), *entry.replace(",", " ").split()):
        found = re.fullmatch(pattern, candidate)
        if found:
            return found.group(1).strip() if found.re.groups else candidate
    return None


@dataclass(frozen=True)
class Match:
    intent: str
    how: str
    score: float
    slots: dict[str, str] = field(default_factory=dict)


def _fold(text: str) -> str:
    return " ".join(text.lower().split())


@dataclass(frozen=True)
class LexBot:
    """A local stand-in for one Lex V2 bot alias (or a classic bot)."""

    name: str
    intents: tuple[Intent, ...]
    aliases: tuple[str, ...] = field(default=())
    #: the registry function the alias calls as its code hook (``"codeHook"`` in the definition)
    code_hook: str | None = None

    @classmethod
    def from_json(cls, data: dict[str, Any], default_name: str) -> LexBot:
        intents = data.get("intents") or {}
        return cls(
            name=str(data.get("name") or default_name),
            aliases=tuple(str(a) for a in data.get("aliases") or ()),
            code_hook=str(data["codeHook"]) if data.get("codeHook") else None,
            intents=tuple(
                Intent(
                    str(name),
                    tuple(str(u) for u in (spec or {}).get("utterances") or ()),
                    tuple(str(d) for d in (spec or {}).get("dtmf") or ()),
                    tuple((str(k), str(v)) for k, v in ((spec or {}).get("slots") or {}).items()),
                    tuple(
                        (str(slot), str(word), str(value))
                        for slot, words in ((spec or {}).get("synonyms") or {}).items()
                        for word, value in (words or {}).items()
                    ),
                    bool((spec or {}).get("codeHook")),
                )
                for name, spec in intents.items()
            ),
        )

    @classmethod
    def load(cls, path: Path) -> LexBot:
        return cls.from_json(json.loads(path.read_text(encoding="utf-8")), path.stem)

    def recognize(self, entry: str) -> Match:
        for intent in self.intents:
            if entry in intent.dtmf:
                return Match(intent.name, "DTMF", 1.0)
        folded = _fold(entry)
        for intent in self.intents:
            if folded in intent.folded_utterances:
                return Match(intent.name, "utterance", 0.95)
        for intent in self.intents:
            if folded == intent.folded_name:
                return Match(intent.name, "intent name", 0.9)
        for intent in self.intents:
            values = intent.fill(entry)
            if values is not None:
                return Match(intent.name, "slot", 0.9, values)
        return Match(FALLBACK, "no intent matched", 0.0)

    def answers(self, reference: str) -> bool:
        """Whether a flow's LexV2Bot alias ARN (or classic bot name) names this bot: one of its
        aliases, its name, or the ARN the naming in force gives the registry bot of that name."""
        return (
            reference in self.aliases
            or reference == self.name
            or self.name in reference.split("/")
            or naming().registry_name("BOT", reference) == self.name
        )


def load_bots(directory: Path) -> dict[str, LexBot]:
    """Every bot definition in ``directory`` (by name); none when it does not exist."""
    if not directory.is_dir():
        return {}
    bots = (LexBot.load(path) for path in sorted(directory.glob("*.json")))
    return {bot.name: bot for bot in bots}


def _reference(run: Run, params: dict[str, Any]) -> str:
    v2 = params.get("LexV2Bot")
    if isinstance(v2, dict) and v2.get("AliasArn"):
        return run.text(v2["AliasArn"])
    classic = params.get("LexBot")
    if isinstance(classic, dict) and classic.get("Name"):
        return run.text(classic["Name"])
    return ""


def bot_for(run: Run, params: dict[str, Any], act: FlowAction) -> LexBot:
    """The local bot the action's LexV2Bot/LexBot names, else one made of its conditions."""
    reference = _reference(run, params)
    for bot in run.library.bots.values():
        if reference and bot.answers(reference):
            return bot
    names = [str(c.Condition.Operands[0]) for c in act.Transitions.Conditions if c.Condition.Operands]
    run.note(
        f"no local bot definition for {name_from_arn(reference) or 'the bot'}: intents from the conditions"
    )
    return LexBot(
        name=name_from_arn(reference) or "local",
        intents=tuple(Intent(name, (name,), (str(i),)) for i, name in enumerate(names, start=1)),
    )


def lex_data(match: Match, session: dict[str, str]) -> dict[str, Any]:
    """``$.Lex`` after the bot (connect-attrib-list, Amazon Lex contact attributes)."""
    fulfilled = match.intent != FALLBACK
    return {
        "IntentName": match.intent,
        "IntentConfidence": {"Score": f"{match.score:.2f}"},
        "Slots": dict(match.slots),
        "SessionAttributes": dict(session),
        "DialogState": "ReadyForFulfillment" if fulfilled else "Failed",
        "AlternateIntents": {},
        "SentimentResponse": None,
    }


def hooked(bot: LexBot, match: Match) -> bool:
    """Whether Lex calls the bot's code hook for this match (the alias has one, the intent's on)."""
    return bot.code_hook is not None and any(i.name == match.intent and i.code_hook for i in bot.intents)


def code_hook_event(
    match: Match, session: dict[str, str], transcript: str, *, bot: str, locale: str, session_id: str
) -> dict[str, Any]:
    """The event Lex V2 sends the alias's code hook on a dialog turn (lexv2 lambda-input-format)."""
    slots = {
        name: {
            "shape": "Scalar",
            "value": {"originalValue": value, "interpretedValue": value, "resolvedValues": [value]},
        }
        for name, value in match.slots.items()
    }
    intent = {"name": match.intent, "slots": slots, "state": "InProgress", "confirmationState": "None"}
    return {
        "messageVersion": "1.0",
        "invocationSource": "DialogCodeHook",
        "inputMode": "Text",
        "responseContentType": "text/plain; charset=utf-8",
        "sessionId": session_id,
        "inputTranscript": transcript,
        "bot": {
            "id": "local",
            "name": bot,
            "localeId": locale,
            "version": "1",
            "aliasId": "local",
            "aliasName": "live",
        },
        "interpretations": [{"interpretationSource": "Lex", "intent": intent, "nluConfidence": match.score}],
        "requestAttributes": {},
        "sessionState": {"sessionAttributes": dict(session), "intent": intent, "activeContexts": []},
    }
