"""Read side of inventory for people: stock levels listed by SKU and location (searched, filtered, low only) and
the inventory ledger of one SKU across locations."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, and_, or_, select

from baton.adapters.db import tables as t
from baton.shared import cursor as cursors


@dataclass(frozen=True)
class StockFilter:
    sku: str | None = None  # part of a SKU, any case
    location: str | None = None
    low: bool = False  # only levels whose available units fell to their reorder point (or below)
    within: frozenset[str] = frozenset()  # only these locations, when given (a location-scoped reader)


def stock_levels(conn: Connection, f: StockFilter, limit: int, cursor: str | None) -> tuple[list[dict], str | None]:
    """Levels in SKU, then location order, with the product's name and `available`; keyset-paginated."""
    c, p = t.stock_levels.c, t.products.c
    available = c.on_hand - c.reserved - c.safety_stock
    stmt = (select(c.location, c.sku, p.name, c.on_hand, c.reserved, c.safety_stock, c.reorder_point,
                   available.label("available"), c.updated_at)
            .select_from(t.stock_levels.join(t.products, p.sku == c.sku)))
    if f.sku:
        stmt = stmt.where(c.sku.ilike(f"%{_escaped(f.sku)}%", escape="\\"))
    if f.location:
        stmt = stmt.where(c.location == f.location)
    if f.within:
        stmt = stmt.where(c.location.in_(sorted(f.within)))
    if f.low:
        stmt = stmt.where(c.reorder_point.is_not(None), available <= c.reorder_point)
    if cursor:
        last_sku, last_location = (str(v) for v in cursors.decode(cursor, 2))
        stmt = stmt.where(or_(c.sku > last_sku, and_(c.sku == last_sku, c.location > last_location)))
    rows = [dict(row._mapping) for row in conn.execute(stmt.order_by(c.sku, c.location).limit(limit + 1))]
    if len(rows) <= limit:
        return rows, None
    rows = rows[:limit]
    return rows, cursors.encode([rows[-1]["sku"], rows[-1]["location"]])


def ledger_of_sku(conn: Connection, sku: str, within: frozenset[str] = frozenset(), limit: int = 100) -> list[dict]:
    """The newest `limit` ledger entries of a SKU at every location (only `within` ones, when given)."""
    c = t.inventory_ledger.c
    stmt = select(c.id, c.location, c.kind, c.delta, c.on_hand_after, c.reason, c.actor, c.reference,
                  c.created_at).where(c.sku == sku)
    if within:
        stmt = stmt.where(c.location.in_(sorted(within)))
    stmt = stmt.order_by(c.created_at.desc(), c.id.desc()).limit(limit)
    return [dict(row._mapping) for row in conn.execute(stmt)]


def _escaped(term: str) -> str:
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
