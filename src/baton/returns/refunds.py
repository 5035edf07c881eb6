"""The refund of a return: the value of its inspected units (what they cost the customer, with their share of
discounts and tax) less the channel's deductions, paid back to the original payment or as store credit.

- original payment: through the payment flows (step 1 holds the refund on the payments in the same transaction
  that marks the return refunded; the gateway is asked after commit; its answer is recorded and booked). A refund
  the gateway refuses puts the return back to `inspected`, with the reason on the timeline, so it can be retried.
- store credit: one transaction writes the customer's store credit entry and books the credit memo and the store
  credit issued in the money ledger.
- an order paid outside Baton (no payments recorded) refunds nothing here: 409, with the fix."""

from __future__ import annotations

from dataclasses import dataclass

from baton.adapters.db.returns_repository import CreditEntry
from baton.adapters.db.uow import UnitOfWork
from baton.finance import postings
from baton.finance.journal import BookedEntry, EntryKind
from baton.invoicing import services as invoicing
from baton.orders.model import Order
from baton.payments import bookkeeping, flows
from baton.payments import services as payment_services
from baton.payments.model import Payment, TransactionKind, TransactionStatus
from baton.payments.services import Gateways
from baton.returns.model import RefundTo, Return, ReturnStatus
from baton.returns.services import locked, view
from baton.shared.clock import utcnow
from baton.shared.errors import Conflict, NotFound
from baton.shared.ids import new_id


@dataclass(frozen=True)
class Quote:
    value: int  # what the units to refund cost the customer
    restocking_fee: int
    shipping_fee: int

    @property
    def amount(self) -> int:
        return self.value - self.restocking_fee - self.shipping_fee

    @property
    def deductions(self) -> int:
        return self.restocking_fee + self.shipping_fee


def quote(uow: UnitOfWork, return_id: str) -> tuple[Return, Quote]:
    """What refunding the return now would pay back (read only; the refund computes it again under lock)."""
    with uow:
        rma = uow.returns.get(return_id)
        order = uow.orders.get(rma.order_id) if rma else None
        if rma is None or order is None:
            raise NotFound(f"No return with id {return_id}.", code="return_not_found")
        return rma, _quote(uow, order, rma)


def refund(first: UnitOfWork, uows: flows.UnitsOfWork, gateways: Gateways, return_id: str, key: str) -> Return:
    """Refund the inspected units to the original payment (card first) or as store credit, as the customer chose."""
    with uows() as reader:
        rma = reader.returns.get(return_id)
        if rma is None:
            raise NotFound(f"No return with id {return_id}.", code="return_not_found")
    if rma.refund_to == RefundTo.STORE_CREDIT:
        return _to_store_credit(first, return_id)
    refunded: dict[str, int] = {}

    def begin(uow: UnitOfWork, order: Order) -> list[Payment]:
        _order, rma = locked(uow, return_id)
        before = view(rma)
        quoted = _ready(uow, order, rma)
        refunded.update(rma.refund(quoted.amount, quoted.deductions))
        touched = (payment_services.begin_refund(uow, order.id, quoted.amount, f"return {rma.number}", key)
                   if quoted.amount else [])  # all of it kept back as fees: nothing to ask a gateway
        order.tell(uow.actor.label, "return_refund_requested", f"Return {rma.number}: refund of "
                   f"{order.money(quoted.amount)} to the original payment requested{_less(order, quoted)}.",
                   return_id=rma.id)
        _record(uow, order, rma, before, quoted)
        return touched

    flows.run(first, uows, gateways, rma.order_id, begin)
    return _follow_gateway(uows, return_id, key, refunded)


def _to_store_credit(uow: UnitOfWork, return_id: str) -> Return:
    with uow:
        order, rma = locked(uow, return_id)
        before = view(rma)
        quoted = _ready(uow, order, rma)
        payments = uow.payments.of_order(order.id)
        bookkeeping.book(uow, order, payments)  # captures settled elsewhere are booked first, oldest first
        left = sum(p.refundable for p in payments) - uow.store_credit.issued_for_order(order.id)
        if quoted.amount > left:
            raise Conflict(f"Only {order.money(max(left, 0))} of order {order.number} can still be given back; the "
                           f"return is worth {order.money(quoted.amount)}.", code="refund_exceeds_captured")
        rma.refund(quoted.amount, quoted.deductions)
        if quoted.amount:
            _issue_credit(uow, order, rma, quoted.amount)
        order.tell(uow.actor.label, "return_refunded", f"Return {rma.number} refunded: {order.money(quoted.amount)} "
                   f"as store credit for {order.customer_email}{_less(order, quoted)}.", return_id=rma.id)
        _record(uow, order, rma, before, quoted)
        uow.commit()
        return rma


