"""Probe flows for the Customer Profiles, Cases and Voice ID actions against the local stores.

Each probe is a small flow of our own: the action under test, and one spoken message per branch it
can take, so the prompt says which branch Connect's documented behaviour took. Before these actions
were implemented every probe ended the contact "action type X is not implemented by the CivicLine
engine" (docs/engine.md, "Found by running others' flows"). Pages: APIReference
interactions-*customerprofile*, createcase/getcase/updatecase, flow-control-actions-checkvoiceid,
-startvoiceidstream; adminguide customer-profiles-block, check-voice-id.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from civicline.engine import CallerScript, CallResult, Engine, LambdaInvoker, StaticCenter
from civicline.engine.center import QueueMetrics
from civicline.engine.stores import CaseStore, LocalStores, VoiceIdStore
from civicline.engine.validator import validate_text
from tests.engine.conftest import act, doc, library_of

CALLER = "+15555550100"
END = act("end", "DisconnectParticipant")


def say(branch: str) -> dict[str, Any]:
    return act(
        f"say-{branch}", "MessageParticipant", {"Text": branch}, nxt="end", errors={"NoMatchingError": "end"}
    )


def probe(
    type_: str,
    params: dict[str, Any],
    errors: tuple[str, ...] = ("NoMatchingError",),
    results: tuple[str, ...] = (),
    before: tuple[dict[str, Any], ...] = (),
    after: str = "Success",
) -> dict[str, Any]:
    """``before`` actions, then the action under test, each branch saying its name."""
    branches = {*errors, *results, after}
    tested = act(
        "tested",
        type_,
        params,
        nxt=f"say-{after}",
        errors={e: f"say-{e}" for e in errors},
        conditions=[("Equals", r, f"say-{r}") for r in results],
    )
    return doc(*before, tested, *(say(b) for b in sorted(branches)), END)


def engine_for(stores: LocalStores, **flows: dict[str, Any]) -> Engine:
    return Engine(library_of(**flows), invoker=LambdaInvoker(), center=StaticCenter(stores=stores))


def call(engine: Engine, flow: str = "probe", **kw: Any) -> CallResult:
    result = engine.run_contact(flow, CallerScript([]), **kw)
    assert "not implemented" not in str(result.ended.get("detail", "")), result.ended
    return result


def branch_of(stores: LocalStores, flow: dict[str, Any], **kw: Any) -> str:
    return call(engine_for(stores, probe=flow), **kw).prompts[-1]


def profiles(*seed: dict[str, Any]) -> LocalStores:
    return LocalStores.from_json({"profiles": list(seed)})


ALICE = {"ProfileId": "a" * 32, "FirstName": "Alice", "LastName": "Ng", "PhoneNumber": CALLER, "City": "Ames"}
BOB = {"ProfileId": "b" * 32, "FirstName": "Bob", "MobilePhoneNumber": "+15555550111", "AccountNumber": "42"}
GET_BY_PHONE = {
    "ProfileRequestData": {"IdentifierName": "_phone", "IdentifierValue": "$.CustomerEndpoint.Address"},
    "ProfileResponseData": ["FirstName", "City", "Attributes.tier"],
}
PROFILE_ERRORS = ("MultipleFoundError", "NoneFoundError", "NoMatchingError")
GREET = act(
    "greet",
    "MessageParticipant",
    {"Text": "Hello $.Customer.FirstName of $.Customer.City"},
    nxt="end",
    errors={"NoMatchingError": "end"},
)


# -- Customer Profiles --------------------------------------------------------------------------------


def test_get_customer_profile_sets_the_customer_namespace_for_the_one_match() -> None:
    # Given a profile whose phone number is the caller's, with an attribute
    stores = profiles({**ALICE, "Attributes": {"tier": "gold"}}, BOB)
    flow = probe("GetCustomerProfile", GET_BY_PHONE, PROFILE_ERRORS)
    flow["Actions"][0]["Transitions"]["NextAction"] = "greet"
    flow["Actions"].append(GREET)
    # When the caller's contact searches by _phone
    result = call(engine_for(stores, probe=flow))
    # Then it takes Success and $.Customer holds the response fields and the profile's ID and ARN
    assert result.prompts == ["Hello Alice of Ames"]
    customer = result.contact.customer
    assert customer["ProfileId"] == "a" * 32
    assert customer["ProfileARN"].endswith(f"/profiles/{'a' * 32}")
    assert customer["Attributes"] == {"tier": "gold"}


@pytest.mark.parametrize(
    ("seed", "expected"),
    [((), "NoneFoundError"), ((ALICE, {**BOB, "HomePhoneNumber": CALLER}), "MultipleFoundError")],
    ids=["none", "two"],
)
def test_get_customer_profile_none_and_multiple_found(
    seed: tuple[dict[str, Any], ...], expected: str
) -> None:
    # Given no profile / two profiles with the caller's number (_phone covers home and mobile numbers)
    flow = probe("GetCustomerProfile", GET_BY_PHONE, PROFILE_ERRORS)
    # Then the search takes the page's branch, and $.Customer stays empty
    assert branch_of(profiles(*seed), flow) == expected


@pytest.mark.parametrize(("operator", "expected"), [("AND", "NoneFoundError"), ("OR", "MultipleFoundError")])
def test_search_criteria_join_with_the_logical_operator(operator: str, expected: str) -> None:
    criteria = [
        {"IdentifierName": "_phone", "IdentifierValue": CALLER},
        {"IdentifierName": "_account", "IdentifierValue": "42"},
    ]
    request = {"ProfileRequestData": {"SearchCriteria": criteria, "LogicalOperator": operator}}
    assert branch_of(profiles(ALICE, BOB), probe("GetCustomerProfile", request, PROFILE_ERRORS)) == expected


def test_the_guides_field_name_request_form_searches_that_field() -> None:
    # Given the AWS guides' form {"PhoneNumber": value} (modules_VoiceID, AgentWorkspace exports)
    request = {"ProfileRequestData": {"PhoneNumber": "$.CustomerEndpoint.Address"}, "ProfileResponseData": []}
    assert branch_of(profiles(ALICE, BOB), probe("GetCustomerProfile", request, PROFILE_ERRORS)) == "Success"


def test_a_request_value_over_255_characters_takes_the_error_branch() -> None:
    request = {"ProfileRequestData": {"IdentifierName": "_email", "IdentifierValue": "x" * 256}}
    assert (
        branch_of(profiles(ALICE), probe("GetCustomerProfile", request, PROFILE_ERRORS)) == "NoMatchingError"
    )


def test_created_profile_is_found_by_the_next_contact_and_updated() -> None:
    # Given one center (one profile store) for two contacts
    stores = profiles()
    create = probe(
        "CreateCustomerProfile",
        {
            "ProfileRequestData": {
                "FirstName": "Cy",
                "PhoneNumber": "$.CustomerEndpoint.Address",
                "Attributes.lang": "es",
            },
            "ProfileResponseData": ["FirstName"],
        },
    )
    update = probe(
        "UpdateCustomerProfile",
        {"ProfileRequestData": {"City": "Boone"}, "ProfileResponseData": ["City", "Attributes.lang"]},
        before=(
            act(
                "find", "GetCustomerProfile", GET_BY_PHONE, nxt="tested", errors={"NoMatchingError": "tested"}
            ),
        ),
    )
    engine = engine_for(stores, create=create, update=update)
    # When the first contact creates a profile and the second finds and updates it
    first = call(engine, "create")
    second = call(engine, "update")
    # Then the new ProfileId is a Customer Profiles ID, both contacts see it, the store holds the change
    profile_id = first.contact.customer["ProfileId"]
    assert re.fullmatch(r"[a-f0-9]{32}", profile_id)
    assert first.prompts == ["Success"] and second.prompts == ["Success"]
    assert second.contact.customer == {
        "ProfileId": profile_id,
        "ProfileARN": first.contact.customer["ProfileARN"],
        "FirstName": "Cy",
        "City": "Boone",
        "Attributes": {"lang": "es"},
    }
    assert stores.profiles is not None and stores.profiles.profiles[profile_id]["City"] == "Boone"


def test_update_without_a_profile_takes_the_error_branch() -> None:
    flow = probe("UpdateCustomerProfile", {"ProfileRequestData": {"City": "Boone"}})
    assert branch_of(profiles(ALICE), flow) == "NoMatchingError"


def test_associate_contact_records_the_contact_on_the_profile() -> None:
    stores = profiles(ALICE)
    params = {"ProfileRequestData": {"ProfileId": "a" * 32, "ContactId": "$.ContactId"}}
    result = call(engine_for(stores, probe=probe("AssociateContactToCustomerProfile", params)))
    assert result.prompts == ["Success"]
    assert stores.profiles is not None
    assert stores.profiles.associations == {"a" * 32: [result.contact.contact_id]}
    # and the associated contact is a search key (_ctrContactId)
    assert stores.profiles.matching("_ctrContactId", result.contact.contact_id) == {"a" * 32}
    unknown = {"ProfileRequestData": {"ProfileId": "c" * 32, "ContactId": "$.ContactId"}}
    assert branch_of(stores, probe("AssociateContactToCustomerProfile", unknown)) == "NoMatchingError"


ASSETS = {
    **ALICE,
    "Objects": {
        "_asset": [
            {"AssetId": "as-1", "Status": "retired", "SerialNumber": "S1"},
            {"AssetId": "as-2", "Status": "active", "SerialNumber": "S2"},
        ]
    },
    "CalculatedAttributes": {"_frequent_caller": "true"},
}


@pytest.mark.parametrize(
    ("request_data", "expected", "asset"),
    [
        ({"UseLatest": "true"}, "Success", {"AssetId": "as-2", "Status": "active"}),
        (
            {"IdentifierName": "_assetId", "IdentifierValue": "as-1"},
            "Success",
            {"AssetId": "as-1", "Status": "retired"},
        ),
        ({"IdentifierName": "_assetId", "IdentifierValue": "as-9"}, "NoneFoundError", None),
    ],
    ids=["latest", "by-id", "none"],
)
def test_get_customer_profile_object(
    request_data: dict[str, str], expected: str, asset: dict[str, str] | None
) -> None:
    params = {
        "ProfileRequestData": {"ProfileId": "a" * 32, "ObjectType": "_asset", **request_data},
        "ProfileResponseData": ["AssetStatus"],
    }
    result = call(
        engine_for(
            profiles(ASSETS),
            probe=probe("GetCustomerProfileObject", params, ("NoneFoundError", "NoMatchingError")),
        )
    )
    assert result.prompts == [expected]
    assert result.contact.customer.get("Asset") == asset


def test_get_calculated_attributes() -> None:
    params = {
        "ProfileRequestData": {"ProfileId": "$.Attributes.pid"},
        "ProfileResponseData": ["CalculatedAttributes._frequent_caller"],
    }
    flow = probe("GetCalculatedAttributesForCustomerProfile", params, ("NoneFoundError", "NoMatchingError"))
    engine = engine_for(profiles(ASSETS), probe=flow)
    found = call(engine, attributes={"pid": "a" * 32})
    assert found.prompts == ["Success"]
    assert found.contact.customer == {"CalculatedAttributes": {"_frequent_caller": "true"}}
    assert call(engine, attributes={"pid": "c" * 32}).prompts == ["NoneFoundError"]


# -- a feature the instance has not enabled --------------------------------------------------------------

EVERY_TYPE: list[tuple[str, dict[str, Any]]] = [
    ("GetCustomerProfile", GET_BY_PHONE),
    ("CreateCustomerProfile", {"ProfileRequestData": {"FirstName": "A"}}),
    ("UpdateCustomerProfile", {"ProfileRequestData": {"ProfileId": "a" * 32}}),
    (
        "AssociateContactToCustomerProfile",
        {"ProfileRequestData": {"ProfileId": "a" * 32, "ContactId": "$.ContactId"}},
    ),
    (
        "GetCustomerProfileObject",
        {"ProfileRequestData": {"ProfileId": "a" * 32, "ObjectType": "_asset", "UseLatest": "true"}},
    ),
    ("GetCalculatedAttributesForCustomerProfile", {"ProfileRequestData": {"ProfileId": "a" * 32}}),
    ("CreateCase", {"CaseTemplateId": "t-1", "CaseRequestFields": {"title": "x"}}),
    ("GetCase", {"CustomerId": "c-1"}),
    ("UpdateCase", {"CaseId": "k-1"}),
    ("StartVoiceIdStream", {}),
]


def detail_of_tested(result: CallResult) -> str:
    return next(step.detail for step in result.steps if step.identifier == "tested")


@pytest.mark.parametrize(("type_", "params"), EVERY_TYPE, ids=[t for t, _ in EVERY_TYPE])
def test_an_instance_without_the_feature_takes_the_error_branch(type_: str, params: dict[str, Any]) -> None:
    # Given an instance with Customer Profiles, Cases and Voice ID not enabled
    result = call(engine_for(LocalStores.disabled(), probe=probe(type_, params)))
    # Then each action takes its error branch (customer-profiles-block: "not enabled" -> Error), no crash
    assert result.prompts == ["NoMatchingError"]
    assert "is not enabled for this instance" in detail_of_tested(result)


class BareCenter:
    """A contact center view with no ``stores`` (as the simulator's is)."""

    def __init__(self) -> None:
        self.inner = StaticCenter()

    def now(self) -> datetime:
        return self.inner.now()

    def is_open(self, hours_name: str) -> bool:
        return self.inner.is_open(hours_name)

    def queue_metrics(self, queue: str) -> QueueMetrics:
        return self.inner.queue_metrics(queue)

    def at_capacity(self, queue: str) -> bool:
        return self.inner.at_capacity(queue)


def test_a_center_without_stores_is_an_instance_without_the_features() -> None:
    flow = probe("GetCase", {"CustomerId": "c"}, ("MultipleFound", "NoneFound", "NoMatchingError"))
    result = call(Engine(library_of(probe=flow), center=BareCenter()))
    assert result.prompts == ["NoMatchingError"]
    assert "Cases is not enabled for this instance" in detail_of_tested(result)


# -- Cases ----------------------------------------------------------------------------------------------

CASE_ERRORS = ("ContactNotLinked", "NoMatchingError")


def test_create_update_and_get_a_case_across_contacts() -> None:
    stores = LocalStores()
    create = probe(
        "CreateCase",
        {
            "LinkContactToCase": "true",
            "CaseTemplateId": "t-1",
            "CaseRequestFields": {"customer_id": "$.Attributes.who", "title": "Pothole", "status": "open"},
        },
        CASE_ERRORS,
        before=(),
    )
    create["Actions"][0]["Transitions"]["NextAction"] = "close"
    create["Actions"].append(
        act(
            "close",
            "UpdateCase",
            {"CaseId": "$.Case.case_id", "CaseRequestFields": {"status": "closed"}},
            nxt="say-Success",
            errors={"NoMatchingError": "say-NoMatchingError"},
        )
    )
    get = probe(
        "GetCase",
        {"CustomerId": "$.Attributes.who", "CaseResponseFields": ["status", "title", "case_id"]},
        ("MultipleFound", "NoneFound", *CASE_ERRORS),
    )
    engine = engine_for(stores, create=create, get=get)
    # When one contact creates and closes a case and the next looks it up by customer
    made = call(engine, "create", attributes={"who": "cust-1"})
    found = call(engine, "get", attributes={"who": "cust-1"})
    # Then CreateCase put the new case ID in $.Case, UpdateCase changed it, GetCase read it back
    case_id = made.contact.case["case_id"]
    assert made.prompts == ["Success"] and found.prompts == ["Success"]
    assert found.contact.case == {"status": "closed", "title": "Pothole", "case_id": case_id}
    assert stores.cases is not None and stores.cases.links == {case_id: [made.contact.contact_id]}
    # and another customer has none
    assert call(engine, "get", attributes={"who": "cust-2"}).prompts == ["NoneFound"]


@pytest.mark.parametrize(("last_updated", "expected"), [("false", "MultipleFound"), ("true", "Success")])
def test_get_case_with_two_matches(last_updated: str, expected: str) -> None:
    store = CaseStore()
    store.seed({"case_id": "k-1", "customer_id": "c", "title": "old"})
    store.seed({"case_id": "k-2", "customer_id": "c", "title": "new"})
    stores = LocalStores(cases=store)
    params = {"CustomerId": "c", "GetLastUpdatedCase": last_updated, "CaseResponseFields": ["title"]}
    result = call(
        engine_for(stores, probe=probe("GetCase", params, ("MultipleFound", "NoneFound", "NoMatchingError")))
    )
    assert result.prompts == [expected]
    assert result.contact.case == ({"title": "new"} if expected == "Success" else {})


def test_case_template_unknown_to_the_instance_and_update_of_no_case() -> None:
    stores = LocalStores.from_json({"caseTemplates": ["t-1"]})
    bad = probe("CreateCase", {"CaseTemplateId": "t-9", "CaseRequestFields": {"title": "x"}})
    assert branch_of(stores, bad) == "NoMatchingError"
    assert branch_of(stores, probe("UpdateCase", {"CaseId": "k-404"})) == "NoMatchingError"
    assert stores.cases is not None and stores.cases.cases == {}


# -- Voice ID -------------------------------------------------------------------------------------------

START = act("start", "StartVoiceIdStream", {}, nxt="who", errors={"NoMatchingError": "say-NoMatchingError"})
WHO = act(
    "who",
    "UpdateContactData",
    {"CustomerId": "$.Attributes.who"},
    nxt="tested",
    errors={"NoMatchingError": "tested"},
)


def voice_probe(option: str, *, started: bool = True) -> dict[str, Any]:
    from civicline.engine.actions.voice_id import RESULTS

    before = (START, WHO) if started else (WHO,)
    return probe(
        "CheckVoiceId",
        {"CheckVoiceIdOption": option},
        results=RESULTS[option],
        before=before,
        after="NoMatchingCondition",
    )


SPEAKERS = {
    "enrolled": {"status": "ENROLLED"},
    "scored-high": {"status": "ENROLLED", "score": 95, "fraud_risk": 80},
    "scored-low": {"status": "ENROLLED", "score": 40, "fraud_risk": 10},
    "out": {"status": "OPTED_OUT"},
}


@pytest.mark.parametrize(
    ("option", "who", "expected"),
    [
        ("enrollmentStatus", "enrolled", "Enrolled"),
        ("enrollmentStatus", "stranger", "NotEnrolled"),
        ("enrollmentStatus", "out", "OptedOut"),
        ("voiceAuthentication", "enrolled", "Inconclusive"),  # no caller audio in a local run
        ("voiceAuthentication", "scored-high", "Authenticated"),
        ("voiceAuthentication", "scored-low", "NotAuthenticated"),
        ("voiceAuthentication", "stranger", "NotEnrolled"),
        ("voiceAuthentication", "out", "OptedOut"),
        ("fraudDetection", "scored-high", "HighRisk"),
        ("fraudDetection", "scored-low", "LowRisk"),
        ("fraudDetection", "enrolled", "Inconclusive"),
    ],
)
def test_check_voice_id_results(option: str, who: str, expected: str) -> None:
    stores = LocalStores(voice_id=VoiceIdStore(speakers=SPEAKERS))
    assert branch_of(stores, voice_probe(option), attributes={"who": who}) == expected


def test_check_voice_id_needs_a_stream_and_a_customer_id() -> None:
    stores = LocalStores(voice_id=VoiceIdStore(speakers=SPEAKERS))
    # no Set Voice ID before it: the error branch
    assert (
        branch_of(stores, voice_probe("enrollmentStatus", started=False), attributes={"who": "enrolled"})
        == "NoMatchingError"
    )
    # no Customer ID on the contact: enrollment and authentication cannot be checked
    assert branch_of(stores, voice_probe("voiceAuthentication")) == "NoMatchingError"
    # fraud detection is not for one customer: it needs none
    assert branch_of(stores, voice_probe("fraudDetection")) == "Inconclusive"


def test_voice_id_is_voice_only() -> None:
    stores = LocalStores()
    assert branch_of(stores, probe("StartVoiceIdStream", {})) == "Success"
    assert branch_of(stores, probe("StartVoiceIdStream", {}), channel="CHAT") == "NoMatchingError"


# -- validator, seeds, property --------------------------------------------------------------------------


def messages(document: dict[str, Any]) -> list[str]:
    return [
        f"{f.severity}: {f.message}"
        for f in validate_text(json.dumps(document), name="probe", label="probe.json")
    ]


def test_validator_knows_the_new_actions() -> None:
    for type_, params in EVERY_TYPE:
        assert not [
            m for m in messages(probe(type_, params)) if "not implemented" in m or m.startswith("error")
        ], type_
    wrong = probe("CheckVoiceId", {"CheckVoiceIdOption": "enrollmentStatus"}, results=("Authenticated",))
    assert (
        "error: enrollmentStatus never returns 'Authenticated' (it returns Enrolled, NotEnrolled, OptedOut)"
        in messages(wrong)
    )
    empty = probe("GetCustomerProfile", {"ProfileRequestData": {}}, PROFILE_ERRORS)
    assert "error: GetCustomerProfile needs at least one search identifier" in messages(empty)
    conditioned = probe("GetCase", {"CustomerId": "c"}, results=("x",))
    assert "error: GetCase takes no conditions" in messages(conditioned)


def test_stores_seed_from_a_json_file(tmp_path: Path) -> None:
    seed = tmp_path / "stores.json"
    seed.write_text(json.dumps({"profiles": [ALICE], "cases": None, "voiceId": {"speakers": SPEAKERS}}))
    stores = LocalStores.from_json(seed)
    assert stores.profiles is not None and stores.profiles.matching("_phone", CALLER) == {"a" * 32}
    assert stores.cases is None  # null: Cases not enabled
    assert stores.voice_id is not None and stores.voice_id.speakers["out"] == {"status": "OPTED_OUT"}
    with pytest.raises(ValueError, match="JSON object"):
        LocalStores.from_json("[]")


PHONES = st.sampled_from(["+15555550100", "+15555550101", "+15555550102"])


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(PHONES, st.sampled_from(["PhoneNumber", "MobilePhoneNumber", "HomePhoneNumber"])),
        max_size=5,
    ),
    PHONES,
)
def test_get_customer_profile_branch_follows_the_number_of_matches(
    seed: list[tuple[str, str]], phone: str
) -> None:
    # Property: over any store, the branch is decided by how many profiles hold the number
    stores = profiles(*({"ProfileId": f"{i:032x}", field: number} for i, (number, field) in enumerate(seed)))
    request = {"ProfileRequestData": {"IdentifierName": "_phone", "IdentifierValue": phone}}
    matches = sum(1 for number, _ in seed if number == phone)
    expected = {0: "NoneFoundError", 1: "Success"}.get(matches, "MultipleFoundError")
    assert branch_of(stores, probe("GetCustomerProfile", request, PROFILE_ERRORS)) == expected


