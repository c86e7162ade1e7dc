"""Every handler's main paths, invoked through its registry entry point as the stack deploys it.

Each scenario runs the real ``functions/handlers/*`` entry point under
:meth:`~civicline.local.deployed.DeployedStack.as_function` with Connect-shaped events (the
functional tests' shape), so the environment, tables and IAM are the synthesized template's.
Amazon Connect's ``StartOutboundVoiceContact`` is not on moto: it is answered at ``before-call``,
after the IAM enforcer has authorized it, with the response shape Connect documents.
"""

from __future__ import annotations

import copy
import importlib
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

from civicline.data.demo import demo_cases
from civicline.local.aws_faults import AwsFaults, _Http
from civicline.local.deployed import DeployedStack
from functions.core.aws import client
from infra.registry import FUNCTIONS_BY_NAME
from tests.conftest import conformance_files, load_json
from tests.functional.conftest import CALLER, NOW, Clock, make_event


class Context:
    """The parts of Lambda's context object the handlers and Powertools read."""

    def __init__(self, name: str) -> None:
        self.function_name = name
        self.memory_limit_in_mb = 256
        self.invoked_function_arn = f"arn:aws:lambda:us-east-1:123456789012:function:{name}"
        self.aws_request_id = "00000000-0000-4000-8000-00000000c0de"

    def get_remaining_time_in_millis(self) -> int:
        return 8000


def entry_point(function: str) -> Callable[[Any, Any], Any]:
    module, attribute = FUNCTIONS_BY_NAME[function].handler.rsplit(".", 1)
    handler: Callable[[Any, Any], Any] = getattr(importlib.import_module(module), attribute)
    return handler


@contextmanager
def connect_places_calls(placed: list[str]) -> Iterator[None]:
    """Answer StartOutboundVoiceContact as Connect does (a new ContactId), after IAM allowed it.

    A ``placed`` list that starts with ``""`` answers the first call without a ContactId (the
    dispatcher then counts the callback as reached and closes it)."""
    from functions.core.aws import client

    connect = client("connect")

    def answer(model: Any, **_: Any) -> Any:
        if model.name != "StartOutboundVoiceContact":
            return None
        if placed and placed[0] == "":
            placed.pop(0)
            return _Http(200, ""), {"ResponseMetadata": {"HTTPStatusCode": 200}}
        placed.append(f"out-{len(placed) + 1:04d}")
        return _Http(200, ""), {"ContactId": placed[-1], "ResponseMetadata": {"HTTPStatusCode": 200}}

    # the service-level event, after the IAM enforcer registered first there (an operation-level
    # handler would run before it: botocore calls the most specific event's handlers first)
    connect.meta.events.register("before-call.connect", answer)
    try:
        yield
    finally:
        connect.meta.events.unregister("before-call.connect", answer)


def invoke(stack: DeployedStack, function: str, event: Any, placed: list[str] | None = None) -> Any:
    with stack.as_function(function):
        if placed is None:
            return entry_point(function)(event, Context(function))
        with connect_places_calls(placed):
            return entry_point(function)(event, Context(function))


# --- the Connect-facing functions ----------------------------------------------------------------


def routing(stack: DeployedStack) -> dict[str, Any]:
    return {
        "route": invoke(stack, "routing", make_event({"action": "route", "intent": "CONSULTATION"}, "r-1")),
        "redirect": invoke(
            stack, "routing", make_event({"action": "route", "intent": "REDIRECT", "topic": "1"}, "r-2")
        ),
        "knowledge": invoke(stack, "routing", make_event({"action": "knowledge", "topic": "1"}, "r-3")),
        "office": invoke(
            stack, "routing", make_event({"action": "office", "intent": "REDIRECT", "topic": "2"}, "r-4")
        ),
        "repeat": invoke(
            stack, "routing", make_event({"action": "route", "intent": "REDIRECT", "topic": "1"}, "r-5")
        ),
        # a rule with a queue and no office: the history is read (a repeat could name one), not written
        "no_office": invoke(stack, "routing", make_event({"action": "route", "intent": "OPERATOR"}, "r-7")),
    }


