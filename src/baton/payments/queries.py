"""Read side of payments for the sweep of stuck transactions: which orders wait for a gateway's answer, and
the lock one sweeper takes on an order while it settles it (PostgreSQL)."""

from __future__ import annotations

import hashlib
from datetime import datetime

from sqlalchemy import Connection, func, select, text

from baton.adapters.db import tables as t


def stuck_orders(conn: Connection, before: datetime, limit: int) -> list[str]:
    """Orders with a transaction pending since before `before`, the longest waiting first."""
    p, x = t.payments.c, t.payment_transactions.c
    since = func.min(x.created_at).label("since")
    stmt = (select(p.order_id, since).select_from(t.payment_transactions.join(t.payments, p.id == x.payment_id))
            .where(x.status == "pending", x.created_at < before)
            .group_by(p.order_id).order_by(since, p.order_id).limit(limit))
    return [row.order_id for row in conn.execute(stmt)]


def claim_order(conn: Connection, order_id: str) -> bool:
    """Take the sweeper's lock on the order until `conn`'s transaction ends; False when another process holds it.

    PostgreSQL: a transaction-level advisory lock, tried without waiting. Not the order row's FOR UPDATE lock:
    the settlement itself takes that row lock in a transaction of its own (it would wait for us), and a row
    lock held across a gateway call would stop agents' changes of the order for as long as the gateway takes.
    The advisory lock stops only another sweeper, which skips the order, and goes with the connection if the
    process dies. SQLite allows one writer at a time and runs on one machine: nothing to take (a second sweeper
    would at worst ask the gateway again with the same idempotency keys, which moves no money twice)."""
    if conn.dialect.name != "postgresql":
        return True
    return bool(conn.scalar(text("SELECT pg_try_advisory_xact_lock(:key)"), {"key": _lock_key(order_id)}))


def _lock_key(order_id: str) -> int:
    """A signed 64-bit key for the order, in a namespace of its own (a collision only makes a sweeper skip)."""
    return int.from_bytes(hashlib.sha256(f"baton.payments.settle:{order_id}".encode()).digest()[:8], "big",
                          signed=True)
