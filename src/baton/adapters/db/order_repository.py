"""Orders and customers. A new order is inserted with Core in a few statements (the capture hot path);
a loaded order is tracked by the ORM so later changes are written back by the unit of work."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Table, bindparam, delete, insert, select, text

from baton.adapters.db import tables as t
from baton.adapters.db.hot import Prepared
from baton.adapters.db.sql import CoreRepository, insert_ignore
from baton.orders.model import Order
from baton.shared.clock import utcnow
from baton.shared.ids import new_id


def _row(table: Table, obj: object, **extra: Any) -> dict[str, Any]:
    return {c.name: extra[c.name] if c.name in extra else getattr(obj, c.name) for c in table.columns}


_NEW = {table.name: Prepared(insert(table)) for table in (t.orders, t.order_lines, t.fulfillment_orders,
                                                           t.fulfillment_lines, t.order_holds)}
_NEXT_NUMBER = Prepared(text("SELECT nextval('order_number_seq_value_seq')"))
_CUSTOMER_BY_EMAIL = Prepared(select(t.customers.c.id).where(t.customers.c.email == bindparam("email")))


class Orders(CoreRepository):
    def insert_new(self, order: Order) -> None:
        """The whole new aggregate in one statement per table."""
        _NEW["orders"].executemany(self.db, [_row(t.orders, order)])
        _NEW["order_lines"].executemany(self.db, [_row(t.order_lines, line, order_id=order.id)
                                                  for line in order.lines])
        fos = order.fulfillment_orders
        _NEW["fulfillment_orders"].executemany(self.db, [_row(t.fulfillment_orders, fo) for fo in fos])
        _NEW["fulfillment_lines"].executemany(self.db, [
            _row(t.fulfillment_lines, line, fulfillment_order_id=fo.id) for fo in fos for line in fo.lines])
        _NEW["order_holds"].executemany(self.db, [_row(t.order_holds, hold) for hold in order.holds])  # risk rules

    def get(self, order_id: str, *, lock: bool = False) -> Order | None:
        stmt = select(Order).where(t.orders.c.id == order_id)
        if lock:
            stmt = stmt.with_for_update()
        return self.s.scalars(stmt).first()

    def order_id_of_fulfillment_order(self, fo_id: str) -> str | None:
        return self.db.scalar(select(t.fulfillment_orders.c.order_id).where(t.fulfillment_orders.c.id == fo_id))

    def next_number(self) -> str:
        if self.s.get_bind().dialect.name == "postgresql":
            value = _NEXT_NUMBER.scalar(self.db)
        else:  # SQLite: AUTOINCREMENT never reuses a value, even after the row is gone
            key = self.db.execute(insert(t.order_number_seq).values()).inserted_primary_key
            assert key is not None
            value = key[0]
            self.db.execute(delete(t.order_number_seq).where(t.order_number_seq.c.value == value))
        return f"BT-{100000 + int(value)}"


class Customers(CoreRepository):
    def upsert(self, email: str, name: str | None, phone: str | None) -> str:
        """The customer id for this email, created on first sight (matched case-insensitively)."""
        email = email.strip().lower()
        found = _CUSTOMER_BY_EMAIL.scalar(self.db, {"email": email})
        if found is None:
            insert_ignore(self.s, t.customers, {"id": new_id("cus"), "email": email, "name": name, "phone": phone,
                                                "created_at": utcnow()})
            found = _CUSTOMER_BY_EMAIL.scalar(self.db, {"email": email})
        assert found is not None
        return str(found)
