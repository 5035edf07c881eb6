"""Read side of shopper access: who a link or code is for, and that customer's own orders, nothing else."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, and_, exists, or_, select

from baton.adapters.db import tables as t
from baton.shared import cursor as cursors
from baton.shared.errors import InvalidInput


@dataclass(frozen=True)
class CustomerRef:
    id: str
    email: str
    name: str | None
    erased_at: datetime | None

    @property
    def active(self) -> bool:
        return self.erased_at is None


_CUSTOMER = (t.customers.c.id, t.customers.c.email, t.customers.c.name, t.customers.c.erased_at)


def customer(conn: Connection, customer_id: str) -> CustomerRef | None:
    row = conn.execute(select(*_CUSTOMER).where(t.customers.c.id == customer_id)).first()
    return CustomerRef(*row) if row else None


def customer_with_orders(conn: Connection, email: str) -> CustomerRef | None:
    """The customer under this (normalised) email, when they are not erased and have placed an order."""
    c, o = t.customers.c, t.orders.c
    row = conn.execute(select(*_CUSTOMER).where(
        c.email == email, c.erased_at.is_(None), exists().where(o.customer_id == c.id))).first()
    return CustomerRef(*row) if row else None


def order_of(conn: Connection, number: str, email: str) -> tuple[str, CustomerRef] | None:
    """(order id, its customer) when the order number belongs to the (normalised) email of a customer who is not
    erased; the customer's current email counts, not the one the order was placed with."""
    c, o = t.customers.c, t.orders.c
    row = conn.execute(select(o.id, *_CUSTOMER).join_from(t.orders, t.customers, o.customer_id == c.id).where(
        o.number == number, c.email == email, c.erased_at.is_(None))).first()
    return (row[0], CustomerRef(*row[1:])) if row else None


def own_order_id(conn: Connection, customer_id: str, number: str) -> str | None:
    """The id of the customer's order with this number; None for an unknown number and for someone else's."""
    o = t.orders.c
    found = conn.scalar(select(o.id).where(o.number == number, o.customer_id == customer_id))
    return str(found) if found is not None else None


def history(conn: Connection, customer_id: str, limit: int, cursor: str | None) -> tuple[list[dict], str | None]:
    """The customer's orders, newest first, keyset-paginated on (placed_at, id)."""
    o = t.orders.c
    stmt = select(o.id, o.number, o.tracking_id, o.channel, o.status, o.fulfillment_status, o.currency, o.total,
                  o.customer_email, o.customer_name, o.delivery_method, o.placed_at, o.updated_at
                  ).where(o.customer_id == customer_id)
    if cursor:
        after, last_id = cursors.decode_keyset(cursor)
        if after.tzinfo is None:  # not one we gave out (ours carry +00:00); binding it would fail
            raise InvalidInput("cursor", "is not a cursor this list gave out; start again without it.")
        stmt = stmt.where(or_(o.placed_at < after, and_(o.placed_at == after, o.id < last_id)))
    rows = [dict(row._mapping) for row in conn.execute(stmt.order_by(o.placed_at.desc(), o.id.desc())
                                                       .limit(limit + 1))]
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        next_cursor = cursors.encode_keyset(rows[-1]["placed_at"], rows[-1]["id"])
    return rows, next_cursor