@pytest.mark.parametrize(
    "seed",
    [
        {"profiles": {"a": 1}},
        {"profiles": ["x"]},
        {"cases": "k"},
        {"voiceId": []},
        {"voiceId": {"speakers": []}},
    ],
)
def test_a_malformed_seed_is_a_value_error(seed: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match="the seed's"):
        LocalStores.from_json(seed)


def test_call_runs_with_a_seeded_store(tmp_path: Path) -> None:
    # Given a flow that greets the caller from their profile, and a seed file with that profile
    from typer.testing import CliRunner

    from civicline.cli import app

    flow = probe("GetCustomerProfile", GET_BY_PHONE, PROFILE_ERRORS)
    flow["Actions"][0]["Transitions"]["NextAction"] = "greet"
    flow["Actions"].append(GREET)
    (tmp_path / "greet.json").write_text(json.dumps(flow))
    (tmp_path / "seed.json").write_text(json.dumps({"profiles": [ALICE]}))
    runner = CliRunner()
    base = ["call", "--flow", str(tmp_path / "greet.json"), "--json", "--caller", CALLER]
    # When it is called with --stores, then without, then with a broken seed
    seeded = runner.invoke(app, [*base, "--stores", str(tmp_path / "seed.json")])
    empty = runner.invoke(app, base)
    (tmp_path / "bad.json").write_text("{")
    broken = runner.invoke(app, [*base, "--stores", str(tmp_path / "bad.json")])
    # Then the seeded profile greets the caller, an empty store takes NoneFoundError, a bad seed exits 2
    assert json.loads(seeded.stdout)["prompts"] == ["Hello Alice of Ames"], seeded.output
    assert json.loads(empty.stdout)["prompts"] == ["NoneFoundError"], empty.output
    assert broken.exit_code == 2


def test_set_voice_id_thresholds_on_the_contact_decide_the_result() -> None:
    # Given Set Voice ID exported as UpdateContactData with its thresholds (a published GTS example)
    settings_ = act(
        "settings",
        "UpdateContactData",
        {
            "IsVoiceIdStreamingEnabled": "true",
            "VoiceAuthenticationThreshold": "99",
            "FraudDetectionThreshold": "90",
        },
        nxt="start",
        errors={"NoMatchingError": "start"},
    )
    stores = LocalStores(voice_id=VoiceIdStore(speakers=SPEAKERS))
    for option, expected in (("voiceAuthentication", "NotAuthenticated"), ("fraudDetection", "LowRisk")):
        flow = voice_probe(option)
        flow["Actions"].insert(0, settings_)
        flow["StartAction"] = "settings"
        # Then a score of 95 is below the flow's 99, a risk of 80 below its 90
        assert branch_of(stores, flow, attributes={"who": "scored-high"}) == expected
