"""The event stream: every published event also goes to a stream that marketing and finance tools consume.

The worker queues the events it fans out (in the same transaction) and then publishes the queue through a sink:
a JSON-lines file by default, NATS JetStream when configured. One worker publishes at a time, each order's events
in sequence; at-least-once (after a crash a run of events may be published again: consumers de-duplicate on id)."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

from baton.config import Settings
from baton.events import catalogue
from baton.events.catalogue import Published

if TYPE_CHECKING:
    from baton.adapters.db.uow import UnitOfWork
    from baton.bootstrap import Container

log = logging.getLogger("baton.stream")
OFF = "off"  # BATON_EVENTS_FILE=off: no stream at all


class Sink(Protocol):
    """Where the stream goes. `publish` returns once every message is stored, in the order given, or raises."""

    def publish(self, messages: list[dict[str, Any]]) -> None: ...

    def close(self) -> None: ...


def enabled(settings: Settings) -> bool:
    return settings.nats_url is not None or (settings.events_file or "").lower() != OFF


def enqueue(uow: UnitOfWork, events: list[Published], now: datetime) -> int:
    """Called in the worker's fan-out transaction with the events it publishes. Returns events queued."""
    if not enabled(uow.settings):
        return 0
    uow.stream.enqueue(events, now)
    return len(events)


def publish_due(container: Container, sink: Sink, batch: int) -> int:
    """Publish up to about `batch` queued events unless another worker is publishing. Returns events published;
    a sink that fails leaves them queued for the next pass."""
    with container.uow() as uow:
        if not uow.stream.lock_publisher():
            return 0
        events = uow.stream.due(batch)
        if not events:
            return 0
        try:
            sink.publish([message(e) for e in events])
        except Exception:  # the sink is down: nothing is lost, the next pass tries again
            log.exception("publishing %d event(s) on the stream failed; they stay queued", len(events))
            return 0
        uow.stream.done([e.id for e in events])
        uow.commit()
    return len(events)


def message(event: Published) -> dict[str, Any]:
    """The stream carries the same envelope as a webhook."""
    return catalogue.envelope(event.id, event.type, event.version, event.order_id, event.sequence,
                              event.occurred_at, event.payload)
