"""Read side of the money ledger: journal entries with their postings, and the trial balance."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import Connection, and_, func, or_, select

from baton.adapters.db import tables as t
from baton.finance.ledger import Account, Balances
from baton.shared import cursor as cursors

E, L = t.journal_entries.c, t.journal_postings.c


@dataclass(frozen=True)
class LedgerFilter:
    order_id: str | None = None
    day: date | None = None  # a UTC day
    currency: str | None = None


def entries(conn: Connection, f: LedgerFilter, limit: int, cursor: str | None) -> tuple[list[dict], str | None]:
    """Oldest first, as a journal is read (an invoice before the capture that pays it); each entry with its
    postings in line order, amounts in minor units."""
    stmt = select(E.id, E.order_id, E.currency, E.occurred_at, E.kind, E.source_id, E.memo)
    if f.order_id is not None:
        stmt = stmt.where(E.order_id == f.order_id)
    if f.currency is not None:
        stmt = stmt.where(E.currency == f.currency)
    if f.day is not None:
        start = datetime.combine(f.day, time.min, tzinfo=UTC)
        stmt = stmt.where(E.occurred_at >= start)
        if f.day < date.max:
            stmt = stmt.where(E.occurred_at < start + timedelta(days=1))
    if cursor:
        at, last_id = cursors.decode_keyset(cursor)
        stmt = stmt.where(or_(E.occurred_at > at, and_(E.occurred_at == at, E.id > last_id)))
    rows = [dict(r._mapping) for r in conn.execute(stmt.order_by(E.occurred_at, E.id).limit(limit + 1))]
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        next_cursor = cursors.encode_keyset(rows[-1]["occurred_at"], rows[-1]["id"])
    by_entry: dict[str, list[dict]] = {row["id"]: [] for row in rows}
    for row in rows:
        row["postings"] = by_entry[row["id"]]
    if by_entry:
        for p in conn.execute(select(L.entry_id, L.line, L.account, L.debit, L.credit)
                              .where(L.entry_id.in_(list(by_entry))).order_by(L.entry_id, L.line)):
            by_entry[p.entry_id].append({"line": p.line, "account": p.account, "debit": p.debit,
                                         "credit": p.credit})
    return rows, next_cursor


@dataclass(frozen=True)
class AccountBalance:
    account: Account
    debits: int  # minor units
    credits: int

    @property
    def balance(self) -> int:
        """Debits minus credits: positive on the debit side, negative on the credit side."""
        return self.debits - self.credits


@dataclass(frozen=True)
class CurrencyBalance:
    currency: str
    accounts: list[AccountBalance]  # every account, in the order the ledger declares them

    @property
    def balanced(self) -> bool:
        return sum(a.balance for a in self.accounts) == 0


def trial_balance(conn: Connection, currency: str | None = None,
                  order_id: str | None = None) -> list[CurrencyBalance]:
    """Per currency (alphabetically), the debits, credits and balance of every account; a sound ledger's
    balances add up to zero in each currency. With `order_id`, the same for that order's entries only."""
    stmt = (select(E.currency, L.account, func.sum(L.debit), func.sum(L.credit))
            .select_from(t.journal_postings.join(t.journal_entries, L.entry_id == E.id))
            .group_by(E.currency, L.account))
    if currency is not None:
        stmt = stmt.where(E.currency == currency)
    if order_id is not None:
        stmt = stmt.where(E.order_id == order_id)
    sums: dict[str, dict[Account, tuple[int, int]]] = {}
    for row_currency, account, debits, credits in conn.execute(stmt):
        sums.setdefault(row_currency, {})[Account(account)] = (int(debits or 0), int(credits or 0))
    result = []
    for code in sorted(sums):
        accounts = [AccountBalance(account, *sums[code].get(account, (0, 0))) for account in Account]
        result.append(CurrencyBalance(code, accounts))
    return result


def balances(found: list[CurrencyBalance]) -> Balances:
    """As baton.finance.ledger keys them, for `check_trial_balance`."""
    return {(c.currency, a.account): a.balance for c in found for a in c.accounts}

