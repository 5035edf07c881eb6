"""Sinks of the event stream: a JSON-lines file (the default) and NATS JetStream."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.engine import make_url

from baton.config import Settings
from baton.events.stream import Sink, enabled

DEFAULT_FILE = "baton-events.jsonl"


def events_file(settings: Settings) -> Path:
    """BATON_EVENTS_FILE, or baton-events.jsonl next to the SQLite database (else in the working directory)."""
    if settings.events_file:
        return Path(settings.events_file).expanduser().resolve()
    url = make_url(settings.database_url)
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        return Path(url.database).resolve().parent / DEFAULT_FILE
    return Path(DEFAULT_FILE).resolve()


def open_sink(settings: Settings) -> Sink | None:
    """The configured sink, or None when the stream is off."""
    if settings.nats_url:
        from baton.adapters.events.nats import NatsSink  # imported only where NATS is used

        return NatsSink(settings.nats_url)
    if not enabled(settings):
        return None
    from baton.adapters.events.jsonl import JsonLinesSink

    return JsonLinesSink(events_file(settings))
