"""Payments and their transactions in the database (Core: money paths stay explicit and cheap).

A payment is loaded with its transactions and, when `lock` is set, its row is locked FOR UPDATE until the unit
of work ends: two refunds or captures of one payment then run one after the other, each seeing the other's
outcome, so their sum can never pass what the domain allows."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import insert, select, update

from baton.adapters.db import tables as t
from baton.adapters.db.sql import CoreRepository
from baton.payments.model import Payment, PaymentMethod, PaymentTransaction, TransactionKind, TransactionStatus
from baton.payments.status import PaymentStatus

P, X = t.payments.c, t.payment_transactions.c


class Payments(CoreRepository):
    def of_order(self, order_id: str, *, lock: bool = False) -> list[Payment]:
        """The order's payments in the order they were added, with their transactions."""
        stmt = select(t.payments).where(P.order_id == order_id).order_by(P.created_at, P.id)
        rows = self.db.execute(stmt.with_for_update() if lock else stmt).all()
        return self._with_transactions(rows)

    def get(self, payment_id: str, *, lock: bool = False) -> Payment | None:
        stmt = select(t.payments).where(P.id == payment_id)
        found = self._with_transactions(self.db.execute(stmt.with_for_update() if lock else stmt).all())
        return found[0] if found else None

    def add(self, payment: Payment) -> None:
        self.db.execute(insert(t.payments).values(id=payment.id, order_id=payment.order_id, **_state(payment),
                                                  method=str(payment.method), currency=payment.currency,
                                                  requested=payment.requested, created_at=payment.created_at))
        self._insert(payment.transactions)

    def save(self, payment: Payment, known: set[str]) -> None:
        """Write the payment's state; transactions not in `known` (ids loaded earlier) are new."""
        self.db.execute(update(t.payments).where(P.id == payment.id).values(**_state(payment)))
        self._insert([tx for tx in payment.transactions if tx.id not in known])
        for tx in payment.transactions:
            if tx.id in known:
                self.db.execute(update(t.payment_transactions).where(X.id == tx.id).values(
                    status=str(tx.status), gateway_reference=tx.gateway_reference, failure_code=tx.failure_code,
                    failure_message=tx.failure_message, settled_at=tx.settled_at))

    def _insert(self, transactions: list[PaymentTransaction]) -> None:
        if transactions:
            self.db.execute(insert(t.payment_transactions), [_transaction_row(tx) for tx in transactions])

    def _with_transactions(self, rows: Sequence[Any]) -> list[Payment]:
        if not rows:
            return []
        ids = [row.id for row in rows]
        by_payment: dict[str, list[PaymentTransaction]] = {i: [] for i in ids}
        for tx in self.db.execute(select(t.payment_transactions).where(X.payment_id.in_(ids))
                                  .order_by(X.created_at, X.id)):
            by_payment[tx.payment_id].append(_transaction(tx))
        return [_payment(row, by_payment[row.id]) for row in rows]


def _state(payment: Payment) -> dict[str, Any]:
    return {"reference": payment.reference, "authorized": payment.authorized, "captured": payment.captured,
            "refunded": payment.refunded, "voided": payment.voided, "status": str(payment.status),
            "details": dict(payment.details), "updated_at": payment.updated_at}


def _payment(row: Any, transactions: list[PaymentTransaction]) -> Payment:
    return Payment(row.order_id, PaymentMethod(row.method), row.currency, row.requested, row.reference,
                   row.authorized, row.captured, row.refunded, row.voided, PaymentStatus(row.status),
                   dict(row.details), transactions, row.id, row.created_at, row.updated_at)


def _transaction_row(tx: PaymentTransaction) -> dict[str, Any]:
    return {"id": tx.id, "payment_id": tx.payment_id, "kind": str(tx.kind), "amount": tx.amount,
            "idempotency_key": tx.idempotency_key, "status": str(tx.status), "reason": tx.reason,
            "gateway_reference": tx.gateway_reference, "failure_code": tx.failure_code,
            "failure_message": tx.failure_message, "created_at": tx.created_at, "settled_at": tx.settled_at}


def _transaction(row: Any) -> PaymentTransaction:
    return PaymentTransaction(row.payment_id, TransactionKind(row.kind), row.amount, row.idempotency_key,
                              TransactionStatus(row.status), row.reason, row.gateway_reference, row.failure_code,
                              row.failure_message, row.id, row.created_at, row.settled_at)
