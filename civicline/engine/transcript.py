"""Human-readable transcript of a :class:`~civicline.engine.result.CallResult` (rich)."""

from __future__ import annotations

import json

from rich.console import Console, Group, RenderableType
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from civicline.engine.result import CallResult

_HOW_STYLE = {
    "QUEUE": "green",
    "CALLBACK": "green",
    "TRANSFER_FLOW": "cyan",
    "TRANSFER_PHONE": "cyan",
    "TRANSFER_AGENT": "cyan",
    "END": "cyan",
    "DISCONNECT": "yellow",
    "ERROR": "bold red",
}


def _short(value: object, limit: int = 160) -> str:
    text = json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else value
    return text if len(text) <= limit else text[: limit - 1] + "…"


def render_steps(result: CallResult) -> Table:
    table = Table(show_header=True, header_style="bold", expand=True, box=None, pad_edge=False)
    table.add_column("#", justify="right", style="dim", width=4)
    table.add_column("action", min_width=24, max_width=34, overflow="fold")
    table.add_column("what happened", ratio=1, overflow="fold")
    flow = None
    for number, step in enumerate(result.steps, start=1):
        if step.flow != flow:
            flow = step.flow
            table.add_row("", Text(f"flow {flow}", style="bold magenta"), "")
        lines: list[str] = []
        lines.extend(f'[blue]says[/blue] "{escape(said)}"' for said in step.said)
        if step.picker is not None:
            lines.append(f"[blue]shows list picker[/blue] {escape(str(step.picker['title']))}")
            lines.extend(f"  {c['number']}. {escape(str(c['title']))}" for c in step.picker["choices"])
        if step.entry is not None:
            who = "customer types" if result.contact.channel == "CHAT" else "caller keys"
            lines.append(f"[bold]{who}[/bold] {escape(step.entry)}")
        if step.call is not None:
            call = step.call
            lines.append(
                f"[cyan]lambda[/cyan] {escape(str(call['function']))} {escape(_short(call['parameters']))}"
            )
            if call.get("error"):
                detail = f" ({escape(str(call.get('detail', '')))})" if call.get("detail") else ""
                attempts = call.get("attempts")
                lines.append(f"  [red]{escape(str(call['error']))}[/red] after {attempts} attempt(s){detail}")
            else:
                lines.append(f"  [green]→[/green] {escape(_short(call['result']))}")
        if step.detail:
            lines.append(f"[dim]{escape(step.detail)}[/dim]")
        lines.append(f"[dim]→ {escape(step.branch)}[/dim]")
        table.add_row(
            str(number),
            f"{escape(step.identifier)}\n[dim]{escape(step.type)}[/dim]",
            "\n".join(lines),
        )
    return table


def render(result: CallResult) -> RenderableType:
    """The whole transcript: steps, attributes, and how the contact ended."""
    ended = result.ended
    how = str(ended.get("how", ""))
    style = _HOW_STYLE.get(how, "bold")
    summary = Text()
    summary.append(how or "?", style=style)
    if ended.get("queue"):
        summary.append(f"  queue {ended['queue']}")
    if ended.get("flow"):
        summary.append(f"  in flow {ended['flow']}")
    for key in ("number", "to"):
        if ended.get(key):
            summary.append(f"  {key} {ended[key]}")
    if ended.get("callback"):
        summary.append(f"\ncallback {json.dumps(ended['callback'])}")
    for task in result.contact.tasks:
        summary.append(f"\ntask {task.contact_id} for flow {task.flow}: {task.name}")
    if ended.get("detail"):
        summary.append(f"\n{ended['detail']}", style="dim")
    attributes = Table(show_header=False, box=None)
    attributes.add_column(style="bold")
    attributes.add_column(overflow="fold")
    for key, value in sorted(result.attributes.items()):
        attributes.add_row(key, value)
    parts: list[RenderableType] = [
        Text(f"contact {result.contact_id}  caller {result.contact.caller_number or '-'}", style="dim"),
        render_steps(result),
    ]
    if result.attributes:
        parts.append(Panel(attributes, title="contact attributes", title_align="left"))
    parts.append(Panel(summary, title="ended", title_align="left", border_style=style))
    return Group(*parts)


def print_transcript(result: CallResult, console: Console | None = None) -> None:
    (console or Console()).print(render(result))
