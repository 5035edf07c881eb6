"""Tables of the event stream. Re-exported from tables.py, like the other table modules."""

from __future__ import annotations

from sqlalchemy import Column, ForeignKey, Index, Integer, String, Table

from baton.adapters.db.schema import TS, metadata

__all__ = ["stream_queue"]

# Events fanned out by the worker and not yet published on the stream; a row is deleted once its event is
# published, so the table holds only what is waiting. `order_id`/`sequence` keep each order's events in order.
stream_queue = Table(
    "stream_queue", metadata,
    Column("event_id", String(40), ForeignKey("outbox.id"), primary_key=True),
    Column("order_id", String(40)),
    Column("sequence", Integer),
    Column("queued_at", TS, nullable=False),
    Index("ix_stream_queue_queued_at", "queued_at", "event_id"),
    Index("ix_stream_queue_order_id_sequence", "order_id", "sequence"),
)
