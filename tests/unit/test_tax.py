"""Tax: rates by country, region, class and day; per-line tax after discounts that adds up exactly."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from baton.orders.model import Channel, Customer, DeliveryMethod, Discount, Order, OrderLine
from baton.shared.errors import InvalidInput
from baton.shared.money import to_minor
from baton.tax.model import PricesInclude, TaxableLine, TaxableOrder, TaxBreakdown, compute_tax
from baton.tax.rates import TaxRate, TaxTable

INCL, EXCL = PricesInclude.TAX_INCLUSIVE, PricesInclude.TAX_EXCLUSIVE
DAY = date(2025, 3, 1)
OLD = date(2020, 1, 1)


def rate(country: str, tax_class: str, value: str, region: str | None = None, since: date = OLD) -> TaxRate:
    return TaxRate(country, region, tax_class, Decimal(value), since)


TABLE = TaxTable([
    rate("DE", "standard", "0.19"), rate("DE", "reduced", "0.07"), rate("DE", "shipping", "0.19"),
    rate("JP", "standard", "0.10"), rate("JP", "reduced", "0.08"), rate("JP", "shipping", "0.10"),
    rate("US", "standard", "0.0725", "CA"), rate("US", "zero", "0", "CA"), rate("US", "shipping", "0", "CA"),
    rate("SA", "standard", "0.15"), rate("SA", "shipping", "0.15"),
])


def order(currency: str, country: str, mode: PricesInclude, lines: list[tuple[str, int, str]], discount: str,
          shipping: str, region: str | None = None) -> TaxableOrder:
    """Amounts as the API sends them (decimal strings), turned into minor units by the currency's exponent."""
    return TaxableOrder(
        currency=currency, country=country, region=region, prices_include=mode, on=DAY,
        lines=tuple(TaxableLine(to_minor(price, currency), qty, tax_class) for price, qty, tax_class in lines),
        discount=to_minor(discount, currency), shipping=to_minor(shipping, currency),
    )


def assert_adds_up_exactly(result: TaxBreakdown) -> None:
    totals, lines = result.totals, result.lines
    assert sum(line.total for line in lines) + result.shipping.total == totals.total
    assert sum(line.tax for line in lines) + result.shipping.tax == totals.tax
    assert sum(line.discount for line in lines) == totals.discount
    assert sum(line.gross for line in lines) == totals.subtotal
    added_tax = totals.tax if result.prices_include is EXCL else 0
    assert totals.total == totals.subtotal - totals.discount + totals.shipping + added_tax
    assert result.net + result.shipping.net + totals.tax == totals.total
    for item in (*lines, result.shipping):
        assert item.net + item.tax == item.total
        assert item.tax >= 0 and item.net >= 0
        assert item.total == item.gross - item.discount + (item.tax if result.prices_include is EXCL else 0)


# -- rates ------------------------------------------------------------------------------------------------------


def test_a_regions_own_rate_beats_the_countrys():
    table = TaxTable([rate("US", "standard", "0.05"), rate("US", "standard", "0.0725", "CA")])
    assert table.rate_for("US", "CA", "standard", DAY).rate == Decimal("0.0725")
    assert table.rate_for("US", "OR", "standard", DAY).rate == Decimal("0.05")
    assert table.rate_for("US", None, "standard", DAY).rate == Decimal("0.05")


def test_the_latest_rate_valid_on_the_day_wins_and_future_rates_wait_their_turn():
    table = TaxTable([rate("DE", "standard", "0.16", since=date(2020, 7, 1)),
                      rate("DE", "standard", "0.19", since=date(2021, 1, 1)),
                      rate("DE", "standard", "0.21", since=date(2030, 1, 1))])
    assert table.rate_for("DE", None, "standard", date(2020, 12, 31)).rate == Decimal("0.16")
    assert table.rate_for("DE", None, "standard", date(2021, 1, 1)).rate == Decimal("0.19")
    assert table.rate_for("DE", None, "standard", DAY).rate == Decimal("0.19")


def test_a_regions_rate_not_yet_valid_falls_back_to_the_countrys():
    table = TaxTable([rate("US", "standard", "0.05"), rate("US", "standard", "0.08", "NY", since=date(2030, 1, 1))])
    assert table.rate_for("US", "NY", "standard", DAY).rate == Decimal("0.05")


def test_a_destination_in_lower_case_finds_its_rate():
    assert TABLE.rate_for("us", "ca", "standard", DAY).rate == Decimal("0.0725")


def test_a_missing_rate_is_an_error_naming_the_field_never_a_silent_zero():
    with pytest.raises(InvalidInput) as error:
        TABLE.rate_for("FR", None, "standard", DAY, field="lines[0].tax_class")
    assert error.value.field == "lines[0].tax_class"
    assert error.value.code == "tax_rate_missing"
    assert "FR" in error.value.detail and "standard" in error.value.detail


def test_a_rate_only_valid_later_counts_as_missing():
    table = TaxTable([rate("DE", "standard", "0.19", since=date(2030, 1, 1))])
    with pytest.raises(InvalidInput, match="valid on 2025-03-01"):
        table.rate_for("DE", None, "standard", DAY)


