"""The Customer Profiles actions (APIReference interactions-*customerprofile*, adminguide
customer-profiles-block), against the instance's local profile store (:mod:`civicline.engine.stores`).

What the pages say and the engine does: every block runs on every channel and in every flow type
("All flow types"); the contact takes the error branch when Customer Profiles is not enabled, a
request value is longer than 255 characters, or the call fails; the response fields a block names
(``ProfileResponseData``) are set under ``$.Customer`` (``$.Customer.City``, ``$.Customer.Asset.Status``),
and the profile's ID always is (``$.Customer.ProfileId``, with ``$.Customer.ProfileARN``).
GetCustomerProfile searches with one identifier (``IdentifierName``/``IdentifierValue``), up to five
(``SearchCriteria`` and ``LogicalOperator`` AND/OR), or the older ``{"PhoneNumber": value}`` form
the AWS guides' exports use; none found is ``NoneFoundError``, more than one ``MultipleFoundError``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from civicline.engine.actions.common import flag
from civicline.engine.actions.spec import NO_MATCHING_ERROR, ActionSpec, Problem, action, fixed
from civicline.engine.center import stores_of
from civicline.engine.outcome import Outcome
from civicline.engine.stores import OBJECT_TYPES, ProfileStore
from schemas.flow_language import FlowAction

if TYPE_CHECKING:
    from civicline.engine.interpreter import Run

NO_CONDITIONS: frozenset[str] = frozenset()
NONE_FOUND, MULTIPLE_FOUND = "NoneFoundError", "MultipleFoundError"
#: "Request values can't exceed 255 characters" (customer-profiles-block, Configuration tips)
MAX_VALUE = 255
#: "up to five search identifiers" (customer-profiles-block)
MAX_IDENTIFIERS = 5
_SEARCH_KEYS = frozenset(
    {"IdentifierName", "IdentifierValue", "IdentiferValue", "SearchCriteria", "LogicalOperator"}
)


def _store(run: Run) -> ProfileStore | None:
    return stores_of(run.center).profiles


def _request(run: Run, act: FlowAction) -> dict[str, Any]:
    """``ProfileRequestData`` with its static or dynamic values resolved (search criteria too)."""
    data = act.Parameters.get("ProfileRequestData")
    if not isinstance(data, dict):
        return {}
    out: dict[str, Any] = {}
    for key, value in data.items():
        if key == "SearchCriteria" and isinstance(value, list):
            out[key] = [run.text_map(item) for item in value if isinstance(item, dict)]
        else:
            out[str(key)] = run.text(value)
    return out


def _too_long(request: dict[str, Any]) -> str | None:
    values: list[str] = [v for v in request.values() if isinstance(v, str)]
    for item in request.get("SearchCriteria", ()):
        values.extend(item.values())
    long = next((v for v in values if len(v) > MAX_VALUE), None)
    return None if long is None else f"a request value is {len(long)} characters (at most {MAX_VALUE})"


def response_fields(act: FlowAction) -> list[str]:
    """``ProfileResponseData``: a list of field names (every export), or an object's keys."""
    fields = act.Parameters.get("ProfileResponseData")
    if isinstance(fields, dict):
        return [str(k) for k in fields]
    return [str(f) for f in fields] if isinstance(fields, list) else []


def _put(target: dict[str, Any], path: list[str], value: Any) -> None:
    for step in path[:-1]:
        inner = target.get(step)
        target[step] = inner = inner if isinstance(inner, dict) else {}
        target = inner
    target[path[-1]] = value


def _lookup(source: dict[str, Any], name: str) -> Any:
    """A field of a profile or object: ``City``, or ``Attributes.x`` / ``CalculatedAttributes.x``."""
    head, _, tail = name.partition(".")
    if tail:
        inner = source.get(head)
        return inner.get(tail) if isinstance(inner, dict) else None
    return source.get(name)


def _respond(run: Run, store: ProfileStore, profile_id: str, act: FlowAction) -> None:
    """Set ``$.Customer``: the profile's ID and ARN, and each response field the profile has."""
    customer = run.contact.customer
    customer["ProfileId"] = profile_id
    customer["ProfileARN"] = store.arn(profile_id)
    profile = store.profiles[profile_id]
    for name in response_fields(act):
        value = _lookup(profile, name)
        if value is not None:
            _put(customer, name.split(".", 1), str(value))


