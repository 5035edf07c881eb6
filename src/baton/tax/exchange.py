"""Exchange rates to the base currency, and converting an amount with the rate valid on its day.

A rate says how many units of the base currency one unit of `currency` was worth: EUR base, USD "0.9234" means
1 USD = 0.9234 EUR. The rate valid on a day is the latest one on or before that day; a day before every rate has
none, which is an error naming the currency and the day, never a silent 1 or 0.

Rounding: an amount is converted exactly (minor units × rate × 10^(base exponent − currency exponent)) and the
result is rounded half up to the base currency's minor unit once. Reports convert each day's sum, not each
entry, so rounding happens once per currency and day."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from fractions import Fraction

from baton.shared.errors import InvalidInput
from baton.shared.money import check_currency, exponent
from baton.tax.model import round_half_up


@dataclass(frozen=True)
class ExchangeRate:
    id: str
    currency: str
    base_currency: str
    rate: Decimal  # units of base_currency per 1 unit of currency
    valid_on: date
    created_at: datetime

    def __post_init__(self) -> None:
        check_currency(self.currency)
        check_currency(self.base_currency, "base_currency")
        if self.currency == self.base_currency:
            raise InvalidInput("currency", f"{self.currency} is the base currency; it needs no exchange rate.",
                               code="exchange_rate_of_base")
        if not self.rate.is_finite() or self.rate <= 0:
            raise InvalidInput("rate", f"'{self.rate}' is not a rate above 0; send the units of "
                               f"{self.base_currency} that 1 {self.currency} is worth, e.g. \"0.9234\".")


class MissingExchangeRate(InvalidInput):
    def __init__(self, currency: str, base: str, day: date):
        super().__init__("currency", f"no {currency} to {base} exchange rate valid on {day}; add one with "
                         f"`POST /api/v1/settings/exchange-rates` {{\"currency\": \"{currency}\", \"rate\": …, "
                         f"\"valid_on\": \"{day}\"}} or `baton exchange-rates add {currency} RATE --valid-on {day}`.",
                         code="exchange_rate_missing")
        self.currency, self.day = currency, day


class RateHistory:
    """The rates of several currencies to one base currency, answering "which rate on this day"."""

    def __init__(self, base_currency: str, rates: Iterable[ExchangeRate]) -> None:
        self.base_currency = base_currency
        self._days: dict[str, list[date]] = {}
        self._rates: dict[str, list[Decimal]] = {}
        for rate in sorted(rates, key=lambda r: r.valid_on):
            if rate.base_currency == base_currency:
                self._days.setdefault(rate.currency, []).append(rate.valid_on)
                self._rates.setdefault(rate.currency, []).append(rate.rate)

    def rate_on(self, currency: str, day: date) -> Decimal:
        """The latest rate on or before `day`; 1 for the base currency itself."""
        if currency == self.base_currency:
            return Decimal(1)
        days = self._days.get(currency, [])
        i = bisect_right(days, day)
        if i == 0:
            raise MissingExchangeRate(currency, self.base_currency, day)
        return self._rates[currency][i - 1]

    def convert(self, minor: int, currency: str, day: date) -> int:
        """`minor` units of `currency` in minor units of the base currency, rounded half up (away from zero for
        a negative amount, so a refund converts to the mirror image of the same sale)."""
        rate = Fraction(self.rate_on(currency, day))
        scaled = abs(minor) * rate * Fraction(10) ** (exponent(self.base_currency) - exponent(currency))
        converted = round_half_up(scaled)
        return converted if minor >= 0 else -converted
