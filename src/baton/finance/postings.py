"""The posting scheme: which journal entries each money event of an order makes.

The customer receivable is the hinge. Documents move money between it and income or tax; payments move money
between it and where the money is:

- order placed, payment authorised: nothing. A hold moves no money and sells nothing, and a void or an expiry
  would only have to reverse it; what is authorised lives on the payment, not in the ledger.
- invoice (one per capture, i.e. per shipment): DR customer receivable (gross);
  CR revenue (net), shipping revenue (shipping), tax payable (tax).
- capture: DR gateway clearing; CR customer receivable.
- credit memo (one per refund): DR refunds (net + shipping), tax payable (tax); CR customer receivable (gross).
- appeasement (goodwill without a return): as a credit memo, with appeasements instead of refunds.
- refund paid back to the original payment: DR customer receivable; CR gateway clearing.
- refund paid as store credit: DR customer receivable; CR store credit.
- store credit spent on an order: DR store credit; CR customer receivable.

So revenue and tax payable are recognised when an invoice is issued, which Baton does per capture, and a credit
memo reverses them through the refunds (or appeasements) contra account and tax payable, exactly to the minor
unit because the caller passes the split. For a card, the invoice and the capture happen together
(`invoiced_and_captured`); for an invoice with payment terms (net 30) the capture comes when the money
arrives, and until then the receivable shows what the customer owes. An order whose money is settled has a
receivable of zero. Gateway payouts to the bank and gateway fees are not booked here yet."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from baton.finance.ledger import Account, JournalEntry, Posting, credit, debit
from baton.shared.errors import InvalidInput
from baton.shared.ids import new_id
from baton.tax.model import TaxBreakdown

A = Account


@dataclass(frozen=True)
class Amounts:
    """The money of an invoice, credit memo or appeasement, split as the ledger books it (minor units)."""

    net: int  # goods, without tax, after discounts
    shipping: int = 0  # shipping, without tax
    tax: int = 0  # the tax of goods and shipping

    def __post_init__(self) -> None:
        for name in ("net", "shipping", "tax"):
            _check_amount(getattr(self, name), name, allow_zero=True)
        if self.gross == 0:
            raise InvalidInput("amount", "a document of no money books nothing.", code="amount_zero")

    @property
    def gross(self) -> int:
        return self.net + self.shipping + self.tax

    @classmethod
    def of(cls, breakdown: TaxBreakdown) -> Amounts:
        """The split of a whole taxed order; its gross is the order's total."""
        return cls(breakdown.net, breakdown.shipping.net, breakdown.totals.tax)


@dataclass(frozen=True)
class Context:
    """What every entry of one event shares."""

    currency: str
    order_id: str | None
    occurred_at: datetime
    memo: str


def invoice(amounts: Amounts, context: Context, entry_id: str | None = None) -> JournalEntry:
    """Revenue, shipping revenue and tax payable recognised against the customer receivable."""
    postings = [debit(A.CUSTOMER_RECEIVABLE, amounts.gross), credit(A.REVENUE, amounts.net),
                credit(A.SHIPPING_REVENUE, amounts.shipping), credit(A.TAX_PAYABLE, amounts.tax)]
    return _entry(context, postings, entry_id)


def credit_memo(amounts: Amounts, context: Context, entry_id: str | None = None) -> JournalEntry:
    """Goods and shipping given back (refunds) and their tax no longer owed, against the customer receivable."""
    return _reversal(A.REFUNDS, amounts, context, entry_id)


def appeasement(amounts: Amounts, context: Context, entry_id: str | None = None) -> JournalEntry:
    """Goodwill without a return: booked like a credit memo, on its own contra account."""
    return _reversal(A.APPEASEMENTS, amounts, context, entry_id)


def capture(amount: int, context: Context, entry_id: str | None = None) -> JournalEntry:
    """Money captured at a gateway pays the customer receivable."""
    return _move(A.GATEWAY_CLEARING, A.CUSTOMER_RECEIVABLE, amount, context, entry_id)


def refund(amount: int, context: Context, entry_id: str | None = None) -> JournalEntry:
    """Money paid back to the original payment settles what a credit memo or appeasement owes the customer."""
    return _move(A.CUSTOMER_RECEIVABLE, A.GATEWAY_CLEARING, amount, context, entry_id)


def store_credit_issued(amount: int, context: Context, entry_id: str | None = None) -> JournalEntry:
    """What is owed to the customer paid out as store credit instead of money."""
    return _move(A.CUSTOMER_RECEIVABLE, A.STORE_CREDIT, amount, context, entry_id)


def store_credit_used(amount: int, context: Context, entry_id: str | None = None) -> JournalEntry:
    """Store credit spent as a payment of an order."""
    return _move(A.STORE_CREDIT, A.CUSTOMER_RECEIVABLE, amount, context, entry_id)


def invoiced_and_captured(amounts: Amounts, context: Context) -> tuple[JournalEntry, JournalEntry]:
    """A shipment captured from a card: its invoice and the capture that pays it."""
    return invoice(amounts, context), capture(amounts.gross, context)


def credited_and_refunded(amounts: Amounts, context: Context) -> tuple[JournalEntry, JournalEntry]:
    """A refund to the original payment: its credit memo and the money paid back."""
    return credit_memo(amounts, context), refund(amounts.gross, context)


def _reversal(contra: Account, amounts: Amounts, context: Context, entry_id: str | None) -> JournalEntry:
    postings = [debit(contra, amounts.net + amounts.shipping), debit(A.TAX_PAYABLE, amounts.tax),
                credit(A.CUSTOMER_RECEIVABLE, amounts.gross)]
    return _entry(context, postings, entry_id)


def _move(to: Account, from_: Account, amount: int, context: Context, entry_id: str | None) -> JournalEntry:
    _check_amount(amount, "amount", allow_zero=False)
    return _entry(context, [debit(to, amount), credit(from_, amount)], entry_id)


def _entry(context: Context, postings: list[Posting], entry_id: str | None) -> JournalEntry:
    moving = [posting for posting in postings if posting.debit or posting.credit]
    return JournalEntry(entry_id or new_id("je"), context.order_id, context.currency, context.occurred_at,
                        context.memo, moving)


def _check_amount(amount: int, field: str, *, allow_zero: bool) -> None:
    if not isinstance(amount, int) or isinstance(amount, bool) or amount < (0 if allow_zero else 1):
        least = "zero or more" if allow_zero else "more than zero"
        raise InvalidInput(field, f"'{amount}' is not an amount of minor units {least}.", code="invalid_amount")
