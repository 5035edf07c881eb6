"""The money ledger's side of payments: every succeeded capture and refund of an order booked as balanced journal
entries (baton.finance.postings), in the same transaction that records the gateway's answer.

- capture: an invoice of what it takes (revenue, shipping revenue, tax payable against the customer receivable)
  and the capture that pays it (gateway clearing). Each shipment captures what it ships, so this is one invoice
  per shipment. Manual methods (bank transfer, cash on delivery, invoice with terms) and external authorisations
  are booked the same way: for a manual method the capture is the money arriving.
- refund: a credit memo of what it gives back (refunds, tax payable against the receivable) and the money paid
  back to the original payment.
- appeasement (a refund whose purpose is goodwill, baton.payments.refunds): split and paid back like a refund, but
  booked on the appeasements contra account (postings.appeasement). Legally it is a credit note too, so it is
  issued as a credit memo document.
- gift card and store credit payments (stored value the shop keeps itself): the money side is the store credit
  liability instead of gateway clearing (a capture spends it, a refund gives it back).
- authorisations and voids book nothing: an authorisation is a hold on the customer's money, neither a sale nor a
  movement, and a void only releases such a hold; what is held lives on the payment (see postings).

The split of a capture into goods, shipping and tax. Each shipment captures what it ships, so the tax the
invoices owe once a capture lands is the tax of the units shipped (and of the shipping, with the first parcel):
a capture that completes what has shipped takes exactly the tax still missing of it, whatever rates its lines
carry. A capture of part of it (several payments share a shipment, or one failed and is retried) takes that tax in
proportion to its amount, and one beyond what has shipped (a storefront that captured at checkout) measures against
the whole order instead. The rest goes to the shipping charge (without its tax) first, until it is invoiced in
full, then to goods. Once the order's whole total is captured, exactly its tax is booked.
The split of a refund likewise: the tax still credited-back-able (invoiced − credited) in proportion to the amount
(a refund of all that is left credits all the tax left), the rest goods first, then shipping: it gives back goods
invoiced and not yet credited, and only what is left of it counts as shipping. (A credit memo debits refunds with
goods and shipping together, so that split never changes the total.)

Every succeeded capture or refund of the order not booked yet is booked, oldest first, so a transaction settled
outside `flows.settle` (a capture the storefront made at checkout, a refund test fixture) is booked at the next
settlement, with the time it happened. A retried settlement books nothing twice: what is booked is skipped, and
the journal's unique (source, kind) refuses a second entry even to a racing settlement."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from fractions import Fraction

from baton.adapters.db.uow import UnitOfWork
from baton.finance import postings
from baton.finance.journal import BookedEntry, EntryKind
from baton.finance.ledger import Account, JournalEntry
from baton.finance.postings import Amounts, Context
from baton.invoicing import services as invoicing
from baton.orders.model import Order
from baton.payments.model import STORED_VALUE, Payment, PaymentTransaction, TransactionKind, TransactionStatus
from baton.payments.refunds import Purpose
from baton.shared.clock import utcnow
from baton.tax.model import round_half_up

BOOKED_KINDS = (TransactionKind.CAPTURE, TransactionKind.REFUND)


def book(uow: UnitOfWork, order: Order, payments: list[Payment]) -> list[BookedEntry]:
    """Book the order's succeeded captures and refunds that are not in the journal yet; returns what it wrote."""
    due = [(payment, tx) for payment in payments for tx in payment.transactions
           if tx.kind in BOOKED_KINDS and tx.status == TransactionStatus.SUCCEEDED]
    if not due:
        return []
    booked = uow.journal.of_order(order.id)
    purposes = {tx_id: record.purpose for record in uow.refund_records.of_order(order.id)
                for tx_id in record.transactions} if any(tx.kind == TransactionKind.REFUND for _p, tx in due) else {}
    done = {b.source_id for b in booked}
    entries = [b.entry for b in booked]
    written = []
    for payment, tx in sorted(due, key=lambda pair: _when(pair[1])):
        if tx.id in done:
            continue
        for item in _entries(order, payment, tx, entries, purposes.get(tx.id, Purpose.REFUND)):
            if uow.journal.add(item):
                written.append(item)
                entries.append(item.entry)
                if item.kind in invoicing.DOCUMENT_OF_ENTRY:  # its invoice or credit memo, exactly once
                    invoicing.issue(uow, order, payment, tx, item)
    return written


def _when(tx: PaymentTransaction) -> tuple[datetime, int, str]:
    return tx.settled_at or tx.created_at, 0 if tx.kind == TransactionKind.CAPTURE else 1, tx.id


