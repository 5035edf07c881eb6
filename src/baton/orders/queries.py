"""Read side of ordering: order lists and search, the timeline, public tracking."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, exists, or_, select

from baton.adapters.db import tables as t
from baton.adapters.db.hot import HotRead
from baton.shared import cursor as cursors


@dataclass(frozen=True)
class OrderFilter:
    status: str | None = None
    fulfillment_status: str | None = None
    channel: str | None = None
    email: str | None = None
    sku: str | None = None
    number: str | None = None
    placed_from: datetime | None = None
    placed_to: datetime | None = None
    tag: str | None = None  # stored lower case
    location: str | None = None  # a fulfilment order there, or picked up there


def list_orders(conn: Connection, f: OrderFilter, limit: int, cursor: str | None) -> tuple[list[dict], str | None]:
    """Newest first, keyset-paginated on (placed_at, id) so deep pages stay as fast as the first."""
    o = t.orders.c
    stmt = select(o.id, o.number, o.tracking_id, o.channel, o.status, o.fulfillment_status, o.currency, o.total,
                  o.customer_email, o.customer_name, o.delivery_method, o.placed_at, o.updated_at)
    conditions: list[Any] = []
    for column, value in ((o.status, f.status), (o.fulfillment_status, f.fulfillment_status),
                          (o.channel, f.channel), (o.number, f.number)):
        if value is not None:
            conditions.append(column == value)
    if f.email:
        conditions.append(o.customer_email == f.email.strip().lower())
    if f.placed_from:
        conditions.append(o.placed_at >= f.placed_from)
    if f.placed_to:
        conditions.append(o.placed_at < f.placed_to)
    if f.sku:
        lines = t.order_lines.c
        conditions.append(exists().where(and_(lines.order_id == o.id, lines.sku == f.sku)))
    if f.tag:
        tags = t.order_tags.c  # (tag, order_id) is indexed
        conditions.append(exists().where(and_(tags.order_id == o.id, tags.tag == f.tag.strip().lower())))
    if f.location:
        fos = t.fulfillment_orders.c  # order_id is indexed: one probe per candidate order
        conditions.append(or_(o.pickup_location == f.location,
                              exists().where(and_(fos.order_id == o.id, fos.location == f.location))))
    if cursor:
        after, last_id = cursors.decode_keyset(cursor)
        conditions.append(or_(o.placed_at < after, and_(o.placed_at == after, o.id < last_id)))
    stmt = stmt.where(*conditions).order_by(o.placed_at.desc(), o.id.desc()).limit(limit + 1)
    rows = [dict(row._mapping) for row in conn.execute(stmt)]
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        next_cursor = cursors.encode_keyset(rows[-1]["placed_at"], rows[-1]["id"])
    return rows, next_cursor


def timeline(conn: Connection, order_id: str) -> list[dict]:
    c = t.timeline.c
    stmt = select(c.id, c.at, c.actor, c.kind, c.message, c.data).where(c.order_id == order_id).order_by(c.at, c.id)
    return [dict(row._mapping) for row in conn.execute(stmt)]


def order_exists(conn: Connection, order_id: str) -> bool:
    return conn.scalar(select(t.orders.c.id).where(t.orders.c.id == order_id)) is not None


_o, _s = t.orders.c, t.shipments.c
_TRACKING = HotRead(
    "SELECT o.number, o.status, o.fulfillment_status, o.delivery_method, o.pickup_location, o.shipping_address, "
    "o.customer_name, o.placed_at, s.id AS shipment_id, s.carrier, s.tracking_number, s.status AS shipment_status, "
    "s.shipped_at, s.delivered_at, s.lines FROM orders AS o LEFT OUTER JOIN shipments AS s ON s.order_id = o.id "
    "WHERE o.tracking_id = :tracking_id ORDER BY s.shipped_at, s.id",
    {"number": _o.number.type, "status": _o.status.type, "fulfillment_status": _o.fulfillment_status.type,
     "delivery_method": _o.delivery_method.type, "pickup_location": _o.pickup_location.type,
     "shipping_address": _o.shipping_address.type, "customer_name": _o.customer_name.type,
     "placed_at": _o.placed_at.type, "shipment_id": _s.id.type, "carrier": _s.carrier.type,
     "tracking_number": _s.tracking_number.type, "shipment_status": _s.status.type, "shipped_at": _s.shipped_at.type,
     "delivered_at": _s.delivered_at.type, "lines": _s.lines.type})


def tracking(conn: Connection, tracking_id: str) -> dict | None:
    """What a stranger holding the link may see: status, parcels, destination city and first name.
    One statement (orders LEFT JOIN shipments): the public page is the hottest read."""
    rows = _TRACKING.rows(conn, tracking_id=tracking_id)
    if not rows:
        return None
    row = rows[0]
    address = row.shipping_address or {}
    return {
        "number": row.number,
        "status": row.status,
        "fulfillment_status": row.fulfillment_status,
        "delivery_method": row.delivery_method,
        "pickup_location": row.pickup_location,
        "placed_at": row.placed_at,
        "destination_city": address.get("city"),
        "first_name": (row.customer_name or "").split(" ")[0] or None,
        "shipments": [
            {"carrier": sh.carrier, "tracking_number": sh.tracking_number, "status": sh.shipment_status,
             "shipped_at": sh.shipped_at, "delivered_at": sh.delivered_at,
             "units": sum(int(item["quantity"]) for item in sh.lines)}
            for sh in rows if sh.shipment_id is not None
        ],
    }
