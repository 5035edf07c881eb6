"""Store credit as a payment method, book-only: no gateway is called, the shop keeps the balance itself.

- authorise (at placement, or a payment added later): in the order's transaction, with the customer's row locked,
  the balance in the order's currency must cover the amount (422 naming `amount` otherwise: a balance never goes
  below zero, even with parallel orders); an entry of −amount holds it for the order, and the payment is
  authorised at once.
- capture: booked like a gift card's (the store credit liability pays the receivable, baton.payments.bookkeeping).
- void (what was not captured is released: a cancellation, a smaller edit) and refund: the amount goes back to
  the balance (+ entry) in the transaction that records it.
The entries name their payment, so store credit a return issued (entries without one) stays told apart."""

from __future__ import annotations

from baton.adapters.db.returns_repository import CreditEntry
from baton.adapters.db.uow import UnitOfWork
from baton.payments.gateway import Authorization
from baton.payments.model import Payment, PaymentMethod, PaymentTransaction, TransactionKind
from baton.shared.clock import utcnow
from baton.shared.errors import InvalidInput
from baton.shared.ids import new_id
from baton.shared.messages import TimelineEntry
from baton.shared.money import to_decimal_string


def authorize(uow: UnitOfWork, payment: Payment, field: str = "") -> None:
    """Hold `payment.requested` of the customer's balance for the order, or refuse naming `{field}amount`."""
    amount, currency = payment.requested, payment.currency
    customer_id = uow.store_credit.customer_of_order(payment.order_id)
    balance = uow.store_credit.locked_balance(customer_id, currency)
    if amount > balance:
        raise InvalidInput(f"{field}amount", f"the customer's store credit is {currency} "
                           f"{to_decimal_string(max(balance, 0), currency)}; {currency} "
                           f"{to_decimal_string(amount, currency)} cannot be paid with it.",
                           code="insufficient_store_credit")
    _entry(uow, payment, customer_id, -amount, "spent on")
    payment.record_authorization(Authorization(f"sc_{payment.id}", amount, currency))
    uow.messages.add([], [TimelineEntry(payment.order_id, uow.actor.label, "payment_authorize",
                                        f"{payment.money(amount)} of the customer's store credit is held for this "
                                        f"order ({payment.money(balance - amount)} left).",
                                        {"payment_id": payment.id})])


def give_back(uow: UnitOfWork, payment: Payment, settled: list[PaymentTransaction]) -> None:
    """Voids and refunds of a store credit payment, just confirmed, go back to the customer's balance."""
    if payment.method != PaymentMethod.STORE_CREDIT:
        return
    back = [tx for tx in settled if tx.kind in (TransactionKind.VOID, TransactionKind.REFUND)]
    if not back:
        return
    customer_id = uow.store_credit.customer_of_order(payment.order_id)
    for tx in back:
        _entry(uow, payment, customer_id, tx.amount,
               "released by" if tx.kind == TransactionKind.VOID else "refunded by")


def _entry(uow: UnitOfWork, payment: Payment, customer_id: str, amount: int, verb: str) -> None:
    memo = f"{payment.money(abs(amount))} of store credit {verb} payment {payment.id}."
    uow.store_credit.add(CreditEntry(new_id("scr"), customer_id, payment.currency, amount, payment.order_id, None,
                                     memo, utcnow(), payment_id=payment.id))
