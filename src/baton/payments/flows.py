"""The order's money, end to end: each flow runs the three steps of payments.services (decide and hold, ask the
gateway, record the answer) and tells the order's timeline what happened, in words an agent reads."""

from __future__ import annotations

from collections.abc import Callable

from baton.adapters.db.uow import UnitOfWork
from baton.orders.model import Order
from baton.payments import bookkeeping, services
from baton.payments.model import Payment, PaymentMethod, TransactionKind, TransactionStatus
from baton.payments.services import Gateways, Outcome
from baton.payments.status import derive_payment_status
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
    """Step 3: the gateway's answers recorded on the payments and told on the order's timeline; a payment hold
    follows what is now known (released once every payment is authorised, explained when one failed)."""
    with uows() as uow:
        order = _order(uow, order_id)
        before = {p.id: {tx.id: tx.status for tx in p.transactions} for p in uow.payments.of_order(order_id)}
        for payment in services.record(uow, outcomes):
            for tx in payment.transactions:
                if before.get(payment.id, {}).get(tx.id) == TransactionStatus.PENDING != tx.status:
                    _tell(order, payment, tx.id, uow.actor.label)
        if all(line.open == 0 for line in order.lines):  # a void waits for the captures in flight: now it can go
            services.begin_voids(uow, order_id, "nothing is left to ship")
        payments = uow.payments.of_order(order_id)
        bookkeeping.book(uow, order, payments)  # succeeded captures and refunds into the money ledger
        _follow_authorizations(order, payments)
        order.payment_status = str(derive_payment_status(payments))
        order.touch()
        uow.commit()
        return order, payments


def settle_pending(uows: UnitsOfWork, gateways: Gateways, order_id: str) -> Order | None:
    """Steps 2 and 3 for every transaction of the order still pending: right after placement, a shipment or a
    cancellation decided them, and again later for any the gateway did not answer (same idempotency keys).
    None when nothing was pending (nothing written)."""
    order = None
    for _round in range(3):  # a settlement may decide a void of the rest, asked in the next round
        with uows() as uow:
            payments = uow.payments.of_order(order_id)
        outcomes = services.call_gateways(gateways, payments)
        if not outcomes or (order is not None and all(o.unanswered for o in outcomes)):
            break  # nothing pending, or only what the gateway did not answer this time
        order, _payments = settle(uows, order_id, outcomes)
    return order


WAITING = "Waiting for the payment's authorisation."


def await_authorization(order: Order, requests: list[services.PaymentRequest], actor: str) -> None:
    """At placement, before the order is written: a payment hold until its payments are authorised (nothing
    ships unpaid, even if this process dies before the gateway answers). External authorisations need none."""
    if any(PaymentMethod(r.method) not in services.NO_GATEWAY for r in requests):
        order.payment_status = "pending"
        order.hold("payment", [WAITING], actor)
    else:  # external authorisations are recorded as they arrive
        order.payment_status = "authorized"


def begin_due_captures(uow: UnitOfWork, order: Order, reason: str) -> None:
    """After a shipment, in its transaction: capture the value shipped and not yet captured (each shipment
    captures exactly what it ships; the first also carries the shipping charge); when nothing is left to ship,
    release what can no longer be captured."""
    payments = uow.payments.of_order(order.id)
    if not payments:
        return  # settled outside Baton
    due = shipped_value(order) - sum(p.captured + _pending(p, TransactionKind.CAPTURE) for p in payments)
    if due > 0:
        services.begin_captures(uow, order.id, due, reason)
    if all(line.open == 0 for line in order.lines):
        services.begin_voids(uow, order.id, "nothing is left to ship")


def shipped_value(order: Order) -> int:
    """What the shipped units cost the customer: their price less their share of discounts, plus shipping once
    anything has shipped. When everything kept has shipped this is exactly the order's total."""
    value = sum(line.unit_price * line.shipped - line.discount * line.shipped // line.quantity for line in order.lines)
    return value + (order.shipping if any(line.shipped for line in order.lines) else 0)


def _pending(payment: Payment, kind: TransactionKind) -> int:
    return sum(tx.amount for tx in payment.transactions if tx.kind == kind and tx.status == TransactionStatus.PENDING)


def _follow_authorizations(order: Order, payments: list[Payment]) -> None:
    waiting = [h for h in order.active_holds if h.kind == "payment" and h.reasons == [WAITING]]
    if not waiting or any(p.authorization.status == TransactionStatus.PENDING for p in payments):
        return
    failed = [p for p in payments if p.authorization.status == TransactionStatus.FAILED]
    if failed:
        reasons = [f"The {p.method} payment of {order.money(p.requested)} was refused: "
                   f"{p.authorization.failure_message or p.authorization.failure_code}. Retry with another "
                   "payment method, or cancel the order." for p in failed]
        order.hold("payment", reasons, "payments")
    order.release(waiting[0].id, "payments", "every payment was answered")


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
