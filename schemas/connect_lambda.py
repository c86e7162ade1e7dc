"""The event Amazon Connect sends to a Lambda function from an ``InvokeLambdaFunction`` action.

Tolerant by design: every real sample in ``shared/conformance/events/lambda__*.json`` parses
unchanged. ``CustomerEndpoint``, ``SystemEndpoint`` and ``Queue`` may be null; ``Queue`` may be a bare
string (older documentation) or an object; unknown fields (newer deployments add some) are kept.
What *is* enforced is what Connect itself guarantees: ``Details.ContactData`` exists, attribute and
parameter values are strings, and attributes stay within Connect's 32 KB. Unknown fields are ignored.

:func:`parse_event` is the entry point: it applies those tolerances, then validates with
:func:`schemas.codec.load` (no pydantic on the functions' path; the same dataclasses are the pydantic
contract elsewhere).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Annotated, Any, ClassVar

from schemas import codec
from schemas.constraints import Length

#: Connect limits user-defined contact attributes to 32 KB in total
MAX_ATTRIBUTES_BYTES = 32 * 1024
#: Parameters are resolved flow text. The largest legitimate one is an e-mail body that Get stored
#: content loaded (at most 32 KB of plain text, get-stored-content.html), which JSON escaping can
#: double, beside a subject and headers: four times 32 KB holds that with room (Connect documents
#: no lower limit for a Lambda's input; Lambda's synchronous payload limit is 6 MB)
MAX_PARAMETERS_BYTES = 4 * 32 * 1024


class _Open:
    __pydantic_config__: ClassVar[dict[str, Any]] = {"extra": "ignore"}


def _json_size(value: Mapping[str, str]) -> int:
    return len(json.dumps(value, ensure_ascii=False).encode("utf-8"))


@dataclass(kw_only=True)
class Endpoint(_Open):
    Address: str | None = None
    Type: str | None = None


@dataclass(kw_only=True)
class QueueInfo(_Open):
    ARN: str | None = None
    Name: str | None = None
    OutboundCallerId: Endpoint | None = None


@dataclass(kw_only=True)
class ContactData(_Open):
    ContactId: Annotated[str, Length(min=1, max=256)]
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
    Attributes: dict[str, str] = field(default_factory=dict)
    MediaStreams: dict[str, Any] | None = None
    References: dict[str, Any] | None = None
    #: segment attributes: on an e-mail contact ``connect:EmailSubject`` ({"ValueString": subject})
    #: and the SES verdicts ``connect:X-SES-SPAM-VERDICT`` / ``connect:X-SES-VIRUS-VERDICT``
    SegmentAttributes: dict[str, Any] | None = None

    def __post_init__(self) -> None:
        size = _json_size(self.Attributes)
        if size > MAX_ATTRIBUTES_BYTES:
            raise ValueError(f"contact attributes are {size} bytes; Connect allows 32 KB")

    @property
    def caller_number(self) -> str | None:
        return self.CustomerEndpoint.Address if self.CustomerEndpoint else None

    @property
    def queue_name(self) -> str | None:
        return self.Queue.Name if self.Queue else None


@dataclass(kw_only=True)
class Details(_Open):
    ContactData: ContactData
    Parameters: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        size = _json_size(self.Parameters)
        if size > MAX_PARAMETERS_BYTES:
            raise ValueError(f"parameters are {size} bytes; the limit is {MAX_PARAMETERS_BYTES // 1024} KB")


@dataclass(kw_only=True)
class ConnectLambdaEvent(_Open):
    """``{"Details": {"ContactData": ..., "Parameters": ...}, "Name": "ContactFlowEvent"}``."""

    Details: Details
    Name: str = "ContactFlowEvent"

    @property
    def contact(self) -> ContactData:
        return self.Details.ContactData

    @property
    def parameters(self) -> dict[str, str]:
        return self.Details.Parameters


def tolerate(raw: Any) -> Any:
    """What real events do that the dataclasses do not say: ``Queue`` as a bare string (the archived
    admin guide shows ``"Queue": "QueueName"``) and null ``Attributes`` or ``Parameters``."""
    if not isinstance(raw, Mapping) or not isinstance(raw.get("Details"), Mapping):
        return raw
    details = dict(raw["Details"])
    if "Parameters" in details and details["Parameters"] is None:
        details["Parameters"] = {}
    contact = details.get("ContactData")
    if isinstance(contact, Mapping):
        contact = dict(contact)
        if isinstance(contact.get("Queue"), str):
            contact["Queue"] = {"Name": contact["Queue"]}
        if "Attributes" in contact and contact["Attributes"] is None:
            contact["Attributes"] = {}
        details["ContactData"] = contact
    return {**raw, "Details": details}


def parse_event(raw: Any) -> ConnectLambdaEvent:
    """A Connect Lambda event as :class:`ConnectLambdaEvent`, or :class:`schemas.codec.ContractError`."""
    if not isinstance(raw, Mapping):
        raise codec.ContractError([((), "a Connect Lambda event is a JSON object")])
    return codec.load(ConnectLambdaEvent, tolerate(raw))
