"""The stream queue with Core: events waiting to be published on the event stream, handed out in order per order.

One publisher at a time: on PostgreSQL a transaction-scoped advisory lock (released with the transaction, or with
the connection of a worker that died); on SQLite the publishing transaction holds the single writer lock."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

from sqlalchemy import Select, delete, exists, func, insert, select

from baton.adapters.db import tables as t
from baton.adapters.db.sql import CoreRepository
from baton.events.catalogue import Published

_Q, _O = t.stream_queue.c, t.outbox.c
PUBLISHER_LOCK = 0x62617473  # the advisory lock key of the stream's publisher ("bats")
_QUEUED = select(_O.id, _O.type, _O.version, _O.order_id, _O.sequence, _O.occurred_at, _O.payload).select_from(
    t.stream_queue.join(t.outbox, _O.id == _Q.event_id))


class StreamQueue(CoreRepository):
    def enqueue(self, events: list[Published], now: datetime) -> None:
        if events:
            self.db.execute(insert(t.stream_queue), [
                {"event_id": e.id, "order_id": e.order_id, "sequence": e.sequence, "queued_at": now} for e in events])

    def lock_publisher(self) -> bool:
        """True when this transaction may publish; False while another worker's transaction does."""
        if self.db.dialect.name != "postgresql":
            return True  # the write transaction already excludes every other writer
        return bool(self.db.scalar(select(func.pg_try_advisory_xact_lock(PUBLISHER_LOCK))))

    def due(self, limit: int) -> list[Published]:
        """About `limit` queued events, the oldest first, and each order's events by sequence: an order's event
        waits while an earlier one of its order is not yet fanned out (then it is not queued yet either)."""
        unfanned = t.outbox.alias("unfanned")
        ready = ~exists().where(unfanned.c.order_id == _Q.order_id, unfanned.c.sequence < _Q.sequence,
                                unfanned.c.published_at.is_(None))
        candidates = self._events(_QUEUED.where(ready).order_by(_Q.queued_at, _Q.event_id).limit(limit))
        # Of an order in the batch, every queued event up to its latest candidate goes too, by sequence (one
        # queued later than a later-numbered one included): none is left behind a later one of its order.
        latest: dict[str, int] = {}
        for e in candidates:
            if e.order_id is not None and e.sequence is not None:
                latest[e.order_id] = max(latest.get(e.order_id, 0), e.sequence)
        by_order: dict[str, list[Published]] = defaultdict(list)
        if latest:
            for e in self._events(_QUEUED.where(_Q.order_id.in_(sorted(latest))).order_by(_Q.order_id, _Q.sequence)):
                assert e.order_id is not None and e.sequence is not None
                if e.sequence <= latest[e.order_id]:
                    by_order[e.order_id].append(e)
        result: list[Published] = []
        for e in candidates:
            if e.order_id is None or e.sequence is None:
                result.append(e)
            elif e.order_id in by_order:
                result.extend(by_order.pop(e.order_id))
        return result

    def _events(self, stmt: Select[Any]) -> list[Published]:
        return [Published(e.id, e.type, e.version, e.order_id, e.sequence, e.occurred_at, e.payload)
                for e in self.db.execute(stmt)]

    def done(self, event_ids: list[str]) -> None:
        if event_ids:
            self.db.execute(delete(t.stream_queue).where(_Q.event_id.in_(event_ids)))