def test_an_untaxed_class_is_configured_as_an_explicit_zero():
    assert TABLE.rate_for("US", "CA", "zero", DAY).rate == Decimal(0)


def test_two_rates_for_the_same_day_are_refused():
    with pytest.raises(InvalidInput) as error:
        TaxTable([rate("DE", "standard", "0.19"), rate("DE", "standard", "0.20")])
    assert error.value.code == "tax_rate_exists"


@pytest.mark.parametrize(("country", "region", "tax_class", "value", "field"), [
    ("de", None, "standard", Decimal("0.19"), "country"),
    ("XY", None, "standard", Decimal("0.19"), "country"),
    ("DEU", None, "standard", Decimal("0.19"), "country"),
    ("US", "ca", "standard", Decimal("0.19"), "region"),
    ("DE", None, " ", Decimal("0.19"), "tax_class"),
    ("DE", None, "standard", Decimal("-0.01"), "rate"),
    ("DE", None, "standard", Decimal("1.5"), "rate"),
    ("DE", None, "standard", Decimal("NaN"), "rate"),
    ("DE", None, "standard", 0.19, "rate"),
])
def test_a_bad_rate_is_refused_with_its_field_named(country, region, tax_class, value, field):
    with pytest.raises(InvalidInput) as error:
        TaxRate(country, region, tax_class, value, OLD)
    assert error.value.field == field


# -- computation: the four currencies with a discount over three lines and shipping --------------------------------

EUR_LINES = [("19.99", 1, "standard"), ("4.99", 3, "reduced"), ("9.95", 2, "standard")]
JPY_LINES = [("1980", 1, "standard"), ("298", 3, "reduced"), ("550", 2, "standard")]
USD_LINES = [("19.99", 1, "standard"), ("4.99", 3, "zero"), ("9.95", 2, "standard")]
KWD_LINES = [("12.345", 1, "standard"), ("2.750", 3, "standard"), ("0.999", 2, "standard")]


def test_eur_prices_with_vat_extract_it_per_line_after_the_discount():
    result = compute_tax(order("EUR", "DE", INCL, EUR_LINES, "5.00", "4.90"), TABLE)
    assert [line.discount for line in result.lines] == [182, 137, 181]
    assert [(line.net, line.tax, line.total) for line in result.lines] == [(1527, 290, 1817), (1271, 89, 1360),
                                                                          (1520, 289, 1809)]
    assert (result.shipping.net, result.shipping.tax) == (412, 78)
    assert result.totals.tax == 746
    assert result.totals.total == 5476  # 54.86 − 5.00 + 4.90: the tax was in the prices already
    assert_adds_up_exactly(result)


def test_jpy_without_decimals_adds_tax_in_whole_yen():
    result = compute_tax(order("JPY", "JP", EXCL, JPY_LINES, "500", "660"), TABLE)
    assert [line.discount for line in result.lines] == [249, 113, 138]
    assert [line.tax for line in result.lines] == [173, 62, 96]
    assert result.shipping.tax == 66
    assert result.totals.total == 3974 - 500 + 660 + 397
    assert_adds_up_exactly(result)


def test_usd_in_california_adds_the_states_rate_and_leaves_untaxed_lines_and_shipping_alone():
    result = compute_tax(order("USD", "US", EXCL, USD_LINES, "5.00", "7.99", region="CA"), TABLE)
    assert [line.tax for line in result.lines] == [132, 0, 131]  # 18.17 × 7.25 % = 1.317… rounds to 1.32
    assert result.shipping.tax == 0
    assert result.totals.total == 5486 - 500 + 799 + 263
    assert_adds_up_exactly(result)


def test_kwd_with_three_decimals_keeps_every_fils():
    result = compute_tax(order("KWD", "SA", INCL, KWD_LINES, "1.000", "1.500"), TABLE)
    assert [line.discount for line in result.lines] == [546, 365, 89]
    assert [(line.net, line.tax) for line in result.lines] == [(10260, 1539), (6857, 1028), (1660, 249)]
    assert result.shipping.tax == 196
    assert result.totals.total == 22593 - 1000 + 1500
    assert_adds_up_exactly(result)


@pytest.mark.parametrize("mode", [INCL, EXCL])
@pytest.mark.parametrize(("currency", "country", "region", "lines", "discount", "shipping"), [
    ("USD", "US", "CA", USD_LINES, "5.00", "7.99"),
    ("EUR", "DE", None, EUR_LINES, "5.00", "4.90"),
    ("JPY", "JP", None, JPY_LINES, "500", "660"),
    ("KWD", "SA", None, KWD_LINES, "1.000", "1.500"),
])
def test_lines_and_shipping_add_up_exactly_to_the_totals_in_every_currency_and_mode(
    mode, currency, country, region, lines, discount, shipping
):
    assert_adds_up_exactly(compute_tax(order(currency, country, mode, lines, discount, shipping, region), TABLE))


