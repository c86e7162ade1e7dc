"""``civicline call``: one contact through the flows, with scripted or interactive keypad input, or
as a chat contact with typed messages (``--channel chat --say ...``)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape

from civicline.engine import (
    CallerScript,
    CallResult,
    Engine,
    FlowLibrary,
    LambdaInvoker,
    QueueMetrics,
    StaticCenter,
)
from civicline.engine.library import FlowLoadError
from civicline.engine.stores import LocalStores
from civicline.engine.transcript import print_transcript
from functions.domain.calendar import Calendar

#: flows/ of this checkout (used when ./flows does not exist)
FLOWS_DIR = Path(__file__).resolve().parents[2] / "flows"
_LANGUAGES = {"en": "en-US", "es": "es-US"}


def _library(flows_dir: Path | None, err: Console) -> FlowLibrary:
    folder = flows_dir or (Path("flows") if Path("flows").is_dir() else FLOWS_DIR)
    if not folder.is_dir():
        return FlowLibrary()
    library = FlowLibrary.from_directory(folder, strict=False)
    for name, reason in library.skipped.items():
        err.print(f"[yellow]skipped {name}: {reason}[/yellow]")
    return library


def _seed(err: Console) -> None:
    """The demo data set when the data package provides it; empty tables otherwise."""
    try:
        from civicline.data import seed_demo
    except ImportError:
        err.print("[yellow]demo data not available (civicline.data.seed_demo): tables are empty[/yellow]")
        return
    seed_demo(datetime.now(UTC))


# -- engine options (--flow-type, --disconnect-reason): how the entry flow runs -----------------

#: DISCONNECTED reasons (contact records, DisconnectReason) that run a disconnect flow
DISCONNECT_REASONS = (
    "CUSTOMER_DISCONNECT",
    "AGENT_DISCONNECT",
    "THIRD_PARTY_DISCONNECT",
    "TELECOM_PROBLEM",
    "CONTACT_FLOW_DISCONNECT",
    "OTHER",
)
FlowTypeOption = Annotated[
    str | None,
    typer.Option(
        "--flow-type",
        help="Run the flow as this type (CONTACT_FLOW, CUSTOMER_QUEUE, AGENT_WHISPER, ...);"
        " default: Metadata.type, else inferred and said in the transcript.",
    ),
]
DisconnectReasonOption = Annotated[
    str | None,
    typer.Option(
        "--disconnect-reason",
        help="Run the flow as a disconnect flow after this party hung up (CUSTOMER_DISCONNECT:"
        " nobody is left on the line; AGENT_DISCONNECT: the customer is).",
    ),
]


def contact_options(flow_type: str | None, disconnect_reason: str | None) -> dict[str, Any]:
    """``Engine.run_contact`` keywords for ``--flow-type`` and ``--disconnect-reason``."""
    from civicline.engine.actions.spec import FLOW_TYPES

    options: dict[str, Any] = {}
    if flow_type is not None:
        if flow_type.upper() not in FLOW_TYPES:
            raise typer.BadParameter(f"one of {', '.join(FLOW_TYPES)}", param_hint="--flow-type")
        options["flow_type"] = flow_type.upper()
    if disconnect_reason is not None:
        if disconnect_reason.upper() not in DISCONNECT_REASONS:
            hint = ", ".join(DISCONNECT_REASONS)
            raise typer.BadParameter(f"one of {hint}", param_hint="--disconnect-reason")
        options.update(initiation_method="DISCONNECT", disconnect_reason=disconnect_reason.upper())
    return options


#: ``--ended-by``: who ends a contact after an agent answered it (who is left for the disconnect flow)
ENDED_BY = {"agent": "AGENT_DISCONNECT", "customer": "CUSTOMER_DISCONNECT"}


def after_agent(
    engine: Engine, result: CallResult, script: CallerScript, ended_by: str, *, window_closed: bool = False
) -> CallResult | None:
    """The contact's disconnect flow (its ``CustomerRemaining`` hook) after an agent answered the
    queued contact and then ``ended_by`` ended it. Whether the customer is still there to read
    (type, press) the survey from the messages left in ``script`` is the engine's rule
    (:func:`civicline.engine.contact.customer_remains`): yes when the agent ended it, or when the
    customer pressed End chat on a chat started with ``DisconnectOnCustomerExit=["AGENT"]`` (every
    chat ``civicline call`` starts, as the deployed chat_start function does); no when a caller hung
    up or the customer closed the chat window (``window_closed``). None when the contact never
    reached an agent or has no disconnect flow."""
    hook = result.contact.event_hooks.get("CustomerRemaining")
    if result.how != "QUEUE" or not hook:
        return None
    contact = result.contact
    if window_closed and contact.channel == "CHAT":  # still in the chat, reading nothing
        from civicline.local.chat_start import closed_window

        script = closed_window(script, before_disconnect_flow=ended_by == "customer")
        window_closed = False
    return engine.run_contact(
        hook,
        script,
        caller_number=contact.caller_number,
        contact_id=contact.contact_id,
        attributes=dict(contact.attributes),
        initiation_method="DISCONNECT",
        disconnect_reason=ENDED_BY[ended_by],
        language=contact.language,
        channel=contact.channel,
        disconnect_on_customer_exit=contact.disconnect_on_customer_exit,
        customer_connected=not (window_closed and ended_by == "customer"),
    )


def run_call(
    flow: str,
    script: CallerScript,
    *,
    caller: str | None,
    language: str,
    center: StaticCenter,
    flows_dir: Path | None = None,
    err: Console | None = None,
    env: str | None = None,
    ended_by: str | None = None,
    window_closed: bool = False,
    **contact: Any,
) -> CallResult:
    """Run one contact inside a fresh local AWS (moto) with the demo data seeded; with ``env``, as
    that environment deploys it (:mod:`civicline.local.as_deployed`); with ``ended_by``, an agent
    answers a queued contact and then that party ends it (:func:`after_agent`)."""
    from civicline.local.aws import LocalAws

    if env is not None:
        return run_call_as_deployed(
            env,
            flow,
            script,
            caller=caller,
            language=language,
            center=center,
            ended_by=ended_by,
            window_closed=window_closed,
            **contact,
        )
    console = err or Console(stderr=True)
    library = _library(flows_dir, console)
    target: str | Path = flow
    if flow.endswith(".json") or Path(flow).is_file():
        target = Path(flow)
    with LocalAws():
        _seed(console)
        engine = Engine(library, invoker=LambdaInvoker(), center=center)
        result = engine.run_contact(target, script, caller_number=caller, language=language, **contact)
        if ended_by is not None:
            result.after = after_agent(engine, result, script, ended_by, window_closed=window_closed)
        return result


def run_call_as_deployed(
    env: str,
    flow: str,
    script: CallerScript,
    *,
    caller: str | None,
    language: str,
    center: StaticCenter,
    ended_by: str | None = None,
    window_closed: bool = False,
    **contact: Any,
) -> CallResult:
    """The flows as ``make synth ENV=env`` renders them, each function as that stack configures it."""
    from civicline.local.as_deployed import running_as_deployed

    with running_as_deployed(env, seed_at=datetime.now(UTC)) as run:
        if not center.calendars:
            center.calendars = run.calendars
        engine = Engine(run.library, invoker=LambdaInvoker(around=run.around), center=center)
        target: str | Path = Path(flow) if flow.endswith(".json") else flow
        result = engine.run_contact(target, script, caller_number=caller, language=language, **contact)
        if ended_by is not None:
            result.after = after_agent(engine, result, script, ended_by, window_closed=window_closed)
        return result


def calendar_view(at: str | None, env: str | None = None) -> tuple[datetime | None, dict[str, Calendar]]:
    """(clock, calendars) for ``--at`` / ``--env``: the service calendar of every registry hours of
    operation (the environment's time zone, weekly hours and closures with ``env``), and the moment
    ``at`` (local to the calendar's time zone unless it carries an offset). Without either, no
    calendar: hours are open unless ``--closed`` (a quick demo never depends on the wall clock)."""
    from functions.domain.calendar import service_calendar
    from infra.registry import HOURS

    if at is None and env is None:
        return None, {}
    if env is not None:
        from infra.calendar import environment_calendar
        from infra.config import load_config

        config = load_config(env)
        calendars = {h.name: environment_calendar(config, h.name) for h in HOURS}
    else:
        calendars = {h.name: service_calendar(h.name) for h in HOURS}
    if at is None:
        return None, calendars
    try:
        moment = datetime.fromisoformat(at)
    except ValueError:
        raise ValueError(f"--at {at!r} is not an ISO date-time such as 2026-12-25T10:00") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=calendars[HOURS[0].name].zone)
    return moment, calendars


#: ``--channel`` -> the contact's Channel (contact-attrib-list: VOICE, CHAT, TASK, EMAIL)
CHANNELS = {"voice": "VOICE", "chat": "CHAT"}


def caller_script(
    channel: str, dtmf: str | None, say: list[str] | None, end_chat: bool, err: Console
) -> CallerScript:
    """The customer: keypad entries (voice), typed messages (chat, one ``--say`` each), else asked
    interactively. ``--say`` on voice or ``--dtmf`` on chat is refused: a chat has no keypad and a
    voice caller does not type."""
    if channel == "CHAT":
        if dtmf is not None:
            raise typer.BadParameter(
                "a chat has no keypad: give each typed message with --say", param_hint="--dtmf"
            )
        if say is not None:
            return CallerScript.typed(say, leaves=end_chat)
        return CallerScript(ask=lambda prompt: _ask(err, prompt, "type a message (Enter = nothing)> "))
    if say is not None or end_chat:
        raise typer.BadParameter("--say and --end-chat are for --channel chat", param_hint="--say")
    if dtmf is not None:
        return CallerScript.parse(dtmf)
    return CallerScript(ask=lambda prompt: _ask(err, prompt, "keys (Enter = none)> "))


def _ask(err: Console, prompt: str, question: str) -> str:
    if prompt:
        err.print(f'[blue]says[/blue] "{prompt}"')
    return str(err.input(f"[bold]{question}[/bold]")).strip()


def register(app: typer.Typer) -> None:
    @app.command("call")
    def call_cmd(  # noqa: PLR0917 - typer options are parameters
        flow: Annotated[
            str, typer.Option("--flow", "-f", help="Flow name in flows/ or a JSON file.")
        ] = "main-inbound",
        dtmf: Annotated[
            str | None, typer.Option("--dtmf", "-d", help='Keypad entries, space-separated ("_" = no input).')
        ] = None,
        caller: Annotated[str, typer.Option("--caller", help="Caller number (E.164).")] = "+15555550100",
        as_json: Annotated[
            bool, typer.Option("--json", help="Print one JSON object instead of a transcript.")
        ] = False,
        closed: Annotated[bool, typer.Option("--closed", help="Hours of operation are closed.")] = False,
        queue_size: Annotated[int, typer.Option("--queue-size", help="Contacts waiting in every queue.")] = 0,
        wait: Annotated[
            float, typer.Option("--wait", help="Expected / oldest wait in queue, seconds.")
        ] = 0.0,
        agents: Annotated[int, typer.Option("--agents", help="Agents staffed and available per queue.")] = 3,
        full: Annotated[bool, typer.Option("--full", help="Every queue is at capacity.")] = False,
        lang: Annotated[
            str, typer.Option("--lang", help="Contact language: en, es or a code like es-US.")
        ] = "en-US",
        flows_dir: Annotated[Path | None, typer.Option("--flows-dir", help="Folder of flow files.")] = None,
        env: Annotated[
            str | None,
            typer.Option(
                "--env",
                help="Run as that environment deploys (infra/environments/NAME.yaml): its rendered flows, "
                "deployed names and ARNs, hours and holidays; each function with its stack's "
                "environment, tables and IAM role.",
            ),
        ] = None,
        at: Annotated[
            str | None,
            typer.Option(
                "--at",
                help="The moment of the call (2026-12-25T10:00, local to the hours' time zone): "
                "hours of operation are evaluated by the service calendar (days, time zone, holidays).",
            ),
        ] = None,
        flow_type: FlowTypeOption = None,
        disconnect_reason: DisconnectReasonOption = None,
        channel_name: Annotated[
            str, typer.Option("--channel", help="voice (keypad) or chat (typed messages, --say).")
        ] = "voice",
        say: Annotated[
            list[str] | None,
            typer.Option("--say", help="Chat: one typed message (repeat for each message, in order)."),
        ] = None,
        end_chat: Annotated[
            bool,
            typer.Option(
                "--end-chat",
                help="Chat: the customer closes the chat window (or loses the connection) after the last"
                " --say: nothing more is read or typed. Connect keeps them in the chat (closing is not"
                " End chat), so a disconnect flow still runs, its messages reach nobody and its inputs"
                " time out. With --ended-by customer: the customer closes the window after the agent"
                " answered instead of pressing End chat.",
            ),
        ] = False,
        stores_file: Annotated[
            Path | None,
            typer.Option(
                "--stores",
                help="JSON seed of the instance's Customer Profiles, Cases and Voice ID (profiles, cases,"
                " caseTemplates, voiceId.speakers; a key set to null: that feature is not enabled)."
                " Without it the three are enabled and empty.",
            ),
        ] = None,
        ended_by: Annotated[
            str | None,
            typer.Option(
                "--ended-by",
                help="agent or customer: once queued, an agent answers, then this party ends the contact and"
                " the disconnect flow (the post-contact survey) runs. agent: the --say/--dtmf entries left"
                " are the customer's survey answers. customer on chat: the customer pressed End chat; the"
                " chat was started with DisconnectOnCustomerExit=AGENT, so the customer stays for the"
                " survey (the --say left are the answers). customer on voice: the caller hung up, nobody"
                " is left to answer.",
            ),
        ] = None,
    ) -> None:
        """Run one contact through the flows and print what the customer heard or read and what happened."""
        out = Console(highlight=False)
        err = Console(stderr=True, highlight=False)
        channel = CHANNELS.get(channel_name.lower())
        if channel is None:
            raise typer.BadParameter(f"one of {', '.join(CHANNELS)}", param_hint="--channel")
        if ended_by is not None and ended_by.lower() not in ENDED_BY:
            raise typer.BadParameter("agent or customer", param_hint="--ended-by")
        script = caller_script(channel, dtmf, say, end_chat, err)
        from infra.registry import HOURS, QUEUES

        try:
            clock, calendars = calendar_view(at, env)
        except ValueError as exc:
            err.print(f"[red]{exc}[/red]")
            raise typer.Exit(2) from exc
        try:
            stores = LocalStores.from_json(stores_file) if stores_file else LocalStores()
        except (OSError, ValueError) as exc:
            err.print(f"[red]--stores {stores_file}: {exc}[/red]")
            raise typer.Exit(2) from exc
        center = StaticCenter(
            stores=stores,
            open=not closed,
            hours=dict.fromkeys((h.name for h in HOURS), False) if closed else {},
            clock=clock,
            calendars=calendars,
            default_metrics=QueueMetrics(
                size=queue_size,
                oldest_age_seconds=wait,
                agents_online=agents,
                agents_staffed=agents,
                agents_available=agents if queue_size == 0 else 0,
                expected_wait_seconds=wait,
            ),
            full_queues=frozenset(q.name for q in QUEUES) if full else frozenset(),
        )
        language = _LANGUAGES.get(lang, lang)
        contact = contact_options(flow_type, disconnect_reason)
        contact["channel"] = channel
        if channel == "CHAT":  # started as the deployed chat_start function starts a web chat
            from civicline.local.chat_start import chat_start_options

            contact.update(chat_start_options(_LANGUAGES.get(lang, lang)))
        try:
            result = run_call(
                flow,
                script,
                # a chat contact has no phone endpoint (CustomerEndpoint is not a number)
                caller=caller if channel == "VOICE" else None,
                language=language,
                center=center,
                flows_dir=flows_dir,
                err=err,
                env=env,
                ended_by=ended_by.lower() if ended_by else None,
                window_closed=end_chat,
                **contact,
            )
        except (KeyError, FlowLoadError, OSError) as exc:
            # a KeyError's str() is its repr (quoted); an OSError names the file it could not read
            message = exc.args[0] if isinstance(exc, KeyError) and exc.args else str(exc)
            err.print(f"[red]{escape(message)}[/red]", highlight=False)
            raise typer.Exit(2) from exc
        if as_json:
            typer.echo(json.dumps(result.to_json(), indent=2, ensure_ascii=False, default=str))
        else:
            print_transcript(result, out)
            if result.after is not None:
                out.print(f"[bold]after the agent answered, the {ended_by} ended the contact:[/bold]")
                print_transcript(result.after, out)
        if result.ended.get("how") == "ERROR":
            raise typer.Exit(1)
