"""Read side of identity and access: the audit log."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, and_, or_, select

from baton.adapters.db import tables as t
from baton.shared import cursor as cursors


@dataclass(frozen=True)
class AuditFilter:
    actor_id: str | None = None
    target_type: str | None = None
    target_id: str | None = None
    action: str | None = None
    request_id: str | None = None
    at_from: datetime | None = None  # inclusive
    at_to: datetime | None = None  # exclusive


def audit_log(conn: Connection, f: AuditFilter, limit: int, cursor: str | None) -> tuple[list[dict], str | None]:
    """Newest first."""
    a = t.audit_log.c
    stmt = select(a.id, a.at, a.actor_kind, a.actor_id, a.actor_name, a.actor_role, a.action, a.target_type,
                  a.target_id, a.before, a.after, a.source_address, a.request_id)
    for column, value in ((a.actor_id, f.actor_id), (a.target_type, f.target_type), (a.target_id, f.target_id),
                          (a.action, f.action), (a.request_id, f.request_id)):
        if value is not None:
            stmt = stmt.where(column == value)
    if f.at_from is not None:
        stmt = stmt.where(a.at >= f.at_from)
    if f.at_to is not None:
        stmt = stmt.where(a.at < f.at_to)
    if cursor:
        at, last_id = cursors.decode_keyset(cursor)
        stmt = stmt.where(or_(a.at < at, and_(a.at == at, a.id < last_id)))
    rows = [dict(r._mapping) for r in conn.execute(stmt.order_by(a.at.desc(), a.id.desc()).limit(limit + 1))]
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        next_cursor = cursors.encode_keyset(rows[-1]["at"], rows[-1]["id"])
    return rows, next_cursor