def routing_open_case(stack: DeployedStack, case_number: str) -> Any:
    params = {"action": "route", "intent": "CASE_STATUS", "caseNumber": case_number}
    return invoke(stack, "routing", make_event(params, "r-6"))


def case_status(stack: DeployedStack) -> dict[str, Any]:
    case = demo_cases()[2]
    wrong = "0000" if case.pin != "0000" else "1111"

    def lookup(pin: str, contact: str) -> Any:
        return invoke(stack, "case_status", make_event({"caseNumber": case.case_number, "pin": pin}, contact))

    return {
        "found": lookup(case.pin, "s-1"),
        "wrong": lookup(wrong, "s-2"),
        "retried": lookup(wrong, "s-2"),  # Connect's retry of the same attempt: counted once
    }


def appeals(stack: DeployedStack) -> dict[str, Any]:
    event = make_event({"category": "APPEAL", "caseNumber": demo_cases()[0].case_number}, "a-1")
    return {
        "registered": invoke(stack, "appeals", event),
        "retried": invoke(stack, "appeals", event),  # finds its own appeal: same receipt
        "identity_theft": invoke(stack, "appeals", make_event({"category": "IDENTITY_THEFT"}, "a-2")),
    }


def callback(stack: DeployedStack) -> dict[str, Any]:
    hold = {"mode": "VIRTUAL_HOLD", "queueName": "general"}
    return {
        "virtual_hold": invoke(stack, "callback", make_event(hold, "b-1")),
        "existing": invoke(stack, "callback", make_event(hold, "b-2")),
        "scheduled": invoke(
            stack, "callback", make_event({"mode": "SCHEDULED", "queueName": "status", "window": "3"}, "b-3")
        ),
    }


def survey(stack: DeployedStack) -> dict[str, Any]:
    answers = {"fcrAllAnswered": "1", "satisfaction": "5", "queueName": "general"}
    return {
        "stored": invoke(stack, "survey", make_event(answers, "v-1")),
        "again": invoke(stack, "survey", make_event(answers, "v-1")),
    }


# --- the event-driven functions ------------------------------------------------------------------

OUTBOUND_SAMPLE = next(
    p for p in conformance_files("events", "eventbridge__") if "disconnected-outbound" in p.stem
)


def outbound_event(contact_id: str, *, answered: bool) -> dict[str, Any]:
    event = copy.deepcopy(load_json(OUTBOUND_SAMPLE))
    event["detail"].update(eventType="DISCONNECTED", contactId=contact_id, initiationMethod="API")
    if not answered:
        event["detail"].pop("connectedToSystemTimestamp", None)
        event["detail"].pop("agentInfo", None)
    return event


SCHEDULE = {"source": "aws.events", "detail-type": "Scheduled Event", "detail": {}}


def book(stack: DeployedStack, contact: str, number: str) -> Any:
    params = {"mode": "SCHEDULED", "queueName": "general", "window": "1"}
    return invoke(stack, "callback", make_event(params, contact, number))


def dispatch_and_settle(stack: DeployedStack, clock: Clock) -> dict[str, Any]:
    """Scheduled callbacks come due and are dialed: one reached at once (closed by the dispatcher),
    one placed and not answered (due again), one placed and answered (closed by its events)."""
    start = clock.moment
    booked = [book(stack, "d-1", "+12025550141")]
    clock.moment = start + timedelta(days=1, hours=2)
    placed: list[str] = [""]
    first = invoke(stack, "callback_dispatcher", SCHEDULE, placed)
    clock.moment = start
    booked += [book(stack, "d-2", "+12025550142"), book(stack, "d-3", "+12025550143")]
    clock.moment = start + timedelta(days=1, hours=2)
    second = invoke(stack, "callback_dispatcher", SCHEDULE, placed)
    missed = invoke(stack, "callback_outcomes", outbound_event(placed[0], answered=False))
    reached = invoke(stack, "callback_outcomes", outbound_event(placed[-1], answered=True))
    unrelated = invoke(stack, "callback_outcomes", outbound_event("not-a-callback", answered=True))
    return {
        "booked": booked,
        "dispatched": [first, second],
        "placed": placed,
        "settled": [missed, reached],
        "unrelated": unrelated,
    }


