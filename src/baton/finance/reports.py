"""The sales report: per currency and converted to the base currency, from the money ledger.

Per currency and UTC day, from the accounts the posting scheme (`finance.postings`) books:
- gross sales: invoiced, with tax = credits to revenue, shipping revenue and tax payable (invoices);
- refunds: given back, with tax = debits to refunds, appeasements and tax payable (credit memos, appeasements);
- tax: tax payable credited minus debited (what is owed to the tax authorities);
- net: gross sales − refunds − tax, the revenue kept, without tax.

Conversion: each day's gross sales, refunds and tax of a currency are converted with the rate valid on that day
(the latest on or before it) and rounded half up to the base currency's minor unit, once per day and figure;
net in the base currency is their difference, so the converted figures add up exactly as the original ones.
A day without a rate is an error naming the currency and the day, never a guess."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Connection, Date, case, cast, func, select

from baton.adapters.db import tables as t
from baton.adapters.db.uow import UnitOfWork
from baton.finance.ledger import Account
from baton.shared.errors import InvalidInput
from baton.shared.money import check_currency
from baton.tax.exchange import RateHistory

E, L = t.journal_entries.c, t.journal_postings.c
_SALES = [str(a) for a in (Account.REVENUE, Account.SHIPPING_REVENUE, Account.TAX_PAYABLE)]
_GIVEN_BACK = [str(a) for a in (Account.REFUNDS, Account.APPEASEMENTS, Account.TAX_PAYABLE)]
MAX_DAYS = 3660  # ten years in one report


@dataclass(frozen=True)
class Figures:
    """Minor units of one currency."""

    gross_sales: int = 0
    refunds: int = 0
    tax: int = 0

    @property
    def net(self) -> int:
        return self.gross_sales - self.refunds - self.tax

    def __add__(self, other: Figures) -> Figures:
        return Figures(self.gross_sales + other.gross_sales, self.refunds + other.refunds, self.tax + other.tax)


@dataclass(frozen=True)
class DailySales:
    day: date  # UTC
    currency: str
    figures: Figures


@dataclass(frozen=True)
class ConvertedDay:
    sales: DailySales
    rate: str  # the rate used, as configured ("0.9234"; "1" for the base currency)
    in_base: Figures


@dataclass(frozen=True)
class CurrencySales:
    currency: str
    figures: Figures = Figures()
    in_base: Figures = Figures()


@dataclass(frozen=True)
class SalesReport:
    start: date
    end: date
    base_currency: str
    days: list[ConvertedDay]
    currencies: list[CurrencySales]
    total: Figures = field(default_factory=Figures)  # in the base currency


def sales_report(uow: UnitOfWork, base_currency: str, start: date, end: date) -> SalesReport:
    """The report of the UTC days `start` to `end`, both included, read in one transaction."""
    check_currency(base_currency, "BATON_BASE_CURRENCY")
    if end < start:
        raise InvalidInput("to", f"the last day {end} is before the first day {start}.")
    if (end - start).days >= MAX_DAYS:
        raise InvalidInput("to", f"a report covers at most {MAX_DAYS} days; ask for a shorter period.")
    with uow:
        days = daily_sales(uow.session.connection(), start, end)
        history = RateHistory(base_currency, uow.exchange_rates.history(
            base_currency, {d.currency for d in days}, end))
    return convert(start, end, days, history)


def daily_sales(conn: Connection, start: date, end: date) -> list[DailySales]:
    """Per UTC day and currency, the figures of the ledger's entries, by day then currency."""
    day = _utc_day(conn)
    amount = func.sum(case((L.account.in_(_SALES), L.credit), else_=0)).label("gross_sales")
    given = func.sum(case((L.account.in_(_GIVEN_BACK), L.debit), else_=0)).label("refunds")
    tax = func.sum(case((L.account == str(Account.TAX_PAYABLE), L.credit - L.debit), else_=0)).label("tax")
    lower = datetime.combine(start, time.min, tzinfo=UTC)
    stmt = (select(day.label("day"), E.currency, amount, given, tax)
            .select_from(t.journal_postings.join(t.journal_entries, L.entry_id == E.id))
            .where(E.occurred_at >= lower, E.occurred_at < lower + timedelta(days=(end - start).days + 1))
            .group_by(day, E.currency).order_by(day, E.currency))
    found = []
    for row in conn.execute(stmt):
        figures = Figures(int(row.gross_sales or 0), int(row.refunds or 0), int(row.tax or 0))
        if figures != Figures():
            found.append(DailySales(_as_date(row.day), row.currency, figures))
    return found


def convert(start: date, end: date, days: Iterable[DailySales], history: RateHistory) -> SalesReport:
    """Each day converted with its rate; per-currency and total figures are sums of the converted days."""
    converted = [ConvertedDay(d, _rate_text(history, d), _in_base(history, d)) for d in days]
    per_currency: dict[str, CurrencySales] = {}
    for c in converted:
        known = per_currency.get(c.sales.currency, CurrencySales(c.sales.currency))
        per_currency[c.sales.currency] = CurrencySales(known.currency, known.figures + c.sales.figures,
                                                       known.in_base + c.in_base)
    currencies = [per_currency[code] for code in sorted(per_currency)]
    total = sum((c.in_base for c in currencies), Figures())
    return SalesReport(start, end, history.base_currency, converted, currencies, total)


def _in_base(history: RateHistory, d: DailySales) -> Figures:
    f = d.figures
    return Figures(*(history.convert(amount, d.currency, d.day) for amount in (f.gross_sales, f.refunds, f.tax)))


def _rate_text(history: RateHistory, d: DailySales) -> str:
    return format(history.rate_on(d.currency, d.day), "f")


def _utc_day(conn: Connection) -> ColumnElement[Any]:
    """The UTC calendar day of an entry, in SQL: SQLite keeps UTC text, PostgreSQL an aware timestamp."""
    if conn.dialect.name == "postgresql":
        return cast(func.timezone("UTC", E.occurred_at), Date)
    return func.date(E.occurred_at)


def _as_date(value: date | str) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)
