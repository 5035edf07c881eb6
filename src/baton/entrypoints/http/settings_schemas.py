"""API shapes of the money settings: tax rates, channel tax modes, exchange rates.

Rates travel as decimal strings ("0.0725"), never JSON numbers, so they stay exact end to end; their meaning
(0 ≤ tax rate ≤ 1, exchange rate > 0, a known country or currency) is checked by the domain, which names the
field it refuses."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field

from baton.entrypoints.http.schemas import Currency, In

RateText = Annotated[str, Field(min_length=1, max_length=32, examples=["0.19"],
                                description="An exact decimal string; a JSON number is refused.")]
PricesIncludeText = Literal["tax_inclusive", "tax_exclusive"]


class TaxRateIn(In):
    country: Annotated[str, Field(min_length=1, max_length=8, examples=["DE"],
                                  description="ISO 3166-1 alpha-2 code of the destination.")]
    region: Annotated[str | None, Field(max_length=8, examples=["CA"],
                                        description="ISO 3166-2 subdivision (\"CA\" of US-CA); none for the whole "
                                                    "country.")] = None
    tax_class: Annotated[str, Field(min_length=1, max_length=32, examples=["standard"])]
    rate: Annotated[RateText, Field(description="A fraction between 0 and 1: \"0.19\" is 19 %.")]
    valid_from: Annotated[date, Field(description="The first day (UTC) orders are taxed with it.")]


class TaxRateOut(BaseModel):
    id: str
    country: str
    region: str | None
    tax_class: str
    rate: str = Field(description="Exactly as configured, e.g. \"0.0725\".")
    valid_from: date
    in_force: bool = Field(description="From its first day on it may have applied to orders: history, never "
                                       "deleted; change it with a newer version.")
    created_at: datetime


class TaxRateList(BaseModel):
    items: list[TaxRateOut]
    next_cursor: str | None = None


class ChannelTaxModeIn(In):
    prices_include: PricesIncludeText = Field(
        description="tax_inclusive: prices contain the tax (EU style); tax_exclusive: tax is added (US style).")


class ChannelTaxModeOut(BaseModel):
    channel: str
    prices_include: PricesIncludeText


class ChannelTaxModeList(BaseModel):
    items: list[ChannelTaxModeOut]
    next_cursor: str | None = None


class ExchangeRateIn(In):
    currency: Currency
    rate: Annotated[RateText, Field(examples=["0.9234"],
                                    description="Units of the base currency one unit of `currency` is worth.")]
    valid_on: Annotated[date, Field(description="The first day (UTC) it converts; until a later rate.")]


class ExchangeRateOut(BaseModel):
    id: str
    currency: str
    base_currency: str
    rate: str = Field(description="Units of base_currency per 1 currency, exactly as configured.")
    valid_on: date
    created_at: datetime


class ExchangeRateList(BaseModel):
    items: list[ExchangeRateOut]
    next_cursor: str | None = None