def contact_events(stack: DeployedStack) -> dict[str, Any]:
    envelopes = [load_json(p) for p in conformance_files("events", "eventbridge__")]
    batch = {
        "Records": [
            {
                "messageId": f"m{i}",
                "receiptHandle": f"h{i}",
                "body": json.dumps(e),
                "attributes": {"ApproximateReceiveCount": "1"},
                "eventSource": "aws:sqs",
            }
            for i, e in enumerate(envelopes)
        ]
    }
    return {"sqs": invoke(stack, "contact_events", batch)}


# --- the channel functions: e-mail triage, notification consent, the notifier ---------------------

AGENCY_SENDER = "help@civicline.example"
CITIZEN_ADDRESS = "ana.citizen@example.org"


def verify_sender_identity() -> None:
    """The operator's step before e-mail works: the agency's sending identity verified in SES."""
    import boto3

    boto3.client("sesv2", region_name="us-east-1").create_email_identity(EmailIdentity=AGENCY_SENDER)


@contextmanager
def sms_accepts(sent: list[dict[str, Any]]) -> Iterator[None]:
    """Answer SendTextMessage as End User Messaging SMS does (a MessageId), after IAM allowed it
    (moto has no End User Messaging SMS); ``sent`` records what was accepted."""
    from civicline.local.aws_faults import _api_params
    from functions.core.aws import client

    sms = client("pinpoint-sms-voice-v2")

    def answer(model: Any, params: dict[str, Any], **_: Any) -> Any:
        if model.name != "SendTextMessage":
            return None
        sent.append(_api_params(params))
        body = {"MessageId": f"sms-{len(sent):04d}"}
        return _Http(200, json.dumps(body)), {**body, "ResponseMetadata": {"HTTPStatusCode": 200}}

    sms.meta.events.register("before-call.pinpoint-sms-voice-v2", answer)
    try:
        yield
    finally:
        sms.meta.events.unregister("before-call.pinpoint-sms-voice-v2", answer)


def email_triage(stack: DeployedStack) -> dict[str, Any]:
    verify_sender_identity()
    params = {"subject": "Estate tax question", "body": "I am the executor of my father's estate."}
    first = email_event(params, "e-1", CITIZEN_ADDRESS)
    results = {"first": invoke(stack, "email_triage", first)}
    results["again"] = invoke(stack, "email_triage", email_event(params, "e-2", CITIZEN_ADDRESS))
    question = {"subject": "Payment plan", "body": "I cannot pay everything, is there a payment plan?"}
    results["knowledge"] = invoke(stack, "email_triage", email_event(question, "e-3", "luis@example.org"))
    with stack.as_function("email_triage"), AwsFaults(client("sesv2")) as faults:
        faults.fail("SendEmail", "ThrottlingException", times=1)
        event = email_event(params, "e-4", "mia@example.org")
        results["refused"] = entry_point("email_triage")(event, Context("email_triage"))
    return results


def email_event(params: dict[str, str], contact: str, sender: str) -> dict[str, Any]:
    """A Connect EMAIL contact's Lambda event: the sender is the customer endpoint."""
    event = make_event(params, contact, number=sender)
    event["Details"]["ContactData"]["Channel"] = "EMAIL"
    event["Details"]["ContactData"]["CustomerEndpoint"]["Type"] = "EMAIL_ADDRESS"
    return event


def notify_consent(stack: DeployedStack, case_number: str) -> dict[str, Any]:
    def call(params: dict[str, str], contact: str) -> Any:
        return invoke(stack, "notify_consent", make_event(params, contact))

    email = {
        "action": "consent",
        "caseNumber": case_number,
        "channel": "EMAIL",
        "destination": CITIZEN_ADDRESS,
    }
    return {
        "email": call(email, "n-1"),
        "stop": call({"action": "stop", "channel": "SMS"}, "n-2"),
        "sms": call({"action": "consent", "caseNumber": case_number, "channel": "SMS"}, "n-3"),
    }


