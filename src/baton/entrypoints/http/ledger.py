"""Routes for the money ledger (finance): journal entries by order, day or currency, and the trial balance."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query

from baton.entrypoints.http.auth import allow
from baton.entrypoints.http.deps import ContainerDep
from baton.entrypoints.http.ledger_schemas import LedgerList, TrialBalanceOut
from baton.entrypoints.http.problems import guarded
from baton.entrypoints.http.schemas import Currency
from baton.finance import queries
from baton.identity.permissions import Action
from baton.shared.actor import Actor
from baton.shared.money import check_currency, to_decimal_string

router = APIRouter(prefix="/api/v1/ledger", tags=["ledger"])
Reader = Annotated[Actor, allow(Action.LEDGER_READ)]
OrderId = Annotated[str | None, Query(max_length=40, description="Only the entries of this order.")]
CurrencyQuery = Annotated[Currency | None, Query(description="Only this currency (ISO 4217).")]


@router.get("", response_model=LedgerList, responses=guarded(422))
def list_entries(
    container: ContainerDep,
    _actor: Reader,
    order_id: OrderId = None,
    day: Annotated[date | None, Query(alias="date", description="Only the entries of this UTC day (YYYY-MM-DD).")]
    = None,
    currency: CurrencyQuery = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    cursor: str | None = None,
) -> dict:
    """Journal entries, oldest first, each with its balanced postings as decimal strings in its currency.
    Filters combine."""
    f = queries.LedgerFilter(order_id, day, check_currency(currency) if currency else None)
    with container.reads.connect() as conn:
        rows, next_cursor = queries.entries(conn, f, limit, cursor)
    for row in rows:
        for posting in row["postings"]:
            posting["debit"] = to_decimal_string(posting["debit"], row["currency"])
            posting["credit"] = to_decimal_string(posting["credit"], row["currency"])
    return {"items": rows, "next_cursor": next_cursor}


@router.get("/trial-balance", response_model=TrialBalanceOut, responses=guarded(422))
def trial_balance(container: ContainerDep, _actor: Reader, currency: CurrencyQuery = None,
                  order_id: OrderId = None) -> dict:
    """Per currency, the debits, credits and balance of every ledger account; the balances of a currency add
    up to zero (`balanced`). With `order_id`, of that order's entries only (its customer receivable is zero
    once its money is settled)."""
    with container.reads.connect() as conn:
        found = queries.trial_balance(conn, check_currency(currency) if currency else None, order_id)
    items = [_currency(balance) for balance in found]
    return {"items": items, "balanced": all(item["balanced"] for item in items)}


def _currency(found: queries.CurrencyBalance) -> dict:
    def money(minor: int) -> str:
        return to_decimal_string(minor, found.currency)

    return {"currency": found.currency, "balanced": found.balanced, "accounts": [
        {"account": a.account, "normal_side": a.account.normal_side, "debits": money(a.debits),
         "credits": money(a.credits), "balance": money(a.balance)} for a in found.accounts]}
