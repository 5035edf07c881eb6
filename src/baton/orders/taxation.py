"""The tax of a new order: where it goes, how its channel prices, and what each line and the shipping carry.

The destination is the shipping address, or the pickup store's country. A destination country for which the shop
has configured no tax rate at all is one where it does not collect tax (it is not registered there): the order
carries no tax and its timeline says so. Once a country has rates, every tax class the order needs must have one
there: a missing rate refuses the order (422 naming the line), never a silent zero (see tax.rates)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol

from baton.catalog.model import Product
from baton.orders.commands import PlaceOrder
from baton.orders.model import OrderLine
from baton.routing.model import Candidate
from baton.shared.money import to_minor
from baton.tax.model import PricesInclude, TaxableLine, TaxableOrder, TaxBreakdown, compute_tax
from baton.tax.rates import TaxTable

_SUBDIVISION = re.compile(r"^(?:[A-Z]{2}-)?([A-Z0-9]{1,3})$")


class TaxSettings(Protocol):
    def table(self, country: str) -> TaxTable: ...
    def prices_include(self, channel: str) -> PricesInclude: ...


@dataclass(frozen=True)
class OrderTax:
    prices_include: PricesInclude
    breakdown: TaxBreakdown | None  # None: no tax collected at this destination
    note: str | None  # why there is no tax, for the timeline


def tax_of(settings: TaxSettings, cmd: PlaceOrder, lines: list[OrderLine], products: dict[str, Product],
           locations: list[Candidate], on: date) -> OrderTax:
    mode = settings.prices_include(cmd.channel)
    where = destination(cmd, locations)
    if where is None:
        return OrderTax(mode, None, "no tax charged: the destination has no country")
    country, region = where
    table = settings.table(country)
    if table.empty:
        return OrderTax(mode, None, f"no tax charged: no tax rates are configured for {country}")
    taxable = TaxableOrder(
        currency=cmd.currency, country=country, region=region, prices_include=mode, on=on,
        lines=tuple(TaxableLine(line.unit_price, line.quantity, products[line.sku].tax_class) for line in lines),
        discount=sum(to_minor(d.amount, cmd.currency, f"discounts[{i}].amount") for i, d in enumerate(cmd.discounts)),
        shipping=to_minor(cmd.shipping, cmd.currency, "shipping"))
    return OrderTax(mode, compute_tax(taxable, table), None)


def destination(cmd: PlaceOrder, locations: list[Candidate]) -> tuple[str, str | None] | None:
    """(country, ISO 3166-2 subdivision or None) of where the goods go."""
    if cmd.delivery_method == "pickup":
        store = next((loc for loc in locations if loc.code == cmd.pickup_location), None)
        return (store.country, None) if store is not None and store.country else None
    address: dict[str, Any] = cmd.shipping_address or {}
    country = address.get("country")
    if not country:
        return None
    match = _SUBDIVISION.match(str(address.get("region") or "").strip().upper())
    return str(country), match.group(1) if match else None