def change_record(stack: DeployedStack, case_number: str, seq: str, at: str | None = None) -> dict[str, Any]:
    """The cases-stream MODIFY record of a status change of ``case_number`` (written as an
    operator would, outside any function), as DynamoDB Streams delivers it."""
    import boto3

    from functions.adapters.dynamo import to_item
    from schemas.records import CaseStatus

    ddb = boto3.client("dynamodb", region_name="us-east-1")
    name = stack.table_names()["cases"]
    old = ddb.get_item(TableName=name, Key={"pk": {"S": f"CASE#{case_number}"}, "sk": {"S": "CASE"}})["Item"]
    status = next(s.value for s in CaseStatus if s.value not in (old["status"]["S"], "CLOSED"))
    history = old.get("history", {"L": []})["L"]
    entry = to_item({"status": status, "at": at or f"2026-11-23T15:00:0{seq[-1]}Z"})
    new = {**old, "status": {"S": status}, "history": {"L": [*history, {"M": entry}]}}
    ddb.put_item(TableName=name, Item=new)
    return {"eventName": "MODIFY", "dynamodb": {"SequenceNumber": seq, "OldImage": old, "NewImage": new}}


def consent_to(stack: DeployedStack, case_number: str, channel: str, contact: str) -> Any:
    params = {"action": "consent", "caseNumber": case_number, "channel": channel}
    if channel == "EMAIL":
        params["destination"] = CITIZEN_ADDRESS
    return invoke(stack, "notify_consent", make_event(params, contact))


#: 22:00 in New York the evening after the demo day (quiet hours); they end at 13:00 UTC next day
NIGHT = datetime.fromisoformat("2026-11-24T03:00:00+00:00")
MORNING = datetime.fromisoformat("2026-11-24T13:00:00+00:00")


def notifier(stack: DeployedStack, clock: Clock) -> dict[str, Any]:
    """Consent by e-mail, then SMS (the caller's own number); a change notified by each channel;
    a stream retry of a notified change is not sent again; a change at night is deferred."""
    verify_sender_identity()
    emailed, texted, night = (demo_cases()[i].case_number for i in (1, 3, 10))
    consented = [
        consent_to(stack, emailed, "EMAIL", "n-4"),
        consent_to(stack, texted, "SMS", "n-5"),
        consent_to(stack, night, "SMS", "n-6"),
    ]
    sent: list[dict[str, Any]] = []
    records = [change_record(stack, emailed, "11"), change_record(stack, texted, "12")]
    at_night = change_record(stack, night, "13", "2026-11-24T03:00:00Z")
    run = entry_point("notifier")
    with (
        stack.as_function("notifier"),
        sms_accepts(sent),
        AwsFaults(client("pinpoint-sms-voice-v2")) as faults,
    ):
        faults.fail("SendTextMessage", "ThrottlingException", times=1)
        refused = run({"Records": records}, Context("notifier"))  # the SMS is refused: retried
        first = run({"Records": records[1:]}, Context("notifier"))
        retried = run({"Records": records}, Context("notifier"))  # a stream redelivery: nothing sent
        clock.moment = NIGHT
        deferred = run({"Records": [at_night]}, Context("notifier"))
    return {
        "consented": consented,
        "refused": refused,
        "first": first,
        "retried": retried,
        "deferred": deferred,
        "texts": sent,
    }