def _issue_credit(uow: UnitOfWork, order: Order, rma: Return, amount: int) -> None:
    """The customer's balance grows; the ledger books a credit memo and the store credit paid out for it."""
    credit_id = new_id("scr")
    memo = f"Return {rma.number}: {order.money(amount)} as store credit."
    uow.store_credit.add(CreditEntry(credit_id, order.customer_id, order.currency, amount, order.id, rma.id, memo,
                                     utcnow()))
    entries = [booked.entry for booked in uow.journal.of_order(order.id)]
    context = postings.Context(order.currency, order.id, utcnow(), memo)
    amounts = bookkeeping.refund_amounts(amount, entries)
    memo_entry = BookedEntry(postings.credit_memo(amounts, context), EntryKind.CREDIT_MEMO, credit_id)
    if uow.journal.add(memo_entry):  # a credit note for the customer, like any refund's
        invoicing.issue_for(uow, order, memo_entry, "store_credit", f"return {rma.number}")
    uow.journal.add(BookedEntry(postings.store_credit_issued(amount, context), EntryKind.STORE_CREDIT_ISSUED,
                                credit_id))
    order.announce("store_credit.issued", customer_id=order.customer_id, amount=amount, currency=order.currency,
                   return_id=rma.id)


def _follow_gateway(uows: flows.UnitsOfWork, return_id: str, key: str, refunded: dict[str, int]) -> Return:
    """After the gateway answered: a refused refund puts the return back to inspected, to be retried."""
    with uows() as uow:
        order, rma = locked(uow, return_id)
        txs = [tx for p in uow.payments.of_order(order.id) for tx in p.transactions
               if tx.kind == TransactionKind.REFUND and tx.idempotency_key.startswith(f"{key}:")]
        failed = [tx for tx in txs if tx.status == TransactionStatus.FAILED]
        if not failed or rma.status != ReturnStatus.REFUNDED:
            if txs and all(tx.status == TransactionStatus.SUCCEEDED for tx in txs):
                order.tell(uow.actor.label, "return_refunded", f"Return {rma.number} refunded: "
                           f"{order.money(rma.refund_amount)} back to the original payment.", return_id=rma.id)
                order.announce("return.refunded", return_id=rma.id, number=rma.number, amount=rma.refund_amount,
                               refund_to=str(rma.refund_to))
                uow.commit()
            return rma
        before = view(rma)
        amount = sum(tx.amount for tx in txs)
        rma.refund_refused(refunded, amount)
        why = "; ".join((tx.failure_message or tx.failure_code or "no reason given").rstrip(".") for tx in failed)
        order.tell(uow.actor.label, "return_refund_failed", f"The refund of return {rma.number} was refused: {why}. "
                   "The return is inspected again; refund it again once the payment can take it.", return_id=rma.id)
        uow.audit.record("return.refund_failed", "return", rma.id, before, view(rma))
        uow.returns.save(rma)
        uow.commit()
        return rma


def _quote(uow: UnitOfWork, order: Order, rma: Return) -> Quote:
    value = sum(order.value_of(order.line(line.order_line_id), line.inspected - line.refunded) for line in rma.lines)
    policy = uow.return_policies.get(str(order.channel))
    restocking, shipping = policy.deductions(value, order.currency, rma.method)
    return Quote(value, restocking, shipping)


def _ready(uow: UnitOfWork, order: Order, rma: Return) -> Quote:
    """The state allows a refund, the return is not part of an exchange (the replacement is what the customer
    gets back), and the order has payments in Baton to give it back to."""
    rma.check_may(ReturnStatus.REFUNDED)
    exchange = uow.exchanges.of_return(rma.id)
    if exchange is not None:
        raise Conflict(f"Return {rma.number} is part of exchange {exchange.id}: the customer gets the replacement, "
                       "not a refund. Complete the exchange (POST /api/v1/exchanges/{id}/complete) instead.",
                       code="return_is_exchanged")
    if not uow.payments.of_order(order.id):
        quoted = _quote(uow, order, rma)
        raise Conflict(f"Order {order.number} has no payment recorded in Baton (it was paid outside Baton), so "
                       f"Baton cannot refund return {rma.number}: refund {order.money(quoted.amount)} where the "
                       "order was paid, then close the return.", code="no_payments")
    return _quote(uow, order, rma)


def _less(order: Order, quoted: Quote) -> str:
    parts = [f"a restocking fee of {order.money(quoted.restocking_fee)}" if quoted.restocking_fee else "",
             f"return shipping of {order.money(quoted.shipping_fee)}" if quoted.shipping_fee else ""]
    kept = " and ".join(p for p in parts if p)
    return f" (value {order.money(quoted.value)}, less {kept})" if kept else ""


def _record(uow: UnitOfWork, order: Order, rma: Return, before: dict, quoted: Quote) -> None:
    uow.returns.save(rma)
    uow.audit.record("return.refund", "return", rma.id, before, {**view(rma), "refund_to": str(rma.refund_to),
                                                                 "deductions": quoted.deductions})
    if rma.refund_to == RefundTo.STORE_CREDIT:
        order.announce("return.refunded", return_id=rma.id, number=rma.number, amount=quoted.amount,
                       refund_to=str(rma.refund_to))
    order.touch()
