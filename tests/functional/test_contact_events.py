"""The aggregator Lambda under moto: real conformance events, every delivery shape, the local pump,
malformed input, failures (batchItemFailures, dead letters) and batched writes."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from civicline.metrics.pipeline import pump
from functions.adapters.metrics_dynamo import DynamoMetricsStore
from functions.core.aws import client
from functions.handlers.contact_events import handler, rules_from_settings
from tests.conftest import conformance_files, load_json
from tests.metrics.conftest import envelope, rollups, sqs_event, stream_event
from tests.metrics.lifecycles import BASE, Lifecycle

QUEUE_ARN = (
    "arn:aws:connect:us-east-1:123456789012:instance/00000000-0000-4000-8000-000000000001/queue/general"
)


def store_of(local_aws: Any) -> DynamoMetricsStore:
    return DynamoMetricsStore(local_aws.table("metrics"), client("dynamodb"), rules_from_settings())


def answered(contact_id: str, at: datetime, wait: int = 20) -> dict[str, Any]:
    enq = at.strftime("%Y-%m-%dT%H:%M:%S.000Z")
    agt = (at + timedelta(seconds=wait)).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    return {
        "eventType": "CONNECTED_TO_AGENT",
        "contactId": contact_id,
        "initiationMethod": "INBOUND",
        "channel": "VOICE",
        "initiationTimestamp": enq,
        "queueInfo": {"queueArn": QUEUE_ARN, "enqueueTimestamp": enq},
        "agentInfo": {"agentArn": "a", "connectedToAgentTimestamp": agt},
    }


def test_conformance_events_are_counted_as_hand_computed(local_aws: Any) -> None:
    # Given every real EventBridge sample in shared/conformance/events, delivered as Lambda receives them
    envelopes = [load_json(p) for p in conformance_files("events", "eventbridge__")]
    assert len(envelopes) >= 5
    # When the handler gets them one by one (direct EventBridge target) and again as an SQS batch
    for item in envelopes:
        assert handler(item, None)["summary"]["skipped"] == {}
    response = handler(sqs_event(envelopes), None)
    assert response["batchItemFailures"] == []
    stored = rollups(store_of(local_aws), "day")
    got = {key: {k: v for k, v in counters.items() if "|" not in k} for key, counters in stored.items()}
    # Then, by hand: the 2021-08-04 INBOUND call queued 17:29:04 and answered 17:29:09 (5 s) ...
    docs_queue = "12345678-1234-1234-1234-123456789012"
    # (each counter again under the call's channel, and the call an A-11 customer of GENERAL/VOICE)
    families = {k: v for k, v in stored[(docs_queue, "2021-08-04")].items() if "|" in k}
    plain = got[(docs_queue, "2021-08-04")]
    assert families == {**{f"ch|VOICE|{k}": v for k, v in plain.items()}, "a11v|customers|GENERAL|VOICE": 1}
    assert got[(docs_queue, "2021-08-04")] == {
        "inbound_contacts": 1,
        "offered": 1,
        "answered": 1,
        "answer_time_sum_ms": 5000,
        "answer_time_count": 1,
        "answered_within_threshold": 1,
        "removed_within_threshold": 1,
    }
    # ... the archived 2021 sample and the OUTBOUND disconnect share that contactId (11111111-...): they
    # merge into the same contact, which is counted once (INBOUND wins over OUTBOUND, the queue with
    # an enqueue time over the bare "arn"); the minimal INBOUND DISCONNECTED (no queue, no reason) is
    # an inbound contact and nothing else.
    assert got[("IVR", "2021-08-29")] == {"inbound_contacts": 1}
    # The 2023-11-01 chat (initiationMethod API, as Connect records every StartChatContact chat:
    # integrate-with-startchatcontact-api.html) is the customer's own contact, queued at 18:33:03 and
    # still waiting: an inbound contact offered to its queue, neither answered nor abandoned yet
    chat = got[(docs_queue, "2023-11-01")]
    assert (chat["inbound_contacts"], chat["offered"]) == (1, 1)
    assert not {"answered", "abandoned"} & set(chat)
    assert set(got) == {
        (docs_queue, "2021-08-04"),
        (docs_queue, "2023-11-01"),
        ("IVR", "2021-08-29"),
        ("ALL", "2021-08-04"),
        ("ALL", "2021-08-29"),
        ("ALL", "2023-11-01"),
    }
    assert got[("ALL", "2021-08-04")] == got[(docs_queue, "2021-08-04")]


@pytest.mark.parametrize("transactional", [False, True], ids=["sequential", "transactional"])
def test_pump_drains_the_bus_and_replays_tables_idempotently(local_aws: Any, transactional: bool) -> None:
    # Given a queued callback request (callbacks table), its inbound contact's events on the bus,
    # an answered call, and a survey stored by the survey function's adapter
    from functions.adapters import surveys
    from schemas.records import SurveyResponse

    life = Lifecycle("cb1", "callback_table", "general", BASE, callback_outcome="connected").build()
    from functions.adapters.dynamo import to_item

    client("dynamodb").put_item(
        TableName=local_aws.table("callbacks"), Item=to_item(life.callback_item or {})
    )
    surveys.put_once(
        SurveyResponse(
            contact_id="a1",
            submitted_at=BASE + timedelta(minutes=10),
            service="tax-help",
            queue="general",
            fcr_times_called=1,
            fcr_all_answered=True,
            drivers={"trust": 5, "ease": 3},
            complete=True,
        )
    )
    local_aws.put_contact_events([e.detail for e in life.events] + [answered("a1", BASE)])
    # When the pump runs twice
    first = pump(local_aws, transactional=transactional)
    before = rollups(store_of(local_aws))
    second = pump(local_aws, transactional=transactional)
    # Then the funnel is counted once, the survey once, and the second pump changes nothing
    assert first.events == len(life.events) + 1
    assert first.table_items == 2
    assert first.dead_letters == []
    assert second.events == 0
    assert rollups(store_of(local_aws)) == before
    day = rollups(store_of(local_aws), "day")[("general", "2026-11-23")]
    assert day["offered"] == 2
    assert day["answered"] == 1
    assert (day["callbacks_accepted"], day["callbacks_dialed"], day["callbacks_connected"]) == (1, 1, 1)
    assert "abandoned" not in day
    assert day["survey_responses"] == 1
    assert day["fcr_survey_yes"] == day["fcr_survey_responses"] == 1
    assert (day["driver_sum|trust"], day["driver_count|ease"], day["a11|tax-help|VOICE|ease|3"]) == (5, 1, 1)


def test_malformed_and_unknown_records_are_counted_not_fatal(local_aws: Any) -> None:
    # Given an SQS batch with bad JSON, a non-Connect event, an unknown type, a detail without
    # contactId, and one good event
    good = envelope(answered("g1", BASE))
    other = {**envelope(answered("x", BASE)), "source": "aws.s3"}
    unknown = envelope({"eventType": "SOMETHING_NEW", "contactId": "u1"})
    broken = envelope({"eventType": "QUEUED"})
    event = sqs_event([good, other, unknown, broken])
    event["Records"].append({"messageId": "bad", "body": "{not json", "eventSource": "aws:sqs"})
    # When handled
    response = handler(event, None)
    # Then nothing fails, the skipped records are counted by reason, and the good one is aggregated
    assert response["batchItemFailures"] == []
    assert response["summary"]["skipped"] == {
        "malformed": 2,
        "not_contact_event": 1,
        "unknown_event_type": 1,
    }
    assert rollups(store_of(local_aws), "day")[("general", "2026-11-23")]["answered"] == 1
    # And a stream record that is neither a survey nor a callback request is ignored, not failed
    stream = stream_event([{"pk": "OPEN#k#general", "sk": "OPEN"}])
    assert handler(stream, None)["batchItemFailures"] == []
    # And an event of no known shape is reported, not raised
    assert handler({"hello": "world"}, None)["summary"]["skipped"] == {"malformed": 1}


def test_storage_failure_reports_every_record_and_dead_letters_in_the_pump(
    local_aws: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a metrics table that does not exist (DynamoDB fails on every call)
    from functions.core.settings import reset_settings

    monkeypatch.setenv("METRICS_TABLE", "no-such-table")
    reset_settings()
    batch = sqs_event([envelope(answered("f1", BASE)), envelope(answered("f2", BASE))])
    # When an SQS batch is handled, Then both records are reported for retry (then the DLQ)
    response = handler(batch, None)
    assert sorted(f["itemIdentifier"] for f in response["batchItemFailures"]) == ["m0", "m1"]
    # And as a direct EventBridge target the invocation raises, so EventBridge retries / dead-letters
    with pytest.raises(Exception, match=r"ResourceNotFound|not found"):
        handler(envelope(answered("f3", BASE)), None)
    # And the local pump keeps what still fails after its retries as dead letters
    local_aws.put_contact_events([answered("f4", BASE)])
    report = pump(local_aws, tables=False, retries=1)
    assert [d["detail"]["contactId"] for d in report.dead_letters] == ["f4"]


def test_one_update_per_touched_rollup_item_per_invocation(local_aws: Any) -> None:
    # Given ten events of ten contacts in the same queue and interval (and their duplicates)
    calls: list[dict[str, Any]] = []
    ddb = client("dynamodb")
    original = ddb.transact_write_items

    def spy(**kwargs: Any) -> Any:
        calls.append(kwargs)
        return original(**kwargs)

    ddb.transact_write_items = spy
    events = [envelope(answered(f"b{i}", BASE + timedelta(seconds=i))) for i in range(10)]
    # When one invocation handles them
    response = handler(sqs_event(events), None)
    # Then one transaction writes 10 contact states and 6 rollup items (general + ALL, 3 grains)
    assert response["summary"]["rollup_updates"] == 6
    assert len(calls) == 1
    updates = [a for a in calls[0]["TransactItems"] if "Update" in a]
    assert len(updates) == 6
    assert len({json.dumps(u["Update"]["Key"], sort_keys=True) for u in updates}) == 6
    # And a redelivery of the same batch writes nothing at all
    again = handler(sqs_event(events), None)
    assert again["summary"]["rollup_updates"] == 0
    assert len(calls) == 1
    assert rollups(store_of(local_aws), "quarter")[("ALL", "2026Q4")]["answered"] == 10


def test_late_events_move_a_contact_between_buckets_without_residue(local_aws: Any) -> None:
    # Given only a DISCONNECTED event with no timestamps (bucketed by the envelope time)
    late = datetime(2026, 11, 23, 18, 7, tzinfo=UTC)
    first = envelope(
        {
            "eventType": "DISCONNECTED",
            "contactId": "m1",
            "initiationMethod": "INBOUND",
            "queueInfo": {"queueArn": QUEUE_ARN},
            "disconnectReason": "CUSTOMER_DISCONNECT",
        }
    )
    first["time"] = late.isoformat()
    handler(first, None)
    # When the QUEUED event with the enqueue time arrives afterwards
    handler(
        envelope(
            {
                "eventType": "QUEUED",
                "contactId": "m1",
                "initiationMethod": "INBOUND",
                "queueInfo": {"queueArn": QUEUE_ARN, "enqueueTimestamp": "2026-11-23T14:02:00.000Z"},
            }
        ),
        None,
    )
    # Then the abandon sits in the 14:00 interval only; the 18:00 interval went back to zero
    got = rollups(store_of(local_aws))
    assert got[("general", "2026-11-23T14:00:00Z")]["abandoned"] == 1
    assert ("general", "2026-11-23T18:00:00Z") not in got


def test_single_writer_mode_is_scoped(monkeypatch: pytest.MonkeyPatch) -> None:
    from civicline.metrics.pipeline import single_writer
    from functions.handlers.contact_events import COMMIT_MODE_ENV

    # Given no commit mode set (as in AWS)
    monkeypatch.delenv(COMMIT_MODE_ENV, raising=False)
    # When a local single-writer block runs, Then sequential commits apply only inside it
    with single_writer():
        assert os.environ[COMMIT_MODE_ENV] == "sequential"
    assert COMMIT_MODE_ENV not in os.environ


def test_published_totals_are_net_deltas_so_a_redelivery_adds_nothing(local_aws: Any) -> None:
    # Given two answered calls (20 s and 40 s in queue) delivered as one SQS batch
    at = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)
    batch = sqs_event([envelope(answered("pub-1", at, 20)), envelope(answered("pub-2", at, 40))])
    # When the handler aggregates them, then gets the same batch again (an SQS redelivery)
    first = handler(batch, None)["summary"]["totals"]
    again = handler(batch, None)["summary"]["totals"]
    # Then the first run reports what the dashboard's CloudWatch metrics need, across all queues once
    assert first["offered"] == 2
    assert first["answered"] == 2
    assert first["answer_time_sum_ms"] == 60_000
    # and the redelivery reports no change, so CloudWatch sums match the rollups
    assert all(value == 0 for value in again.values())


def test_a_poison_record_fails_alone_and_its_batch_mates_are_aggregated(local_aws: Any) -> None:
    # Given an SQS batch of nine valid answered calls and, in the middle, one record whose commit
    # DynamoDB always refuses (a queue ARN so long that its rollup key passes the 2,048-byte limit)
    poison = answered("poison", BASE)
    poison["queueInfo"]["queueArn"] = QUEUE_ARN + "x" * 2100
    details = [answered(f"ok{i}", BASE + timedelta(seconds=i)) for i in range(9)]
    details.insert(4, poison)
    batch = sqs_event([envelope(d) for d in details])
    # When the handler aggregates the batch
    response = handler(batch, None)
    # Then only the poison record is reported for retry
    assert response["batchItemFailures"] == [{"itemIdentifier": "m4"}]
    assert response["summary"]["failed"] == 1
    # And its nine batch-mates are counted, once
    day = rollups(store_of(local_aws), "day")[("general", "2026-11-23")]
    assert day["answered"] == 9
    # And the SQS redelivery of the failed record alone fails again, and changes nothing else
    again = handler({"Records": [batch["Records"][4]]}, None)
    assert again["batchItemFailures"] == [{"itemIdentifier": "m4"}]
    assert rollups(store_of(local_aws), "day")[("general", "2026-11-23")]["answered"] == 9


def test_a_poison_stream_record_fails_alone(local_aws: Any) -> None:
    # Given a surveys stream batch of two good surveys and one whose queue name is too long a key
    good = {
        "contact_id": "s1",
        "submitted_at": "2026-11-23T14:05:00+00:00",
        "service": "tax-help",
        "queue": "general",
        "channel": "VOICE",
        "drivers": {"trust": 5},
        "complete": True,
    }
    bad = {**good, "contact_id": "s2", "queue": "q" * 2100}
    event = stream_event([good, bad, {**good, "contact_id": "s3"}])
    # When handled, Then only the bad record's sequence number is reported
    response = handler(event, None)
    assert response["batchItemFailures"] == [{"itemIdentifier": "1"}]
    assert rollups(store_of(local_aws), "day")[("general", "2026-11-23")]["survey_responses"] == 2


def test_a_throttled_table_fails_the_batch_without_bisecting_it(local_aws: Any, aws_faults: Any) -> None:
    # Given DynamoDB throttling every write (nothing about any one record)
    faults = aws_faults("dynamodb")
    faults.throttle("TransactWriteItems", times=None)
    batch = sqs_event([envelope(answered(f"t{i}", BASE)) for i in range(8)])
    # When handled, Then every record is reported for retry
    response = handler(batch, None)
    assert sorted(f["itemIdentifier"] for f in response["batchItemFailures"]) == [f"m{i}" for i in range(8)]
    # And the batch was not split into ever smaller retries (a throttle is not a poison record)
    assert faults.stored_calls("TransactWriteItems") == 0
    assert len([op for op in faults.operations() if op == "TransactWriteItems"]) <= 4
