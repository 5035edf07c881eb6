"""The dashboard's low-stock list: stock levels whose available units fell to or below their reorder point
(`available = on_hand − reserved − safety_stock`; a level without a reorder point never counts as low)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, func, select

from baton.adapters.db import tables as t

LOW_STOCK_SHOWN = 10
K = t.stock_levels.c


@dataclass(frozen=True)
class LowStock:
    location: str
    sku: str
    name: str
    available: int
    reorder_point: int


def low_stock(conn: Connection, locations: frozenset[str] = frozenset(),
              limit: int = LOW_STOCK_SHOWN) -> tuple[list[LowStock], int]:
    """The lowest levels first (furthest below their reorder point), and how many levels are low in all."""
    available = K.on_hand - K.reserved - K.safety_stock
    low = [K.reorder_point.is_not(None), available <= K.reorder_point]
    if locations:
        low.append(K.location.in_(locations))
    count = int(conn.scalar(select(func.count()).select_from(t.stock_levels).where(*low)) or 0)
    rows = conn.execute(
        select(K.location, K.sku, t.products.c.name, available.label("available"), K.reorder_point)
        .select_from(t.stock_levels.join(t.products, t.products.c.sku == K.sku)).where(*low)
        .order_by((available - K.reorder_point), K.sku, K.location).limit(limit))
    return [LowStock(r.location, r.sku, r.name, int(r.available), int(r.reorder_point)) for r in rows], count
