"""The order's refund and appeasement requests in the database (table `order_refunds`), on the unit of work's
connection: written in the transaction that records their pending refund transactions, read under the order's
lock, so two refunds by lines of one order see each other's units."""

from __future__ import annotations

from sqlalchemy import insert, select

from baton.adapters.db import tables as t
from baton.adapters.db.sql import CoreRepository
from baton.payments.refunds import Purpose, RefundRecord

R = t.order_refunds.c


class RefundRecords(CoreRepository):
    def add(self, record: RefundRecord) -> None:
        self.db.execute(insert(t.order_refunds).values(
            id=record.id, order_id=record.order_id, purpose=str(record.purpose), amount=record.amount,
            lines=dict(record.lines), transactions=list(record.transactions), reason=record.reason,
            created_at=record.created_at))

    def of_order(self, order_id: str) -> list[RefundRecord]:
        rows = self.db.execute(select(t.order_refunds).where(R.order_id == order_id).order_by(R.created_at, R.id))
        return [RefundRecord(row.order_id, Purpose(row.purpose), row.amount, dict(row.lines),
                             list(row.transactions), row.reason, row.id, row.created_at) for row in rows]
