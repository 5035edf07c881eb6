"""Customers and everything Baton holds about one of them, for privacy requests (export and erasure).

Core on the unit of work's connection: an erasure rewrites many rows of several tables by key, and it must
never load (and so never risk re-writing) the order aggregates whose money it leaves alone."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, bindparam, delete, func, select, update

from baton.adapters.db import tables as t
from baton.adapters.db.sql import CoreRepository

_PERSONAL = ("customer_email", "customer_name", "customer_phone", "shipping_address", "billing_address")
_CUSTOMER = [t.customers.c[name] for name in ("id", "email", "name", "phone", "created_at", "erased_at")]


def _rows(result: Iterable[Any]) -> list[dict[str, Any]]:
    return [dict(row._mapping) for row in result]


class CustomerRecords(CoreRepository):
    # -- the customer ----------------------------------------------------------------------------------------
    def get(self, customer_id: str, *, lock: bool = False) -> dict[str, Any] | None:
        """The customer row; `lock` holds it (FOR UPDATE on PostgreSQL) until the transaction ends, which also
        makes a concurrent order of this customer wait (its foreign key check needs a share lock)."""
        stmt = select(*_CUSTOMER).where(t.customers.c.id == customer_id)
        row = self.db.execute(stmt.with_for_update() if lock else stmt).first()
        return dict(row._mapping) if row else None

    def id_by_email(self, email: str) -> str | None:
        return self.db.scalar(select(t.customers.c.id).where(t.customers.c.email == email.strip().lower()))

    def page(self, email: str | None, limit: int, after: str | None) -> list[dict[str, Any]]:
        """Customers by id (creation order), optionally the one with this email, with their order counts."""
        c = t.customers.c
        counts = (select(func.count()).select_from(t.orders).where(t.orders.c.customer_id == c.id)
                  .scalar_subquery())
        stmt = select(*_CUSTOMER, counts.label("orders")).order_by(c.id).limit(limit)
        if email is not None:
            stmt = stmt.where(c.email == email.strip().lower())
        if after:
            stmt = stmt.where(c.id > after)
        return _rows(self.db.execute(stmt))

    def count_orders(self, customer_id: str) -> int:
        return int(self.db.scalar(select(func.count()).select_from(t.orders)
                                  .where(t.orders.c.customer_id == customer_id)) or 0)

    def pseudonymise(self, customer_id: str, email: str, at: datetime) -> None:
        self.db.execute(update(t.customers).where(t.customers.c.id == customer_id)
                        .values(email=email, name=None, phone=None, erased_at=at))

    # -- what hangs off their orders -------------------------------------------------------------------------
    def _order_ids(self, customer_id: str) -> Select[Any]:
        return select(t.orders.c.id).where(t.orders.c.customer_id == customer_id)

    def orders(self, customer_id: str) -> list[dict[str, Any]]:
        o = t.orders.c
        return _rows(self.db.execute(select(t.orders).where(o.customer_id == customer_id)
                                     .order_by(o.placed_at, o.id)))

    def children(self, customer_id: str) -> dict[str, list[dict[str, Any]]]:
        """Every row that belongs to one of the customer's orders, per table, in a stable order."""
        ids = self._order_ids(customer_id)
        fo_ids = select(t.fulfillment_orders.c.id).where(t.fulfillment_orders.c.order_id.in_(ids))
        tables: list[tuple[str, Any, ColumnElement[Any], list[Any]]] = [
            ("order_lines", t.order_lines, t.order_lines.c.order_id.in_(ids),
             [t.order_lines.c.order_id, t.order_lines.c.position]),
            ("order_changes", t.order_changes, t.order_changes.c.order_id.in_(ids),
             [t.order_changes.c.created_at, t.order_changes.c.id]),
            ("order_holds", t.order_holds, t.order_holds.c.order_id.in_(ids),
             [t.order_holds.c.placed_at, t.order_holds.c.id]),
            ("fulfillment_orders", t.fulfillment_orders, t.fulfillment_orders.c.order_id.in_(ids),
             [t.fulfillment_orders.c.created_at, t.fulfillment_orders.c.id]),
            ("fulfillment_lines", t.fulfillment_lines, t.fulfillment_lines.c.fulfillment_order_id.in_(fo_ids),
             [t.fulfillment_lines.c.id]),
            ("shipments", t.shipments, t.shipments.c.order_id.in_(ids), [t.shipments.c.shipped_at, t.shipments.c.id]),
            ("timeline", t.timeline, t.timeline.c.order_id.in_(ids), [t.timeline.c.at, t.timeline.c.id]),
            ("outbox", t.outbox, t.outbox.c.order_id.in_(ids), [t.outbox.c.occurred_at, t.outbox.c.id]),
            ("order_notes", t.order_notes, t.order_notes.c.order_id.in_(ids),
             [t.order_notes.c.created_at, t.order_notes.c.id]),
            ("returns", t.returns, t.returns.c.order_id.in_(ids), [t.returns.c.created_at, t.returns.c.id]),
            ("return_lines", t.return_lines,
             t.return_lines.c.return_id.in_(select(t.returns.c.id).where(t.returns.c.order_id.in_(ids))),
             [t.return_lines.c.return_id, t.return_lines.c.id]),
        ]
        return {name: _rows(self.db.execute(select(table).where(where).order_by(*order)))
                for name, table, where, order in tables}

    def mails(self, addresses: Iterable[str]) -> list[dict[str, Any]]:
        m = t.mail_outbox.c
        wanted = sorted({a.strip().lower() for a in addresses})
        if not wanted:
            return []
        return _rows(self.db.execute(select(t.mail_outbox).where(func.lower(m.to_address).in_(wanted))
                                     .order_by(m.created_at, m.id)))

    # -- rewriting -------------------------------------------------------------------------------------------
    def update_orders(self, rows: list[dict[str, Any]]) -> None:
        """[{"id", "customer_email", "customer_name", "customer_phone", "shipping_address", "billing_address"}]"""
        self.update_texts("orders", _PERSONAL, rows)

    def update_texts(self, table_name: str, columns: tuple[str, ...], rows: list[dict[str, Any]]) -> None:
        """Rewrite `columns` of the given rows (each has "id" and those columns), by primary key."""
        if rows:
            table = t.metadata.tables[table_name]
            stmt = update(table).where(table.c.id == bindparam("_id")).values(
                {name: bindparam(f"_v_{name}") for name in columns})
            self.db.execute(stmt, [{"_id": row["id"], **{f"_v_{name}": row[name] for name in columns}}
                                   for row in rows])

    def forget_rate_limits(self, addresses: Iterable[str]) -> int:
        """Rate-limit counters keyed by one of these addresses: short-lived, but they would name the customer."""
        removed = 0
        for address in {a.strip().lower() for a in addresses if a}:
            pattern = "%" + address.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            result = self.db.execute(delete(t.rate_limits).where(
                func.lower(t.rate_limits.c.bucket).like(pattern, escape="\\")))
            removed += result.rowcount or 0
        return removed
