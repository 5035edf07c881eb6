"""The money ledger in the database (Core): journal entries and their postings, written once, never changed."""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert, select

from baton.adapters.db import tables as t
from baton.adapters.db.sql import CoreRepository, insert_ignore_conn
from baton.finance.journal import BookedEntry, EntryKind
from baton.finance.ledger import Account, JournalEntry, Posting

E, L = t.journal_entries.c, t.journal_postings.c


class Journal(CoreRepository):
    def add(self, booked: BookedEntry) -> bool:
        """Write the entry and its postings; False (nothing written) when its (source, kind) is booked already,
        which the unique constraint decides even for two settlements racing."""
        entry = booked.entry
        row = {"id": entry.id, "order_id": entry.order_id, "currency": entry.currency,
               "occurred_at": entry.occurred_at, "kind": str(booked.kind), "source_id": booked.source_id,
               "memo": entry.memo}
        if not insert_ignore_conn(self.db, t.journal_entries, row):
            return False
        self.db.execute(insert(t.journal_postings), [
            {"entry_id": entry.id, "line": line, "account": str(p.account), "debit": p.debit, "credit": p.credit}
            for line, p in enumerate(entry.postings, start=1)])
        return True

    def of_order(self, order_id: str) -> list[BookedEntry]:
        """The order's entries in the order they happened, with their postings."""
        rows = self.db.execute(select(t.journal_entries).where(E.order_id == order_id)
                               .order_by(E.occurred_at, E.id)).all()
        if not rows:
            return []
        postings: dict[str, list[Posting]] = {row.id: [] for row in rows}
        for p in self.db.execute(select(t.journal_postings).where(L.entry_id.in_(list(postings)))
                                 .order_by(L.entry_id, L.line)):
            postings[p.entry_id].append(Posting(Account(p.account), p.debit, p.credit))
        return [_booked(row, postings[row.id]) for row in rows]


def _booked(row: Any, postings: list[Posting]) -> BookedEntry:
    entry = JournalEntry(row.id, row.order_id, row.currency, row.occurred_at, row.memo, postings)
    return BookedEntry(entry, EntryKind(row.kind), row.source_id)
