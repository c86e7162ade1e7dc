"""Semantics of each implemented action type, on small hand-written flows."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from civicline.engine import CallerScript, ContactState, Engine, QueueMetrics, StaticCenter
from civicline.engine.arns import local_arn
from civicline.engine.result import ENDINGS
from tests.engine.conftest import act, doc, library_of

Make = Callable[..., Engine]
HANGUP = act("hangup", "DisconnectParticipant")
QUEUE = local_arn("QUEUE", "general")
ERR = {"NoMatchingError": "sorry"}
SORRY = act("sorry", "MessageParticipant", {"Text": "Sorry."}, nxt="hangup")


def say(identifier: str, text: str, nxt: str = "hangup") -> dict[str, Any]:
    return act(identifier, "MessageParticipant", {"Text": text}, nxt=nxt)


def run(make: Make, *actions: dict[str, Any], dtmf: list[str] | None = None, **kw: Any) -> Any:
    center = kw.pop("center", None)
    engine = make(library_of(main=doc(*actions)), center=center, **kw)
    return engine.run_contact("main", CallerScript(dtmf or []))


# -- GetParticipantInput ----------------------------------------------------------------------------


def store(validation: dict[str, Any], errors: dict[str, str] | None = None) -> dict[str, Any]:
    return act(
        "get",
        "GetParticipantInput",
        {"Text": "Enter it.", "StoreInput": "True", "InputValidation": validation},
        nxt="echo",
        errors=errors or {"NoMatchingError": "sorry", "InvalidPhoneNumber": "bad"},
    )


ECHO = say("echo", "Got $.StoredCustomerInput.")
BAD = say("bad", "Invalid number.")


@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        ("5555550123", "Got +15555550123."),
        ("15555550123#", "Got +15555550123."),
        ("555", "Invalid number."),
        ("0555550123", "Invalid number."),
        ("", "Got Timeout."),  # reference 3.2: timeout takes Success with value "Timeout"
    ],
)
def test_store_input_with_local_us_phone_validation(make_engine: Make, entry: str, expected: str) -> None:
    # Given a store-input action validating a local US number
    flow = [
        store({"PhoneNumberValidation": {"NumberFormat": "Local", "CountryCode": "US"}}),
        ECHO,
        BAD,
        SORRY,
        HANGUP,
    ]
    # When the caller keys the entry
    result = run(make_engine, *flow, dtmf=[entry or "_"])
    # Then the stored value is E.164, or the InvalidPhoneNumber branch is taken
    assert result.prompts[-1] == expected


def test_store_input_e164_and_custom_length(make_engine: Make) -> None:
    # Given E164 validation, When 12 digits are keyed, Then they are stored with a +
    e164 = run(
        make_engine,
        store({"PhoneNumberValidation": {"NumberFormat": "E164"}}),
        ECHO,
        BAD,
        SORRY,
        HANGUP,
        dtmf=["442071234567#"],
    )
    assert e164.prompts[-1] == "Got +442071234567."
    # Given a custom maximum length of 4, When 6 digits are keyed, Then Connect keeps 4
    custom = run(
        make_engine,
        store({"CustomValidation": {"MaximumLength": "4"}}),
        ECHO,
        BAD,
        SORRY,
        HANGUP,
        dtmf=["123456#"],
    )
    assert custom.prompts[-1] == "Got 1234."


def test_menu_takes_first_key_and_routes_no_match(make_engine: Make) -> None:
    menu = act(
        "menu",
        "GetParticipantInput",
        {"Text": "Press 1.", "StoreInput": "False"},
        nxt="other",
        errors={
            "NoMatchingCondition": "other",
            "InputTimeLimitExceeded": "other",
            "NoMatchingError": "other",
        },
        conditions=[("Equals", "1", "one")],
    )
    # Given a multi-digit entry, Then its first key decides
    assert (
        run(make_engine, menu, say("one", "One."), say("other", "Other."), HANGUP, dtmf=["12"]).prompts[-1]
        == "One."
    )
    # Given an unmatched key, Then NoMatchingCondition
    result = run(make_engine, menu, say("one", "One."), say("other", "Other."), HANGUP, dtmf=["7"])
    assert result.prompts[-1] == "Other."
    assert result.inputs == ["7"]


# -- Lambda-free contact actions --------------------------------------------------------------------


def test_update_attributes_emits_events_and_enforces_32_kb(make_engine: Make) -> None:
    big = "x" * (33 * 1024)
    flow = [
        act(
            "set",
            "UpdateContactAttributes",
            {"Attributes": {"a": "1", "who": "$.CustomerEndpoint.Address"}},
            nxt="big",
            errors=ERR,
        ),
        act(
            "big",
            "UpdateContactAttributes",
            {"Attributes": {"b": big}},
            nxt="hangup",
            errors={"NoMatchingError": "over"},
        ),
        say("over", "Too big."),
        SORRY,
        HANGUP,
    ]
    result = run(make_engine, *flow)
    # Then the first write happened, the oversized one took NoMatchingError and changed nothing
    assert result.attributes == {"a": "1", "who": "+15555550100"}
    assert result.prompts == ["Too big."]
    kinds = [e["eventType"] for e in result.events]
    assert kinds == ["INITIATED", "CONNECTED_TO_SYSTEM", "CONTACT_DATA_UPDATED", "DISCONNECTED"]
    assert result.events[2]["attributes"] == {"a": "1", "who": "+15555550100"}
    assert result.events[-1]["disconnectReason"] == "CONTACT_FLOW_DISCONNECT"


def test_hours_metrics_and_queue_transfer(make_engine: Make) -> None:
    flow = [
        act("q", "UpdateContactTargetQueue", {"QueueId": QUEUE}, nxt="hours", errors=ERR),
        act(
            "hours",
            "CheckHoursOfOperation",
            {},
            nxt="closed",
            errors=ERR,
            conditions=[("Equals", "True", "staff"), ("Equals", "False", "closed")],
        ),
        act(
            "staff",
            "CheckMetricData",
            {"MetricType": "NumberOfAgentsStaffed"},
            nxt="closed",
            errors={"NoMatchingError": "sorry", "NoMatchingCondition": "closed"},
            conditions=[("NumberGreaterThan", "0", "age")],
        ),
        act(
            "age",
            "CheckMetricData",
            {"MetricType": "OldestContactInQueueAgeSeconds"},
            nxt="metrics",
            errors={"NoMatchingError": "sorry", "NoMatchingCondition": "metrics"},
            conditions=[("NumberGreaterThan", "300000", "busy")],
        ),
        act("metrics", "GetMetricData", {}, nxt="announce", errors=ERR),
        say("announce", "$.Metrics.Queue.Size callers ahead in $.Queue.Name.", nxt="transfer"),
        act(
            "transfer",
            "TransferContactToQueue",
            nxt="sorry",
            errors={"QueueAtCapacity": "busy", "NoMatchingError": "sorry"},
        ),
        say("closed", "Closed."),
        say("busy", "Busy."),
        SORRY,
        HANGUP,
    ]
    # Given open hours and a queue of 4 with an oldest wait of 100 s, Then the caller is queued
    center = StaticCenter(default_metrics=QueueMetrics(size=4, oldest_age_seconds=100))
    queued = run(make_engine, *flow, center=center)
    assert queued.ended["how"] == "QUEUE"
    assert queued.ended["queue"] == "general"
    assert queued.prompts == ["4 callers ahead in general."]
    assert [e["eventType"] for e in queued.events][-1] == "QUEUED"
    assert queued.events[-1]["queueInfo"]["queueArn"] == QUEUE
    # Given the oldest caller waited 301 s (the operand is in milliseconds), Then busy
    slow = run(make_engine, *flow, center=StaticCenter(default_metrics=QueueMetrics(oldest_age_seconds=301)))
    assert slow.prompts == ["Busy."]
    # Given closed hours, or nobody staffed, or a full queue
    assert run(make_engine, *flow, center=StaticCenter(open=False)).prompts == ["Closed."]
    nobody = StaticCenter(default_metrics=QueueMetrics(agents_staffed=0))
    assert run(make_engine, *flow, center=nobody).prompts == ["Closed."]
    full = run(make_engine, *flow, center=StaticCenter(full_queues=frozenset({"general"})))
    assert full.prompts[-1] == "Busy."
    assert full.ended["how"] == "DISCONNECT"


def test_transfer_without_working_queue_takes_error(make_engine: Make) -> None:
    result = run(
        make_engine,
        act(
            "t",
            "TransferContactToQueue",
            nxt="sorry",
            errors={"QueueAtCapacity": "sorry", "NoMatchingError": "sorry"},
        ),
        SORRY,
        HANGUP,
    )
    assert result.path == ["t", "sorry", "hangup"]


def test_loop_counts_then_resets(make_engine: Make) -> None:
    flow = [
        act(
            "loop",
            "Loop",
            {"LoopCount": "2"},
            conditions=[("Equals", "ContinueLooping", "again"), ("Equals", "DoneLooping", "done")],
        ),
        say("again", "Again.", nxt="loop"),
        say("done", "Done."),
        HANGUP,
    ]
    result = run(make_engine, *flow)
    assert result.prompts == ["Again.", "Again.", "Done."]
    assert result.contact.loop_counters == {}


def test_distribute_by_percentage_is_seeded(make_engine: Make) -> None:
    flow = [
        act(
            "split",
            "DistributeByPercentage",
            nxt="b",
            errors={"NoMatchingCondition": "b"},
            conditions=[("NumberLessThan", "51", "a")],
        ),
        say("a", "A."),
        say("b", "B."),
        HANGUP,
    ]
    library = library_of(main=doc(*flow))
    first = [make_engine(library, seed=3).run_contact("main").prompts[0] for _ in range(1)]
    engine = make_engine(library, seed=3)
    shares = [engine.run_contact("main").prompts[0] for _ in range(400)]
    # Then the same seed gives the same first draw, and the split is near 50/50
    assert first[0] == shares[0]
    assert 150 < shares.count("A.") < 250


def test_flow_attributes_are_scoped_to_their_flow_and_contact_data_persists(make_engine: Make) -> None:
    first = doc(
        act("fa", "UpdateFlowAttributes", {"FlowAttributes": {"k": {"Value": "v"}}}, nxt="lang", errors=ERR),
        act("lang", "UpdateContactData", {"LanguageCode": "es-US"}, nxt="said", errors=ERR),
        say("said", "Here $.FlowAttributes.k.", nxt="go"),
        act("go", "TransferToFlow", {"ContactFlowId": local_arn("FLOW", "second")}, nxt="sorry", errors=ERR),
        SORRY,
        HANGUP,
    )
    second = doc(say("there", "There [$.FlowAttributes.k] $.LanguageCode."), HANGUP)
    engine = make_engine(library_of(first=first, second=second))
    result = engine.run_contact("first")
    assert result.prompts == ["Here v.", "There [] es-US."]
    assert result.flows == ["first", "second"]
    assert result.ended["flow"] == "second"


def test_transfer_to_foreign_flow_ends_transfer_flow(make_engine: Make) -> None:
    foreign = "arn:aws:connect:us-west-2:111122223333:instance/abc/contact-flow/f00"
    result = run(
        make_engine,
        act("go", "TransferToFlow", {"ContactFlowId": foreign}, nxt="sorry", errors=ERR),
        SORRY,
        HANGUP,
    )
    assert result.ended["how"] == "TRANSFER_FLOW"
    assert result.ended["to"] == "f00"
    unknown = run(
        make_engine,
        act("go", "TransferToFlow", {"ContactFlowId": "$.Attributes.none"}, nxt="sorry", errors=ERR),
        SORRY,
        HANGUP,
    )
    assert unknown.path == ["go", "sorry", "hangup"]


def test_callback_number_and_callback_contact(make_engine: Make) -> None:
    flow = [
        act("q", "UpdateContactTargetQueue", {"QueueId": QUEUE}, nxt="get", errors=ERR),
        store({"PhoneNumberValidation": {"NumberFormat": "Local", "CountryCode": "US"}}),
        act(
            "echo",
            "UpdateContactCallbackNumber",
            {"CallbackNumber": "$.StoredCustomerInput"},
            nxt="cb",
            errors={"InvalidCallbackNumber": "sorry", "CallbackNumberNotDialable": "sorry"},
        ),
        act(
            "cb",
            "CreateCallbackContact",
            {"InitialCallDelaySeconds": "5", "MaximumConnectionAttempts": "2", "RetryDelaySeconds": "600"},
            nxt="thanks",
            errors=ERR,
        ),
        say("thanks", "We will call you."),
        BAD,
        SORRY,
        HANGUP,
    ]
    result = run(make_engine, *flow, dtmf=["5555550199"])
    assert result.ended["how"] == "CALLBACK"
    assert result.ended["callback"] == {
        "queue": "general",
        "number": "+15555550199",
        "delay_seconds": 5,
        "max_attempts": 2,
        "retry_delay_seconds": 600,
    }
    assert result.prompts[-1] == "We will call you."


def test_third_party_transfer_and_its_failure(make_engine: Make) -> None:
    # ContinueFlowExecution False: the contact leaves the flows for the third party
    ok = run(
        make_engine,
        act(
            "x",
            "TransferParticipantToThirdParty",
            {"ThirdPartyPhoneNumber": "+12025550100", "ContinueFlowExecution": "False"},
            nxt="sorry",
            errors=ERR,
        ),
        SORRY,
        HANGUP,
    )
    assert ok.ended == {
        "how": "TRANSFER_PHONE",
        "queue": None,
        "flow": "main",
        "detail": "transferred to an external number",
        "number": "+12025550100",
    }
    bad = run(
        make_engine,
        act(
            "x",
            "TransferParticipantToThirdParty",
            {"ThirdPartyPhoneNumber": "12"},
            nxt="sorry",
            errors={"CallFailed": "sorry"},
        ),
        SORRY,
        HANGUP,
    )
    assert bad.path == ["x", "sorry", "hangup"]


def test_wait_on_voice_takes_error_and_on_chat_completes(make_engine: Make) -> None:
    flow = doc(
        act(
            "w",
            "Wait",
            {"TimeLimitSeconds": "60"},
            nxt="sorry",
            errors=ERR,
            conditions=[("Equals", "WaitCompleted", "done")],
        ),
        say("done", "Done."),
        SORRY,
        HANGUP,
    )
    engine = make_engine(library_of(main=flow))
    assert engine.run_contact("main").prompts == ["Sorry."]
    assert engine.run_contact("main", channel="CHAT").prompts == ["Done."]


def test_setting_actions_record_on_the_contact(make_engine: Make) -> None:
    flow = [
        act("log", "UpdateFlowLoggingBehavior", {"FlowLoggingBehavior": "Enabled"}, nxt="voice"),
        act(
            "voice",
            "UpdateContactTextToSpeechVoice",
            {"TextToSpeechVoice": "Lupe", "TextToSpeechEngine": "Neural"},
            nxt="rec",
        ),
        act(
            "rec",
            "UpdateContactRecordingBehavior",
            {"RecordingBehavior": {"RecordedParticipants": ["Agent"]}},
            nxt="prio",
        ),
        act("prio", "UpdateContactRoutingBehavior", {"QueuePriority": "1"}, nxt="tag"),
        act("tag", "TagContact", {"Tags": {"line": "tax"}}, nxt="hook", errors=ERR),
        act(
            "hook",
            "UpdateContactEventHooks",
            {"EventHooks": {"CustomerRemaining": local_arn("FLOW", "survey")}},
            nxt="bye",
            errors=ERR,
        ),
        say("bye", "Voice $.TextToSpeechVoiceId."),
        SORRY,
        HANGUP,
    ]
    result = run(make_engine, *flow)
    contact = result.contact
    assert (contact.logging, contact.voice, contact.voice_engine) == ("Enabled", "Lupe", "Neural")
    assert contact.recording == {"RecordingBehavior": {"RecordedParticipants": ["Agent"]}}
    assert contact.routing == {"QueuePriority": "1"}
    assert contact.tags == {"line": "tax"}
    assert contact.event_hooks == {"CustomerRemaining": "survey"}
    assert result.prompts == ["Voice Lupe."]


def test_flow_module_runs_inline_and_returns(make_engine: Make) -> None:
    module = {**doc(say("m1", "In module.", nxt="ret"), act("ret", "EndFlowModuleExecution")), "Settings": {}}
    main = doc(
        act("call", "InvokeFlowModule", {"FlowModuleId": local_arn("FLOW", "mod")}, nxt="after", errors=ERR),
        say("after", "Back."),
        SORRY,
        HANGUP,
    )
    result = make_engine(library_of(main=main, mod=module)).run_contact("main")
    assert result.prompts == ["In module.", "Back."]
    assert result.path == ["call", "m1", "ret", "after", "hangup"]


# -- endings and guards ------------------------------------------------------------------------


def test_unimplemented_action_stops_with_a_clear_error(make_engine: Make) -> None:
    result = run(make_engine, act("p", "ResumeContact", {}, nxt="hangup"), HANGUP)
    assert result.ended["how"] == "ERROR"
    assert result.ended["detail"] == "action type ResumeContact is not implemented by the CivicLine engine"
    assert result.events[-1]["eventType"] == "DISCONNECTED"


def test_missing_branch_and_dangling_target_end_in_error(make_engine: Make) -> None:
    missing = run(make_engine, act("t", "TransferContactToQueue", nxt=None), HANGUP)
    assert missing.ended["how"] == "ERROR"
    assert "has no branch for error NoMatchingError" in missing.ended["detail"]
    dangling = run(make_engine, say("s", "Hi.", nxt="nowhere"))
    assert dangling.ended["how"] == "ERROR"
    assert "'nowhere'" in dangling.ended["detail"]


def test_endless_menu_hits_the_loop_limit(make_engine: Make) -> None:
    menu = act(
        "menu",
        "GetParticipantInput",
        {"Text": "Press 1.", "StoreInput": "False"},
        nxt="menu",
        errors={"InputTimeLimitExceeded": "menu", "NoMatchingCondition": "menu", "NoMatchingError": "menu"},
    )
    result = run(make_engine, menu, max_steps=50)
    assert result.ended["how"] == "ERROR"
    assert result.ended["detail"].startswith("loop limit")
    assert len(result.path) == 50


@pytest.mark.parametrize(
    ("flow_type", "how"), [("customerQueue", "QUEUE"), ("agentWhisper", "END"), ("contactFlow", "DISCONNECT")]
)
def test_end_flow_execution_depends_on_flow_type(make_engine: Make, flow_type: str, how: str) -> None:
    engine = make_engine(library_of(main=doc(act("end", "EndFlowExecution"), type=flow_type)))
    assert engine.run_contact("main").ended["how"] == how


def test_queue_flow_interrupt_cycles_and_callback(make_engine: Make) -> None:
    queue_flow = doc(
        act(
            "loop",
            "MessageParticipantIteratively",
            {"Messages": [{"Text": "Please hold."}], "InterruptFrequencySeconds": "60"},
            errors={"NoMatchingError": "end"},
            conditions=[("Equals", "MessagesInterrupted", "offer")],
        ),
        act(
            "offer",
            "GetParticipantInput",
            {"Text": "Press 1 for a callback.", "StoreInput": "False"},
            nxt="loop",
            errors={
                "InputTimeLimitExceeded": "loop",
                "NoMatchingCondition": "loop",
                "NoMatchingError": "loop",
            },
            conditions=[("Equals", "1", "cb")],
        ),
        act(
            "cb",
            "CreateCallbackContact",
            {"InitialCallDelaySeconds": "1"},
            nxt="bye",
            errors={"NoMatchingError": "loop"},
        ),
        say("bye", "Goodbye."),
        act("end", "EndFlowExecution"),
        HANGUP,
        type="customerQueue",
    )
    engine = make_engine(library_of(q=queue_flow))
    contact = ContactState(queue_arn=QUEUE, queue_name="general")
    # Given a caller who never presses 1, Then after max_loops cycles the run stops, still queued
    waiting = engine.run_queue_flow(contact, flow="q", caller=CallerScript([]), max_loops=2)
    assert waiting.ended["how"] == "QUEUE"
    assert waiting.prompts.count("Please hold.") == 3
    assert "2 interrupt cycles" in waiting.ended["detail"]
    # Given a caller who presses 1 at the second offer, Then a callback in the contact's queue
    called = engine.run_queue_flow(
        ContactState(queue_arn=QUEUE, queue_name="general"), flow="q", caller=CallerScript(["_", "1"])
    )
    assert called.ended["how"] == "CALLBACK"
    assert called.ended["callback"]["queue"] == "general"
    assert called.ended["callback"]["number"] == "+15555550100"
    # And a chat contact takes the error branch of loop prompts
    chat = engine.run_queue_flow(
        ContactState(channel="CHAT", queue_arn=QUEUE, queue_name="general"), flow="q"
    )
    assert chat.path == ["loop", "end"]
    assert chat.ended["how"] == "QUEUE"


def test_disconnect_flow_emits_no_contact_lifecycle_events(make_engine: Make) -> None:
    engine = make_engine(library_of(survey=doc(say("s", "Thanks $.Attributes.queueName."), HANGUP)))
    sink: list[dict[str, Any]] = []
    engine.events = sink.append
    # (the agent hung up, so the customer is still there to hear the disconnect flow)
    result = engine.run_contact(
        "survey",
        attributes={"queueName": "general"},
        initiation_method="DISCONNECT",
        contact_id="c-1",
        disconnect_reason="AGENT_DISCONNECT",
    )
    assert result.prompts == ["Thanks general."]
    assert result.events == [] == sink
    assert result.contact_id == "c-1"


def test_events_go_to_the_sink_in_order(make_engine: Make) -> None:
    sink: list[dict[str, Any]] = []
    engine = make_engine(
        library_of(
            main=doc(
                act("q", "UpdateContactTargetQueue", {"QueueId": QUEUE}, nxt="t", errors=ERR),
                act(
                    "t",
                    "TransferContactToQueue",
                    nxt="sorry",
                    errors={"QueueAtCapacity": "sorry", "NoMatchingError": "sorry"},
                ),
                SORRY,
                HANGUP,
            )
        ),
        events=sink.append,
    )
    result = engine.run_contact("main", contact_id="abc")
    assert [e["eventType"] for e in sink] == ["INITIATED", "CONNECTED_TO_SYSTEM", "QUEUED"]
    assert sink == result.events
    assert all(e["contactId"] == "abc" for e in sink)
    assert result.how in ENDINGS
    assert result.to_json()["ended"]["queue"] == "general"


def test_caller_hanging_up_at_a_prompt(make_engine: Make) -> None:
    menu = act(
        "menu",
        "GetParticipantInput",
        {"Text": "Press 1.", "StoreInput": "False"},
        nxt="hangup",
        errors={
            "InputTimeLimitExceeded": "hangup",
            "NoMatchingCondition": "hangup",
            "NoMatchingError": "hangup",
        },
    )
    result = run(make_engine, menu, HANGUP, dtmf=["hangup"])
    assert result.ended["how"] == "DISCONNECT"
    assert result.ended["reason"] == "CUSTOMER_DISCONNECT"
    assert result.events[-1]["disconnectReason"] == "CUSTOMER_DISCONNECT"
    assert result.path == ["menu"]
    assert CallerScript.parse("1 _ !").entries == ["1", "", "hangup"]


def test_contact_events_parse_with_the_contact_event_model(make_engine: Make) -> None:
    from schemas.contact_events import ContactEventDetail, ContactEventType

    flow = [
        act("set", "UpdateContactAttributes", {"Attributes": {"a": "1"}}, nxt="q", errors=ERR),
        act("q", "UpdateContactTargetQueue", {"QueueId": QUEUE}, nxt="t", errors=ERR),
        act(
            "t",
            "TransferContactToQueue",
            nxt="sorry",
            errors={"QueueAtCapacity": "sorry", "NoMatchingError": "sorry"},
        ),
        SORRY,
        HANGUP,
    ]
    result = run(make_engine, *flow)
    kinds = [ContactEventDetail.model_validate(e).kind for e in result.events]
    assert kinds == [
        ContactEventType.INITIATED,
        ContactEventType.CONNECTED_TO_SYSTEM,
        ContactEventType.CONTACT_DATA_UPDATED,
        ContactEventType.QUEUED,
    ]
    queued = ContactEventDetail.model_validate(result.events[-1])
    assert queued.queueInfo is not None and queued.queueInfo.enqueueTimestamp is not None
