"""Use cases of the money settings: tax rates, each channel's tax mode, exchange rates to the base currency.

Each change is one transaction with its audit entry. Rates are history: a tax rate in force or an exchange rate
is never edited; a change is a new version from a later day (see `baton.tax.settings`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Generic, TypeVar

from baton.adapters.db.uow import UnitOfWork
from baton.orders.model import Channel
from baton.shared import cursor as cursors
from baton.shared.clock import utcnow
from baton.shared.errors import Conflict, InvalidInput, NotFound
from baton.shared.ids import new_id
from baton.shared.money import check_currency
from baton.tax.exchange import ExchangeRate
from baton.tax.model import PricesInclude
from baton.tax.rates import TaxRate, check_country
from baton.tax.settings import TaxRateVersion, parse_rate, rate_text

T = TypeVar("T")
E = TypeVar("E", Channel, PricesInclude)


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    next_cursor: str | None


# -- tax rates ---------------------------------------------------------------------------------------------------
def list_tax_rates(uow: UnitOfWork, country: str | None = None, tax_class: str | None = None, limit: int = 100,
                   cursor: str | None = None) -> Page[TaxRateVersion]:
    """By country, region (whole country first), class and valid_from."""
    if country is not None:
        check_country(country.upper())
    after = None
    if cursor:
        values = cursors.decode(cursor, 5)
        after = (str(values[0]), str(values[1]), str(values[2]), _day(values[3]), str(values[4]))
    with uow:
        found = uow.tax_settings.versions(country.upper() if country else None, tax_class, limit=limit + 1,
                                          after=after)
    if len(found) <= limit:
        return Page(found, None)
    last = found[limit - 1]
    rate = last.rate
    return Page(found[:limit], cursors.encode([rate.country, rate.region or "", rate.tax_class,
                                               rate.valid_from.isoformat(), last.id]))


def add_tax_rate(uow: UnitOfWork, country: str, region: str | None, tax_class: str, rate: str,
                 valid_from: date) -> TaxRateVersion:
    """A new version of the rate of (country, region, class), in force from `valid_from` on."""
    version = TaxRateVersion(new_id("txr"), TaxRate(
        check_country(country.strip().upper()), (region or "").strip().upper() or None, tax_class.strip(),
        parse_rate(rate), valid_from), utcnow())
    with uow:
        if not uow.tax_settings.add(version):
            where = f"{version.rate.country}-{version.rate.region}" if version.rate.region else version.rate.country
            raise Conflict(f"{where} already has a '{version.rate.tax_class}' rate from {valid_from}; rates are "
                           "versions: add one with another valid_from, or delete that one if it is not yet in "
                           "force.", code="tax_rate_exists")
        uow.audit.record("tax_rate.create", "tax_rate", version.id, None, _tax_view(version))
        uow.commit()
    return version


def remove_tax_rate(uow: UnitOfWork, rate_id: str) -> TaxRateVersion:
    """Delete a version that is not yet in force; one in force may have applied to orders and stays."""
    with uow:
        version = uow.tax_settings.get(rate_id, lock=True)
        if version is None:
            raise NotFound(f"No tax rate with id {rate_id}.", code="tax_rate_not_found")
        today = utcnow().date()
        if version.in_force(today):
            raise Conflict(f"The rate {rate_id} has been in force since {version.rate.valid_from} and may have "
                           "applied to orders, so it is history and stays. To change it, add a new version of "
                           f"({version.rate.country}, {version.rate.region or 'whole country'}, "
                           f"{version.rate.tax_class}) with valid_from the day the change takes effect "
                           f"(after {today}).", code="tax_rate_in_force")
        uow.tax_settings.delete(rate_id)
        uow.audit.record("tax_rate.delete", "tax_rate", rate_id, _tax_view(version), None)
        uow.commit()
    return version


def _tax_view(version: TaxRateVersion) -> dict[str, Any]:
    rate = version.rate
    return {"country": rate.country, "region": rate.region, "tax_class": rate.tax_class,
            "rate": rate_text(rate.rate), "valid_from": rate.valid_from.isoformat()}


# -- channel tax modes -------------------------------------------------------------------------------------------
def channel_modes(uow: UnitOfWork) -> dict[Channel, PricesInclude]:
    """Every channel's tax mode; a channel never set prices tax-exclusive."""
    with uow:
        stored = uow.tax_settings.channel_modes()
    return {channel: stored.get(str(channel), PricesInclude.TAX_EXCLUSIVE) for channel in Channel}


def set_channel_mode(uow: UnitOfWork, channel: str, mode: str) -> tuple[Channel, PricesInclude]:
    """Whether the channel's prices include tax; orders placed from now on are priced so."""
    known = _choice(Channel, channel, "channel")
    prices_include = _choice(PricesInclude, mode, "prices_include")
    with uow:
        before = uow.tax_settings.prices_include(known)
        uow.tax_settings.set_prices_include(known, prices_include, utcnow())
        uow.audit.record("channel.tax_mode", "channel", str(known), {"prices_include": str(before)},
                         {"prices_include": str(prices_include)})
        uow.commit()
    return known, prices_include


def _choice(kind: type[E], value: str, field: str) -> E:
    try:
        return kind(value.strip().lower())
    except ValueError:
        raise InvalidInput(field, f"'{value}' is not one of {', '.join(kind)}.") from None


# -- exchange rates ----------------------------------------------------------------------------------------------
def list_exchange_rates(uow: UnitOfWork, base_currency: str, currency: str | None = None, limit: int = 100,
                        cursor: str | None = None) -> Page[ExchangeRate]:
    """The rates to the base currency, by currency and day."""
    check_currency(base_currency, "BATON_BASE_CURRENCY")
    if currency is not None:
        check_currency(currency)
    after = None
    if cursor:
        code, day = cursors.decode(cursor, 2)
        after = (str(code), _day(day))
    with uow:
        found = uow.exchange_rates.all(base_currency, currency, limit=limit + 1, after=after)
    if len(found) <= limit:
        return Page(found, None)
    last = found[limit - 1]
    return Page(found[:limit], cursors.encode([last.currency, last.valid_on.isoformat()]))


def add_exchange_rate(uow: UnitOfWork, base_currency: str, currency: str, rate: str,
                      valid_on: date) -> ExchangeRate:
    """The units of the base currency 1 `currency` is worth from `valid_on` on (until a later rate)."""
    check_currency(base_currency, "BATON_BASE_CURRENCY")
    added = ExchangeRate(new_id("fx"), currency.strip().upper(), base_currency, parse_rate(rate), valid_on,
                         utcnow())
    with uow:
        if not uow.exchange_rates.add(added):
            raise Conflict(f"{added.currency} already has a rate to {base_currency} on {valid_on}; a rate is "
                           "history: add one for a later day.", code="exchange_rate_exists")
        uow.audit.record("exchange_rate.create", "exchange_rate", added.id, None, {
            "currency": added.currency, "base_currency": base_currency, "rate": rate_text(added.rate),
            "valid_on": valid_on.isoformat()})
        uow.commit()
    return added


def _day(value: Any) -> date:
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise InvalidInput("cursor", "is not a cursor this list gave out; start again without it.") from None