def notify_deferred(stack: DeployedStack, clock: Clock) -> dict[str, Any]:
    """Two changes deferred at night; in the morning the e-mail goes, the SMS is refused once (kept,
    retried), then sent while EventBridge refuses its event once (owed, emitted by the next run)."""
    verify_sender_identity()
    emailed, texted = demo_cases()[5].case_number, demo_cases()[7].case_number
    consent_to(stack, emailed, "EMAIL", "q-1")
    consent_to(stack, texted, "SMS", "q-2")
    clock.moment = NIGHT
    records = [
        change_record(stack, emailed, "21", "2026-11-24T03:00:01Z"),
        change_record(stack, texted, "22", "2026-11-24T03:00:02Z"),
    ]
    sent: list[dict[str, Any]] = []
    runs = []
    with stack.as_function("notifier"):
        deferred = entry_point("notifier")({"Records": records}, Context("notifier"))
    sweep = entry_point("notify_deferred")
    with stack.as_function("notify_deferred"), sms_accepts(sent):
        with AwsFaults(client("pinpoint-sms-voice-v2")) as faults:
            faults.fail("SendTextMessage", "ThrottlingException", times=1)
            clock.moment = MORNING
            runs.append(sweep(SCHEDULE, Context("notify_deferred")))
        with AwsFaults(client("events")) as faults:
            faults.fail("PutEvents", "ThrottlingException", times=1)
            clock.moment = MORNING + timedelta(minutes=5)
            runs.append(sweep(SCHEDULE, Context("notify_deferred")))
        clock.moment = MORNING + timedelta(minutes=10)
        runs.append(sweep(SCHEDULE, Context("notify_deferred")))
    return {"deferred": deferred, "runs": [r["outcomes"] for r in runs], "texts": sent}


def notify_by_call(stack: DeployedStack, clock: Clock) -> dict[str, Any]:
    """Two CALL consents: a change in the day is called at once (Connect throttles the first
    delivery: retried, then one call), a change at night is called by the morning sweep; each
    answered call runs flows/notification-call.json through the engine."""
    from civicline.local.outbound import LocalOutboundCalls, answer_outbound_calls

    by_day, by_night = demo_cases()[12].case_number, demo_cases()[14].case_number
    consented = [consent_to(stack, by_day, "CALL", "v-1"), consent_to(stack, by_night, "CALL", "v-2")]
    record = change_record(stack, by_day, "31")
    at_night = change_record(stack, by_night, "32", "2026-11-24T03:00:00Z")
    notify = entry_point("notifier")
    calls = LocalOutboundCalls()  # one Connect for both functions
    with stack.as_function("notifier"), answer_outbound_calls(calls):
        with AwsFaults(client("connect")) as faults:
            faults.fail("StartOutboundVoiceContact", "ThrottlingException", status=429, times=None)
            refused = notify({"Records": [record]}, Context("notifier"))
        first = notify({"Records": [record]}, Context("notifier"))
        again = notify({"Records": [record]}, Context("notifier"))  # a redelivery: no second call
        clock.moment = NIGHT
        deferred = notify({"Records": [at_night]}, Context("notifier"))
    with stack.as_function("notify_deferred"), answer_outbound_calls(calls):
        clock.moment = MORNING
        swept = entry_point("notify_deferred")(SCHEDULE, Context("notify_deferred"))
    return {
        "consented": consented,
        "runs": [refused, first, again, deferred],
        "swept": swept["outcomes"],
        "calls": calls.calls,
    }


def deadline_reminders(stack: DeployedStack, clock: Clock) -> dict[str, Any]:
    """A case due in 7 days, its citizen consenting by SMS: the first run's send is refused (handed
    to the sweep), the second sends it, the third sends nothing again."""
    case = demo_cases()[0]  # due 10 days after the demo day
    consent_to(stack, case.case_number, "SMS", "m-1")
    clock.moment = NOW + timedelta(days=3)  # 10:00 in New York, 7 days before the deadline
    sent: list[dict[str, Any]] = []
    remind = entry_point("deadline_reminders")
    runs = []
    with stack.as_function("deadline_reminders"), sms_accepts(sent):
        with AwsFaults(client("pinpoint-sms-voice-v2")) as faults:
            faults.fail("SendTextMessage", "ThrottlingException", times=1)
            runs.append(remind(SCHEDULE, Context("deadline_reminders")))
        runs.append(remind(SCHEDULE, Context("deadline_reminders")))
        runs.append(remind(SCHEDULE, Context("deadline_reminders")))
    # and by e-mail: a case due 12 days after the demo day, five days later
    verify_sender_identity()
    consent_to(stack, demo_cases()[1].case_number, "EMAIL", "m-2")
    clock.moment = NOW + timedelta(days=5)
    with stack.as_function("deadline_reminders"):
        emailed = remind(SCHEDULE, Context("deadline_reminders"))["outcomes"]
    return {"runs": [r["outcomes"] for r in runs], "texts": sent, "emailed": emailed}


