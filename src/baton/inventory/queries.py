"""Read side of inventory: availability per SKU and location, stock levels, ledger history."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Integer, String, func, select
from sqlalchemy.types import TypeEngine

from baton.adapters.db import tables as t
from baton.adapters.db.hot import HotRead

# The availability route's statement: a hot read (prepared on PostgreSQL, see adapters/db/hot.py). Every location's
# row comes back and a location-scoped actor's are picked in Python: one statement for every actor, and the
# shape the one-round-trip read of adapters/db/fast_reads.py shares.
_AVAILABLE_COLUMNS: dict[str, TypeEngine[Any]] = {"sku": String(), "location": String(), "available": Integer()}
_AVAILABLE = HotRead("SELECT sku, location, on_hand - reserved - safety_stock AS available FROM stock_levels "
                     "WHERE sku IN :skus ORDER BY sku, location", _AVAILABLE_COLUMNS, lists={"skus": String()})

StockRow = tuple[str, str, int]  # sku, location, available (may be below zero)


def stock_rows(conn: Connection, skus: list[str]) -> list[StockRow]:
    """Every stock level of `skus`, ordered by SKU and location."""
    return [(row.sku, row.location, row.available) for row in _AVAILABLE.rows(conn, skus=skus)]


def availability(conn: Connection, skus: list[str], locations: frozenset[str] = frozenset()) -> list[dict]:
    """Per SKU: total available (never below zero per location) and each location's figure; only the given
    `locations` when there are any."""
    return availability_of(stock_rows(conn, skus), skus, locations)


def availability_of(rows: list[StockRow], skus: list[str], locations: frozenset[str] = frozenset()) -> list[dict]:
    """`availability` from its stock rows (ordered by SKU and location)."""
    by_sku: dict[str, list[dict]] = {sku: [] for sku in skus}
    for sku, location, available in rows:
        if not locations or location in locations:
            by_sku[sku].append({"location": location, "available": max(int(available), 0)})
    return [{"sku": sku, "available": sum(loc["available"] for loc in locs), "locations": locs}
            for sku, locs in by_sku.items()]


def stock_level(conn: Connection, location: str, sku: str) -> dict | None:
    c = t.stock_levels.c
    row = conn.execute(select(c.location, c.sku, c.on_hand, c.reserved, c.safety_stock, c.updated_at,
                              c.reorder_point)
                       .where(c.location == location, c.sku == sku)).first()
    if row is None:
        return None
    level = dict(row._mapping)
    level["available"] = level["on_hand"] - level["reserved"] - level["safety_stock"]
    return level


def ledger(conn: Connection, location: str, sku: str, limit: int = 100) -> list[dict]:
    c = t.inventory_ledger.c
    stmt = (select(c.id, c.kind, c.delta, c.on_hand_after, c.reason, c.actor, c.reference, c.created_at)
            .where(c.location == location, c.sku == sku).order_by(c.created_at.desc(), c.id.desc()).limit(limit))
    return [dict(row._mapping) for row in conn.execute(stmt)]


def ledger_mismatches(conn: Connection) -> list[dict]:
    """Stock levels whose on_hand differs from the sum of their ledger: should always be empty."""
    c, lg = t.stock_levels.c, t.inventory_ledger.c
    sums = (select(lg.location, lg.sku, func.sum(lg.delta).label("total"))
            .group_by(lg.location, lg.sku).subquery())
    stmt = (select(c.location, c.sku, c.on_hand, func.coalesce(sums.c.total, 0).label("ledger"))
            .select_from(t.stock_levels.outerjoin(sums, (sums.c.location == c.location) & (sums.c.sku == c.sku)))
            .where(c.on_hand != func.coalesce(sums.c.total, 0)))
    return [dict(row._mapping) for row in conn.execute(stmt)]


def reservation_mismatches(conn: Connection) -> list[dict]:
    """Stock levels whose reserved counter differs from the units their open fulfilment orders hold."""
    c, fl, fo = t.stock_levels.c, t.fulfillment_lines.c, t.fulfillment_orders.c
    held = (select(fo.location, fl.sku, func.sum(fl.quantity - fl.shipped - fl.cancelled).label("held"))
            .select_from(t.fulfillment_lines.join(t.fulfillment_orders, fo.id == fl.fulfillment_order_id))
            .where(fo.status.in_(["open", "accepted", "packed"])).group_by(fo.location, fl.sku).subquery())
    stmt = (select(c.location, c.sku, c.reserved, func.coalesce(held.c.held, 0).label("held"))
            .select_from(t.stock_levels.outerjoin(held, (held.c.location == c.location) & (held.c.sku == c.sku)))
            .where(c.reserved != func.coalesce(held.c.held, 0)))
    return [dict(row._mapping) for row in conn.execute(stmt)]
