"""Gift cards, book-only: the shop keeps the balance itself and no gateway is called (the sandbox of gift cards).

- issue (`POST /api/v1/gift-cards`): a card with a random code, shown once (only its SHA-256 is kept) and an
  opening balance. The money ledger books the sale: the money the shop took for it (gateway clearing) against the
  store credit liability (gift cards and store credit are the same liability: stored value owed to customers).
- pay (`{"method": "gift_card", "token": "<code>"}`): in the order's transaction, with the card's row locked, its
  balance must cover the amount (422 naming `amount` otherwise, `token` for an unknown code or another currency):
  an entry of −amount holds it and the payment is authorised at once. Captures are booked as stored value spent.
- a void (cancellation, a smaller order) or a refund of the payment goes back to the card (+ entry), in the
  transaction that records it. A balance never goes below zero, even with parallel orders spending one card."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from baton.adapters.db.returns_repository import GiftCard, GiftCardEntry
from baton.adapters.db.uow import UnitOfWork
from baton.finance.journal import BookedEntry, EntryKind
from baton.finance.ledger import Account, JournalEntry, credit, debit
from baton.payments.gateway import Authorization
from baton.payments.model import Payment, PaymentMethod, PaymentTransaction, TransactionKind
from baton.shared.clock import utcnow
from baton.shared.errors import InvalidInput, NotFound
from baton.shared.ids import new_id
from baton.shared.messages import TimelineEntry
from baton.shared.money import check_currency, to_decimal_string

ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read out over the phone
GROUPS = 4


@dataclass(frozen=True)
class Issued:
    card: GiftCard
    code: str  # shown once
    balance: int


def normalised(code: str) -> str:
    return "".join(code.split()).replace("-", "").upper()


def code_hash(code: str) -> str:
    return hashlib.sha256(normalised(code).encode()).hexdigest()


def new_code() -> str:
    groups = ["".join(secrets.choice(ALPHABET) for _ in range(4)) for _ in range(GROUPS)]
    return "GC-" + "-".join(groups)


def issue(uow: UnitOfWork, currency: str, amount: int, note: str) -> Issued:
    """A new card of `amount` minor units; its sale is booked in the money ledger."""
    check_currency(currency)
    if amount <= 0:
        raise InvalidInput("amount", "must be more than zero.", code="amount_not_positive")
    with uow:
        code = new_code()
        card = GiftCard(new_id("gft"), normalised(code)[-4:], currency, uow.actor.label, utcnow())
        uow.gift_cards.add(card, code_hash(code))
        memo = f"Gift card …{card.last4} issued with {currency} {to_decimal_string(amount, currency)}: {note}"
        uow.gift_cards.add_entry(GiftCardEntry(new_id("gce"), card.id, amount, None, memo, card.created_at))
        sold = JournalEntry(new_id("je"), None, currency, card.created_at, memo,
                            [debit(Account.GATEWAY_CLEARING, amount), credit(Account.STORE_CREDIT, amount)])
        uow.journal.add(BookedEntry(sold, EntryKind.STORE_CREDIT_ISSUED, card.id))
        uow.created_id = card.id
        uow.audit.record("gift_card.issue", "gift_card", card.id, None,
                         {"currency": currency, "amount": amount, "last4": card.last4, "note": note})
        uow.commit()
        return Issued(card, code, amount)


def get(uow: UnitOfWork, card_id: str) -> tuple[GiftCard, int, list[GiftCardEntry]]:
    with uow:
        card = uow.gift_cards.get(card_id)
        if card is None:
            raise NotFound(f"No gift card with id {card_id}.", code="gift_card_not_found")
        return card, uow.gift_cards.balance(card.id), uow.gift_cards.entries(card.id)


def authorize(uow: UnitOfWork, payment: Payment, code: str, field: str = "") -> None:
    """Hold `payment.requested` of the card's balance for the order, or refuse naming the field."""
    card = uow.gift_cards.by_code(code_hash(code), lock=True) if code else None
    if card is None:
        raise InvalidInput(f"{field}token", "no gift card has this code.", code="invalid_token")
    if card.currency != payment.currency:
        raise InvalidInput(f"{field}token", f"gift card …{card.last4} is in {card.currency}, the order in "
                           f"{payment.currency}.", code="currency_mismatch")
    balance, amount = uow.gift_cards.balance(card.id), payment.requested
    if amount > balance:
        raise InvalidInput(f"{field}amount", f"gift card …{card.last4} holds {payment.money(max(balance, 0))}; "
                           f"{payment.money(amount)} cannot be paid with it.", code="insufficient_gift_card_balance")
    _entry(uow, payment, card.id, -amount, "held for")
    payment.record_authorization(Authorization(f"gc_{payment.id}", amount, payment.currency,
                                               details={"gift_card": f"…{card.last4}"}))
    uow.messages.add([], [TimelineEntry(payment.order_id, uow.actor.label, "payment_authorize",
                                        f"{payment.money(amount)} of gift card …{card.last4} is held for this order "
                                        f"({payment.money(balance - amount)} left on it).",
                                        {"payment_id": payment.id})])


def give_back(uow: UnitOfWork, payment: Payment, settled: list[PaymentTransaction]) -> None:
    """Voids and refunds of a gift card payment, just confirmed, go back to the card."""
    if payment.method != PaymentMethod.GIFT_CARD:
        return
    back = [tx for tx in settled if tx.kind in (TransactionKind.VOID, TransactionKind.REFUND)]
    card_id = uow.gift_cards.of_payment(payment.id) if back else None
    if card_id is None:
        return
    for tx in back:
        _entry(uow, payment, card_id, tx.amount, "released by" if tx.kind == TransactionKind.VOID else "refunded by")


def _entry(uow: UnitOfWork, payment: Payment, card_id: str, amount: int, verb: str) -> None:
    memo = f"{payment.money(abs(amount))} {verb} payment {payment.id} of order {payment.order_id}."
    uow.gift_cards.add_entry(GiftCardEntry(new_id("gce"), card_id, amount, payment.id, memo, utcnow()))
