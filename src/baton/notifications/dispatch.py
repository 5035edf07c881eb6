"""The worker's side of notifications: turn published events into messages, then send what is due."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from baton.events.catalogue import Published

if TYPE_CHECKING:
    from baton.adapters.db.uow import UnitOfWork
    from baton.bootstrap import Container


def enqueue(uow: UnitOfWork, events: list[Published], now: datetime) -> int:
    """Called in the worker's fan-out transaction with the events it publishes. Returns messages queued."""
    return 0


def send_due(container: Container, batch: int) -> int:
    """Send up to `batch` due messages, each recorded in its own transaction. Returns messages attempted."""
    return 0
