"""The tax of an order: per line and on shipping, after order-level discounts, exact to the minor unit.

Rules (the integrator relies on each):
- Amounts are integer minor units of `currency`; its exponent (USD 2, JPY 0, KWD 3) comes from Babel through
  `baton.shared.money`, so "the minor unit" is simply 1 here and the same code serves every currency.
- Order-level discounts are spread over the lines in proportion to their gross (unit price × quantity) by
  `shared.money.allocate`, the same largest-remainder call with the same weights as `Order._spread_discounts`,
  so the shares here equal the shares an order stores. Shipping is never discounted by them.
- Tax is computed per line (and on shipping) on the discounted amount, and each tax is rounded half up to the
  minor unit (commercial rounding, the common EU and US practice). Totals are sums of the rounded lines.
- Tax-exclusive prices: tax = round(amount × rate); the customer pays amount + tax.
  Tax-inclusive prices: tax = round(amount − amount / (1 + rate)) = round(amount × rate / (1 + rate)), and
  net = amount − tax, so net + tax is the price the customer saw, exactly.
- Shipping is taxed with the rate of its own tax class; a free shipping charge needs no rate.
So for every breakdown: sum(line.total) + shipping.total == totals.total, and
totals.total == subtotal − discount + shipping (+ tax when prices exclude it)."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from fractions import Fraction
from math import floor

from baton.shared.errors import InvalidInput
from baton.shared.money import allocate, check_currency
from baton.tax.rates import TaxTable, check_country


class PricesInclude(enum.StrEnum):
    TAX_INCLUSIVE = "tax_inclusive"  # EU-style: the price contains the VAT, which is extracted from it
    TAX_EXCLUSIVE = "tax_exclusive"  # US-style: the price is without tax, which is added on top


@dataclass(frozen=True)
class TaxableLine:
    unit_price: int  # minor units, as priced (with or without tax, per the order's PricesInclude)
    quantity: int
    tax_class: str = "standard"


@dataclass(frozen=True)
class TaxableOrder:
    """What tax needs to know of an order."""

    currency: str
    country: str  # of the destination (shipping address, or the pickup store)
    region: str | None  # ISO 3166-2 subdivision of the destination, e.g. "CA"
    prices_include: PricesInclude
    lines: tuple[TaxableLine, ...]
    on: date  # the day whose rates apply: the order's placement date (UTC)
    discount: int = 0  # order-level, minor units, as priced
    shipping: int = 0  # minor units, as priced
    shipping_tax_class: str = "shipping"


@dataclass(frozen=True)
class TaxedAmount:
    """One line, or the shipping charge, with its tax."""

    gross: int  # as priced, before discount: unit price × quantity, or the shipping charge
    discount: int  # its share of the order-level discount
    net: int  # after discount and without tax: the revenue
    tax: int
    total: int  # net + tax: what the customer pays for it
    rate: Decimal
    tax_class: str


@dataclass(frozen=True)
class TaxTotals:
    """The order's totals, field for field as `orders.model.Totals`."""

    subtotal: int  # the lines' gross, as priced
    discount: int
    shipping: int  # the shipping charge, as priced
    tax: int  # the lines' and the shipping's tax (contained in the prices when they include tax)
    total: int  # what the customer pays


@dataclass(frozen=True)
class TaxBreakdown:
    currency: str
    prices_include: PricesInclude
    lines: tuple[TaxedAmount, ...]
    shipping: TaxedAmount
    totals: TaxTotals

    @property
    def net(self) -> int:
        """Revenue of the lines, without tax and after discount."""
        return sum(line.net for line in self.lines)


def compute_tax(order: TaxableOrder, table: TaxTable) -> TaxBreakdown:
    """The order's lines, shipping and totals with tax; lines + shipping add up exactly to the totals."""
    _check(order)
    lines = _taxed_lines(order, table)
    shipping = _taxed_shipping(order, table)
    totals = TaxTotals(
        subtotal=sum(line.gross for line in lines), discount=order.discount, shipping=order.shipping,
        tax=sum(line.tax for line in lines) + shipping.tax, total=sum(line.total for line in lines) + shipping.total,
    )
    return TaxBreakdown(order.currency, order.prices_include, lines, shipping, totals)


def _taxed_lines(order: TaxableOrder, table: TaxTable) -> tuple[TaxedAmount, ...]:
    gross = [line.unit_price * line.quantity for line in order.lines]
    shares = allocate(order.discount, gross)
    return tuple(
        _taxed(amount, share, _rate(order, table, line.tax_class, f"lines[{i}].tax_class"), order, line.tax_class)
        for i, (line, amount, share) in enumerate(zip(order.lines, gross, shares, strict=True))
    )


def _taxed_shipping(order: TaxableOrder, table: TaxTable) -> TaxedAmount:
    tax_class = order.shipping_tax_class
    rate = _rate(order, table, tax_class, "shipping_tax_class") if order.shipping else Decimal(0)
    return _taxed(order.shipping, 0, rate, order, tax_class)


def _rate(order: TaxableOrder, table: TaxTable, tax_class: str, field: str) -> Decimal:
    return table.rate_for(order.country, order.region, tax_class, order.on, field=field).rate


def _taxed(gross: int, discount: int, rate: Decimal, order: TaxableOrder, tax_class: str) -> TaxedAmount:
    amount = gross - discount
    if order.prices_include is PricesInclude.TAX_EXCLUSIVE:
        tax = round_half_up(amount * Fraction(rate))
        net = amount
    else:
        tax = round_half_up(amount * Fraction(rate) / (1 + Fraction(rate)))
        net = amount - tax
    return TaxedAmount(gross, discount, net, tax, net + tax, rate, tax_class)


def round_half_up(value: Fraction) -> int:
    """Exact commercial rounding of a non-negative amount of minor units: 2.5 → 3, 2.4999… → 2."""
    return floor(value + Fraction(1, 2))


def _check(order: TaxableOrder) -> None:
    check_currency(order.currency)
    check_country(order.country.upper(), "country")
    if not order.lines:
        raise InvalidInput("lines", "an order needs at least one line.")
    for i, line in enumerate(order.lines):
        if line.unit_price < 0:
            raise InvalidInput(f"lines[{i}].unit_price", "a price cannot be negative.")
        if line.quantity < 1:
            raise InvalidInput(f"lines[{i}].quantity", "a quantity is at least 1.")
    if order.shipping < 0:
        raise InvalidInput("shipping", "a shipping charge cannot be negative.")
    if not 0 <= order.discount <= sum(line.unit_price * line.quantity for line in order.lines):
        raise InvalidInput("discount", "a discount is between 0 and what the lines cost.")
