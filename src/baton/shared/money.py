"""Money: integer minor units plus an ISO 4217 currency; exponents come from Babel's CLDR data."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from babel import Locale, UnknownLocaleError
from babel.numbers import format_currency, get_currency_precision, list_currencies

from baton.shared.errors import InvalidInput


@lru_cache(maxsize=1)
def _known_currencies() -> frozenset[str]:
    return frozenset(list_currencies())


def is_currency(code: str) -> bool:
    return code in _known_currencies()


def check_currency(code: str, field: str = "currency") -> str:
    if not is_currency(code):
        raise InvalidInput(field, f"'{code}' is not an ISO 4217 currency code; use one such as USD, EUR or JPY.")
    return code


@lru_cache(maxsize=512)
def exponent(currency: str) -> int:
    """Digits after the decimal point: USD 2, JPY 0, KWD 3."""
    return int(get_currency_precision(currency))


def to_minor(amount: str | Decimal | int, currency: str, field: str = "amount") -> int:
    """Parse a decimal amount into minor units, refusing more decimals than the currency has."""
    try:
        value = Decimal(str(amount))
    except InvalidOperation:
        raise InvalidInput(field, f"'{amount}' is not a decimal amount; send a string like \"19.99\".") from None
    if not value.is_finite():
        raise InvalidInput(field, f"'{amount}' is not a finite amount.")
    digits = exponent(currency)
    scaled = value.scaleb(digits)
    if scaled != scaled.to_integral_value():
        raise InvalidInput(field, f"{currency} has {digits} decimal places; '{amount}' has more.")
    return int(scaled)


def to_decimal_string(minor: int, currency: str) -> str:
    """Minor units as the API's decimal string: 1999 USD -> "19.99", 500 JPY -> "500"."""
    digits = exponent(currency)
    return str(Decimal(minor).scaleb(-digits).quantize(Decimal(1).scaleb(-digits)))


def allocate(total: int, weights: list[int]) -> list[int]:
    """Split `total` minor units in proportion to `weights` so the parts add up exactly
    (largest-remainder method): discounts spread over lines never lose or invent a cent."""
    weight_sum = sum(weights)
    if weight_sum == 0:
        return [0 for _ in weights]
    shares = [total * w // weight_sum for w in weights]
    remainders = sorted(
        range(len(weights)), key=lambda i: (-(total * weights[i] % weight_sum), i)
    )
    for i in remainders[: total - sum(shares)]:
        shares[i] += 1
    return shares


@lru_cache(maxsize=64)
def _locale(name: str) -> Locale:
    try:
        if not re.fullmatch(r"[A-Za-z]{2,3}([_-][A-Za-z0-9]{2,8})*", name):  # Babel would drop ".UTF-8" and such
            raise ValueError(name)
        return Locale.parse(name.replace("-", "_"))
    except (ValueError, TypeError, UnknownLocaleError):
        raise InvalidInput("locale", f"'{name}' is not a known locale; use one such as en_US, de_DE or ja_JP.",
                           code="locale_unknown") from None


def format_money(minor: int, currency: str, locale: str = "en_US") -> str:
    """Minor units as a person reads them in `locale` (CLDR, through Babel): 123456 EUR in de_DE is
    "1.234,56 €" (with a no-break space), 1234 JPY in ja_JP "￥1,234"; always the currency's own decimals."""
    amount = Decimal(minor).scaleb(-exponent(currency))
    return format_currency(amount, currency, locale=_locale(locale))


def reader_locale(accept_language: str | None, default: str = "en_US") -> str:
    """The first language of an HTTP Accept-Language header that CLDR knows ("de-DE,de;q=0.9" → "de_DE"),
    by the reader's order of preference; `default` when none is known."""
    tags = []
    for position, part in enumerate((accept_language or "").split(",")):
        tag, _, params = part.strip().partition(";")
        weight = params.strip().removeprefix("q=") if params.strip().startswith("q=") else "1"
        try:
            tags.append((-float(weight), position, tag.strip()))
        except ValueError:
            continue
    for _weight, _position, tag in sorted(tags):
        try:
            return str(_locale(tag))
        except InvalidInput:
            continue
    return default
