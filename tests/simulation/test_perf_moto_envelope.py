"""The remembered envelope (civicline.sim.moto_envelope) and find_clauses (civicline.sim.moto_update)
give what botocore's and moto's own code give.

Properties against the libraries' own functions: the user-agent string for generated client
configurations and request features, a backend's URL map for every service the day uses (and moto's
own property where the URL module is the backend's choice), the placeholders moto's response layer
finds in a cached update expression; and twin-table answers through boto3 with the lever on and off.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from civicline.sim.moto_envelope import remembered_envelope
from civicline.sim.moto_patch import stock
from civicline.sim.moto_tables import create_keyed_table
from civicline.sim.moto_update import fast_updates

FEATURES = ["WAITER", "PAGINATOR", "RETRY_MODE_STANDARD", "S3_TRANSFER", "ENDPOINT_OVERRIDE"]
configs = st.fixed_dictionaries(
    {},
    optional={
        "user_agent_extra": st.sampled_from(["", "tool/1.0", "a b"]),
        "user_agent_appid": st.sampled_from(["civicline", "app#1", "x y"]),
        "user_agent": st.sampled_from(["custom/2.0", ""]),
        "retries": st.sampled_from([{"mode": "standard"}, {"mode": "legacy", "max_attempts": 2}, {}]),
        "endpoint_discovery_enabled": st.booleans(),
    },
)


def _normalised(agent: str) -> tuple[tuple[str, ...], frozenset[str]]:
    """The string with the feature list read as a set (botocore joins a set: its order is the set's)."""
    parts = agent.split(" ")
    features = [frozenset(part[2:].split(",")) for part in parts if part.startswith("m/")]
    rest = tuple("m/" if part.startswith("m/") else part for part in parts)
    return rest, features[0] if features else frozenset()


def _agent(config: dict[str, Any], features: list[str]) -> str:
    import boto3
    from botocore.config import Config
    from botocore.context import start_as_current_context
    from botocore.useragent import register_feature_ids

    client = boto3.session.Session().client("dynamodb", region_name="us-east-1", config=Config(**config))
    with start_as_current_context():
        register_feature_ids(features)
        return str(client._user_agent_creator.to_string())


@settings(max_examples=60, deadline=None)
@given(config=configs, features=st.lists(st.sampled_from(FEATURES), unique=True, max_size=3))
def test_the_remembered_user_agent_is_the_string_botocore_builds(
    config: dict[str, Any], features: list[str]
) -> None:
    """Given a client configuration and the request's features, when the user agent is built with
    the lever on (twice: built, then remembered), then both are botocore's own string (the feature
    list read as a set)."""
    own = _agent(config, features)
    with remembered_envelope():
        first, again = _agent(config, features), _agent(config, features)
    assert _normalised(first) == _normalised(own)
    assert again == first


def test_features_and_configuration_are_part_of_what_is_remembered() -> None:
    """Given one configuration, when the features or the configuration differ, then the strings
    differ as botocore's do (nothing remembered for one set of inputs leaks into another)."""
    with remembered_envelope():
        plain = _agent({}, [])
        waiter = _agent({}, ["WAITER"])
        extra = _agent({"user_agent_extra": "tool/1.0"}, [])
    with stock():
        pass
    assert _normalised(waiter) == _normalised(_agent({}, ["WAITER"]))
    assert _normalised(extra) == _normalised(_agent({"user_agent_extra": "tool/1.0"}, []))
    assert len({plain, waiter, extra}) == 3


SERVICES = ("dynamodb", "sqs", "events", "sesv2", "s3", "lambda", "connect")


@pytest.mark.parametrize("service", SERVICES)
def test_a_backend_url_map_is_the_map_moto_builds(service: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Given a service's backend, when its URLs are read with the lever on (with and without the ISO
    regions setting and S3's custom endpoints, which change them), then they are moto's own map,
    handlers included."""
    from moto.backends import get_backend
    from moto.core import DEFAULT_ACCOUNT_ID

    backend = get_backend(service)[DEFAULT_ACCOUNT_ID]  # type: ignore[call-overload]
    backend = backend["us-east-1"] if "us-east-1" in backend else backend["aws"]
    settings = [(iso, endpoints) for iso in ("false", "true") for endpoints in ("", "https://s3.local.test")]
    maps = []
    for iso, endpoints in [*settings, settings[0]]:
        monkeypatch.setenv("MOTO_ENABLE_ISO_REGIONS", iso)
        monkeypatch.setenv("MOTO_S3_CUSTOM_ENDPOINTS", endpoints)
        own = backend.urls
        with remembered_envelope():
            first, again = backend.urls, backend.urls
        assert first == own == again
        assert first is not again  # a copy each time: a caller cannot change the remembered map
        maps.append(own)
    if service == "s3":  # the settings do change S3's map: a remembered one must follow them
        assert maps[0] != maps[1]


@pytest.fixture(scope="module")
def ddb() -> Iterator[Any]:
    import boto3
    from moto import mock_aws

    with mock_aws():
        client = boto3.client("dynamodb", region_name="us-east-1")
        for name in ("plain", "levers"):
            create_keyed_table(client, name)
        yield client


counters = st.lists(st.sampled_from(["offered", "answered", "a|b", "size", "ttl"]), unique=True, max_size=5)


def _rollup_update(names: list[str], missing_name: bool, extra_name: bool) -> dict[str, Any]:
    """An update shaped like the aggregator's rollup ADD (SET, if_not_exists, ADD of counters)."""
    placeholders = {"#q": "queue", "#s": "period_start"}
    values: dict[str, Any] = {":q": {"S": "general"}, ":s": {"S": "2026-12-02"}}
    adds = []
    for index, name in enumerate(names):
        placeholders[f"#c{index}"] = name
        values[f":c{index}"] = {"N": str(index + 1)}
        adds.append(f"#c{index} :c{index}")
    if missing_name and names:
        placeholders.pop("#c0")
    if extra_name:
        placeholders["#unused"] = "unused"
    expression = "SET #q = :q, #s = if_not_exists(#s, :s)" + (" ADD " + ", ".join(adds) if adds else "")
    return {
        "UpdateExpression": expression,
        "ExpressionAttributeNames": placeholders,
        "ExpressionAttributeValues": values,
    }


def _answer(client: Any, call: Any) -> Any:
    try:
        answer = call()
        answer.pop("ResponseMetadata", None)
        answer.pop("ConsumedCapacity", None)  # names the table: the twins' names differ
        return answer
    except client.exceptions.ClientError as exc:
        return exc.response["Error"]["Code"], exc.response["Error"]["Message"]
    except Exception as exc:  # moto's own crash on a request (an undefined name in one place)
        return type(exc).__name__, str(exc)


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    updates=st.lists(
        st.tuples(counters, st.booleans(), st.booleans(), st.sampled_from(["update", "transact"])),
        min_size=1,
        max_size=4,
    )
)
def test_updates_answer_and_store_the_same_with_the_remembered_clauses(
    ddb: Any, updates: list[tuple[list[str], bool, bool, str]]
) -> None:
    """Given generated rollup-shaped updates (an undefined or an unused name placeholder among them),
    when each runs on moto's own code and on the levers (remembered envelope, cached trees and their
    clauses), one UpdateItem or inside a TransactWriteItems, then the answers, errors and stored items
    are the same."""
    key = {"pk": {"S": "ROLLUP#general"}, "sk": {"S": "2026-12-02"}}
    for table in ("plain", "levers"):
        ddb.delete_item(TableName=table, Key=key)
    for names, missing, extra, how in updates:
        request = _rollup_update(names, missing, extra)
        answers = []
        for table, levers in (("plain", False), ("levers", True)):
            update = {"TableName": table, "Key": key, **request}

            def call(update: dict[str, Any] = update, how: str = how) -> Any:
                if how == "update":
                    return ddb.update_item(**update, ReturnValues="ALL_NEW")
                return ddb.transact_write_items(TransactItems=[{"Update": update}])

            if levers:
                with remembered_envelope(), fast_updates():
                    answers.append(_answer(ddb, call))
            else:
                answers.append(_answer(ddb, call))
        assert answers[0] == answers[1]
        stored = [ddb.get_item(TableName=table, Key=key).get("Item") for table in ("plain", "levers")]
        assert stored[0] == stored[1]


def test_a_copy_of_a_cached_tree_is_searched_by_moto_not_remembered() -> None:
    """Given a cached update tree whose clauses were found once, when moto's validator copies it
    and changes the copy, then a search of the copy is moto's walk of the copy (not the cached
    tree's list), and the cached tree's answer still names its own nodes."""
    from moto.dynamodb.parsing.ast_nodes import ExpressionAttributeName
    from moto.dynamodb.parsing.expressions import UpdateExpressionParser

    with fast_updates():
        tree = UpdateExpressionParser.make("SET #a = :a ADD #b :b")
        found = tree.find_clauses([ExpressionAttributeName])
        twin = copy.deepcopy(tree)
        twin.children = []
        assert twin.find_clauses([ExpressionAttributeName]) == []
        again = tree.find_clauses([ExpressionAttributeName])
    assert [n.get_attribute_name_placeholder() for n in found] == ["#a", "#b"]
    assert again == found and again is not found
    assert all(a is b for a, b in zip(again, found, strict=True))
