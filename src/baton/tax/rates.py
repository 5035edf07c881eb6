"""Tax rates by country, region and tax class, and the table that picks the one that applies.

A missing rate is an error, never a silent zero: a shop that forgot to configure, say, the reduced rate of a
new destination would otherwise sell untaxed and owe the tax itself. A class that really carries no tax is
configured as such, with `Decimal("0")` (for instance the class "zero", or every class of an export country)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import lru_cache

from babel import Locale

from baton.shared.errors import InvalidInput

MAX_TAX_CLASS_LENGTH = 32  # as the catalog's products.tax_class column


@lru_cache(maxsize=1)
def _territories() -> frozenset[str]:
    codes = (str(code) for code in Locale("en").territories)
    return frozenset(code for code in codes if len(code) == 2 and code.isalpha())


def check_country(code: str, field: str = "country") -> str:
    """An ISO 3166-1 alpha-2 code that CLDR (through Babel) knows: "DE", "US"."""
    if not (len(code) == 2 and code.isascii() and code.isupper() and code in _territories()):
        raise InvalidInput(field, f"'{code}' is not an ISO 3166-1 alpha-2 country code; use one such as DE or US.")
    return code


@dataclass(frozen=True)
class TaxRate:
    """One rate, valid from a day on until a later rate of the same country, region and class replaces it.

    `region` is the subdivision after the country's dash in ISO 3166-2 ("CA" of US-CA, "BY" of DE-BY), or None
    for a rate of the whole country. A US state's rate is the combined rate the shop collects there."""

    country: str
    region: str | None
    tax_class: str
    rate: Decimal  # a fraction: Decimal("0.19") is 19 %
    valid_from: date

    def __post_init__(self) -> None:
        check_country(self.country)
        if self.region is not None and not re.fullmatch(r"[A-Z0-9]{1,3}", self.region):
            raise InvalidInput("region", f"'{self.region}' is not an ISO 3166-2 subdivision such as CA or BY.")
        if not self.tax_class.strip() or len(self.tax_class) > MAX_TAX_CLASS_LENGTH:
            raise InvalidInput("tax_class", f"a tax class has 1 to {MAX_TAX_CLASS_LENGTH} characters.")
        if not isinstance(self.rate, Decimal) or not self.rate.is_finite() or not 0 <= self.rate <= 1:
            raise InvalidInput("rate", f"'{self.rate}' is not a rate between 0 and 1, such as \"0.19\" for 19 %.")


class TaxTable:
    """All configured rates; `rate_for` finds the one for a destination, a tax class and a day."""

    def __init__(self, rates: Iterable[TaxRate] = ()) -> None:
        self._rates: dict[tuple[str, str | None, str], list[TaxRate]] = {}
        for rate in rates:
            self.add(rate)

    @property
    def empty(self) -> bool:
        """No rate at all: a destination where the shop collects no tax."""
        return not self._rates

    def add(self, rate: TaxRate) -> None:
        versions = self._rates.setdefault((rate.country, rate.region, rate.tax_class), [])
        if any(known.valid_from == rate.valid_from for known in versions):
            raise InvalidInput("valid_from", f"{_where(rate.country, rate.region)} already has a '{rate.tax_class}' "
                               f"rate from {rate.valid_from}; change that one instead.", code="tax_rate_exists")
        versions.append(rate)
        versions.sort(key=lambda known: known.valid_from)

    def rate_for(self, country: str, region: str | None, tax_class: str, on: date,
                 field: str = "tax_class") -> TaxRate:
        """The region's own rate if it has one valid on `on`, else the country's; the latest `valid_from`
        not after `on` wins. No rate at all is an error naming `field`, never an assumed zero."""
        country, region = country.upper(), region.upper() if region else None
        for scope in ([region, None] if region else [None]):
            found = _latest(self._rates.get((country, scope, tax_class), []), on)
            if found is not None:
                return found
        raise InvalidInput(field, f"no '{tax_class}' tax rate for {_where(country, region)} valid on {on}; "
                           "configure one (Decimal 0 if the class is untaxed there).", code="tax_rate_missing")


def _latest(versions: list[TaxRate], on: date) -> TaxRate | None:
    valid = [rate for rate in versions if rate.valid_from <= on]
    return valid[-1] if valid else None


def _where(country: str, region: str | None) -> str:
    return f"{country}-{region}" if region else country
