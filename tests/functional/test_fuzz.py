"""Hypothesis fuzzing of every Connect-facing handler: random parameters, broken ContactData.

Zero unhandled exceptions: every input gets a STRING_MAP with a typed result. Only dependency
failures may raise, and with moto up there are none.
"""

from __future__ import annotations

import importlib
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from schemas import codec
from schemas.functions import CONTRACTS
from tests.functional.conftest import make_event

HANDLERS = sorted(CONTRACTS)
text = st.one_of(
    st.text(max_size=30),
    st.sampled_from(
        [
            "",
            "1",
            "3",
            "9",
            "route",
            "knowledge",
            "office",
            "VIRTUAL_HOLD",
            "SCHEDULED",
            "es",
            "en",
            "APPEAL",
            "IDENTITY_THEFT",
            "REDIRECT",
            "general",
            "17502303",
            "4404",
            "+12025550199",
        ]
    ),
    st.from_regex(r"[0-9]{1,9}", fullmatch=True),
)


def param_dicts(name: str) -> st.SearchStrategy[dict[str, Any]]:
    fields = list(codec.fields_of(CONTRACTS[name][0]))
    known = st.dictionaries(st.sampled_from(fields), text, max_size=len(fields))
    junk = st.dictionaries(st.text(max_size=8), st.one_of(text, st.integers(), st.none()), max_size=2)
    return st.one_of(known, known, junk)


json_leaf = st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=10))
json_any = st.recursive(
    json_leaf,
    lambda c: st.one_of(st.lists(c, max_size=3), st.dictionaries(st.text(max_size=5), c, max_size=3)),
    max_leaves=8,
)


@st.composite
def events(draw: st.DrawFn, name: str) -> Any:
    params = draw(param_dicts(name))
    event = make_event(
        {},
        contact_id=draw(st.sampled_from(["f-1", "f-2", "x" * 300, ""])),
        number=draw(st.sampled_from([None, "+12025550199", "anonymous", "", "+1"])),
    )
    event["Details"]["Parameters"] = params
    data = event["Details"]["ContactData"]
    mutation = draw(st.integers(0, 6))
    if mutation == 1:
        key = draw(st.sampled_from(sorted(data)))
        data[key] = draw(json_any)
    elif mutation == 2:
        del event["Details"]["ContactData"]
    elif mutation == 3:
        event["Details"] = draw(json_any)
    elif mutation == 4:
        return draw(json_any)
    elif mutation == 5:
        data["Attributes"] = draw(st.dictionaries(st.text(max_size=5), json_any, max_size=3))
    return event


@pytest.mark.parametrize("name", HANDLERS)
def test_handler_never_raises_on_bad_input(seeded: Any, name: str) -> None:
    module = importlib.import_module(f"functions.handlers.{name}")

    @settings(
        max_examples=120,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(event=events(name))
    def check(event: Any) -> None:
        result = module.handler(event, None)
        assert isinstance(result, dict)
        assert all(isinstance(k, str) and isinstance(v, str) for k, v in result.items())
        codec.load(CONTRACTS[name][1], result)

    check()
