"""EventBridge "Amazon Connect Contact Event" envelopes.

Tolerant, as Connect documents: events are best effort, unordered, may repeat, and gain fields and
event types over time. Keys are read in camelCase or PascalCase (AWS's own samples mix them:
``instanceARN``, ``AgentInfo.AgentArn``); unknown fields are kept; an unknown ``eventType`` is kept as
text and reported as :attr:`ContactEventType.UNKNOWN` by :attr:`ContactEventDetail.kind`, never rejected.
"""

from __future__ import annotations

import functools
from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

DETAIL_TYPE = "Amazon Connect Contact Event"
SOURCE = "aws.connect"

#: the rule pattern CDK deploys and the local engine uses to route contact events to the aggregator
RULE_PATTERN: dict[str, list[str]] = {"source": [SOURCE], "detail-type": [DETAIL_TYPE]}

# Objects whose keys are data, not field names: never re-cased.
_VERBATIM = frozenset({"tags", "attributes", "segmentAttributes", "userDefinedAttributes"})


class ContactEventType(StrEnum):
    INITIATED = "INITIATED"
    CONNECTED_TO_SYSTEM = "CONNECTED_TO_SYSTEM"
    CONTACT_DATA_UPDATED = "CONTACT_DATA_UPDATED"
    QUEUED = "QUEUED"
    CONNECTED_TO_AGENT = "CONNECTED_TO_AGENT"
    DISCONNECTED = "DISCONNECTED"
    COMPLETED = "COMPLETED"
    PAUSED = "PAUSED"
    RESUMED = "RESUMED"
    UNKNOWN = "UNKNOWN"


def camel_key(key: str) -> str:
    """``AgentInfo`` -> ``agentInfo``; ``instanceARN`` / ``AgentArn`` -> ``instanceArn`` / ``agentArn``."""
    if not key:
        return key
    if key.endswith("ARN") and len(key) > 3:
        key = key[:-3] + "Arn"
    if key.isupper():
        return key.lower()
    return key[0].lower() + key[1:]


@functools.lru_cache(maxsize=1024)
def _remembered_camel_key(key: str) -> str:
    """:func:`camel_key`, remembered: an event's few dozen field names recur in every event."""
    return camel_key(key)


def camelize(value: Any) -> Any:
    """Re-case every field name of a detail object (not the keys of tag or attribute maps).

    Only objects and lists are walked (a scalar is its own result): every contact event passes
    here before validation, and most of its values are strings and timestamps."""
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, item in value.items():
            new = _remembered_camel_key(str(key))
            out[new] = item if new in _VERBATIM or not isinstance(item, dict | list) else camelize(item)
        return out
    if isinstance(value, list):
        return [camelize(item) if isinstance(item, dict | list) else item for item in value]
    return value


class _Open(BaseModel):
    model_config = ConfigDict(extra="allow")


class QueueInfoDetail(_Open):
    queueArn: str | None = None
    queueType: str | None = None
    enqueueTimestamp: datetime | None = None


class AgentInfoDetail(_Open):
    agentArn: str | None = None
    connectedToAgentTimestamp: datetime | None = None
    routingProfileArn: str | None = None
    afterContactWorkStartTimestamp: datetime | None = None
    afterContactWorkEndTimestamp: datetime | None = None
    afterContactWorkDuration: float | None = None
    agentInitiatedHoldDuration: float | None = None


class ContactEventDetail(_Open):
    eventType: str
    contactId: str = Field(min_length=1, max_length=256)
    initialContactId: str | None = None
    previousContactId: str | None = None
    relatedContactId: str | None = None
    channel: str | None = None
    instanceArn: str | None = None
    initiationMethod: str | None = None
    initiationTimestamp: datetime | None = None
    connectedToSystemTimestamp: datetime | None = None
    disconnectTimestamp: datetime | None = None
    scheduledTimestamp: datetime | None = None
    disconnectReason: str | None = None
    queueInfo: QueueInfoDetail | None = None
    agentInfo: AgentInfoDetail | None = None
    tags: dict[str, str] = Field(default_factory=dict)
    attributes: dict[str, str] | None = None
    updatedProperties: list[str] = Field(default_factory=list)

    @model_validator(mode="before")
    @classmethod
    def _camel(cls, value: object) -> object:
        return camelize(value) if isinstance(value, dict) else value

    @field_validator("channel")
    @classmethod
    def _upper_channel(cls, value: str | None) -> str | None:
        return value.upper() if value else value

    @property
    def kind(self) -> ContactEventType:
        try:
            return ContactEventType(self.eventType)
        except ValueError:
            return ContactEventType.UNKNOWN


class ContactEvent(_Open):
    """The EventBridge envelope; ``detail-type`` and friends keep their wire names as aliases."""

    model_config = ConfigDict(extra="allow", populate_by_name=True)

    version: str = "0"
    id: str
    detail_type: str = Field(alias="detail-type")
    source: str
    account: str | None = None
    time: datetime | None = None
    region: str | None = None
    resources: list[str] = Field(default_factory=list)
    detail: ContactEventDetail

    @property
    def is_contact_event(self) -> bool:
        return self.source == SOURCE and self.detail_type == DETAIL_TYPE
