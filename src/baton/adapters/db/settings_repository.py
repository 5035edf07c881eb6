"""The money settings in the database (Core): tax rates, channel tax modes, exchange rates.

`TaxSettings.table`, `prices_include` and `collects_in` serve order placement: one statement each. Everything
else serves the settings API and CLI."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, bindparam, delete, exists, or_, select, update

from baton.adapters.db import tables as t
from baton.adapters.db.hot import Prepared
from baton.adapters.db.sql import CoreRepository, insert_ignore_conn
from baton.tax.exchange import ExchangeRate
from baton.tax.model import PricesInclude
from baton.tax.rates import TaxRate, TaxTable
from baton.tax.settings import TaxRateVersion

_T, _C, _X = t.tax_rates.c, t.channel_tax_modes.c, t.exchange_rates.c
WHOLE_COUNTRY = ""  # `region` of a whole-country rate in the table (None in the domain)
_RATES_OF = Prepared(select(t.tax_rates).where(_T.country == bindparam("country")))
_MODE_OF = Prepared(select(_C.prices_include).where(_C.channel == bindparam("channel")))


def _rate(row: Any) -> TaxRate:
    return TaxRate(row.country, row.region or None, row.tax_class, row.rate, row.valid_from)


def _version(row: Any) -> TaxRateVersion:
    return TaxRateVersion(row.id, _rate(row), row.created_at)


def _exchange(row: Any) -> ExchangeRate:
    return ExchangeRate(row.id, row.currency, row.base_currency, row.rate, row.valid_on, row.created_at)


class TaxSettings(CoreRepository):
    # -- at order placement --------------------------------------------------------------------------------
    def table(self, country: str) -> TaxTable:
        """Every rate of one destination country: all regions, classes and versions, in one statement."""
        return TaxTable(_rate(row) for row in _RATES_OF.rows(self.db, {"country": country.upper()}))

    def prices_include(self, channel: str) -> PricesInclude:
        """The channel's tax mode; TAX_EXCLUSIVE when it was never set."""
        mode = _MODE_OF.scalar(self.db, {"channel": str(channel)})
        return PricesInclude(mode) if mode else PricesInclude.TAX_EXCLUSIVE

    def collects_in(self, country: str) -> bool:
        """Whether the shop collects tax in this country at all (any rate configured for it)."""
        return bool(self.db.execute(select(exists().where(_T.country == country.upper()))).scalar())

    # -- settings ------------------------------------------------------------------------------------------
    def versions(self, country: str | None = None, tax_class: str | None = None, *, limit: int | None = None,
                 after: tuple[str, str, str, date, str] | None = None) -> list[TaxRateVersion]:
        """By country, region (whole country first), class and valid_from; `after` is the last row's key."""
        stmt = select(t.tax_rates)
        if country is not None:
            stmt = stmt.where(_T.country == country)
        if tax_class is not None:
            stmt = stmt.where(_T.tax_class == tax_class)
        key = (_T.country, _T.region, _T.tax_class, _T.valid_from, _T.id)
        if after is not None:
            stmt = stmt.where(_after(key, after))
        stmt = stmt.order_by(*key)
        if limit is not None:
            stmt = stmt.limit(limit)
        return [_version(row) for row in self.db.execute(stmt)]

    def get(self, rate_id: str, *, lock: bool = False) -> TaxRateVersion | None:
        stmt = select(t.tax_rates).where(_T.id == rate_id)
        row = self.db.execute(stmt.with_for_update() if lock else stmt).first()
        return _version(row) if row else None

    def add(self, version: TaxRateVersion) -> bool:
        """False (nothing written) when this (country, region, class, valid_from) exists, even for a racing twin."""
        rate = version.rate
        return insert_ignore_conn(self.db, t.tax_rates, {
            "id": version.id, "country": rate.country, "region": rate.region or WHOLE_COUNTRY,
            "tax_class": rate.tax_class, "rate": rate.rate, "valid_from": rate.valid_from,
            "created_at": version.created_at})

    def delete(self, rate_id: str) -> bool:
        return bool(self.db.execute(delete(t.tax_rates).where(_T.id == rate_id)).rowcount)

    def channel_modes(self) -> dict[str, PricesInclude]:
        """The channels whose mode was set; the others are TAX_EXCLUSIVE."""
        return {row.channel: PricesInclude(row.prices_include)
                for row in self.db.execute(select(_C.channel, _C.prices_include))}

    def set_prices_include(self, channel: str, mode: PricesInclude, at: datetime) -> None:
        values = {"prices_include": str(mode), "updated_at": at}
        if not insert_ignore_conn(self.db, t.channel_tax_modes, {"channel": str(channel), **values}):
            self.db.execute(update(t.channel_tax_modes).where(_C.channel == str(channel)).values(**values))


class ExchangeRates(CoreRepository):
    def all(self, base_currency: str, currency: str | None = None, *, limit: int | None = None,
            after: tuple[str, date] | None = None) -> list[ExchangeRate]:
        """The rates to `base_currency`, by currency and day; `after` is the last row's (currency, valid_on)."""
        stmt = select(t.exchange_rates).where(_X.base_currency == base_currency)
        if currency is not None:
            stmt = stmt.where(_X.currency == currency)
        if after is not None:
            stmt = stmt.where(_after((_X.currency, _X.valid_on), after))
        stmt = stmt.order_by(_X.currency, _X.valid_on)
        if limit is not None:
            stmt = stmt.limit(limit)
        return [_exchange(row) for row in self.db.execute(stmt)]

    def add(self, rate: ExchangeRate) -> bool:
        """False (nothing written) when this currency already has a rate to this base on that day."""
        return insert_ignore_conn(self.db, t.exchange_rates, {
            "id": rate.id, "currency": rate.currency, "base_currency": rate.base_currency, "rate": rate.rate,
            "valid_on": rate.valid_on, "created_at": rate.created_at})

    def history(self, base_currency: str, currencies: Iterable[str], until: date) -> list[ExchangeRate]:
        """Every rate of these currencies to the base up to `until`: what converting days until then needs."""
        wanted = sorted(set(currencies) - {base_currency})
        if not wanted:
            return []
        return [_exchange(row) for row in self.db.execute(
            select(t.exchange_rates).where(_X.base_currency == base_currency, _X.currency.in_(wanted),
                                           _X.valid_on <= until).order_by(_X.currency, _X.valid_on))]


def _after(columns: tuple[Any, ...], values: tuple[Any, ...]) -> Any:
    """Rows whose key (a tuple of columns) sorts after `values`: keyset pagination on both databases."""
    if len(columns) == 1:
        return columns[0] > values[0]
    return or_(columns[0] > values[0], and_(columns[0] == values[0], _after(columns[1:], values[1:])))