def _criteria(request: dict[str, Any]) -> tuple[list[tuple[str, str]], str] | str:
    """The (key, value) identifiers and the operator joining them, or why there are none."""
    if "IdentifierName" in request:
        value = request.get("IdentifierValue", request.get("IdentiferValue", ""))
        return [(request["IdentifierName"], value)], "AND"
    if "SearchCriteria" in request:
        items = [
            (c.get("IdentifierName", ""), c.get("IdentifierValue", "")) for c in request["SearchCriteria"]
        ]
        operator = str(request.get("LogicalOperator", "AND" if len(items) == 1 else "")).upper()
        if operator not in ("AND", "OR"):
            return "SearchCriteria needs LogicalOperator AND or OR"
        return items, operator
    items = [(key, value) for key, value in request.items() if key not in _SEARCH_KEYS]
    return (items, "AND") if items else "ProfileRequestData names no search identifier"


def _search(store: ProfileStore, items: list[tuple[str, str]], operator: str) -> set[str]:
    found = [store.matching(key, value) for key, value in items]
    return set.intersection(*found) if operator == "AND" else set.union(*found)


def _check_search(act: FlowAction) -> Iterable[Problem]:
    data = act.Parameters.get("ProfileRequestData")
    if not isinstance(data, dict):
        yield Problem("GetCustomerProfile needs ProfileRequestData with a search identifier")
        return
    criteria = data.get("SearchCriteria")
    count = len(criteria) if isinstance(criteria, list) else len([k for k in data if k not in _SEARCH_KEYS])
    if "IdentifierName" in data:
        count = 1
    if count == 0:
        yield Problem("GetCustomerProfile needs at least one search identifier")
    elif count > MAX_IDENTIFIERS:
        yield Problem(f"GetCustomerProfile takes up to {MAX_IDENTIFIERS} search identifiers, not {count}")


def _required(*keys: str) -> Any:
    def check(act: FlowAction) -> Iterable[Problem]:
        data = act.Parameters.get("ProfileRequestData")
        data = data if isinstance(data, dict) else {}
        for key in keys:
            if key not in data:
                yield Problem(f"{act.Type} needs ProfileRequestData.{key}")

    return check


def _guard(run: Run, request: dict[str, Any]) -> tuple[ProfileStore | None, Outcome | None]:
    """The store, or the error branch: Customer Profiles not enabled, a request value too long."""
    store = _store(run)
    if store is None:
        return None, Outcome.fail(detail="Customer Profiles is not enabled for this instance")
    problem = _too_long(request)
    return store, (Outcome.fail(detail=problem) if problem else None)


def _spec(type_: str, page: str, *errors: str, check: Any = None) -> ActionSpec:
    return ActionSpec(
        type_,
        "interactions",
        page,
        errors=fixed(*errors, NO_MATCHING_ERROR, required=(NO_MATCHING_ERROR,)),
        operators=NO_CONDITIONS,
        check=check,
    )


@action(
    _spec(
        "GetCustomerProfile",
        "interactions-getcustomerprofile",
        MULTIPLE_FOUND,
        NONE_FOUND,
        check=_check_search,
    )
)
def get_customer_profile(run: Run, act: FlowAction) -> Outcome:
    request = _request(run, act)
    store, refused = _guard(run, request)
    if store is None or refused is not None:
        return refused or Outcome.fail()
    criteria = _criteria(request)
    if isinstance(criteria, str):
        return Outcome.fail(detail=criteria)
    found = _search(store, *criteria)
    if not found:
        return Outcome.fail(NONE_FOUND, detail="no profile matches the search")
    if len(found) > 1:
        return Outcome.fail(MULTIPLE_FOUND, detail=f"{len(found)} profiles match the search")
    _respond(run, store, found.pop(), act)
    return Outcome.ok()


@action(_spec("CreateCustomerProfile", "interactions-createcustomerprofile"))
def create_customer_profile(run: Run, act: FlowAction) -> Outcome:
    request = _request(run, act)
    store, refused = _guard(run, request)
    if store is None or refused is not None:
        return refused or Outcome.fail()
    profile_id = store.add({"ProfileId": ""})
    store.update(profile_id, {k: v for k, v in request.items() if isinstance(v, str) and v})
    _respond(run, store, profile_id, act)
    return Outcome.ok()


