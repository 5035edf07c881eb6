"""What an edit does to the order's money, decided inside the edit's transaction (baton.payments.coverage):

- no payments in Baton: nothing (the order is settled outside);
- a lower total: nothing now. Captures follow the value shipped and the last void releases what is left; a payment
  hold for a shortfall the edit removed is released;
- a higher total the payments still cover: nothing;
- a higher total they do not cover: an extra authorisation of the difference on the same method when its gateway
  can authorise again without the customer (its gateway derives a token from the payment's reference, because the
  token itself is dropped once authorised: PaymentGateway.reauthorization_token). It is asked like a placement's
  (a payment hold waits for it; a refusal leaves the hold with the reason, see payments.flows.settle). Otherwise
  (Stripe needs the customer to confirm, stored value and external payments are book-only) a payment hold "Add a
  payment of X"; POST /api/v1/orders/{id}/payments then covers it."""

from __future__ import annotations

from baton.adapters.db.uow import UnitOfWork
from baton.orders.holds import HoldKind
from baton.orders.model import Order
from baton.payments import coverage, flows, services
from baton.payments.model import Payment, TransactionStatus
from baton.payments.reauthorization import reusable_token
from baton.payments.services import PaymentRequest


def follow_total(uow: UnitOfWork, gateways: services.Gateways, order: Order, delta: int, actor: str, *,
                 preview: bool = False) -> tuple[str | None, Payment | None]:
    """(what happens to the money, in a sentence; the payment whose authorisation must be asked after commit)."""
    payments = uow.payments.of_order(order.id, lock=not preview)
    if not payments:
        return None, None
    if delta < 0:
        _release_covered_holds(order, payments)
        return (f"The total went down by {order.money(-delta)}: nothing is charged or refunded now; captures follow "
                "what ships and what is left of the authorisation is released when nothing is left to ship."), None
    awaited = sum(p.authorization.amount for p in payments if p.authorization.status == TransactionStatus.PENDING)
    unpaid = max(0, coverage.unpaid(order.total, payments) - awaited)
    if unpaid == 0:
        return ("The payments already authorised cover the new total." if delta else None), None
    tokens = ((p, reusable_token(p, gateways)) for p in payments)
    source, token = next(((p, t) for p, t in tokens if t is not None), (None, None))
    if source is None or token is None:
        reason = (f"The edit raised the total to {order.money(order.total)}; the payments cover "
                  f"{order.money(order.total - unpaid)}. Add a payment of {order.money(unpaid)}, or reduce the order.")
        if not preview:
            order.hold(HoldKind.PAYMENT, [reason], actor)
        return reason, None
    said = (f"An extra authorisation of {order.money(unpaid)} on the same {source.method} payment is asked for; "
            "the order waits on hold for it.")
    if preview:
        return said, None
    extra = services.open_payment(uow, order.id, order.currency, unpaid,
                                  PaymentRequest(str(source.method), token=token),
                                  key=f"{order.id}:auth:{len(payments)}")
    order.hold(HoldKind.PAYMENT, [flows.WAITING], actor)
    order.tell(actor, "payment_added", said, payment_id=extra.id)
    return said, extra


def _release_covered_holds(order: Order, payments: list[Payment]) -> None:
    """A shortfall the edit removed holds the order no longer (the waiting for an authorisation still does)."""
    if coverage.unpaid(order.total, payments) > 0:
        return
    for hold in order.active_holds:
        if hold.kind == HoldKind.PAYMENT and hold.reasons != [flows.WAITING]:
            order.release(hold.id, "payments", f"the payments now cover the total of {order.money(order.total)}")