def test_a_tax_of_exactly_half_a_minor_unit_rounds_up():
    table = TaxTable([rate("US", "standard", "0.05", "CA"), rate("DE", "standard", "0.20")])
    added = compute_tax(TaxableOrder("USD", "US", "CA", EXCL, (TaxableLine(50, 1),), DAY), table)
    assert added.lines[0].tax == 3  # 2.5 cents: half up, not half even (2)
    extracted = compute_tax(TaxableOrder("EUR", "DE", None, INCL, (TaxableLine(3, 1),), DAY), table)
    assert (extracted.lines[0].net, extracted.lines[0].tax) == (2, 1)  # 3 × 0.2 / 1.2 = 0.5


def test_the_discount_shares_are_the_ones_an_order_stores():
    prices = [(1999, 1), (499, 3), (995, 2)]
    placed = Order(
        number="BT-1", tracking_id="t" * 22, channel=Channel.WEB, currency="EUR", customer_id="cus_1",
        customer=Customer("a@example.com", None, None), shipping_address={"country": "DE"},
        delivery_method=DeliveryMethod.SHIP, pickup_location=None, shipping=490, discounts=(Discount("FIVE", 500),),
        lines=[OrderLine(f"SKU-{i}", "Item", price, quantity, "stocked") for i, (price, quantity) in enumerate(prices)],
    )
    taxed = compute_tax(order("EUR", "DE", INCL, EUR_LINES, "5.00", "4.90"), TABLE)
    assert [line.discount for line in taxed.lines] == [line.discount for line in placed.lines]
    assert (taxed.totals.subtotal, taxed.totals.discount, taxed.totals.shipping) == (
        placed.totals.subtotal, placed.totals.discount, placed.totals.shipping)


def test_free_shipping_needs_no_shipping_rate():
    table = TaxTable([rate("DE", "standard", "0.19")])
    result = compute_tax(TaxableOrder("EUR", "DE", None, INCL, (TaxableLine(1190, 1),), DAY), table)
    assert (result.shipping.tax, result.totals.tax, result.totals.total) == (0, 190, 1190)


@pytest.mark.parametrize(("changes", "field"), [
    ({"lines": (TaxableLine(100, 1), TaxableLine(100, 1, "luxury"))}, "lines[1].tax_class"),
    ({"shipping": 500, "shipping_tax_class": "express"}, "shipping_tax_class"),
    ({"currency": "XXY"}, "currency"),
    ({"country": "QQ"}, "country"),
    ({"lines": ()}, "lines"),
    ({"lines": (TaxableLine(-1, 1),)}, "lines[0].unit_price"),
    ({"lines": (TaxableLine(100, 0),)}, "lines[0].quantity"),
    ({"discount": 101}, "discount"),
    ({"discount": -1}, "discount"),
    ({"shipping": -1}, "shipping"),
])
def test_bad_input_is_refused_with_its_field_named(changes, field):
    fields = {"currency": "EUR", "country": "DE", "region": None, "prices_include": INCL,
              "lines": (TaxableLine(100, 1),), "on": DAY, **changes}
    with pytest.raises(InvalidInput) as error:
        compute_tax(TaxableOrder(**fields), TABLE)
    assert error.value.field == field


# -- properties -------------------------------------------------------------------------------------------------

CLASSES = ("standard", "reduced", "zero")
rates = st.decimals(min_value=0, max_value=Decimal("0.3"), places=4)
lines = st.lists(st.builds(TaxableLine, st.integers(0, 10**7), st.integers(1, 50), st.sampled_from(CLASSES)),
                 min_size=1, max_size=6)


@st.composite
def taxed_orders(draw: st.DrawFn) -> tuple[TaxableOrder, TaxTable]:
    table = TaxTable([rate("FR", tax_class, str(draw(rates))) for tax_class in (*CLASSES, "shipping")])
    drawn = tuple(draw(lines))
    gross = sum(line.unit_price * line.quantity for line in drawn)
    taxable = TaxableOrder(
        currency=draw(st.sampled_from(["USD", "EUR", "JPY", "KWD", "BHD", "CLF"])), country="FR", region=None,
        prices_include=draw(st.sampled_from(list(PricesInclude))), lines=drawn, on=DAY,
        discount=draw(st.integers(0, gross)), shipping=draw(st.integers(0, 10**5)),
    )
    return taxable, table


@given(taxed_orders())
def test_lines_and_shipping_always_add_up_exactly_to_the_totals_and_tax_is_never_negative(case):
    taxable, table = case
    assert_adds_up_exactly(compute_tax(taxable, table))


@given(taxed_orders())
def test_each_rounded_tax_is_within_half_a_minor_unit_of_the_exact_tax(case):
    taxable, table = case
    result = compute_tax(taxable, table)
    for item in (*result.lines, result.shipping):
        amount, rate_ = Fraction(item.gross - item.discount), Fraction(item.rate)
        exact = amount * rate_ if taxable.prices_include is EXCL else amount * rate_ / (1 + rate_)
        assert -Fraction(1, 2) < item.tax - exact <= Fraction(1, 2)
