"""Payments in the database: what the domain decided is what comes back, and two refunds of one payment that race
on PostgreSQL are serialised by the payment's row lock, so together they never give back more than was captured."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import insert
from sqlalchemy.exc import IntegrityError

from baton.adapters.db import tables as t
from baton.bootstrap import Container
from baton.payments.gateway import Authorization
from baton.payments.model import Payment, PaymentMethod
from baton.payments.status import PaymentStatus
from baton.shared.clock import utcnow
from baton.shared.errors import InvalidInput
from tests.conftest import Shop


@pytest.fixture
def order_id(shop: Shop) -> str:
    shop.product("A", price="100.00")
    shop.stock("WH-BER", "A", 5)
    return str(shop.order([("A", 1)])["id"])


def captured_payment(container: Container, order_id: str, amount: int = 10_000) -> Payment:
    """A sandbox card payment, authorised and fully captured, as the services will write it."""
    payment = Payment.start(order_id=order_id, method=PaymentMethod.SANDBOX, currency="EUR", amount=amount,
                            idempotency_key="auth-1")
    payment.record_authorization(Authorization("sbx_approve_1", amount, "EUR"))
    capture = payment.capture(amount, idempotency_key="ship-1", reason="shipment 1")
    payment.confirm(capture.id, "sbx_cap_1")
    with container.uow() as uow:
        uow.payments.add(payment)
        uow.commit()
    return payment


def test_a_payment_and_its_transactions_come_back_as_they_were_written(container: Container, order_id: str) -> None:
    written = captured_payment(container, order_id)
    with container.reader() as uow:
        [read] = uow.payments.of_order(order_id)
    assert (read.id, read.method, read.currency, read.reference) == (written.id, "sandbox", "EUR", "sbx_approve_1")
    assert (read.authorized, read.captured, read.refunded, read.voided) == (10_000, 10_000, 0, False)
    assert read.status is PaymentStatus.CAPTURED
    assert [(tx.kind, tx.amount, tx.status, tx.idempotency_key) for tx in read.transactions] == [
        ("authorize", 10_000, "succeeded", "auth-1"), ("capture", 10_000, "succeeded", "ship-1")]


def test_a_refund_saved_then_confirmed_updates_the_same_transaction(container: Container, order_id: str) -> None:
    payment = captured_payment(container, order_id)
    with container.uow() as uow:
        loaded = uow.payments.get(payment.id, lock=True)
        assert loaded is not None
        known = {tx.id for tx in loaded.transactions}
        refund = loaded.refund(2_500, idempotency_key="rf-1", reason="damaged")
        uow.payments.save(loaded, known)
        uow.commit()
    with container.uow() as uow:
        loaded = uow.payments.get(payment.id, lock=True)
        assert loaded is not None and loaded.refundable == 7_500  # the pending refund already holds its amount
        loaded.confirm(refund.id, "sbx_ref_1")
        uow.payments.save(loaded, {tx.id for tx in loaded.transactions})
        uow.commit()
    with container.reader() as uow:
        final = uow.payments.get(payment.id)
    assert final is not None and (final.refunded, final.status) == (2_500, PaymentStatus.PARTIALLY_REFUNDED)
    assert [tx.status for tx in final.transactions if tx.kind == "refund"] == ["succeeded"]


def test_the_database_refuses_a_second_transaction_with_the_same_key(container: Container, order_id: str) -> None:
    payment = captured_payment(container, order_id)
    row = {"id": "ptx_dup", "payment_id": payment.id, "kind": "refund", "amount": 1, "idempotency_key": "ship-1",
           "status": "pending", "created_at": utcnow()}
    with pytest.raises(IntegrityError), container.engine.begin() as conn:
        conn.execute(insert(t.payment_transactions).values(**row))


@pytest.mark.postgres
@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)  # SQLite has one writer at a time anyway
def test_two_refunds_racing_on_postgresql_never_give_back_more_than_was_captured(container: Container,
                                                                                  order_id: str) -> None:
    # Given 100.00 captured, and two agents each refunding 60.00 at the same moment on their own connections
    payment = captured_payment(container, order_id)
    start = threading.Barrier(2)

    def refund(agent: int) -> str:
        with container.uow() as uow:
            start.wait(timeout=30)
            loaded = uow.payments.get(payment.id, lock=True)
            assert loaded is not None
            try:
                tx = loaded.refund(6_000, idempotency_key=f"agent-{agent}")
            except InvalidInput as refused:
                return refused.code
            loaded.confirm(tx.id, f"sbx_ref_{agent}")
            uow.payments.save(loaded, {t.id for t in loaded.transactions} - {tx.id})
            uow.commit()
            return "refunded"

    with ThreadPoolExecutor(max_workers=2) as pool:
        outcomes = sorted(pool.map(refund, [1, 2]))
    # Then exactly one refund went through and the other was refused with the amount left
    assert outcomes == ["refund_exceeds_captured", "refunded"]
    with container.reader() as uow:
        final = uow.payments.get(payment.id)
    assert final is not None and final.refunded == 6_000
    assert sum(tx.amount for tx in final.transactions if tx.kind == "refund") == 6_000
