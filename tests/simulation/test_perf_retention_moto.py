"""What the simulator lets moto forget (civicline.sim.moto_retention), checked against moto itself.

A stream record nobody can read is not kept, but the stream's numbering and every record a reader
can read are moto's own; moto's instance register keeps nothing while the day runs and is restored
after; all clients of the process share one botocore session (one copy of the endpoint data).
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from civicline.sim.moto_retention import day_retention, interned_names, unread_streams_only, untracked_models

TABLE = "retention-test"


@pytest.fixture
def streamed(local_aws: Any) -> Any:
    from functions.core.aws import client

    ddb = client("dynamodb")
    ddb.create_table(
        TableName=TABLE,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"},
    )
    return ddb


def _shard() -> Any:
    from moto.backends import get_backend

    return get_backend("dynamodb")["123456789012"]["us-east-1"].tables[TABLE].stream_shard


def _iterator(kind: str) -> tuple[Any, str]:
    """A shard iterator from moto's DynamoDB Streams backend (this moto's botocore route to
    DynamoDB Streams answers "Not yet implemented", so the backend is called directly)."""
    from moto.dynamodbstreams.models import dynamodbstreams_backends

    from functions.core.aws import client

    streams = dynamodbstreams_backends["123456789012"]["us-east-1"]
    arn = client("dynamodb").describe_table(TableName=TABLE)["Table"]["LatestStreamArn"]
    shard = streams.describe_stream(arn)["Shards"][0]["ShardId"]
    return streams, streams.get_shard_iterator(arn, shard, kind).arn


def _put(ddb: Any, *keys: str) -> None:
    for key in keys:
        ddb.put_item(TableName=TABLE, Item={"pk": {"S": key}, "n": {"N": "1"}})


def _read(streams: Any, iterator: str) -> list[tuple[str, str, str]]:
    records = streams.get_records(iterator, 100)["Records"]
    return [
        (r["eventName"], r["dynamodb"]["Keys"]["pk"]["S"], r["dynamodb"]["SequenceNumber"]) for r in records
    ]


def test_a_record_no_reader_can_fetch_is_not_kept_and_the_numbering_is_motos(streamed: Any) -> None:
    # Given a table with a stream and no reader
    _put(streamed, "before")  # moto keeps it: the simulator's retention is not on yet
    assert len(_shard().items) == 1
    horizon = _shard().starting_sequence_number
    # When items are written during the simulated day
    with unread_streams_only():
        _put(streamed, "a", "b", "c")
        # Then no record is kept, and the trim horizon moved past the four records written so far
        assert _shard().items == []
        assert _shard().starting_sequence_number == horizon + 4
        # And a reader that opens now reads the next change with the number moto would give it
        streams, iterator = _iterator("TRIM_HORIZON")
        _put(streamed, "d")
    assert _read(streams, iterator) == [("INSERT", "d", str(horizon + 4))]


def test_a_reader_gets_every_record_exactly_as_from_moto(streamed: Any) -> None:
    # Given one stream read by moto alone and its numbering
    streams, iterator = _iterator("LATEST")
    _put(streamed, "x", "y")
    expected = _read(streams, iterator)
    assert [key for _, key, _ in expected] == ["x", "y"]
    # When the simulator's retention is on and a reader holds an iterator
    streams, iterator = _iterator("LATEST")
    with unread_streams_only():
        _put(streamed, "z", "x")
        got = _read(streams, iterator)
    # Then the reader reads both changes, numbered right after moto's own
    last = int(expected[-1][2])
    assert got == [("INSERT", "z", str(last + 1)), ("MODIFY", "x", str(last + 2))]


def test_the_instance_register_keeps_nothing_during_the_day_and_is_restored(streamed: Any) -> None:
    from moto.dynamodb.models.table import StreamRecord

    # Given moto's register of stream records
    before = len(StreamRecord.instances_tracked)  # type: ignore[attr-defined]
    # When records are made inside the simulator's retention (a reader keeps them in the stream)
    streams, iterator = _iterator("LATEST")
    with untracked_models():
        _put(streamed, "p", "q")
        assert len(_read(streams, iterator)) == 2
        # Then the register did not grow
        assert len(StreamRecord.instances_tracked) == before  # type: ignore[attr-defined]
    # And after it moto registers again
    _put(streamed, "r")
    assert len(StreamRecord.instances_tracked) == before + 1  # type: ignore[attr-defined]


def test_the_retention_leaves_moto_as_it_was() -> None:
    from moto.core.common_models import BaseModel
    from moto.dynamodb.models.table import StreamShard

    # Given moto's own methods
    before = (BaseModel.__dict__["__new__"], StreamShard.add)

    # When the simulator's retention is installed and removed, also by an exception
    def failing_day() -> None:
        with day_retention():
            assert StreamShard.add is not before[1]
            raise RuntimeError("the day failed")

    with pytest.raises(RuntimeError):
        failing_day()
    # Then moto is exactly as it was
    assert (BaseModel.__dict__["__new__"], StreamShard.add) == before


def test_every_client_of_the_process_shares_one_session_until_reset(local_aws: Any) -> None:
    from functions.core.aws import client, reset_clients

    # Given clients of three services
    first = [client(s) for s in ("dynamodb", "sqs", "events")]
    # Then they share one loader: botocore's endpoint data is loaded once, not once per client
    assert len({id(c._loader) for c in first}) == 1
    # And each client still has its own event hooks (a fault on one client touches no other)
    assert first[0].meta.events is not first[1].meta.events
    # When the clients are reset (a test switches credentials or endpoints)
    reset_clients()
    # Then a new session is built
    assert client("dynamodb")._loader is not first[0]._loader


NAMES = st.text(alphabet="abcdefghij_#", min_size=1, max_size=8).filter(lambda n: n not in ("pk",))
VALUES = st.one_of(
    st.text(max_size=24).map(lambda s: {"S": s}),
    st.integers(-(10**6), 10**6).map(lambda n: {"N": str(n)}),
    st.dictionaries(NAMES, st.text(max_size=20).map(lambda s: {"S": s}), max_size=3).map(lambda m: {"M": m}),
)


@settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(items=st.lists(st.dictionaries(NAMES, VALUES, min_size=1, max_size=5), min_size=1, max_size=4))
def test_an_item_with_shared_names_reads_back_exactly_as_motos(local_aws: Any, items: list[Any]) -> None:
    import sys

    from moto.backends import get_backend

    from functions.core.aws import client

    ddb = client("dynamodb")
    name = local_aws.table("state")
    table = get_backend("dynamodb")["123456789012"]["us-east-1"].tables[name]

    def put_all(prefix: str) -> list[Any]:
        for i, attrs in enumerate(items):
            ddb.put_item(TableName=name, Item={"pk": {"S": f"{prefix}{i}"}, "sk": {"S": "STATE"}, **attrs})
        keys = [{"pk": {"S": f"{prefix}{i}"}, "sk": {"S": "STATE"}} for i in range(len(items))]
        return [
            {k: v for k, v in ddb.get_item(TableName=name, Key=k)["Item"].items() if k != "pk"} for k in keys
        ]

    # Given items put and read back by moto alone
    expected = put_all("moto#")
    # When the same items are put and read back with shared names
    with interned_names():
        got = put_all("shared#")
    # Then every answer is moto's, and the stored names are the shared copies
    assert got == expected
    stored = [i for i in table.all_items() if str(i.hash_key.value).startswith("shared#")]
    assert all(sys.intern(n) is n for item in stored for n in item.attrs)
