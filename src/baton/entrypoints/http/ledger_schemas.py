"""Pydantic models of the money ledger: journal entries with their postings, and the trial balance."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from baton.finance.journal import EntryKind
from baton.finance.ledger import Account, Side


class PostingOut(BaseModel):
    line: int
    account: Account
    debit: str = Field(description="Decimal string in the entry's currency; \"0.00\" when on the credit side.")
    credit: str = Field(description="Decimal string in the entry's currency; \"0.00\" when on the debit side.")


class JournalEntryOut(BaseModel):
    id: str
    order_id: str | None
    currency: str
    occurred_at: datetime
    kind: EntryKind
    source_id: str | None = Field(description="The payment transaction this entry books.")
    memo: str
    postings: list[PostingOut] = Field(description="Debits and credits add up to the same amount.")


class LedgerList(BaseModel):
    items: list[JournalEntryOut]
    next_cursor: str | None = None


class AccountBalanceOut(BaseModel):
    account: Account
    normal_side: Side = Field(description="Where the account's balance normally stands.")
    debits: str
    credits: str
    balance: str = Field(description="Debits minus credits: positive on the debit side, negative on the credit "
                                     "side.")


class CurrencyBalanceOut(BaseModel):
    currency: str
    accounts: list[AccountBalanceOut]
    balanced: bool = Field(description="The balances of this currency add up to zero.")


class TrialBalanceOut(BaseModel):
    items: list[CurrencyBalanceOut]
    balanced: bool = Field(description="Every currency is balanced (true when there is nothing to balance).")