@action(_spec("UpdateCustomerProfile", "interactions-updatecustomerprofile"))
def update_customer_profile(run: Run, act: FlowAction) -> Outcome:
    request = _request(run, act)
    store, refused = _guard(run, request)
    if store is None or refused is not None:
        return refused or Outcome.fail()
    profile_id = request.get("ProfileId") or str(run.contact.customer.get("ProfileId", ""))
    if profile_id not in store.profiles:
        return Outcome.fail(detail="no profile to update (ProfileId, else $.Customer.ProfileId)")
    store.update(profile_id, {k: v for k, v in request.items() if isinstance(v, str) and v})
    _respond(run, store, profile_id, act)
    return Outcome.ok()


@action(
    _spec(
        "AssociateContactToCustomerProfile",
        "interactions-associatecontacttocustomerprofile",
        check=_required("ProfileId", "ContactId"),
    )
)
def associate_contact(run: Run, act: FlowAction) -> Outcome:
    request = _request(run, act)
    store, refused = _guard(run, request)
    if store is None or refused is not None:
        return refused or Outcome.fail()
    profile_id, contact_id = request.get("ProfileId", ""), request.get("ContactId", "")
    if profile_id not in store.profiles or not contact_id:
        return Outcome.fail(detail="the ProfileId names no profile, or no ContactId is given")
    store.associate(profile_id, contact_id)
    return Outcome.ok()


def _object_type(name: str) -> tuple[str, str]:
    """(store key, `$.Customer` sub-namespace) of an ObjectType: ``_asset``/``Asset`` -> Asset."""
    key = name if name.startswith("_") else f"_{name[:1].lower()}{name[1:]}"
    return key, OBJECT_TYPES.get(key, name)


def _object_field(identifier: str) -> str:
    """The object field a search identifier names: ``_assetId`` -> ``AssetId``."""
    bare = identifier.lstrip("_")
    return bare[:1].upper() + bare[1:]


def _pick_object(objects: list[dict[str, Any]], request: dict[str, Any]) -> dict[str, Any] | str | None:
    """The one object the request names (``UseLatest``: the last stored), None, or why it is ambiguous."""
    if "IdentifierName" in request:
        field, value = _object_field(request["IdentifierName"]), request.get("IdentifierValue", "")
        found = [o for o in objects if value and str(o.get(field, "")) == value]
        if len(found) > 1:
            return f"{len(found)} objects match {request['IdentifierName']}"
        return found[0] if found else None
    if flag(request.get("UseLatest", request.get("UseLatset", ""))):
        return objects[-1] if objects else None
    return "neither UseLatest nor IdentifierName/IdentifierValue is given"


@action(
    _spec(
        "GetCustomerProfileObject",
        "interactions-getcustomerprofileobject",
        NONE_FOUND,
        check=_required("ProfileId", "ObjectType"),
    )
)
def get_customer_profile_object(run: Run, act: FlowAction) -> Outcome:
    request = _request(run, act)
    store, refused = _guard(run, request)
    if store is None or refused is not None:
        return refused or Outcome.fail()
    profile = store.profiles.get(request.get("ProfileId", ""))
    if profile is None:
        return Outcome.fail(NONE_FOUND, detail="no profile with that ProfileId")
    key, space = _object_type(request.get("ObjectType", ""))
    picked = _pick_object(list((profile.get("Objects") or {}).get(key, ())), request)
    if isinstance(picked, str):
        return Outcome.fail(detail=picked)
    if picked is None:
        return Outcome.fail(NONE_FOUND, detail=f"no {space} object found")
    customer = run.contact.customer
    _put(customer, [space, f"{space}Id"], str(picked.get(f"{space}Id", "")))
    for name in response_fields(act):
        value = _lookup(picked, name.removeprefix(space))
        if value is not None:
            _put(customer, [space, *name.removeprefix(space).split(".", 1)], str(value))
    return Outcome.ok()


@action(
    _spec(
        "GetCalculatedAttributesForCustomerProfile",
        "interactions-getcalculatedattributesforcustomerprofile",
        NONE_FOUND,
        check=_required("ProfileId"),
    )
)
def get_calculated_attributes(run: Run, act: FlowAction) -> Outcome:
    request = _request(run, act)
    store, refused = _guard(run, request)
    if store is None or refused is not None:
        return refused or Outcome.fail()
    profile = store.profiles.get(request.get("ProfileId", ""))
    if profile is None:
        return Outcome.fail(NONE_FOUND, detail="no profile with that ProfileId")
    for name in response_fields(act):
        value = _lookup(profile, name)
        if value is not None:
            _put(run.contact.customer, name.split(".", 1), str(value))
    return Outcome.ok()
