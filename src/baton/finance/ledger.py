"""A double-entry ledger of money: accounts, balanced journal entries and the trial balance.

Every amount is non-negative integer minor units of the entry's one currency. An entry is valid only if its
debits equal its credits; so the debits and credits of any set of entries are equal too, per currency, and
`check_trial_balance` proves it of entries read back from storage. Mixed currencies cannot be expressed:
an entry has a single `currency` and its postings none of their own (an exchange is two entries)."""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from baton.shared.errors import InvalidInput
from baton.shared.money import check_currency


class Side(enum.StrEnum):
    DEBIT = "debit"
    CREDIT = "credit"


class Account(enum.StrEnum):
    CUSTOMER_RECEIVABLE = "customer_receivable"  # asset, debit: invoiced and not yet paid (credit: owed to customers)
    GATEWAY_CLEARING = "gateway_clearing"  # asset, debit: captured minus refunded, held by gateways until paid out
    REVENUE = "revenue"  # income, credit: goods invoiced, without tax and after discounts
    SHIPPING_REVENUE = "shipping_revenue"  # income, credit: shipping invoiced, without tax
    TAX_PAYABLE = "tax_payable"  # liability, credit: tax invoiced minus tax credited, owed to tax authorities
    REFUNDS = "refunds"  # contra-income, debit: goods and shipping given back by credit memos
    APPEASEMENTS = "appeasements"  # contra-income, debit: goodwill given back without a return
    STORE_CREDIT = "store_credit"  # liability, credit: store credit issued to customers and not yet spent

    @property
    def normal_side(self) -> Side:
        """The side on which the account's balance normally stands."""
        return Side.DEBIT if self in _DEBIT_NORMAL else Side.CREDIT


_DEBIT_NORMAL = frozenset({Account.CUSTOMER_RECEIVABLE, Account.GATEWAY_CLEARING, Account.REFUNDS,
                           Account.APPEASEMENTS})


@dataclass(frozen=True)
class Posting:
    """One line of an entry: money on exactly one side of one account."""

    account: Account
    debit: int = 0  # minor units
    credit: int = 0  # minor units


def debit(account: Account, amount: int) -> Posting:
    return Posting(account, debit=amount)


def credit(account: Account, amount: int) -> Posting:
    return Posting(account, credit=amount)


@dataclass(frozen=True)
class JournalEntry:
    """A balanced movement of money in one currency, immutable once made."""

    id: str
    order_id: str | None
    currency: str
    occurred_at: datetime  # timezone-aware; stored and shown in UTC
    memo: str  # why, for a person: "Invoice INV-2025-000042 for shipment …"
    postings: Sequence[Posting]  # kept as a tuple

    def __post_init__(self) -> None:
        object.__setattr__(self, "postings", tuple(self.postings))
        self._check()

    def _check(self) -> None:
        check_currency(self.currency)
        if self.occurred_at.utcoffset() is None:
            raise InvalidInput("occurred_at", "a journal entry's time needs a time zone (UTC).")
        if not self.memo.strip():
            raise InvalidInput("memo", "a journal entry says why it was made.")
        if not self.postings:
            raise InvalidInput("postings", "a journal entry needs postings.", code="entry_empty")
        for i, posting in enumerate(self.postings):
            _check_posting(posting, f"postings[{i}]")
        if self.debits != self.credits:
            raise InvalidInput("postings", f"debits {self.debits} and credits {self.credits} ({self.currency}) "
                               "differ; an entry must balance.", code="entry_unbalanced")

    @property
    def debits(self) -> int:
        return sum(posting.debit for posting in self.postings)

    @property
    def credits(self) -> int:
        return sum(posting.credit for posting in self.postings)


def _check_posting(posting: Posting, field: str) -> None:
    if not isinstance(posting.account, Account):
        raise InvalidInput(f"{field}.account", f"'{posting.account}' is not a ledger account.")
    for side, amount in (("debit", posting.debit), ("credit", posting.credit)):
        if not isinstance(amount, int) or isinstance(amount, bool) or amount < 0:
            raise InvalidInput(f"{field}.{side}", f"'{amount}' is not a non-negative amount of minor units.",
                               code="negative_amount")
    if (posting.debit > 0) == (posting.credit > 0):
        raise InvalidInput(field, "a posting moves money on exactly one side, debit or credit.")


Balances = dict[tuple[str, Account], int]


def trial_balance(entries: Iterable[JournalEntry]) -> Balances:
    """Per (currency, account): debits minus credits, so debit balances are positive and credit ones negative."""
    balances: Balances = {}
    for entry in entries:
        for posting in entry.postings:
            key = (entry.currency, posting.account)
            balances[key] = balances.get(key, 0) + posting.debit - posting.credit
    return balances


def currency_sums(balances: Mapping[tuple[str, Account], int]) -> dict[str, int]:
    """The sum of all balances per currency: zero in a sound ledger."""
    sums: dict[str, int] = {}
    for (currency, _account), balance in balances.items():
        sums[currency] = sums.get(currency, 0) + balance
    return sums


def check_trial_balance(balances: Mapping[tuple[str, Account], int]) -> None:
    """Raise if any currency's balances do not add up to zero: the ledger is corrupt (a bug, never bad input)."""
    broken = {currency: total for currency, total in currency_sums(balances).items() if total != 0}
    if broken:
        raise AssertionError(f"the trial balance is not zero: {broken}")


def on_normal_side(account: Account, balance: int) -> int:
    """A debit-positive balance as finance reads it: positive when it stands on the account's normal side."""
    return balance if account.normal_side is Side.DEBIT else -balance
