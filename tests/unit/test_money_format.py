"""Money as a person reads it: minor units formatted by CLDR (through Babel) in a locale, with the currency's own
number of decimals."""

from __future__ import annotations

import pytest

from baton.shared.errors import InvalidInput
from baton.shared.money import format_money

NBSP = "\xa0"  # CLDR keeps the amount and its symbol together with a no-break space


@pytest.mark.parametrize(("minor", "currency", "locale", "expected"), [
    (123_456, "EUR", "de_DE", f"1.234,56{NBSP}€"),
    (123_456, "EUR", "en_US", "€1,234.56"),
    (1_234, "JPY", "ja_JP", "￥1,234"),  # no decimals: the minor unit is the yen
    (1_234_567, "KWD", "ar_KW", f"\u200f1,234.567{NBSP}د.ك.\u200f"),  # three decimals, right-to-left marks
    (1_234_567, "KWD", "en_US", "KWD1,234.567"),
    (-1_999, "USD", "en_US", "-$19.99"),
    (5, "USD", "en-US", "$0.05"),  # a BCP 47 tag works as well
    (0, "CHF", "de_CH", f"CHF{NBSP}0.00"),
])
def test_an_amount_reads_as_the_locale_writes_it(minor: int, currency: str, locale: str, expected: str) -> None:
    assert format_money(minor, currency, locale) == expected


def test_en_us_is_the_default_locale() -> None:
    assert format_money(100, "GBP") == "£1.00"


@pytest.mark.parametrize("locale", ["xx_YY", "", "not a locale", "de_DE.UTF-8/../x"])
def test_an_unknown_locale_is_refused_naming_the_field(locale: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        format_money(100, "EUR", locale)
    assert refused.value.field == "locale"
