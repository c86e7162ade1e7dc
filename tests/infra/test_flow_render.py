"""Flow rendering: placeholders resolved or the synth fails; creation order and back-edges."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from infra.flows import (
    BOOTSTRAP_FLOW,
    PLACEHOLDER_RE,
    FlowRenderError,
    invoked_functions,
    plan,
    read_flows,
    render,
)
from infra.registry import FLOWS, placeholder, placeholders


def _flow(*refs: str) -> str:
    return json.dumps(
        {"Version": "2019-10-30", "StartAction": "a", "Actions": [{"Identifier": r} for r in refs]}
    )


def _fake_arns() -> dict[str, str]:
    return {p: f"arn:fake:{kind.lower()}/{name}" for p, (kind, name) in placeholders().items()}


def test_real_flows_render_without_placeholders() -> None:
    # Given the real flow files
    texts = read_flows()
    assert texts, "flows/*.json are missing"
    order, back = plan(texts)
    # When each is rendered with a value for every known placeholder
    for stem in order:
        content = render(stem, texts[stem], _fake_arns())
        # Then nothing is left and the document is still JSON
        assert not PLACEHOLDER_RE.search(content)
        assert json.loads(content)["Version"] == "2019-10-30"
    # And every flow is created once, after the flows it references forward
    assert sorted(order) == sorted(texts)
    for stem, text in texts.items():
        for target in FLOWS:
            if placeholder("FLOW", target) in text and target not in back.get(stem, set()):
                assert order.index(target) < order.index(stem)


def test_cycle_is_split_at_the_back_edge() -> None:
    # Given main-inbound -> case-status -> main-inbound
    texts = {"main-inbound": _flow("%FLOW_CASE_STATUS%"), "case-status": _flow("%FLOW_MAIN_INBOUND%")}
    # When planned
    order, back = plan(texts)
    # Then the edge closing the cycle is the back-edge, and its source is created first
    assert back == {"case-status": {"main-inbound"}}
    assert order == ["case-status", "main-inbound"]


def test_self_reference_is_a_back_edge() -> None:
    order, back = plan({"main-inbound": _flow("%FLOW_MAIN_INBOUND%")})
    assert order == ["main-inbound"]
    assert back == {"main-inbound": {"main-inbound"}}


def test_reference_to_a_missing_flow_fails() -> None:
    with pytest.raises(FlowRenderError, match="no file under flows"):
        plan({"main-inbound": _flow("%FLOW_CASE_STATUS%")})


def test_unknown_placeholder_fails() -> None:
    with pytest.raises(FlowRenderError, match=r"unknown placeholders \['%QUEUE_NOPE%'\]"):
        render("main-inbound", _flow("%QUEUE_NOPE%"), _fake_arns())


def test_placeholder_without_value_fails() -> None:
    with pytest.raises(FlowRenderError, match="no value for placeholder %QUEUE_GENERAL%"):
        render("main-inbound", _flow("%QUEUE_GENERAL%"), {})


def test_value_that_is_itself_a_placeholder_is_left_over() -> None:
    with pytest.raises(FlowRenderError, match="left after rendering"):
        render("main-inbound", _flow("%QUEUE_GENERAL%"), {"%QUEUE_GENERAL%": "%QUEUE_STATUS%"})


def test_invalid_json_and_unknown_file(tmp_path) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(FlowRenderError, match="not valid JSON"):
        render("main-inbound", "{", {})
    (tmp_path / "mystery.json").write_text("{}")
    with pytest.raises(FlowRenderError, match=r"not in infra/registry\.py FLOWS"):
        read_flows(tmp_path)


def test_bootstrap_flow_hands_callers_to_the_operator() -> None:
    content = render("bootstrap", json.dumps(BOOTSTRAP_FLOW), _fake_arns())
    actions = {a["Identifier"]: a for a in json.loads(content)["Actions"]}
    assert actions["operator"]["Parameters"]["QueueId"] == "arn:fake:queue/operator"
    assert actions["transfer"]["Type"] == "TransferContactToQueue"


@given(st.lists(st.tuples(st.sampled_from(list(FLOWS)), st.sampled_from(list(FLOWS))), max_size=12))
def test_plan_always_yields_an_acyclic_creation_order(edges: list[tuple[str, str]]) -> None:
    # Given any reference graph over the registry's flows
    refs: dict[str, set[str]] = {stem: set() for stem in FLOWS}
    for source, target in edges:
        refs[source].add(target)
    texts = {
        stem: _flow(*(placeholder("FLOW", t) for t in sorted(targets))) for stem, targets in refs.items()
    }
    # When planned
    order, back = plan(texts)
    # Then every forward edge points to a flow created earlier, and only cycles needed back-edges
    assert sorted(order) == sorted(FLOWS)
    for source, targets in refs.items():
        for target in targets - back.get(source, set()):
            assert order.index(target) < order.index(source)
    if not edges:
        assert back == {}


def test_invoked_functions() -> None:
    assert invoked_functions(_flow("%LAMBDA_CASE_STATUS%", "%QUEUE_GENERAL%", "%LAMBDA_ROUTING%")) == {
        "case_status",
        "routing",
    }


def test_virtual_hold_threshold_comes_from_the_environment() -> None:
    # Given the real customer-queue flow and an environment threshold of 3 minutes
    text = read_flows()["customer-queue"]
    # When rendered
    content = json.loads(render("customer-queue", text, _fake_arns(), virtual_hold_seconds=180))
    # Then every "oldest contact older than" check uses 180000 ms
    checks = [a for a in content["Actions"] if a["Type"] == "CheckMetricData"]
    operands = [
        c["Condition"]["Operands"]
        for a in checks
        for c in a["Transitions"]["Conditions"]
        if a["Parameters"].get("MetricType") == "OldestContactInQueueAgeSeconds"
    ]
    assert operands and all(o == ["180000"] for o in operands)
    # And without a threshold the file's own value stays
    assert render("customer-queue", text, _fake_arns()) == render("customer-queue", text, _fake_arns())
    assert "180000" not in render("customer-queue", text, _fake_arns())
