"""The e-mail backlog function: what waits per queue and how old the oldest is, published to CloudWatch.

The definition (functions/domain/email_backlog.py) is checked against a model of single e-mails
(hypothesis); the real Lambda entry point reads the rollups the real aggregator stored from
Connect-shaped contact events on moto, and its EMF output is read back from stdout. Faults are
injected at botocore on the functions' own client.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from botocore.exceptions import ClientError
from hypothesis import given, settings
from hypothesis import strategies as st

from civicline.metrics.channels import email_backlog as dashboard_backlog
from civicline.metrics.queries import query
from functions.domain.email_backlog import IntervalEmails, email_backlog
from functions.domain.metrics_cloudwatch import QUEUE_DIMENSION
from functions.domain.metrics_registry import GAUGES_BY_NAME
from functions.handlers import email_backlog as backlog_function
from functions.handlers.contact_events import default_store, process, rules_from_settings
from schemas.records import Grain
from tests.functional.conftest import Clock
from tests.metrics.conftest import envelope, sqs_event
from tests.metrics.test_channels import contact

START = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)
QUARTER = timedelta(minutes=15)
WAITING_NAME = GAUGES_BY_NAME["email_backlog"].cloudwatch.name
AGE_NAME = GAUGES_BY_NAME["email_backlog_oldest_age_seconds"].cloudwatch.name
MALFORMED_NAME = GAUGES_BY_NAME["email_backlog_malformed_rows"].cloudwatch.name


# --- the definition, against single e-mails ---------------------------------------------------------


def slot(moment: datetime) -> datetime:
    return moment.replace(minute=moment.minute - moment.minute % 15, second=0, microsecond=0)


def rows_of(mails: list[tuple[str, datetime, str]]) -> list[IntervalEmails]:
    """What the aggregator stores for these e-mails: per queue and 15-minute slot of arrival, the
    received, answered and closed counts."""
    counts: dict[tuple[str, datetime], list[int]] = {}
    for queue, arrived, state in mails:
        c = counts.setdefault((queue, slot(arrived)), [0, 0, 0])
        c[0] += 1
        c[1] += state == "answered"
        c[2] += state == "closed"
    return [IntervalEmails(q, s, r, a, c) for (q, s), (r, a, c) in counts.items()]


mail = st.tuples(
    st.sampled_from(["general", "tier2", "appeals"]),
    st.integers(0, 3 * 24 * 60 * 60).map(lambda s: START + timedelta(seconds=s)),
    st.sampled_from(["waiting", "answered", "closed"]),
)


@settings(max_examples=200, deadline=None)
@given(mails=st.lists(mail, max_size=40), seed=st.integers(0, 2**32 - 1), late=st.integers(0, 10**6))
def test_backlog_counts_every_waiting_email_and_ages_the_oldest_never_younger_than_it_is(
    mails: list[tuple[str, datetime, str]], seed: int, late: int
) -> None:
    # Given e-mails arriving over three days in three queues, some answered, some closed, and the
    # aggregator's 15-minute rows of them in any order
    now = START + timedelta(days=3, seconds=late)
    rows = rows_of(mails)
    random.Random(seed).shuffle(rows)
    # When the backlog is read
    reading = email_backlog(rows, now)
    by_queue = {b.queue: b for b in reading.queues}
    # Then every queue that received e-mail is listed, with exactly its waiting e-mails
    assert set(by_queue) == {q for q, _, _ in mails}
    for queue, backlog in by_queue.items():
        waiting = [t for q, t, s in mails if q == queue and s == "waiting"]
        assert backlog.waiting == len(waiting)
        if not waiting:
            assert backlog.oldest is None and backlog.age_seconds is None
            continue
        # And the oldest's age is its true age, rounded up to its interval's start: at most 15
        # minutes older, never younger (an alarm on it fires early, never late)
        true_age = (now - min(waiting)).total_seconds()
        assert backlog.age_seconds is not None
        assert true_age <= backlog.age_seconds < true_age + QUARTER.total_seconds()
    assert reading.waiting == sum(s == "waiting" for _, _, s in mails)
    assert reading.malformed == 0


@settings(max_examples=100, deadline=None)
@given(
    mails=st.lists(mail, max_size=20),
    bad=st.lists(
        st.sampled_from(
            [
                IntervalEmails("general", None, 3, 0, 0),
                IntervalEmails("tier2", START, -1, 0, 0),
                IntervalEmails("appeals", START, 2.5, 0, 0),
            ]
        ),
        max_size=5,
    ),
)
def test_malformed_rows_are_counted_and_change_nothing_else(
    mails: list[tuple[str, datetime, str]], bad: list[IntervalEmails]
) -> None:
    # Given well-formed rows and rows without an interval start or with impossible counters
    now = START + timedelta(days=4)
    clean = email_backlog(rows_of(mails), now)
    # When the backlog is read over both
    mixed = email_backlog([*rows_of(mails), *bad], now)
    # Then each malformed row is counted, and the backlog is that of the well-formed rows alone
    assert mixed.malformed == len(bad)
    assert mixed.queues == clean.queues
    assert set(mixed.malformed_queues) == {b.queue for b in bad}


# --- the function, on the rollups the aggregator stored ---------------------------------------------


@pytest.fixture
def emf_on(monkeypatch: pytest.MonkeyPatch) -> None:
    """EMF written (the suite disables it)."""
    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "false")


@pytest.fixture
def at() -> Iterator[Clock]:
    from functions.core.clock import set_clock

    c = Clock(START + timedelta(hours=21))
    set_clock(c)
    yield c
    set_clock(None)


def emf_documents(out: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in out.splitlines() if line.startswith("{") and '"_aws"' in line]


def published(out: str) -> dict[str | None, dict[str, float]]:
    """``{queue or None (stack-wide): {metric: value}}`` of the backlog EMF documents."""
    out_map: dict[str | None, dict[str, float]] = {}
    for doc in emf_documents(out):
        directive = doc["_aws"]["CloudWatchMetrics"][0]
        assert directive["Namespace"] == "CivicLine"
        names = [m["Name"] for m in directive["Metrics"]]
        values = {n: float(sum(doc[n]) if isinstance(doc[n], list) else doc[n]) for n in names}
        out_map[doc.get(QUEUE_DIMENSION)] = values
    return out_map


def store_emails(details: list[dict[str, Any]]) -> None:
    """Contact events through the real aggregator into the configured metrics table."""
    response = process(sqs_event([envelope(d) for d in details]), default_store(), rules_from_settings())
    assert response["batchItemFailures"] == []


def the_day() -> list[dict[str, Any]]:
    """In general: one e-mail answered after 2 h, one waiting since 14:20; in tier2: one closed
    unanswered, one waiting since 16:05 (times UTC)."""
    return [
        *contact("m-1", "EMAIL", START, queue="general", agent_after=timedelta(hours=2)),
        *contact("m-2", "EMAIL", START + timedelta(minutes=20), queue="general"),
        *contact("m-3", "EMAIL", START, queue="tier2", closed_after=timedelta(hours=1)),
        *contact("m-4", "EMAIL", START + timedelta(hours=2, minutes=5), queue="tier2"),
        *contact("v-1", "VOICE", START, queue="status", agent_after=timedelta(seconds=30)),
    ]


def test_the_function_publishes_each_queues_backlog_and_the_oldest_age(
    local_aws: Any, emf_on: None, at: Clock, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given the day's e-mails stored by the aggregator, read 21 hours after 14:00
    store_emails(the_day())
    capsys.readouterr()
    # When the scheduled function runs
    summary = backlog_function.handler({"source": "aws.events"}, None)
    docs = published(capsys.readouterr().out)
    # Then each registry queue has its document: general 1 waiting since 14:15 (20 h 45 min),
    # tier2 1 since 16:00, the voice-only status queue and the others 0
    assert docs["general"] == {WAITING_NAME: 1, AGE_NAME: timedelta(hours=20, minutes=45).total_seconds()}
    assert docs["tier2"] == {WAITING_NAME: 1, AGE_NAME: timedelta(hours=19).total_seconds()}
    assert docs["status"] == {WAITING_NAME: 0, AGE_NAME: 0}
    assert set(docs) == {*backlog_function.BACKLOG_QUEUES, None}
    # And the stack-wide document (what the alarms read) sums the queues and takes the oldest age
    assert docs[None] == {WAITING_NAME: 2, AGE_NAME: 74700.0, MALFORMED_NAME: 0}
    assert summary["waiting"] == 2 and summary["queues"] == {"general": 1, "tier2": 1}


def test_the_function_and_the_dashboard_read_the_same_backlog(local_aws: Any, at: Clock) -> None:
    # Given the day's e-mails stored by the aggregator
    store_emails(the_day())
    store = default_store()
    # When the dashboard's reading and the function's are taken at the same moment
    rows = query(store, grain=Grain.INTERVAL)
    dashboard = {b.queue: b for b in dashboard_backlog([r for r in rows if r.rollup.queue != "ALL"], at())}
    function = {b.queue: b for b in backlog_function.read(at()).queues}
    # Then they are the same figures, queue by queue
    assert function == {q: b for q, b in dashboard.items() if q in backlog_function.BACKLOG_QUEUES}
    assert function["general"].waiting == 1


def test_a_throttled_read_fails_the_run_and_publishes_nothing(
    local_aws: Any, emf_on: None, at: Clock, aws_faults: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given stored e-mails, and DynamoDB throttling the read of the third queue (after botocore's
    # own retries)
    store_emails(the_day())
    capsys.readouterr()
    faults = aws_faults("dynamodb")
    third = f"ROLLUP#{backlog_function.BACKLOG_QUEUES[2]}#15m"
    faults.throttle("Query", match=lambda _, p: p["ExpressionAttributeValues"][":pk"]["S"] == third)
    # When the scheduled function runs
    with pytest.raises(ClientError) as raised:
        backlog_function.handler({}, None)
    # Then the run fails (the next schedule reads again) and no metric at all was published: not
    # the two queues read before the fault, not a stack-wide figure that would look too small
    assert raised.value.response["Error"]["Code"] == "ProvisionedThroughputExceededException"
    assert faults.fired() == 1
    assert emf_documents(capsys.readouterr().out) == []


def test_a_row_without_its_interval_start_is_counted_malformed_not_a_crash(
    local_aws: Any,
    emf_on: None,
    at: Clock,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    from functions.core.aws import client
    from functions.core.settings import get_settings

    # Given the day's e-mails, a general row that lost its interval start, and a tier2 row whose
    # counter is not a number
    store_emails(the_day())
    ddb, table = client("dynamodb"), get_settings().table("metrics")
    ddb.put_item(
        TableName=table,
        Item={
            "pk": {"S": "ROLLUP#general#15m"},
            "sk": {"S": "2026-11-23T18:00:00Z"},
            "emails_received": {"N": "4"},
        },
    )
    ddb.put_item(
        TableName=table,
        Item={
            "pk": {"S": "ROLLUP#tier2#15m"},
            "sk": {"S": "2026-11-23T18:15:00Z"},
            "period_start": {"S": "2026-11-23T18:15:00+00:00"},
            "emails_received": {"S": "two"},
        },
    )
    capsys.readouterr()
    # When the scheduled function runs
    summary = backlog_function.handler({}, None)
    out = capsys.readouterr().out
    docs = published(out)
    # Then the run succeeds, the two rows are counted as malformed, and the backlog is the rest's
    assert summary["malformed"] == 2
    assert docs[None][MALFORMED_NAME] == 2 and docs[None][WAITING_NAME] == 2
    assert docs["general"][WAITING_NAME] == 1
    # And the log names the queues to inspect, not any e-mail
    [warning] = [r for r in caplog.records if r.getMessage() == "malformed rollup rows skipped"]
    assert (warning.__dict__["rows"], warning.__dict__["queues"]) == (2, ["general", "tier2"])


def test_an_email_older_than_the_lookback_is_not_read(
    local_aws: Any, at: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    from functions.core.settings import reset_settings

    # Given an e-mail waiting since 14:20 and a lookback of 24 hours, read two days later
    store_emails(contact("m-2", "EMAIL", START + timedelta(minutes=20), queue="general"))
    monkeypatch.setenv("EMAIL_BACKLOG_LOOKBACK_HOURS", "24")
    reset_settings()
    at.moment = START + timedelta(days=2)
    # When the function reads the backlog
    reading = backlog_function.read(at())
    # Then the e-mail is outside the window (the documented limit: the past-deadline alarm has
    # fired for a day by then)
    assert reading.waiting == 0
    monkeypatch.delenv("EMAIL_BACKLOG_LOOKBACK_HOURS")
    reset_settings()


# --- the local dashboard's backlog table: the figures and thresholds the CloudWatch alarms use -----


def test_the_local_dashboard_shows_each_queue_and_all_queues_against_the_deadline(
    local_aws: Any, at: Clock
) -> None:
    from civicline.metrics.dashboard import backlog_rows

    # Given the day's e-mails, read 21 h after 14:00 and again 4 h later
    store_emails(the_day())
    rows = [r for r in query(default_store(), grain=Grain.INTERVAL) if r.rollup.queue != "ALL"]
    # When the dashboard's backlog table is rendered
    html = backlog_rows(dashboard_backlog(rows, at()), UTC)
    later = backlog_rows(dashboard_backlog(rows, at() + timedelta(hours=4)), UTC)
    # Then general's oldest (20.75 h) is past the warning age, tier2's (19 h) on time, and the row
    # of every queue together (what the stack's alarms read) carries the total and the oldest age
    assert "<tr><td>general</td><td>1</td><td>2026-11-23 14:15 UTC</td><td>20.8</td><td>warning</td>" in html
    assert "<tr><td>tier2</td><td>1</td><td>2026-11-23 16:00 UTC</td><td>19.0</td><td>on time</td>" in html
    assert (
        "<tr><td>All queues</td><td>2</td><td>2026-11-23 14:15 UTC</td><td>20.8</td><td>warning</td>" in html
    )
    # And four hours later general's e-mail is past its 24 h deadline
    assert "<td>24.8</td><td>deadline passed</td>" in later