def reminders_by_call(stack: DeployedStack, clock: Clock) -> dict[str, Any]:
    """A case due in 7 days, its citizen consenting by CALL: Connect throttles every attempt of the
    first run (handed to the sweep, typed DEFERRED/SEND_FAILED), the sweep rings once, the next
    run rings nothing; each as deployed, its role's StartOutboundVoiceContact grant enforced."""
    from civicline.local.outbound import LocalOutboundCalls, answer_outbound_calls

    case = demo_cases()[6]  # due 22 days after the demo day, used by no other scenario
    consented = consent_to(stack, case.case_number, "CALL", "v-3")
    clock.moment = NOW + timedelta(days=15)  # 10:00 in New York, 7 days before the deadline
    remind = entry_point("deadline_reminders")
    calls = LocalOutboundCalls()  # one Connect for both functions
    runs = []
    with (
        stack.as_function("deadline_reminders"),
        answer_outbound_calls(calls),
        AwsFaults(client("connect")) as faults,
    ):
        faults.fail("StartOutboundVoiceContact", "ThrottlingException", status=429, times=None)
        runs.append(remind(SCHEDULE, Context("deadline_reminders"))["outcomes"])
    clock.moment += timedelta(minutes=5)
    with stack.as_function("notify_deferred"), answer_outbound_calls(calls):
        swept = entry_point("notify_deferred")(SCHEDULE, Context("notify_deferred"))["outcomes"]
    with stack.as_function("deadline_reminders"), answer_outbound_calls(calls):
        runs.append(remind(SCHEDULE, Context("deadline_reminders"))["outcomes"])
    return {"consented": consented, "runs": runs, "swept": swept, "calls": calls.calls}


def receipt_events() -> dict[str, dict[str, Any]]:
    """Delivery receipts as SES (event publishing) and End User Messaging SMS put them on the bus."""
    tags = {"notificationId": ["0123456789abcdef0123456789abcdef"], "kind": ["STATUS_CHANGE"]}
    return {
        "email_delivered": {
            "source": "aws.ses",
            "detail-type": "Email Delivered",
            "time": "2026-11-23T15:00:05Z",
            "detail": {"eventType": "Delivery", "mail": {"messageId": "m-1", "tags": tags}},
        },
        "sms_failed": {
            "source": "aws.sms-voice",
            "detail-type": "Text Message Delivery Status Updated",
            "time": "2026-11-23T15:00:09Z",
            "detail": {
                "eventType": "TEXT_CARRIER_UNREACHABLE",
                "messageId": "sms-1",
                "context": {
                    "notificationId": "fedcba9876543210fedcba9876543210",
                    "kind": "DEADLINE_REMINDER",
                },
            },
        },
        "not_ours": {
            "source": "aws.ses",
            "detail-type": "Email Delivered",
            "detail": {"eventType": "Delivery"},
        },
    }


def notification_receipts(stack: DeployedStack) -> dict[str, Any]:
    return {name: invoke(stack, "notification_receipts", event) for name, event in receipt_events().items()}


