"""Paying an order again: a payment added when the order's payment failed, fell short of its total, or had a
capture refused at shipment. The agent adds it with POST /orders/{id}/payments, the customer with the shopper
route; both run this flow.

The payment is authorised through the same three steps as at placement (flows.run). Once the order's payments
cover its total, its payment holds are released (flows.settle) and the order goes on as a paid order: what has
already shipped and is not captured (a refused capture) is captured at once from the new payment (flows.collect),
and fulfilment continues. The payments that failed stay on record; an earlier authorisation that never came
back and is needed no more is abandoned once the provider says it never made it (flows.settle_pending)."""

from __future__ import annotations

from baton.adapters.db.uow import UnitOfWork
from baton.orders.model import Order
from baton.payments import coverage, flows, services
from baton.payments.model import Payment
from baton.payments.services import Gateways, PaymentRequest
from baton.shared.errors import Conflict, InvalidInput


def add_payment(first: UnitOfWork, uows: flows.UnitsOfWork, gateways: Gateways, order_id: str,
                request: PaymentRequest) -> str:
    """Add and authorise a payment of `request.amount` (default: all that is unpaid). `first` may claim an
    Idempotency-Key. Returns the new payment's id; the order and its payments are committed."""
    added: list[Payment] = []

    def begin(uow: UnitOfWork, order: Order) -> list[Payment]:
        payments = uow.payments.of_order(order.id, lock=True)
        unpaid = _unpaid(order, payments)
        amount = _amount(order, request, unpaid)
        payment = services.open_payment(uow, order.id, order.currency, amount, request,
                                        key=f"{order.id}:auth:{len(payments)}")
        uow.created_id = payment.id  # what a replay of the same Idempotency-Key answers with
        order.tell(uow.actor.label, "payment_added",
                   f"A {payment.method} payment of {order.money(amount)} was added to pay what is still unpaid "
                   f"({order.money(unpaid)}); its authorisation is asked for now.", payment_id=payment.id)
        uow.audit.record("order.payment_add", "order", order.id, {"unpaid": order.money(unpaid)},
                         {"unpaid": order.money(unpaid - amount), "payment_id": payment.id,
                          "method": str(payment.method), "amount": order.money(amount)})
        added.append(payment)
        return [payment]

    flows.run(first, uows, gateways, order_id, begin)
    payment_id = added[0].id
    flows.settle_pending(uows, gateways, order_id)  # an authorisation still unanswered may be needed no more
    flows.collect(uows, gateways, order_id, f"payment {payment_id}")
    return payment_id


def _unpaid(order: Order, payments: list[Payment]) -> int:
    if order.is_fully_cancelled:
        raise Conflict(f"Order {order.number} was cancelled: nothing is left to pay.", code="order_cancelled")
    unpaid = coverage.unpaid(order.total, payments)
    if unpaid == 0:
        raise Conflict(f"Order {order.number} is paid: its payments cover its total of {order.money(order.total)}, "
                       "so no payment can be added. To give money back, refund instead.", code="order_paid")
    return unpaid


def _amount(order: Order, request: PaymentRequest, unpaid: int) -> int:
    if request.amount is None:
        return unpaid
    if request.amount > unpaid:
        raise InvalidInput("amount", f"{order.money(request.amount)} is more than is still unpaid; add at most "
                           f"{order.money(unpaid)}, or leave amount out to pay all of it.",
                           code="payment_exceeds_unpaid")
    return request.amount
