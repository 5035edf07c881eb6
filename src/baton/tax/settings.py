"""The money settings as a shop keeps them: tax-rate versions with their ids, and exact rates parsed from text.

A rate is a version: it is in force from its `valid_from` until a later version of the same (country, region,
tax class) starts. A version in force has been applied to orders and is history; it is never changed or deleted,
only superseded. A version that starts in the future may still be deleted (a mistake caught in time)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from baton.shared.errors import InvalidInput
from baton.tax.rates import TaxRate

MAX_RATE_PLACES = 10  # decimal places a rate may have: "1.0834500000" at most
MAX_RATE_LENGTH = 24  # characters of its plain text (the column's width)


@dataclass(frozen=True)
class TaxRateVersion:
    """A stored tax rate: the rate, its id, and when it was configured."""

    id: str
    rate: TaxRate
    created_at: datetime

    def in_force(self, today: date) -> bool:
        """Whether orders may have used it: from its first day on, it is history."""
        return self.rate.valid_from <= today


def parse_rate(text: str | Decimal, field: str = "rate") -> Decimal:
    """An exact decimal from its text ("0.0725"); never a float, never more than MAX_RATE_PLACES places."""
    try:
        value = Decimal(str(text).strip())
    except InvalidOperation:
        raise InvalidInput(field, f"'{text}' is not a decimal number; send a string such as \"0.19\".") from None
    if not value.is_finite():
        raise InvalidInput(field, f"'{text}' is not a finite number.")
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and -exponent > MAX_RATE_PLACES:
        raise InvalidInput(field, f"'{text}' has more than {MAX_RATE_PLACES} decimal places.")
    if len(format(value, "f")) > MAX_RATE_LENGTH:
        raise InvalidInput(field, f"'{text}' is too long; a rate has at most {MAX_RATE_LENGTH} characters.")
    return value


def rate_text(rate: Decimal) -> str:
    """A rate as the API and CLI show it: plain decimal text, exactly as configured ("0.0725")."""
    return format(rate, "f")
