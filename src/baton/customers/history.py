"""A customer's order history as the console lists it: their orders, newest first, each with its returns (RMAs),
and how many returns they opened in all."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, func, select

from baton.adapters.db import tables as t
from baton.customers import queries

R, ORD = t.returns.c, t.orders.c


def orders(conn: Connection, customer_id: str, limit: int, cursor: str | None) -> tuple[list[dict[str, Any]],
                                                                                          str | None]:
    """A page of the customer's orders (keyset on placed_at, id), each with `returns`: its RMAs."""
    rows, next_cursor = queries.history(conn, customer_id, limit, cursor)
    ids = [row["id"] for row in rows]
    counts: dict[str, int] = {}
    if ids:
        counts = {row[0]: int(row[1]) for row in conn.execute(
            select(R.order_id, func.count()).where(R.order_id.in_(ids)).group_by(R.order_id))}
    for row in rows:
        row["returns"] = int(counts.get(row["id"], 0))
    return rows, next_cursor


def return_count(conn: Connection, customer_id: str) -> int:
    """Returns (RMAs) opened for any of the customer's orders."""
    found = conn.scalar(select(func.count()).select_from(t.returns.join(t.orders, R.order_id == ORD.id))
                        .where(ORD.customer_id == customer_id))
    return int(found or 0)
