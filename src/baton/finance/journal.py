"""Journal entries as the books keep them: what each entry is (its kind) and which money movement it books."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from baton.finance.ledger import JournalEntry


class EntryKind(enum.StrEnum):
    INVOICE = "invoice"  # revenue, shipping revenue and tax recognised against the receivable (per capture)
    CAPTURE = "capture"  # money taken at a gateway (or arrived, for manual methods) pays the receivable
    CREDIT_MEMO = "credit_memo"  # goods and shipping given back and their tax, against the receivable (per refund)
    REFUND = "refund"  # money paid back to the original payment
    STORE_CREDIT_USED = "store_credit_used"  # a gift card or store credit spent pays the receivable
    STORE_CREDIT_ISSUED = "store_credit_issued"  # a refund paid back to a gift card or store credit
    APPEASEMENT = "appeasement"  # goodwill given back without a return and its tax, against the receivable


@dataclass(frozen=True)
class BookedEntry:
    """A journal entry with its kind and source: at most one entry per (source, kind), so booking the same
    payment transaction again (a retried settlement) books nothing."""

    entry: JournalEntry
    kind: EntryKind
    source_id: str | None  # the payment transaction it books
