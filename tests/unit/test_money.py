"""Money: minor units, currency exponents from CLDR, exact allocation."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from baton.shared.errors import InvalidInput
from baton.shared.money import allocate, exponent, to_decimal_string, to_minor


@pytest.mark.parametrize(("currency", "digits"), [("USD", 2), ("EUR", 2), ("JPY", 0), ("KWD", 3)])
def test_exponents_come_from_the_currency(currency, digits):
    assert exponent(currency) == digits


def test_amounts_round_trip_through_minor_units():
    assert to_minor("19.99", "USD") == 1999
    assert to_decimal_string(1999, "USD") == "19.99"
    assert to_minor("500", "JPY") == 500
    assert to_decimal_string(500, "JPY") == "500"
    assert to_decimal_string(1234, "KWD") == "1.234"


def test_more_decimals_than_the_currency_has_are_refused_with_the_field_named():
    with pytest.raises(InvalidInput) as error:
        to_minor("1.5", "JPY", "lines[0].price")
    assert error.value.field == "lines[0].price"
    with pytest.raises(InvalidInput):
        to_minor("abc", "USD")


@given(st.integers(0, 10**9), st.lists(st.integers(0, 10**6), min_size=1, max_size=8))
def test_allocation_adds_up_exactly_and_never_goes_negative(total, weights):
    shares = allocate(total, weights)
    if sum(weights) == 0:
        assert shares == [0] * len(weights)
    else:
        assert sum(shares) == total
        assert all(share >= 0 for share in shares)
        assert all(share == 0 for share, weight in zip(shares, weights, strict=True) if weight == 0)
