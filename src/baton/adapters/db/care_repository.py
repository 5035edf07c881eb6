"""Notes and tags of orders, and the customer's preferred language, with Core."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, insert, select, update

from baton.adapters.db import tables as t
from baton.adapters.db.sql import CoreRepository
from baton.orders.notes import Note

_N, _T = t.order_notes.c, t.order_tags.c


class Annotations(CoreRepository):
    def order_number(self, order_id: str, *, lock: bool = False) -> str | None:
        """The order's number, None when there is no such order; `lock` holds its row until the transaction ends
        (FOR UPDATE on PostgreSQL), so that two agents tagging one order take turns."""
        o = t.orders.c
        stmt = select(o.number).where(o.id == order_id)
        found = self.db.scalar(stmt.with_for_update() if lock else stmt)
        return str(found) if found is not None else None

    def add_note(self, note: Note) -> None:
        self.db.execute(insert(t.order_notes).values(id=note.id, order_id=note.order_id, author=note.author,
                                                     text=note.text, created_at=note.created_at))

    def notes(self, order_id: str) -> list[Note]:
        rows = self.db.execute(select(_N.id, _N.order_id, _N.author, _N.text, _N.created_at)
                               .where(_N.order_id == order_id).order_by(_N.created_at, _N.id))
        return [Note(row.order_id, row.author, row.text, row.id, row.created_at) for row in rows]

    def tags(self, order_id: str) -> list[str]:
        return list(self.db.scalars(select(_T.tag).where(_T.order_id == order_id).order_by(_T.tag)))

    def change_tags(self, order_id: str, added: list[str], removed: list[str], actor: str, at: datetime) -> None:
        if removed:
            self.db.execute(delete(t.order_tags).where(_T.order_id == order_id, _T.tag.in_(removed)))
        if added:
            self.db.execute(insert(t.order_tags), [
                {"order_id": order_id, "tag": tag, "tagged_by": actor, "created_at": at} for tag in added])

    # -- the customer's record ------------------------------------------------------------------------------
    def customer(self, customer_id: str, *, lock: bool = False) -> dict[str, Any] | None:
        c = t.customers.c
        stmt = select(c.id, c.language, c.erased_at).where(c.id == customer_id)
        row = self.db.execute(stmt.with_for_update() if lock else stmt).first()
        return dict(row._mapping) if row else None

    def set_language(self, customer_id: str, language: str) -> None:
        self.db.execute(update(t.customers).where(t.customers.c.id == customer_id).values(language=language))
