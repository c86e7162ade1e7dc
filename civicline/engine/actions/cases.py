"""The Cases actions (APIReference createcase, getcase, updatecase; adminguide cases-block), against
the instance's local case store (:mod:`civicline.engine.stores`).

The pages: "This can be used in any type of flow and any channel"; CreateCase makes a case from a
template with ``CaseRequestFields``; GetCase "Searches all existing cases with the provided customer
ID", filtered by ``CaseRequestFields``, ``GetLastUpdatedCase`` keeping only the last updated one, and
persists ``CaseResponseFields`` "in the case namespace" (``$.Case.status``); ``MultipleFound`` /
``NoneFound`` when more than one / none match; UpdateCase changes a case named by ``CaseId``;
``LinkContactToCase`` "true" links the contact (``ContactNotLinked`` when that part fails, which
a local store never does); ``NoMatchingError`` for anything else, including Cases not enabled.
CreateCase also sets ``$.Case.case_id`` and ``$.Case.reference_number`` (the new case's system fields)
so a flow can update or read out the case it made.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from civicline.engine.actions.common import flag
from civicline.engine.actions.spec import NO_MATCHING_ERROR, ActionSpec, action, fixed
from civicline.engine.center import stores_of
from civicline.engine.outcome import Outcome
from civicline.engine.stores import CaseStore
from schemas.flow_language import FlowAction

if TYPE_CHECKING:
    from civicline.engine.interpreter import Run

NO_CONDITIONS: frozenset[str] = frozenset()
CONTACT_NOT_LINKED = "ContactNotLinked"


def _store(run: Run) -> CaseStore | None:
    return stores_of(run.center).cases


def _now(run: Run) -> str:
    return run.center.now().isoformat()


def _link(run: Run, store: CaseStore, act: FlowAction, case_id: str) -> None:
    if flag(act.Parameters.get("LinkContactToCase", "false")):
        store.link(case_id, run.contact.contact_id)
        run.note("contact linked to the case")


def _spec(type_: str, page: str, *errors: str) -> ActionSpec:
    return ActionSpec(
        type_,
        "contact",
        page,
        errors=fixed(CONTACT_NOT_LINKED, *errors, NO_MATCHING_ERROR, required=(NO_MATCHING_ERROR,)),
        operators=NO_CONDITIONS,
    )


@action(_spec("CreateCase", "createcase"))
def create_case(run: Run, act: FlowAction) -> Outcome:
    store = _store(run)
    if store is None:
        return Outcome.fail(detail="Cases is not enabled for this instance")
    template = run.text(act.Parameters.get("CaseTemplateId", ""))
    if not template or (store.templates is not None and template not in store.templates):
        return Outcome.fail(detail=f"CaseTemplateId {template!r} names no case template of this instance")
    case_id = store.create(template, run.text_map(act.Parameters.get("CaseRequestFields")), _now(run))
    case = store.cases[case_id]
    run.contact.case.update({"case_id": case_id, "reference_number": case["reference_number"]})
    _link(run, store, act, case_id)
    return Outcome.ok()


@action(_spec("GetCase", "getcase", "MultipleFound", "NoneFound"))
def get_case(run: Run, act: FlowAction) -> Outcome:
    store = _store(run)
    if store is None:
        return Outcome.fail(detail="Cases is not enabled for this instance")
    params = act.Parameters
    fields = run.text_map(params.get("CaseRequestFields"))
    if "CustomerId" in params:
        fields["customer_id"] = run.text(params["CustomerId"])
    if not fields:
        return Outcome.fail(detail="GetCase needs a CustomerId or CaseRequestFields to search by")
    found = store.search(fields)
    if not found:
        return Outcome.fail("NoneFound", detail="no case matches the search")
    if len(found) > 1 and not flag(params.get("GetLastUpdatedCase", "false")):
        return Outcome.fail("MultipleFound", detail=f"{len(found)} cases match the search")
    case = store.cases[found[0]]
    wanted = params.get("CaseResponseFields")
    for name in wanted if isinstance(wanted, list) else ():
        if str(name) in case:
            run.contact.case[str(name)] = case[str(name)]
    _link(run, store, act, found[0])
    return Outcome.ok()


@action(_spec("UpdateCase", "updatecase"))
def update_case(run: Run, act: FlowAction) -> Outcome:
    store = _store(run)
    if store is None:
        return Outcome.fail(detail="Cases is not enabled for this instance")
    case_id = run.text(act.Parameters.get("CaseId", ""))
    if case_id not in store.cases:
        return Outcome.fail(detail="CaseId names no case")
    store.update(case_id, run.text_map(act.Parameters.get("CaseRequestFields")), _now(run))
    _link(run, store, act, case_id)
    return Outcome.ok()
