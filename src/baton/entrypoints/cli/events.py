"""`baton events tail`: follow the event stream (the JSON-lines file, or NATS JetStream when configured)."""

from __future__ import annotations

import asyncio
import json
import signal
import sys
import threading
from types import FrameType
from typing import Any

import typer

from baton.adapters.events import events_file
from baton.config import Settings
from baton.entrypoints.cli.output import console
from baton.events.catalogue import EVENT_TYPES

app = typer.Typer(help="The event stream.", no_args_is_help=True)


@app.command("tail")
def tail(
    from_start: bool = typer.Option(False, "--from-start", help="Begin with the first event kept, not with now."),
    event_type: list[str] = typer.Option([], "--type", "-t", help="Only this event type (repeat for several)."),
    follow: bool = typer.Option(True, "--follow/--no-follow",
                                help="Keep waiting for new events (default), or stop at the last one there now."),
) -> None:
    """Print the stream's events, one JSON envelope per line on standard output. Ctrl-C stops."""
    unknown = sorted(set(event_type) - EVENT_TYPES)
    if unknown:
        console.print(f"[red]Unknown event type(s):[/red] {', '.join(unknown)} (docs/events.md lists them).")
        raise typer.Exit(2)
    wanted = set(event_type)

    def emit(event: dict[str, Any]) -> None:
        if not wanted or event.get("type") in wanted:
            sys.stdout.write(json.dumps(event, ensure_ascii=False, separators=(",", ":")) + "\n")
            sys.stdout.flush()

    settings = Settings.from_env()
    try:
        if settings.nats_url:
            from baton.adapters.events.nats import tail as nats_tail

            console.print(f"Following the NATS stream at {settings.nats_url}.")
            asyncio.run(nats_tail(settings.nats_url, emit, from_start=from_start, keep_following=follow))
        else:
            _tail_file(settings, emit, from_start, follow)
    except KeyboardInterrupt:
        pass


def _tail_file(settings: Settings, emit: Any, from_start: bool, follow: bool) -> None:
    from baton.adapters.events.jsonl import follow as follow_file

    path = events_file(settings)
    console.print(f"Following {path}.")
    stop = threading.Event()

    def stopping(_signum: int, _frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, stopping)
    for event in follow_file(path, from_start=from_start, keep_following=follow, stop=stop):
        emit(event)
