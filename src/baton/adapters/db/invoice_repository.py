"""Invoices and credit memos in the database (Core): written once, never changed, numbered without gaps."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import and_, insert, or_, select

from baton.adapters.db import tables as t
from baton.adapters.db.sql import CoreRepository, upsert_insert
from baton.invoicing.model import Document, DocumentKind
from baton.shared import cursor as cursors

D, N = t.invoices.c, t.invoice_numbers.c


class Invoices(CoreRepository):
    def next_sequence(self, kind: DocumentKind, year: int) -> int:
        """The next number of `kind` in `year`, counted in this transaction: one upsert that increments the
        counter row and holds its lock until commit, so racing issuers take turns and a rollback gives the number
        back (no gap). The first document of a year creates the row."""
        factory = upsert_insert(self.db.dialect.name)
        stmt = (factory(t.invoice_numbers).values(kind=str(kind), year=year, last_number=1)
                .on_conflict_do_update(index_elements=["kind", "year"], set_={"last_number": N.last_number + 1})
                .returning(N.last_number))
        return int(self.db.execute(stmt).scalar_one())

    def add(self, document: Document) -> None:
        self.db.execute(insert(t.invoices).values(
            id=document.id, kind=str(document.kind), number=document.number, order_id=document.order_id,
            entry_id=document.entry_id, currency=document.currency, total=document.totals.total,
            issued_at=document.issued_at, document=document.snapshot()))

    def get(self, document_id: str) -> Document | None:
        return self._one(D.id == document_id)

    def by_number(self, number: str) -> Document | None:
        return self._one(D.number == number)

    def of_order(self, order_id: str) -> list[Document]:
        """The order's documents in the order they were issued."""
        return self.of_orders([order_id])

    def of_orders(self, order_ids: Iterable[str]) -> list[Document]:
        ids = list(order_ids)
        if not ids:
            return []
        rows = self.db.execute(select(D.document).where(D.order_id.in_(ids)).order_by(D.issued_at, D.id))
        return [Document.from_snapshot(row.document) for row in rows]

    def page(self, kind: DocumentKind, order_id: str | None, limit: int,
             cursor: str | None) -> tuple[list[Document], str | None]:
        """Documents of `kind`, oldest first (keyset: issue time, id), of one order or all."""
        stmt = select(D.id, D.issued_at, D.document).where(D.kind == str(kind))
        if order_id is not None:
            stmt = stmt.where(D.order_id == order_id)
        if cursor:
            at, last_id = cursors.decode_keyset(cursor)
            stmt = stmt.where(or_(D.issued_at > at, and_(D.issued_at == at, D.id > last_id)))
        rows = self.db.execute(stmt.order_by(D.issued_at, D.id).limit(limit + 1)).all()
        next_cursor = cursors.encode_keyset(rows[limit - 1].issued_at, rows[limit - 1].id) if len(rows) > limit \
            else None
        return [Document.from_snapshot(row.document) for row in rows[:limit]], next_cursor

    def _one(self, condition: Any) -> Document | None:
        row = self.db.execute(select(D.document).where(condition)).first()
        return None if row is None else Document.from_snapshot(row.document)
