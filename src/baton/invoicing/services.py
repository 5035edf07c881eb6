"""Use cases of invoices and credit memos: issue one for a booked journal entry, and read them.

`issue` runs inside the transaction that books the entry (payments.bookkeeping calls it once per INVOICE or
CREDIT_MEMO entry it writes, and the journal books each payment transaction once), so a document exists exactly
when its entry does, and its money is that entry's postings. Its number is counted in the same transaction: a
rollback gives it back, so the numbers of a kind and year have no gaps."""

from __future__ import annotations

from datetime import UTC

from baton.adapters.db.uow import UnitOfWork
from baton.config import Settings
from baton.finance.journal import BookedEntry, EntryKind
from baton.finance.ledger import Account, JournalEntry
from baton.invoicing.lines import credit_memo_lines, invoice_lines
from baton.invoicing.model import Buyer, Document, DocumentKind, DocumentTotals, Seller, document_number, kind_of_number
from baton.orders.model import Order
from baton.payments.model import Payment, PaymentTransaction
from baton.shared.clock import utcnow
from baton.shared.errors import NotFound
from baton.shared.ids import new_id
from baton.shared.money import to_decimal_string

# An appeasement (goodwill money back without a return) is a credit note too: it gets a credit memo document.
DOCUMENT_OF_ENTRY = {EntryKind.INVOICE: DocumentKind.INVOICE, EntryKind.CREDIT_MEMO: DocumentKind.CREDIT_MEMO,
                     EntryKind.APPEASEMENT: DocumentKind.CREDIT_MEMO}


class DocumentNotFound(NotFound):
    def __init__(self, kind: DocumentKind | None, what: str):
        super().__init__(f"No {kind.label.lower() if kind else 'invoice or credit memo'} {what}.",
                         code=f"{kind or 'document'}_not_found")


# -- issuing ----------------------------------------------------------------------------------------------------
def issue(uow: UnitOfWork, order: Order, payment: Payment, tx: PaymentTransaction, booked: BookedEntry) -> Document:
    """The document of a journal entry just booked for `tx`; told on the order's timeline, announced, audited."""
    return issue_for(uow, order, booked, str(payment.method), tx.reason)


def issue_for(uow: UnitOfWork, order: Order, booked: BookedEntry, method: str, reason: str | None) -> Document:
    """The document of a journal entry just booked, paid through `method` (a payment method, or "store_credit"
    for a refund given as store credit), for `reason`."""
    kind = DOCUMENT_OF_ENTRY[booked.kind]
    totals = _totals(kind, booked.entry)
    earlier = uow.invoices.of_order(order.id)
    issued_at = utcnow().astimezone(UTC)
    number = document_number(kind, issued_at.year, uow.invoices.next_sequence(kind, issued_at.year))
    if kind is DocumentKind.INVOICE:
        lines = invoice_lines(order.lines, earlier, totals.net)
    else:
        lines = credit_memo_lines(reason, totals.net,
                                  "Goodwill" if booked.kind == EntryKind.APPEASEMENT else "Refund")
    document = Document(
        id=new_id("inv" if kind is DocumentKind.INVOICE else "cn"), kind=kind, number=number, issued_at=issued_at,
        supplied_at=booked.entry.occurred_at, currency=booked.entry.currency, order_id=order.id,
        order_number=order.number, seller=seller(uow.settings), buyer=_buyer(order),
        payment_method=method, lines=lines, totals=totals, entry_id=booked.entry.id,
        source_id=booked.source_id, reason=reason if kind is DocumentKind.CREDIT_MEMO else None,
        refers_to=tuple(d.number for d in earlier if d.kind is DocumentKind.INVOICE)
        if kind is DocumentKind.CREDIT_MEMO else ())
    uow.invoices.add(document)
    _tell(uow, order, document)
    return document


def seller(settings: Settings) -> Seller:
    """The seller as configured now (BATON_SELLER_*); a document keeps the one it was issued with."""
    return Seller(settings.seller_name, settings.seller_address, settings.seller_tax_id)


def _buyer(order: Order) -> Buyer:
    return Buyer(order.customer_name, order.customer_email, order.billing_address or order.shipping_address)


def _totals(kind: DocumentKind, entry: JournalEntry) -> DocumentTotals:
    """The document's money from its entry's postings (baton.finance.postings: invoice and credit_memo)."""
    def credits(account: Account) -> int:
        return sum(p.credit for p in entry.postings if p.account == account)

    def debits(account: Account) -> int:
        return sum(p.debit for p in entry.postings if p.account == account)

    if kind is DocumentKind.INVOICE:
        return DocumentTotals(credits(Account.REVENUE), credits(Account.SHIPPING_REVENUE),
                              credits(Account.TAX_PAYABLE), debits(Account.CUSTOMER_RECEIVABLE))
    return DocumentTotals(debits(Account.REFUNDS) + debits(Account.APPEASEMENTS), 0, debits(Account.TAX_PAYABLE),
                          credits(Account.CUSTOMER_RECEIVABLE))


def _tell(uow: UnitOfWork, order: Order, document: Document) -> None:
    total = document.totals.total
    order.tell(uow.actor.label, f"{document.kind}_issued",
               f"{document.kind.label} {document.number} issued for {document.money(total)}.",
               document_id=document.id, number=document.number)
    order.announce(f"{document.kind}.issued", document_id=document.id, document_number=document.number,
                   total=total, currency=document.currency)
    uow.audit.record(f"{document.kind}.issue", str(document.kind), document.id, None,
                     {"number": document.number, "order_id": order.id, "currency": document.currency,
                      "total": to_decimal_string(total, document.currency)})


# -- reading ----------------------------------------------------------------------------------------------------
def get(uow: UnitOfWork, kind: DocumentKind, document_id: str) -> Document:
    """The document of `kind` with this id (an id of the other kind is not found either)."""
    with uow:
        found = uow.invoices.get(document_id)
    if found is None or found.kind is not kind:
        raise DocumentNotFound(kind, document_id)
    return found


def find(uow: UnitOfWork, number_or_id: str) -> Document:
    """An invoice or credit memo by its number (INV-2026-000001, any case) or its id."""
    value = number_or_id.strip()
    with uow:
        found = uow.invoices.by_number(value.upper()) if kind_of_number(value) else uow.invoices.get(value)
    if found is None:
        raise DocumentNotFound(kind_of_number(value), value)
    return found


def page(uow: UnitOfWork, kind: DocumentKind, order_id: str | None, limit: int,
         cursor: str | None) -> tuple[list[Document], str | None]:
    with uow:
        return uow.invoices.page(kind, order_id, limit, cursor)