def email_backlog(stack: DeployedStack, clock: Clock) -> dict[str, Any]:
    """E-mails stored by the aggregator as deployed (one answered, one waiting 21 h in general),
    then the scheduled backlog reading as deployed: its read of the rollups under its own role."""
    from tests.metrics.conftest import envelope, sqs_event
    from tests.metrics.test_channels import contact

    general = json.loads(stack.function_environment("contact_events")["QUEUE_ARNS"])["general"]
    start = clock.moment - timedelta(hours=21)
    details = [
        *contact("bl-1", "EMAIL", start, queue="general", agent_after=timedelta(hours=1)),
        *contact("bl-2", "EMAIL", start, queue="general"),
    ]
    for detail in details:
        if "queueInfo" in detail:
            detail["queueInfo"] = {**detail["queueInfo"], "queueArn": general}
    stored = invoke(stack, "contact_events", sqs_event(envelope(d) for d in details))
    return {"stored": stored, "reading": invoke(stack, "email_backlog", SCHEDULE)}


def pending(call: Callable[[], Any]) -> Any:
    """Run a path that is refused until another branch merges (see PENDING in the grants test)."""
    from botocore.exceptions import ClientError

    try:
        return call()
    except ClientError as exc:
        return {"refused": exc.response["Error"]["Code"]}


# --- the public web chat's start (functions/handlers/chat_start.py) -------------------------------


@contextmanager
def connect_starts_chats(started: list[dict[str, Any]]) -> Iterator[None]:
    """Answer StartChatContact as Connect does (a contact, participant and token), after IAM
    allowed it (moto has no StartChatContact); ``started`` records each request accepted."""
    connect = client("connect")

    def answer(model: Any, params: Any, **_: Any) -> Any:
        if model.name != "StartChatContact":
            return None
        started.append(json.loads(params["body"]))
        n = len(started)
        body = {"ContactId": f"chat-{n}", "ParticipantId": f"p-{n}", "ParticipantToken": f"token-{n}"}
        return _Http(200, ""), {**body, "ResponseMetadata": {"HTTPStatusCode": 200}}

    connect.meta.events.register("before-call.connect", answer)  # after the IAM enforcer
    try:
        yield
    finally:
        connect.meta.events.unregister("before-call.connect", answer)


CHAT_PAGE = {"displayName": "Ana", "language": "es", "requestId": "0b6f6f0e-6b8e-4c8e-9c1e-2f0a7d9e1a11"}


def chat_start(stack: DeployedStack, origin: str | None = None) -> dict[str, Any]:
    """A page (from ``origin``) starts a chat through the REST API's Lambda proxy event; a bad
    request is refused before Connect is asked."""
    from civicline.local.chat_start import rest_proxy_event

    started: list[dict[str, Any]] = []
    with stack.as_function("chat_start"), connect_starts_chats(started):
        handler = entry_point("chat_start")
        ok = handler(rest_proxy_event(json.dumps(CHAT_PAGE), origin=origin), Context("chat_start"))
        bad = handler(
            rest_proxy_event(json.dumps({"displayName": "Case 17502303"}), origin=origin),
            Context("chat_start"),
        )
    return {"started": ok, "refused": bad, "requests": started}


def every_path(stack: DeployedStack, clock: Clock) -> dict[str, Any]:
    """Run every function's main paths once (the recorded calls are the functions' real use)."""
    return {
        "routing": routing(stack),
        "chat_start": chat_start(stack),
        "routing_open_case": pending(lambda: routing_open_case(stack, demo_cases()[0].case_number)),
        "case_status": case_status(stack),
        "appeals": appeals(stack),
        "callback": callback(stack),
        "survey": survey(stack),
        "callback_events": dispatch_and_settle(stack, clock),
        "contact_events": contact_events(stack),
        "email_triage": email_triage(stack),
        "notify_consent": notify_consent(stack, demo_cases()[5].case_number),
        "notifier": notifier(stack, clock),
        "notify_deferred": notify_deferred(stack, clock),
        "notify_by_call": notify_by_call(stack, clock),
        "deadline_reminders": deadline_reminders(stack, clock),
        "reminders_by_call": reminders_by_call(stack, clock),
        "notification_receipts": notification_receipts(stack),
        "email_backlog": email_backlog(stack, clock),
    }


__all__ = ["CALLER", "every_path"]
