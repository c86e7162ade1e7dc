"""The event Amazon Connect sends to a Lambda function from an ``InvokeLambdaFunction`` action.

Tolerant by design: every real sample in ``shared/conformance/events/lambda__*.json`` parses
unchanged. ``CustomerEndpoint``, ``SystemEndpoint`` and ``Queue`` may be null; ``Queue`` may be a bare
string (older documentation) or an object; unknown fields (newer deployments add some) are kept.
What *is* enforced is what Connect itself guarantees: ``Details.ContactData`` exists, attribute and
parameter values are strings, and attributes stay within Connect's 32 KB.
"""

from __future__ import annotations

import json
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

#: Connect limits user-defined contact attributes to 32 KB in total
MAX_ATTRIBUTES_BYTES = 32 * 1024
#: Parameters are resolved flow text; nothing legitimate comes close to this
MAX_PARAMETERS_BYTES = 32 * 1024


class _Open(BaseModel):
    model_config = ConfigDict(extra="allow", populate_by_name=True)


class Endpoint(_Open):
    Address: str | None = None
    Type: str | None = None


class QueueInfo(_Open):
    ARN: str | None = None
    Name: str | None = None
    OutboundCallerId: Endpoint | None = None


class ContactData(_Open):
    ContactId: str = Field(min_length=1, max_length=256)
    InitialContactId: str | None = None
    PreviousContactId: str | None = None
    Channel: str | None = None
    InstanceARN: str | None = None
    InitiationMethod: str | None = None
    Name: str | None = None
    Description: str | None = None
    LanguageCode: str | None = None
    CustomerId: str | None = None
    CustomerEndpoint: Endpoint | None = None
    SystemEndpoint: Endpoint | None = None
    Queue: QueueInfo | None = None
    Attributes: dict[str, str] = Field(default_factory=dict)
    MediaStreams: dict[str, Any] | None = None
    References: dict[str, Any] | None = None

    @field_validator("Queue", mode="before")
    @classmethod
    def _queue_as_string(cls, value: object) -> object:
        # the archived admin guide shows "Queue": "QueueName"
        if isinstance(value, str):
            return {"Name": value}
        return value

    @field_validator("Attributes", mode="before")
    @classmethod
    def _null_attributes(cls, value: object) -> object:
        return {} if value is None else value

    @field_validator("Attributes")
    @classmethod
    def _attributes_size(cls, value: dict[str, str]) -> dict[str, str]:
        size = len(json.dumps(value, ensure_ascii=False).encode("utf-8"))
        if size > MAX_ATTRIBUTES_BYTES:
            raise ValueError(f"contact attributes are {size} bytes; Connect allows 32 KB")
        return value

    @property
    def caller_number(self) -> str | None:
        return self.CustomerEndpoint.Address if self.CustomerEndpoint else None

    @property
    def queue_name(self) -> str | None:
        return self.Queue.Name if self.Queue else None


class Details(_Open):
    ContactData: ContactData
    Parameters: dict[str, str] = Field(default_factory=dict)

    @field_validator("Parameters", mode="before")
    @classmethod
    def _null_parameters(cls, value: object) -> object:
        return {} if value is None else value

    @field_validator("Parameters")
    @classmethod
    def _parameters_size(cls, value: dict[str, str]) -> dict[str, str]:
        size = len(json.dumps(value, ensure_ascii=False).encode("utf-8"))
        if size > MAX_PARAMETERS_BYTES:
            raise ValueError(f"parameters are {size} bytes; the limit is 32 KB")
        return value


class ConnectLambdaEvent(_Open):
    """``{"Details": {"ContactData": ..., "Parameters": ...}, "Name": "ContactFlowEvent"}``."""

    Details: Details
    Name: Literal["ContactFlowEvent"] | str = "ContactFlowEvent"

    @model_validator(mode="before")
    @classmethod
    def _must_be_object(cls, value: object) -> object:
        if not isinstance(value, dict):
            raise ValueError("a Connect Lambda event is a JSON object")
        return value

    @property
    def contact(self) -> ContactData:
        return self.Details.ContactData

    @property
    def parameters(self) -> dict[str, str]:
        return self.Details.Parameters
