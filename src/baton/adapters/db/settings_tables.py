"""Tables of the money settings: tax rates, each channel's tax mode, exchange rates.

Part of the one schema: `tables` re-exports them. Rates are exact decimals stored as their plain decimal text:
SQLite has no exact decimal type (its NUMERIC is a float), and text round-trips "0.0725" the same on both."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import Column, Date, String, Table, TypeDecorator, UniqueConstraint

from baton.adapters.db.schema import TS, metadata

RATE_LENGTH = 24  # characters of a rate's plain decimal text, e.g. "1.08345"


class ExactDecimal(TypeDecorator[Decimal]):
    """A Decimal kept as its plain text ("0.0725", never "7.25E-2"): exact on SQLite and PostgreSQL alike."""

    impl = String(RATE_LENGTH)
    cache_ok = True

    def process_bind_param(self, value: Decimal | None, dialect: Any) -> str | None:
        return None if value is None else format(value, "f")

    def process_result_value(self, value: str | None, dialect: Any) -> Decimal | None:
        return None if value is None else Decimal(value)


RATE = ExactDecimal()

# --- settings of money ---------------------------------------------------------------------------------------

# A version of the rate of one (country, region, tax class), in force from `valid_from` until a later version.
# `region` is "" for the whole country (mapped to None): a NULL would make every whole-country row unique.
tax_rates = Table(
    "tax_rates", metadata,
    Column("id", String(40), primary_key=True),
    Column("country", String(2), nullable=False),  # ISO 3166-1 alpha-2 of the destination
    Column("region", String(3), nullable=False),  # ISO 3166-2 subdivision ("CA" of US-CA), "" = whole country
    Column("tax_class", String(32), nullable=False),
    Column("rate", RATE, nullable=False),  # a fraction: "0.19" is 19 %
    Column("valid_from", Date, nullable=False),
    Column("created_at", TS, nullable=False),
    UniqueConstraint("country", "region", "tax_class", "valid_from"),  # also the index of `table(country)`
)

# Whether a channel's prices contain the tax (tax_inclusive) or get it added (tax_exclusive, the default).
channel_tax_modes = Table(
    "channel_tax_modes", metadata,
    Column("channel", String(16), primary_key=True),
    Column("prices_include", String(16), nullable=False),
    Column("updated_at", TS, nullable=False),
)

# Units of `base_currency` one unit of `currency` was worth on `valid_on` (and after, until a later rate).
exchange_rates = Table(
    "exchange_rates", metadata,
    Column("id", String(40), primary_key=True),
    Column("currency", String(3), nullable=False),
    Column("base_currency", String(3), nullable=False),
    Column("rate", RATE, nullable=False),
    Column("valid_on", Date, nullable=False),
    Column("created_at", TS, nullable=False),
    UniqueConstraint("currency", "base_currency", "valid_on"),
)
