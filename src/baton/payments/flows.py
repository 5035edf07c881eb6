"""The order's money, end to end: each flow runs the three steps of payments.services (decide and hold, ask the
gateway, record the answer) and tells the order's timeline what happened, in words an agent reads."""

from __future__ import annotations

from collections.abc import Callable

from baton.adapters.db.uow import UnitOfWork
from baton.orders.model import Order
from baton.payments import services
from baton.payments.model import Payment, TransactionKind, TransactionStatus
from baton.payments.services import Gateways, Outcome
from baton.shared.errors import NotFound

UnitsOfWork = Callable[[], UnitOfWork]
Begin = Callable[[UnitOfWork, Order], list[Payment]]


def run(first: UnitOfWork, uows: UnitsOfWork, gateways: Gateways, order_id: str,
        begin: Begin) -> tuple[Order, list[Payment]]:
    """Step 1 (`begin`, with the order locked) in `first` (which may claim an Idempotency-Key); step 2; step 3
    in a unit of work of its own, with the timeline. Returns the order and its payments as committed."""
    with first as uow:
        order = _order(uow, order_id)
        touched = begin(uow, order)
        uow.commit()
    outcomes = services.call_gateways(gateways, touched)
    return settle(uows, order_id, outcomes)


def settle(uows: UnitsOfWork, order_id: str, outcomes: list[Outcome]) -> tuple[Order, list[Payment]]:
    """Step 3: the gateway's answers recorded on the payments and told on the order's timeline."""
    with uows() as uow:
        order = _order(uow, order_id)
        before = {p.id: {tx.id: tx.status for tx in p.transactions} for p in uow.payments.of_order(order_id)}
        for payment in services.record(uow, outcomes):
            for tx in payment.transactions:
                if before.get(payment.id, {}).get(tx.id) == TransactionStatus.PENDING != tx.status:
                    _tell(order, payment, tx.id, uow.actor.label)
        order.touch()
        payments = uow.payments.of_order(order_id)
        uow.commit()
        return order, payments


def refund(first: UnitOfWork, uows: UnitsOfWork, gateways: Gateways, order_id: str, amount: int, reason: str,
           key: str) -> tuple[Order, list[Payment]]:
    """Give `amount` back to the order's payments (card first), at most what was captured and not refunded."""

    def begin(uow: UnitOfWork, order: Order) -> list[Payment]:
        touched = services.begin_refund(uow, order.id, amount, reason, key)
        refunded = sum(p.refunded for p in touched)
        order.tell(uow.actor.label, "refund_requested", f"Refund of {order.money(amount)} requested: {reason}.")
        uow.audit.record("order.refund", "order", order.id, {"refund_requested": None},
                         {"refund_requested": order.money(amount), "refunded_before": order.money(refunded),
                          "reason": reason})
        return touched

    return run(first, uows, gateways, order_id, begin)


def _order(uow: UnitOfWork, order_id: str) -> Order:
    order = uow.orders.get(order_id, lock=True)
    if order is None:
        raise NotFound(f"No order with id {order_id}.", code="order_not_found")
    return order


VERBS = {TransactionKind.AUTHORIZE: "authorisation", TransactionKind.CAPTURE: "capture",
         TransactionKind.VOID: "release of the rest", TransactionKind.REFUND: "refund"}


def _tell(order: Order, payment: Payment, tx_id: str, actor: str) -> None:
    tx = payment.transaction(tx_id)
    what = f"{VERBS[tx.kind]} of {order.money(tx.amount)} ({payment.method})"
    if tx.status == TransactionStatus.SUCCEEDED:
        order.tell(actor, f"payment_{tx.kind}", f"The {what} went through.", payment_id=payment.id,
                   transaction_id=tx.id)
        order.announce(f"payment.{tx.kind}d" if tx.kind != "refund" else "refund.issued", payment_id=payment.id,
                       amount=tx.amount, currency=payment.currency)
    else:
        order.tell(actor, f"payment_{tx.kind}_failed", f"The {what} failed: {tx.failure_message or tx.failure_code}.",
                   payment_id=payment.id, transaction_id=tx.id, code=tx.failure_code)
