"""Money: integer minor units plus an ISO 4217 currency; exponents come from Babel's CLDR data."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from functools import lru_cache

from babel.numbers import get_currency_precision, list_currencies

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
