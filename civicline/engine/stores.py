"""The local stand-ins for three Connect features a flow can call: Customer Profiles, Cases, Voice ID.

A deployed flow's GetCustomerProfile searches the instance's Customer Profiles domain, CreateCase
writes to its Cases domain, CheckVoiceId reads what Voice ID analysed. A local run has none of
those services, so the contact center view (:class:`~civicline.engine.center.StaticCenter`) holds
:class:`LocalStores`: one small in-memory store per feature, seedable from a dict or a JSON file
(``LocalStores.from_json``). A feature whose store is ``None`` is a feature the instance has not
enabled: its actions take their error branch, as the pages say ("The contact is routed down the
Error branch ... Customer Profiles is not enabled for your Amazon Connect instance",
adminguide/customer-profiles-block). Stores hold the flow language's own field names
(``FirstName``, ``Attributes.x``, ``case_id``) so a seed reads like the flows that use it.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from civicline.engine.arns import ACCOUNT, REGION

#: SearchProfiles' predefined keys over the standard profile fields (API_SearchProfiles: "_account,
#: _profileId, ..., _fullName, _phone, _email, _ctrContactId"); any other key name is a profile field
#: (``PhoneNumber``, as the AWS guides' ``{"PhoneNumber": ...}`` requests write it) or an attribute
PROFILE_KEYS: dict[str, tuple[str, ...]] = {
    "_phone": ("PhoneNumber", "MobilePhoneNumber", "HomePhoneNumber", "BusinessPhoneNumber"),
    "_email": ("EmailAddress", "PersonalEmailAddress", "BusinessEmailAddress"),
    "_account": ("AccountNumber",),
    "_profileId": ("ProfileId",),
}
#: GetCustomerProfileObject's object types and the `$.Customer` sub-namespace each fills
OBJECT_TYPES: dict[str, str] = {"_asset": "Asset", "_order": "Order", "_case": "Case"}


def _text(value: Any) -> str:
    return "" if value is None else str(value)


@dataclass
class ProfileStore:
    """A Customer Profiles domain: profiles by ProfileId, each a dict of flow-language field names
    (``FirstName``, ``PhoneNumber``, ``Attributes`` {name: value}, ``Objects`` {``_asset``: [...]},
    ``CalculatedAttributes`` {name: value}); ``associations`` the contacts associated to each."""

    profiles: dict[str, dict[str, Any]] = field(default_factory=dict)
    associations: dict[str, list[str]] = field(default_factory=dict)
    domain: str = "civicline-local"

    def arn(self, profile_id: str) -> str:
        return f"arn:aws:profile:{REGION}:{ACCOUNT}:domains/{self.domain}/profiles/{profile_id}"

    def add(self, fields: Mapping[str, Any]) -> str:
        """Store a profile (a new ProfileId unless ``fields`` names one); return its ProfileId."""
        profile = {str(k): v for k, v in fields.items()}
        profile_id = _text(profile.get("ProfileId")) or uuid.uuid4().hex
        profile["ProfileId"] = profile_id
        profile.setdefault("Attributes", {})
        self.profiles[profile_id] = profile
        return profile_id

    def update(self, profile_id: str, fields: Mapping[str, Any]) -> None:
        profile = self.profiles[profile_id]
        for key, value in fields.items():
            if key.startswith("Attributes."):
                profile.setdefault("Attributes", {})[key.split(".", 1)[1]] = value
            elif key != "ProfileId":
                profile[key] = value

    def matching(self, key: str, value: str) -> set[str]:
        """ProfileIds whose search key ``key`` holds ``value`` (exact text; an empty value finds none)."""
        if not value:
            return set()
        return {pid for pid, profile in self.profiles.items() if value in self._values(profile, key)}

    def _values(self, profile: Mapping[str, Any], key: str) -> set[str]:
        if key == "_fullName":
            names = (profile.get(k) for k in ("FirstName", "MiddleName", "LastName"))
            return {" ".join(_text(n) for n in names if n)}
        if key == "_ctrContactId":
            return set(self.associations.get(_text(profile.get("ProfileId")), ()))
        fields = PROFILE_KEYS.get(key, (key,))
        attributes = profile.get("Attributes") or {}
        found = {_text(profile.get(f)) for f in fields if profile.get(f) is not None}
        name = key.removeprefix("Attributes.")
        if name in attributes:
            found.add(_text(attributes[name]))
        return found

    def associate(self, profile_id: str, contact_id: str) -> None:
        contacts = self.associations.setdefault(profile_id, [])
        if contact_id not in contacts:
            contacts.append(contact_id)


@dataclass
class CaseStore:
    """A Cases domain: cases by ``case_id`` (their fields by field name: ``title``, ``status``,
    ``customer_id``, ...), the contacts linked to each, and the case templates the instance has
    (``None``: any template ID is taken, since a local run cannot know the instance's templates)."""

    cases: dict[str, dict[str, str]] = field(default_factory=dict)
    links: dict[str, list[str]] = field(default_factory=dict)
    templates: frozenset[str] | None = None
    _updates: dict[str, int] = field(default_factory=dict)
    _clock: int = 0

    def create(self, template_id: str, fields: Mapping[str, str], now: str) -> str:
        case_id = uuid.uuid4().hex
        number = f"{len(self.cases) + 1:08d}"
        case = {"case_id": case_id, "reference_number": number, "template_id": template_id}
        case.update({"status": "open", "created_datetime": now, "last_updated_datetime": now})
        case.update(fields)
        self.cases[case_id] = case
        self._touch(case_id)
        return case_id

    def update(self, case_id: str, fields: Mapping[str, str], now: str) -> None:
        self.cases[case_id].update(fields)
        self.cases[case_id]["last_updated_datetime"] = now
        self._touch(case_id)

    def search(self, fields: Mapping[str, str]) -> list[str]:
        """Case IDs whose fields equal every one given, most recently updated first."""
        found = [cid for cid, case in self.cases.items() if all(case.get(k) == v for k, v in fields.items())]
        return sorted(found, key=lambda cid: self._updates.get(cid, 0), reverse=True)

    def seed(self, fields: Mapping[str, str]) -> str:
        """Store an existing case as given (its ``case_id``, else a new one)."""
        case_id = fields.get("case_id") or uuid.uuid4().hex
        self.cases[case_id] = {**fields, "case_id": case_id}
        self._touch(case_id)
        return case_id

    def link(self, case_id: str, contact_id: str) -> None:
        contacts = self.links.setdefault(case_id, [])
        if contact_id not in contacts:
            contacts.append(contact_id)

    def _touch(self, case_id: str) -> None:
        self._clock += 1
        self._updates[case_id] = self._clock


@dataclass
class VoiceIdStore:
    """A Voice ID domain: speakers by CustomerId, each ``{"status": "ENROLLED" | "OPTED_OUT" | ...}``
    with, optionally, the ``score`` (0-100) an authentication of this caller would return and the
    ``fraud_risk`` score (0-100). Thresholds: authentication 90 (check-voice-id: "default threshold of
    90"), fraud risk 50 (the value a published export's Set Voice ID writes; the flow's own thresholds,
    UpdateContactData ``VoiceAuthenticationThreshold`` / ``FraudDetectionThreshold``, win)."""

    speakers: dict[str, dict[str, Any]] = field(default_factory=dict)
    authentication_threshold: int = 90
    fraud_threshold: int = 50


@dataclass
class LocalStores:
    """What the local instance has enabled: a store per feature, ``None`` = not enabled there."""

    profiles: ProfileStore | None = field(default_factory=ProfileStore)
    cases: CaseStore | None = field(default_factory=CaseStore)
    voice_id: VoiceIdStore | None = field(default_factory=VoiceIdStore)

    @classmethod
    def disabled(cls) -> LocalStores:
        """An instance with none of the three features enabled."""
        return cls(profiles=None, cases=None, voice_id=None)

    @classmethod
    def from_json(cls, data: Mapping[str, Any] | str | Path) -> LocalStores:
        """Seed: ``{"profiles": [...], "cases": [...], "caseTemplates": [...], "voiceId":
        {"speakers": {...}}}``; a key set to ``null`` leaves that feature disabled, a missing key
        enables it empty. A path or JSON text is read first."""
        if isinstance(data, Path):
            data = json.loads(data.read_text(encoding="utf-8"))
        elif isinstance(data, str):
            data = json.loads(data)
        if not isinstance(data, Mapping):
            raise ValueError("a store seed is a JSON object")
        profiles = data.get("profiles", ())
        voice = data.get("voiceId", {})
        _expect(profiles, list, "profiles")
        _expect(data.get("cases", ()), list, "cases")
        _expect(voice, Mapping, "voiceId")
        return cls(
            profiles=None if profiles is None else _profiles(profiles),
            cases=None if data.get("cases", ()) is None else _cases(data),
            voice_id=None if voice is None else VoiceIdStore(speakers=dict(voice.get("speakers", {}))),
        )


def _expect(value: Any, kind: type, key: str) -> None:
    """A seed key holds ``kind``, ``null`` or nothing; a list holds objects."""
    if value is None or value == ():
        return
    if isinstance(value, list) and kind is list:
        if all(isinstance(v, Mapping) for v in value):
            return
    elif isinstance(value, Mapping) and kind is Mapping:
        if isinstance(value.get("speakers", {}), Mapping):
            return
        raise ValueError("the seed's voiceId.speakers is not an object")
    raise ValueError(f"the seed's {key!r} is not {'a list of objects' if kind is list else 'an object'}")


def _profiles(seed: Iterable[Mapping[str, Any]]) -> ProfileStore:
    store = ProfileStore()
    for profile in seed:
        store.add(profile)
    return store


def _cases(data: Mapping[str, Any]) -> CaseStore:
    templates = data.get("caseTemplates")
    store = CaseStore(templates=frozenset(templates) if templates is not None else None)
    for case in data.get("cases", ()):
        store.seed({str(k): _text(v) for k, v in case.items()})
    return store
