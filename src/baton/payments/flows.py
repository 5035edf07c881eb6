"""The order's money, end to end: each flow runs the three steps of payments.services (decide and hold, ask the
gateway, record the answer) and tells the order's timeline what happened, in words an agent reads.

Payment holds follow what the payments cover (baton.payments.coverage): an order waits on hold for its
authorisations; a refusal keeps it on hold with the reason; once its payments cover its total again (a payment
added with POST /orders/{id}/payments) every payment hold is released and the order goes on as a paid order.

A capture refused at shipment: the goods have left, so nothing of that payment's authorisation is voided — what
it still holds is the shop's best chance to be paid, and the capture may be retried. While units are still open,
fulfilment goes on and the next shipment asks again for everything shipped and not captured. When nothing is
left to ship, the order gets a payment hold ("The capture of EUR x for shipment … was refused: …; collect the
payment or retry.") that shows the receivable until the payments cover the total again: a payment added then is
captured at once for what is owed (asked before the refused card, see baton.payments.planning), and only then is
the rest of the refused card's hold released."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

from baton.adapters.db.uow import UnitOfWork
from baton.orders.holds import HoldKind
from baton.orders.model import Order
from baton.payments import bookkeeping, coverage, refunds, services
from baton.payments.model import Payment, PaymentMethod, PaymentTransaction, TransactionKind, TransactionStatus
from baton.payments.refunds import MoneyBack, Purpose
from baton.payments.services import Gateways, Outcome
from baton.payments.status import derive_payment_status
from baton.shared.errors import InvalidInput, NotFound

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
    """Step 3: the gateway's answers recorded on the payments and told on the order's timeline; payment holds
    follow what is now known (see the module's docstring)."""
    with uows() as uow:
        order = _order(uow, order_id)
        audited = order.audit_view()
        before = {p.id: {tx.id: tx.status for tx in p.transactions} for p in uow.payments.of_order(order_id)}
        refused: list[PaymentTransaction] = []
        for payment in services.record(uow, outcomes):
            for tx in payment.transactions:
                if before.get(payment.id, {}).get(tx.id) == TransactionStatus.PENDING != tx.status:
                    _tell(order, payment, tx.id, uow.actor.label)
                    if tx.kind == TransactionKind.CAPTURE and tx.status == TransactionStatus.FAILED:
                        refused.append(tx)
        # A void waits for the captures in flight, and for a refused capture's receivable: now it may go
        if _nothing_open(order) and _due(order, uow.payments.of_order(order_id)) <= 0:
            services.begin_voids(uow, order_id, "nothing is left to ship")
        payments = uow.payments.of_order(order_id)
        bookkeeping.book(uow, order, payments)  # succeeded captures and refunds into the money ledger
        _follow_authorizations(order, payments)
        _hold_receivable(order, payments, refused, uow.actor.label)
        _follow_coverage(order, payments)
        _audit_holds(uow, order, audited)
        order.payment_status = str(derive_payment_status(payments))
        order.touch()
        uow.commit()
        return order, payments


def settle_pending(uows: UnitsOfWork, gateways: Gateways, order_id: str) -> Order | None:
    """Steps 2 and 3 for every transaction of the order still pending: right after placement, a shipment or a
    cancellation decided them, and again later for any the gateway did not answer (same idempotency keys).
    An authorisation the order no longer needs (it was cancelled, or other payments cover it) and that the
    provider says it never made is failed rather than left pending. None when nothing was pending (nothing
    written)."""
    order = None
    for _round in range(3):  # a settlement may decide a void of the rest, asked in the next round
        with uows() as uow:
            payments = uow.payments.of_order(order_id)
            abandon = _unneeded_authorizations(uow, order_id, payments)
        outcomes = services.call_gateways(gateways, payments, abandon=abandon)
        if not outcomes or (order is not None and all(o.unanswered for o in outcomes)):
            break  # nothing pending, or only what the gateway did not answer this time
        order, _payments = settle(uows, order_id, outcomes)
    return order


def collect(uows: UnitsOfWork, gateways: Gateways, order_id: str, reason: str) -> Order | None:
    """After a payment was added: capture at once what has shipped and is not captured yet (a capture refused
    earlier), once no payment hold is left. None when nothing is owed for shipped goods (nothing written)."""
    with uows() as uow:
        order = _order(uow, order_id)
        payments = uow.payments.of_order(order_id, lock=True)
        due = _due(order, payments)
        if due <= 0 or any(hold.kind == HoldKind.PAYMENT for hold in order.active_holds):
            return None
        services.begin_captures(uow, order_id, due, reason)
        uow.audit.record("order.payment_collect", "order", order.id, {"owed_for_shipped_goods": order.money(due)},
                         {"capture_requested": order.money(due), "reason": reason})
        uow.commit()
    return settle_pending(uows, gateways, order_id)


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
    due = _due(order, payments)
    if due > 0:
        services.begin_captures(uow, order.id, due, reason)
    if all(line.open == 0 for line in order.lines):
        services.begin_voids(uow, order.id, "nothing is left to ship")


def shipped_value(order: Order) -> int:
    """What the shipped units cost the customer: their price less their share of discounts (plus their tax when
    it comes on top), plus shipping once anything has shipped. When everything kept has shipped this is exactly
    the order's total."""
    value = sum(order.value_of(line, line.shipped) for line in order.lines)
    return value + (order.shipping_value if any(line.shipped for line in order.lines) else 0)


def _due(order: Order, payments: list[Payment]) -> int:
    """What has shipped and is neither captured nor being captured."""
    return shipped_value(order) - coverage.taken(payments)


def _nothing_open(order: Order) -> bool:
    return all(line.open == 0 for line in order.lines)


def _unneeded_authorizations(uow: UnitOfWork, order_id: str, payments: list[Payment]) -> bool:
    """Whether authorisations are still pending that the order no longer needs: the authorised payments cover
    its total (a cancelled order's total is nothing)."""
    if not any(p.authorization.status == TransactionStatus.PENDING for p in payments):
        return False
    order = uow.orders.get(order_id)
    return order is not None and coverage.unpaid(order.total, payments) == 0


def _follow_authorizations(order: Order, payments: list[Payment]) -> None:
    """Once every authorisation is answered, the hold that waited for them goes; one that left the order short
    (and something is left to ship) is replaced by a hold with the reasons and the fix."""
    waiting = [h for h in order.active_holds if h.kind == HoldKind.PAYMENT and h.reasons == [WAITING]]
    if not waiting or any(p.authorization.status == TransactionStatus.PENDING for p in payments):
        return
    unpaid = coverage.unpaid(order.total, payments)
    if unpaid > 0 and not _nothing_open(order):
        reasons = [f"The {p.method} payment of {order.money(p.requested)} was refused: {_why(p.authorization)}. "
                   "Retry with another payment method, or cancel the order." for p in payments if p.status == "failed"]
        order.hold(HoldKind.PAYMENT, reasons or [_short(order, unpaid)], "payments")
    order.release(waiting[0].id, "payments", "every payment was answered")


def _short(order: Order, unpaid: int) -> str:
    return (f"The payments authorised cover {order.money(order.total - unpaid)} of the total "
            f"{order.money(order.total)}. Add a payment of {order.money(unpaid)}, or cancel the order.")


def _hold_receivable(order: Order, payments: list[Payment], refused: list[PaymentTransaction], actor: str) -> None:
    """A capture refused when nothing is left to ship: a payment hold shows the receivable (the order's status
    stays shipped: it is, and a hold has nothing left to stop; payment_status and the hold tell the rest)."""
    if not refused or not _nothing_open(order) or _due(order, payments) <= 0:
        return
    if any(hold.kind == HoldKind.PAYMENT for hold in order.active_holds):
        return  # already held for its payment
    reasons = [f"The capture of {order.money(tx.amount)} for {tx.reason or 'the shipped goods'} was refused: "
               f"{_why(tx)}; collect the payment or retry." for tx in refused]
    order.hold_receivable(reasons, actor)


def _follow_coverage(order: Order, payments: list[Payment]) -> None:
    """Once the payments cover the total, nothing is held for a payment any more."""
    held = [hold for hold in order.active_holds if hold.kind == HoldKind.PAYMENT]
    if not held or coverage.unpaid(order.total, payments) > 0:
        return
    for hold in held:
        order.release(hold.id, "payments", f"the payments now cover the total of {order.money(order.total)}")


def _audit_holds(uow: UnitOfWork, order: Order, before: dict) -> None:
    """Holds placed or released by a settlement are changes of the order: audited with it."""
    after = order.audit_view()
    keys = [k for k in {**before, **after} if k.startswith("holds.") and before.get(k) != after.get(k)]
    if keys:
        placed = any(k not in before for k in keys)
        uow.audit.record("order.hold" if placed else "order.release", "order", order.id,
                         {k: before[k] for k in keys if k in before}, {k: after[k] for k in keys})


def refund(first: UnitOfWork, uows: UnitsOfWork, gateways: Gateways, order_id: str, amount: int, reason: str,
           key: str) -> tuple[Order, list[Payment]]:
    """Give `amount` back to the order's payments (card first), at most what was captured and not refunded."""
    order, payments, _amount = give_back(first, uows, gateways, order_id, MoneyBack(Purpose.REFUND, reason, amount),
                                         key)
    return order, payments


def give_back(first: UnitOfWork, uows: UnitsOfWork, gateways: Gateways, order_id: str, ask: MoneyBack, key: str,
              limit: Callable[[int], None] | None = None) -> tuple[Order, list[Payment], int]:
    """A refund (an amount or lines) or an appeasement, to the order's payments (card first), at most what was
    captured and not refunded. The amount is decided with the order locked (baton.payments.refunds); `limit`
    (the role's money limit) sees it before anything is written. Returns the order, its payments, the amount."""
    decided: list[int] = []

    def begin(uow: UnitOfWork, order: Order) -> list[Payment]:
        kept = uow.refund_records
        amount = refunds.amount_of(order, ask, refunded_by_lines(uow, order.id))
        if limit is not None:
            limit(amount)
        _check_store_credit(uow, order, amount)
        touched = services.begin_refund(uow, order.id, amount, ask.reason, key)
        carried = [tx.id for p in touched for tx in p.transactions if tx.idempotency_key == f"{key}:{p.id}"]
        kept.add(refunds.RefundRecord(order.id, ask.purpose, amount, dict(ask.lines or {})
                                      if ask.purpose == Purpose.REFUND else {}, carried, ask.reason))
        refunded = sum(p.refunded for p in touched)
        order.tell(uow.actor.label, f"{ask.purpose}_requested", refunds.describe(order, ask, amount),
                   lines=dict(ask.lines or {}))
        action = "order.appease" if ask.purpose == Purpose.APPEASEMENT else "order.refund"
        uow.audit.record(action, "order", order.id, {f"{ask.purpose}_requested": None},
                         {f"{ask.purpose}_requested": order.money(amount), "refunded_before": order.money(refunded),
                          "lines": dict(ask.lines or {}), "reason": ask.reason})
        decided.append(amount)
        return touched

    order, payments = run(first, uows, gateways, order_id, begin)
    return order, payments, decided[0]


def _order(uow: UnitOfWork, order_id: str) -> Order:
    order = uow.orders.get(order_id, lock=True)
    if order is None:
        raise NotFound(f"No order with id {order_id}.", code="order_not_found")
    return order


EVENT_OF_TRANSACTION = {TransactionKind.AUTHORIZE: "payment.authorized", TransactionKind.CAPTURE: "payment.captured",
                        TransactionKind.VOID: "payment.voided", TransactionKind.REFUND: "refund.issued"}
VERBS = {TransactionKind.AUTHORIZE: "authorisation", TransactionKind.CAPTURE: "capture",
         TransactionKind.VOID: "release of the rest", TransactionKind.REFUND: "refund"}


def _tell(order: Order, payment: Payment, tx_id: str, actor: str) -> None:
    tx = payment.transaction(tx_id)
    what = f"{VERBS[tx.kind]} of {order.money(tx.amount)} ({payment.method})"
    if tx.status == TransactionStatus.SUCCEEDED:
        order.tell(actor, f"payment_{tx.kind}", f"The {what} went through.", payment_id=payment.id,
                   transaction_id=tx.id)
        order.announce(EVENT_OF_TRANSACTION[TransactionKind(tx.kind)], payment_id=payment.id,
                       amount=tx.amount, currency=payment.currency)
    else:
        order.tell(actor, f"payment_{tx.kind}_failed", f"The {what} failed: {_why(tx)}.",
                   payment_id=payment.id, transaction_id=tx.id, code=tx.failure_code)
        order.announce("payment.failed", payment_id=payment.id, kind=str(tx.kind), amount=tx.amount,
                       currency=payment.currency, code=tx.failure_code)


def _why(tx: PaymentTransaction) -> str:
    """The provider's reason, without its full stop: it goes inside a sentence."""
    return (tx.failure_message or tx.failure_code or "no reason given").rstrip(".")


def _check_store_credit(uow: UnitOfWork, order: Order, amount: int) -> None:
    """Store credit a return already gave for this order counts against what its payments can still give back."""
    issued = uow.store_credit.issued_for_order(order.id)
    if not issued:
        return
    left = sum(p.refundable for p in uow.payments.of_order(order.id)) - issued
    if amount > left:
        raise InvalidInput("amount", f"only {order.money(max(left, 0))} of order {order.number} can still be given "
                           f"back: {order.money(issued)} went back as store credit already.",
                           code="refund_exceeds_captured")


def refunded_by_lines(uow: UnitOfWork, order_id: str) -> Counter[str]:
    """Units per line the order's refunds by lines gave money back for (a refund every payment refused gives none)."""
    failed = {tx.id for p in uow.payments.of_order(order_id) for tx in p.transactions
              if tx.status == TransactionStatus.FAILED}
    return refunds.refunded_units(uow.refund_records.of_order(order_id), failed)
