"""The outbox, the timeline and idempotency keys: append-only rows written next to every change."""

from __future__ import annotations

from sqlalchemy import insert, select

from baton.adapters.db import tables as t
from baton.adapters.db.hot import Prepared
from baton.adapters.db.sql import CoreRepository, insert_ignore
from baton.adapters.db.webhook_repository import next_sequences
from baton.events.catalogue import PAYLOAD_VERSION
from baton.shared.actor import Actor
from baton.shared.audit import AuditEntry
from baton.shared.clock import utcnow
from baton.shared.messages import DomainEvent, TimelineEntry

_TIMELINE, _OUTBOX, _AUDIT = Prepared(insert(t.timeline)), Prepared(insert(t.outbox)), Prepared(insert(t.audit_log))
_FIRST_SEQUENCE = Prepared(insert(t.order_event_sequences))


class Messages(CoreRepository):
    """Timeline entries and outbox events, appended in the transaction of the change."""

    def add(self, events: list[DomainEvent], timeline: list[TimelineEntry], *, new_order: str | None = None) -> None:
        """`new_order`: the id of the order these messages create, which has no events yet: its sequence starts at
        1 and is written without reading it back (no statement here returns a result, so they can be pipelined)."""
        if timeline:
            _TIMELINE.executemany(self.db, [
                {"id": e.id, "order_id": e.order_id, "at": e.at, "actor": e.actor, "kind": e.kind,
                 "message": e.message, "data": e.data} for e in timeline
            ])
        if events:
            if new_order is not None and all(e.order_id == new_order for e in events):
                sequences: list[int | None] = list(range(1, len(events) + 1))
                _FIRST_SEQUENCE.executemany(self.db, [{"order_id": new_order, "last_sequence": len(events)}])
            else:
                sequences = next_sequences(self.db, [e.order_id for e in events])  # per order, in commit order
            _OUTBOX.executemany(self.db, [
                {"id": e.id, "type": e.type, "order_id": e.order_id, "payload": e.payload,
                 "occurred_at": e.occurred_at, "published_at": None, "sequence": sequence,
                 "version": PAYLOAD_VERSION} for e, sequence in zip(events, sequences, strict=True)
            ])


class Idempotency(CoreRepository):
    def claim(self, scope: str, key: str, fingerprint: str,
              resource_id: str | None = None) -> tuple[bool, str | None, str | None]:
        """(claimed, fingerprint of an earlier request, its resource id). A concurrent request with the same
        key waits on PostgreSQL until the first commits or rolls back, then sees its outcome."""
        claimed = insert_ignore(self.s, t.idempotency_keys, {
            "scope": scope, "key": key, "fingerprint": fingerprint, "resource_id": resource_id, "created_at": utcnow()})
        if claimed:
            return True, None, None
        row = self.db.execute(select(t.idempotency_keys.c.fingerprint, t.idempotency_keys.c.resource_id).where(
            t.idempotency_keys.c.scope == scope, t.idempotency_keys.c.key == key)).one()
        return False, row.fingerprint, row.resource_id

    def complete(self, scope: str, key: str, resource_id: str | None) -> None:
        self.db.execute(t.idempotency_keys.update().where(
            t.idempotency_keys.c.scope == scope, t.idempotency_keys.c.key == key).values(resource_id=resource_id))


class AuditLog(CoreRepository):
    """The append-only audit log: written with the change it describes, never updated."""

    def add(self, entries: list[AuditEntry], actor: Actor) -> None:
        if not entries:
            return
        _AUDIT.executemany(self.db, [
            {"id": e.id, "at": e.at, "actor_kind": actor.kind, "actor_id": actor.id[:120],
             "actor_name": actor.name[:200], "actor_role": actor.role, "action": e.action,
             "target_type": e.target_type, "target_id": e.target_id, "before": e.before, "after": e.after,
             "source_address": actor.source, "request_id": actor.request_id}
            for e in entries
        ])