def _entries(order: Order, payment: Payment, tx: PaymentTransaction, entries: list[JournalEntry],
             purpose: Purpose) -> list[BookedEntry]:
    stored = payment.method in STORED_VALUE
    at = tx.settled_at or utcnow()
    why = f" for {tx.reason}" if tx.reason else ""
    money = f"{order.money(tx.amount)} ({payment.method})"

    def context(memo: str) -> Context:
        return Context(payment.currency, order.id, at, memo)

    if tx.kind == TransactionKind.CAPTURE:
        amounts = capture_amounts(Charges.of(order), tx.amount, entries)
        document = postings.invoice(amounts, context(f"Invoice of {order.money(tx.amount)}{why}."))
        if stored:
            paid = postings.store_credit_used(tx.amount, context(f"Stored value of {money} spent{why}."))
            return [BookedEntry(document, EntryKind.INVOICE, tx.id),
                    BookedEntry(paid, EntryKind.STORE_CREDIT_USED, tx.id)]
        paid = postings.capture(tx.amount, context(f"Capture of {money}{why}."))
        return [BookedEntry(document, EntryKind.INVOICE, tx.id), BookedEntry(paid, EntryKind.CAPTURE, tx.id)]
    amounts = refund_amounts(tx.amount, entries)
    reason = f": {tx.reason}" if tx.reason else ""
    if purpose == Purpose.APPEASEMENT:
        document = postings.appeasement(amounts, context(f"Appeasement of {order.money(tx.amount)}{reason}."))
        kind = EntryKind.APPEASEMENT
    else:
        document = postings.credit_memo(amounts, context(f"Credit memo of {order.money(tx.amount)}{reason}."))
        kind = EntryKind.CREDIT_MEMO
    if stored:
        back = postings.store_credit_issued(tx.amount, context(f"Refund of {money} to stored value{reason}."))
        return [BookedEntry(document, kind, tx.id), BookedEntry(back, EntryKind.STORE_CREDIT_ISSUED, tx.id)]
    back = postings.refund(tx.amount, context(f"Refund of {money} to the original payment{reason}."))
    return [BookedEntry(document, kind, tx.id), BookedEntry(back, EntryKind.REFUND, tx.id)]


@dataclass(frozen=True)
class Charges:
    """What the order charges, as the split of its captures needs it (minor units)."""

    total: int  # what the customer pays for the units kept
    tax: int  # the tax in that total
    shipped: int  # what the units shipped cost (flows.shipped_value)
    shipped_tax: int  # the tax in that
    shipping_net: int  # the shipping charge without its tax

    @classmethod
    def of(cls, order: Order) -> Charges:
        totals = order.totals
        any_shipped = any(line.shipped for line in order.lines)
        shipped = sum(order.value_of(line, line.shipped) for line in order.lines)
        shipped_tax = sum(line.share(line.tax, line.shipped) for line in order.lines)
        shipping_tax = 0 if order.is_fully_cancelled else order.shipping_tax
        return cls(totals.total, totals.tax, shipped + (order.shipping_value if any_shipped else 0),
                   shipped_tax + (order.shipping_tax if any_shipped else 0),
                   totals.shipping - (0 if order.tax_added else shipping_tax))


def capture_amounts(charges: Charges, amount: int, entries: list[JournalEntry]) -> Amounts:
    """A capture of `amount` after the order's `entries`: the tax of what it pays for (see the module), then the
    shipping charge until it is invoiced in full, then goods."""
    shipping_invoiced = _sum(entries, Account.SHIPPING_REVENUE, credit=True)
    tax_invoiced = _sum(entries, Account.TAX_PAYABLE, credit=True)
    invoiced = _sum(entries, Account.REVENUE, credit=True) + shipping_invoiced + tax_invoiced
    value, tax = ((charges.shipped, charges.shipped_tax) if invoiced + amount <= charges.shipped
                  else (charges.total, charges.tax))
    tax = _tax_part(tax - tax_invoiced, value - invoiced, amount)
    rest = amount - tax
    shipping = max(0, min(charges.shipping_net - shipping_invoiced, rest))
    return Amounts(net=rest - shipping, shipping=shipping, tax=tax)


def refund_amounts(amount: int, entries: list[JournalEntry]) -> Amounts:
    """A refund of `amount` after the order's `entries`: the tax left to credit in proportion, the rest goods
    first, then shipping. What was credited before is taken as goods first too, so the parts left to credit are
    goods invoiced − credited, then shipping invoiced − the credited rest. Anything beyond both (a refund of money
    never invoiced, which booking every capture first rules out) counts as goods."""
    goods = _sum(entries, Account.REVENUE, credit=True)
    shipping = _sum(entries, Account.SHIPPING_REVENUE, credit=True)
    tax_left = _sum(entries, Account.TAX_PAYABLE, credit=True) - _sum(entries, Account.TAX_PAYABLE, credit=False)
    credited = _sum(entries, Account.REFUNDS, credit=False) + _sum(entries, Account.APPEASEMENTS, credit=False)
    tax = _tax_part(tax_left, goods + shipping - credited + tax_left, amount)
    rest = amount - tax
    goods_left = max(0, goods - credited)
    shipping_left = max(0, shipping - max(0, credited - goods))
    net = min(rest, goods_left)
    ship = min(rest - net, shipping_left)
    return Amounts(net=rest - ship, shipping=ship, tax=tax)


def _tax_part(tax: int, value: int, amount: int) -> int:
    """The tax of `amount` out of `value` that contains `tax`: all of it when the amount is the whole value."""
    if value <= 0 or tax <= 0:
        return 0
    if amount >= value:
        return min(tax, amount)
    return min(tax, amount, round_half_up(Fraction(tax * amount, value)))


def _sum(entries: Iterable[JournalEntry], account: Account, *, credit: bool) -> int:
    return sum(p.credit if credit else p.debit for e in entries for p in e.postings if p.account == account)
