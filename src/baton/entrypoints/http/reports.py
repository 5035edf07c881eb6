"""Routes of the finance reports: sales per currency and in the base currency, from the money ledger."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field

from baton.entrypoints.http.auth import allow
from baton.entrypoints.http.deps import ContainerDep
from baton.entrypoints.http.problems import guarded
from baton.finance import reports
from baton.finance.reports import Figures, SalesReport
from baton.identity.permissions import Action
from baton.shared.actor import Actor
from baton.shared.money import format_money, to_decimal_string

router = APIRouter(prefix="/api/v1/reports", tags=["reports"])
Reader = Annotated[Actor, allow(Action.LEDGER_READ)]
ROUNDING = ("Each day's gross sales, refunds and tax of a currency are converted with the rate valid that day "
            "(the latest on or before it) and rounded half up to the base currency's minor unit; net is gross "
            "sales - refunds - tax.")


class MoneyOut(BaseModel):
    amount: str = Field(description="Decimal string in `currency`.", examples=["1234.56"])
    currency: str
    formatted: str = Field(description="As a person reads it in the requested locale.", examples=["1.234,56 €"])


class FiguresOut(BaseModel):
    gross_sales: MoneyOut = Field(description="Invoiced, with tax.")
    refunds: MoneyOut = Field(description="Given back by credit memos and appeasements, with tax.")
    tax: MoneyOut = Field(description="Tax invoiced minus tax credited.")
    net: MoneyOut = Field(description="gross_sales - refunds - tax: the revenue kept, without tax.")


class DayOut(BaseModel):
    day: date
    currency: str
    rate: str = Field(description="Units of the base currency per 1 `currency` used for this day.")
    figures: FiguresOut
    in_base: FiguresOut


class CurrencyOut(BaseModel):
    currency: str
    figures: FiguresOut
    in_base: FiguresOut = Field(description="The sum of this currency's converted days.")


class SalesReportOut(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    start: date = Field(alias="from")
    end: date = Field(alias="to")
    base_currency: str
    locale: str
    rounding: str
    currencies: list[CurrencyOut]
    days: list[DayOut]
    total: FiguresOut = Field(description="Every currency, in the base currency.")


@router.get("/sales", response_model=SalesReportOut, responses=guarded(422))
def sales(
    container: ContainerDep, _actor: Reader,
    start: Annotated[date, Query(alias="from", description="The first UTC day (YYYY-MM-DD).")],
    end: Annotated[date, Query(alias="to", description="The last UTC day, included.")],
    locale: Annotated[str, Query(min_length=2, max_length=35, pattern=r"^[A-Za-z]{2,3}([_-][A-Za-z0-9]{2,8})*$",
                                 description="How `formatted` amounts read, e.g. en_US, de_DE, ja_JP.")] = "en_US",
) -> dict:
    """Gross sales, refunds, tax and net per currency and UTC day, converted to the base currency
    (BATON_BASE_CURRENCY) with the rate valid on each day. A day without a rate is 422 naming the currency, the
    day and how to add it."""
    format_money(0, container.settings.base_currency, locale)  # an unknown locale is refused before any work
    report = reports.sales_report(container.reader(), container.settings.base_currency, start, end)
    return _report(report, locale)


def _report(report: SalesReport, locale: str) -> dict:
    base = report.base_currency

    def figures(f: Figures, currency: str) -> dict:
        return {name: _money(getattr(f, name), currency, locale) for name in ("gross_sales", "refunds", "tax", "net")}

    return {
        "from": report.start, "to": report.end, "base_currency": base, "locale": locale, "rounding": ROUNDING,
        "currencies": [{"currency": c.currency, "figures": figures(c.figures, c.currency),
                        "in_base": figures(c.in_base, base)} for c in report.currencies],
        "days": [{"day": d.sales.day, "currency": d.sales.currency, "rate": d.rate,
                  "figures": figures(d.sales.figures, d.sales.currency), "in_base": figures(d.in_base, base)}
                 for d in report.days],
        "total": figures(report.total, base),
    }


def _money(minor: int, currency: str, locale: str) -> dict:
    return {"amount": to_decimal_string(minor, currency), "currency": currency,
            "formatted": format_money(minor, currency, locale)}
