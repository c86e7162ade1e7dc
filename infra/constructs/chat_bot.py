"""The Amazon Lex V2 bots the flows use on the CHAT channel, built from flows/bots/<name>.json.

On chat, Connect's "Get customer input" works only with Amazon Lex (without it the block takes its
Error branch; "Store customer input" always does: adminguide/block-support-by-channel.html), so the
chat twins of the keypad menus are ConnectParticipantWithLexBot actions on these bots. The bot JSON
is the single definition of intents, slots and synonyms: the local engine
(civicline/engine/actions/lex.py) reads the same file. Each bot gets a version, a ``live`` alias,
an integration association with the instance and a resource policy that lets only this instance's
Connect call the alias. A bot naming a ``codeHook`` function (chat-menu: ``chat_picker``, which
sends the chat menus' list pickers) gets it as the alias's Lambda code hook in every locale
(``BotAliasLocaleSettings``, ``CodeHookInterfaceVersion`` 1.0: lexv2 lambda-attach-api.html), the
dialog code hook on the intents marked ``"codeHook": true`` (``DialogCodeHook``), and a
``lambda:InvokeFunction`` permission for lexv2.amazonaws.com from that alias only.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from aws_cdk import Aws, CfnResource
from aws_cdk import aws_connect as connect
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from infra.registry import BOTS, placeholder

BOTS_DIR = Path(__file__).resolve().parents[2] / "flows" / "bots"
#: Lex slot types for the local patterns (functions of what the slot holds)
BUILT_IN_TYPES = {"number": "AMAZON.Number", "email": "AMAZON.EmailAddress", "phone": "AMAZON.PhoneNumber"}
_PROMPT = {"en_US": "Please type your answer.", "es_US": "Por favor, escriba su respuesta."}


def read_bot(name: str, directory: Path = BOTS_DIR) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((directory / f"{name}.json").read_text(encoding="utf-8"))
    return data


def _slot_type(name: str, synonyms: dict[str, str]) -> dict[str, Any]:
    """A custom slot type: each value once, with the words that mean it."""
    values: dict[str, list[str]] = {}
    for word, value in synonyms.items():
        values.setdefault(value, []).append(word)
    return {
        "Name": name,
        "ValueSelectionSetting": {"ResolutionStrategy": "TOP_RESOLUTION"},
        "SlotTypeValues": [
            {"SampleValue": {"Value": value}, "Synonyms": [{"Value": w} for w in words]}
            for value, words in sorted(values.items())
        ],
    }


def _intent(name: str, spec: dict[str, Any], locale: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    slots = list((spec.get("slots") or {}).keys())
    slot_types: list[dict[str, Any]] = []
    lex_slots = []
    for slot in slots:
        synonyms = (spec.get("synonyms") or {}).get(slot)
        if synonyms:
            type_name = f"{name}{slot.capitalize()}Type"
            slot_types.append(_slot_type(type_name, synonyms))
        else:
            type_name = BUILT_IN_TYPES[slot]
        lex_slots.append(
            {
                "Name": slot,
                "SlotTypeName": type_name,
                "ValueElicitationSetting": {
                    "SlotConstraint": "Required",
                    "PromptSpecification": {
                        "MaxRetries": 1,
                        "MessageGroupsList": [{"Message": {"PlainTextMessage": {"Value": _PROMPT[locale]}}}],
                    },
                },
            }
        )
    utterances = [*spec.get("utterances", []), *(f"{{{slot}}}" for slot in slots)]
    intent: dict[str, Any] = {"Name": name, "SampleUtterances": [{"Utterance": u} for u in utterances]}
    if spec.get("codeHook"):
        # aws-properties-lex-bot-dialogcodehooksetting: the alias's Lambda is called on this intent
        intent["DialogCodeHook"] = {"Enabled": True}
    if lex_slots:
        intent["Slots"] = lex_slots
        intent["SlotPriorities"] = [{"Priority": i, "SlotName": s} for i, s in enumerate(slots, start=1)]
    return intent, slot_types


def bot_locales(data: dict[str, Any]) -> list[dict[str, Any]]:
    """``BotLocales`` of ``AWS::Lex::Bot`` from a bot definition (every locale the same intents)."""
    locales = []
    for locale in data.get("locales") or ["en_US"]:
        intents: list[dict[str, Any]] = []
        slot_types: list[dict[str, Any]] = []
        for name, spec in (data.get("intents") or {}).items():
            intent, types = _intent(name, spec, locale)
            intents.append(intent)
            slot_types.extend(types)
        intents.append({"Name": "FallbackIntent", "ParentIntentSignature": "AMAZON.FallbackIntent"})
        entry: dict[str, Any] = {"LocaleId": locale, "NluConfidenceThreshold": 0.4, "Intents": intents}
        if slot_types:
            entry["SlotTypes"] = slot_types
        locales.append(entry)
    return locales


def alias_locale_settings(data: dict[str, Any], lambda_arn: str) -> list[dict[str, Any]]:
    """``BotAliasLocaleSettings`` of ``AWS::Lex::BotAlias``: every locale on, with the code hook."""
    return [
        {
            "LocaleId": locale,
            "BotAliasLocaleSetting": {
                "Enabled": True,
                "CodeHookSpecification": {
                    "LambdaCodeHook": {"CodeHookInterfaceVersion": "1.0", "LambdaArn": lambda_arn}
                },
            },
        }
        for locale in data.get("locales") or ["en_US"]
    ]


class ChatBots(Construct):
    """One Lex V2 bot per registry bot; ``arns`` maps each ``%BOT_NAME%`` to its alias ARN."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        prefix: str,
        instance_arn: str,
        code_hooks: dict[str, lambda_.IFunction] | None = None,
    ) -> None:
        super().__init__(scope, construct_id)
        # the bots only classify typed text: the role needs no permissions (no Polly; Lex calls a
        # code hook under the function's own resource policy, not this role)
        role = iam.Role(self, "LexRole", assumed_by=iam.ServicePrincipal("lexv2.amazonaws.com"))
        self.arns: dict[str, str] = {}
        self.associations: dict[str, connect.CfnIntegrationAssociation] = {}
        for name in BOTS:
            data = read_bot(name)
            stem = "".join(part.capitalize() for part in name.split("-"))
            bot = CfnResource(
                self,
                f"{stem}Bot",
                type="AWS::Lex::Bot",
                properties={
                    "Name": f"{prefix}-{name}",
                    "Description": data.get("description", ""),
                    "RoleArn": role.role_arn,
                    "DataPrivacy": {"ChildDirected": False},
                    "IdleSessionTTLInSeconds": 300,
                    "AutoBuildBotLocales": True,
                    "BotLocales": bot_locales(data),
                },
            )
            version = CfnResource(
                self,
                f"{stem}Version",
                type="AWS::Lex::BotVersion",
                properties={
                    "BotId": bot.ref,
                    "BotVersionLocaleSpecification": [
                        {"LocaleId": locale, "BotVersionLocaleDetails": {"SourceBotVersion": "DRAFT"}}
                        for locale in data.get("locales") or ["en_US"]
                    ],
                },
            )
            hook = (code_hooks or {}).get(str(data.get("codeHook") or ""))
            alias_properties: dict[str, Any] = {
                "BotId": bot.ref,
                "BotAliasName": "live",
                "BotVersion": version.get_att("BotVersion").to_string(),
            }
            if data.get("codeHook"):
                if hook is None:
                    raise ValueError(f"bot {name}: code hook function {data['codeHook']!r} not given")
                alias_properties["BotAliasLocaleSettings"] = alias_locale_settings(data, hook.function_arn)
            alias = CfnResource(self, f"{stem}Alias", type="AWS::Lex::BotAlias", properties=alias_properties)
            alias_arn = alias.get_att("Arn").to_string()
            if hook is not None:
                # only this alias, in this account, may invoke the hook (lambda-attach-api.html)
                hook.add_permission(
                    f"LexInvoke{stem}",
                    principal=iam.ServicePrincipal("lexv2.amazonaws.com"),
                    action="lambda:InvokeFunction",
                    source_arn=alias_arn,
                    source_account=Aws.ACCOUNT_ID,
                )
            CfnResource(
                self,
                f"{stem}Policy",
                type="AWS::Lex::ResourcePolicy",
                properties={
                    "ResourceArn": alias_arn,
                    "Policy": {
                        "Version": "2012-10-17",
                        "Statement": [
                            {
                                "Effect": "Allow",
                                "Principal": {"Service": "connect.amazonaws.com"},
                                "Action": ["lex:RecognizeText", "lex:StartConversation"],
                                "Resource": alias_arn,
                                "Condition": {
                                    "StringEquals": {"AWS:SourceAccount": Aws.ACCOUNT_ID},
                                    "ArnEquals": {"AWS:SourceArn": instance_arn},
                                },
                            }
                        ],
                    },
                },
            )
            self.associations[name] = connect.CfnIntegrationAssociation(
                self,
                f"{stem}Association",
                instance_id=instance_arn,
                integration_type="LEX_BOT",
                integration_arn=alias_arn,
            )
            self.arns[placeholder("BOT", name)] = alias_arn
