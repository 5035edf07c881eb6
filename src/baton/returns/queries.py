"""Read side of returns: the queue of returns by status, oldest first, and a return found by its number."""

from __future__ import annotations

from sqlalchemy import Connection, and_, func, or_, select

from baton.adapters.db import tables as t
from baton.shared import cursor as cursors


def list_returns(conn: Connection, status: str | None, limit: int, cursor: str | None,
                 within: frozenset[str] = frozenset()) -> tuple[list[dict], str | None]:
    """Oldest first: the queue is worked in the order it arrived. `within`: only returns not yet at a location or
    at one of these (what a location-scoped user may receive), when given."""
    r, o, rl = t.returns.c, t.orders.c, t.return_lines.c
    units = (select(func.sum(rl.quantity)).where(rl.return_id == r.id).scalar_subquery())
    stmt = (select(r.id, r.number, o.number.label("order_number"), r.status, r.method, r.location, r.created_at,
                   units.label("units"))
            .select_from(t.returns.join(t.orders, o.id == r.order_id)))
    if status:
        stmt = stmt.where(r.status == status)
    if within:
        stmt = stmt.where(or_(r.location.is_(None), r.location.in_(sorted(within))))
    if cursor:
        created_at, last_id = cursors.decode_keyset(cursor)
        stmt = stmt.where(or_(r.created_at > created_at, and_(r.created_at == created_at, r.id > last_id)))
    rows = [dict(row._mapping) for row in conn.execute(stmt.order_by(r.created_at, r.id).limit(limit + 1))]
    if len(rows) <= limit:
        return rows, None
    rows = rows[:limit]
    return rows, cursors.encode_keyset(rows[-1]["created_at"], rows[-1]["id"])


def return_id(conn: Connection, number: str) -> str | None:
    """The id of the return with this RMA number, if any."""
    found = conn.scalar(select(t.returns.c.id).where(t.returns.c.number == number[:40]))
    return str(found) if found else None
