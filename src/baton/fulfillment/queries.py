"""Read side of fulfilment: a location's queue."""

from __future__ import annotations

from sqlalchemy import Connection, and_, or_, select

from baton.adapters.db import tables as t
from baton.shared import cursor as cursors


def list_fulfillment_orders(conn: Connection, location: str | None, status: str | None, limit: int,
                            cursor: str | None, within: frozenset[str] = frozenset()) -> tuple[list[dict], str | None]:
    """Oldest first: the queue is worked in the order it arrived. `within`: only these locations, when given."""
    fo, o = t.fulfillment_orders.c, t.orders.c
    stmt = select(fo.id, fo.order_id, o.number.label("order_number"), fo.location, fo.status, fo.created_at,
                  fo.updated_at, o.delivery_method, (o.status == "on_hold").label("on_hold")).select_from(
        t.fulfillment_orders.join(t.orders, o.id == fo.order_id))
    if location:
        stmt = stmt.where(fo.location == location)
    if within:
        stmt = stmt.where(fo.location.in_(sorted(within)))
    if status:
        stmt = stmt.where(fo.status == status)
    if cursor:
        created_at, last_id = cursors.decode_keyset(cursor)
        stmt = stmt.where(or_(fo.created_at > created_at, and_(fo.created_at == created_at, fo.id > last_id)))
    rows = [dict(r._mapping) for r in conn.execute(stmt.order_by(fo.created_at, fo.id).limit(limit + 1))]
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        next_cursor = cursors.encode_keyset(rows[-1]["created_at"], rows[-1]["id"])
    ids = [row["id"] for row in rows]
    lines: dict[str, list[dict]] = {i: [] for i in ids}
    if ids:
        fl = t.fulfillment_lines.c
        for line in conn.execute(select(fl.fulfillment_order_id, fl.order_line_id, fl.sku, fl.quantity, fl.shipped,
                                        fl.cancelled, fl.awaiting_stock).where(fl.fulfillment_order_id.in_(ids))):
            lines[line.fulfillment_order_id].append({
                "line_id": line.order_line_id, "sku": line.sku, "quantity": line.quantity, "shipped": line.shipped,
                "cancelled": line.cancelled, "awaiting_stock": line.awaiting_stock,
                "remaining": line.quantity - line.shipped - line.cancelled})
    for row in rows:
        row["lines"] = lines[row["id"]]
    return rows, next_cursor
