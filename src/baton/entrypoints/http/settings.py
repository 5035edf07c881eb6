"""Routes of the money settings (admin): tax rates, each channel's tax mode, exchange rates to the base currency."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Response

from baton.entrypoints.http.auth import allow
from baton.entrypoints.http.deps import ContainerDep
from baton.entrypoints.http.problems import guarded
from baton.entrypoints.http.schemas import Currency
from baton.entrypoints.http.settings_schemas import (
    ChannelTaxModeIn,
    ChannelTaxModeList,
    ChannelTaxModeOut,
    ExchangeRateIn,
    ExchangeRateList,
    ExchangeRateOut,
    TaxRateIn,
    TaxRateList,
    TaxRateOut,
)
from baton.identity.permissions import Action
from baton.orders.model import Channel
from baton.shared.actor import Actor
from baton.shared.clock import utcnow
from baton.tax import services
from baton.tax.exchange import ExchangeRate
from baton.tax.settings import TaxRateVersion, rate_text

router = APIRouter(prefix="/api/v1/settings", tags=["settings"])
Manager = Annotated[Actor, allow(Action.SETTINGS_MANAGE)]
Limit = Annotated[int, Query(ge=1, le=500)]
Cursor = Annotated[str | None, Query(max_length=500)]


def _tax_rate(version: TaxRateVersion) -> dict[str, Any]:
    rate = version.rate
    return {"id": version.id, "country": rate.country, "region": rate.region, "tax_class": rate.tax_class,
            "rate": rate_text(rate.rate), "valid_from": rate.valid_from,
            "in_force": version.in_force(utcnow().date()), "created_at": version.created_at}


def _exchange_rate(rate: ExchangeRate) -> dict[str, Any]:
    return {"id": rate.id, "currency": rate.currency, "base_currency": rate.base_currency,
            "rate": rate_text(rate.rate), "valid_on": rate.valid_on, "created_at": rate.created_at}


# -- tax rates ---------------------------------------------------------------------------------------------------
@router.get("/tax-rates", response_model=TaxRateList, responses=guarded(422))
def list_tax_rates(
    container: ContainerDep, _actor: Manager,
    country: Annotated[str | None, Query(max_length=8, description="Only this country (ISO 3166-1 alpha-2).")]
    = None,
    tax_class: Annotated[str | None, Query(max_length=32, description="Only this tax class.")] = None,
    limit: Limit = 100, cursor: Cursor = None,
) -> dict:
    """Every version of every rate, by country, region (whole country first), tax class and first day."""
    page = services.list_tax_rates(container.reader(), country, tax_class, limit, cursor)
    return {"items": [_tax_rate(v) for v in page.items], "next_cursor": page.next_cursor}


@router.post("/tax-rates", status_code=201, response_model=TaxRateOut, responses=guarded(409, 422))
def add_tax_rate(body: TaxRateIn, container: ContainerDep, actor: Manager) -> dict:
    """Add a version of the rate of a country (or one of its regions) and tax class, in force from `valid_from`
    until a later version. A rate is changed by adding a newer version; the same first day twice is 409."""
    version = services.add_tax_rate(container.uow(actor=actor), body.country, body.region, body.tax_class,
                                    body.rate, body.valid_from)
    return _tax_rate(version)


@router.delete("/tax-rates/{rate_id}", status_code=204, response_class=Response, responses=guarded(404, 409))
def delete_tax_rate(rate_id: Annotated[str, Path(max_length=40)], container: ContainerDep,
                    actor: Manager) -> Response:
    """Delete a version not yet in force. One in force may have applied to orders: it is history (409); add a
    newer version instead."""
    services.remove_tax_rate(container.uow(actor=actor), rate_id)
    return Response(status_code=204)


# -- channel tax modes -------------------------------------------------------------------------------------------
@router.get("/channels", response_model=ChannelTaxModeList, responses=guarded())
def list_channels(container: ContainerDep, _actor: Manager) -> dict:
    """Every channel and whether its prices include tax (a channel never set: tax_exclusive)."""
    modes = services.channel_modes(container.reader())
    return {"items": [{"channel": str(c), "prices_include": str(m)} for c, m in modes.items()], "next_cursor": None}


@router.put("/channels/{channel}", response_model=ChannelTaxModeOut, responses=guarded(422))
def set_channel(channel: Channel, body: ChannelTaxModeIn, container: ContainerDep, actor: Manager) -> dict:
    """Set whether the channel's prices include tax. Orders placed from now on are taxed so; placed orders keep
    the mode they were placed with."""
    known, mode = services.set_channel_mode(container.uow(actor=actor), channel, body.prices_include)
    return {"channel": str(known), "prices_include": str(mode)}


# -- exchange rates ----------------------------------------------------------------------------------------------
@router.get("/exchange-rates", response_model=ExchangeRateList, responses=guarded(422))
def list_exchange_rates(
    container: ContainerDep, _actor: Manager,
    currency: Annotated[Currency | None, Query(description="Only this currency (ISO 4217).")] = None,
    limit: Limit = 100, cursor: Cursor = None,
) -> dict:
    """The rates to the base currency (BATON_BASE_CURRENCY), by currency and day."""
    page = services.list_exchange_rates(container.reader(), container.settings.base_currency, currency, limit,
                                        cursor)
    return {"items": [_exchange_rate(r) for r in page.items], "next_cursor": page.next_cursor}


@router.post("/exchange-rates", status_code=201, response_model=ExchangeRateOut, responses=guarded(409, 422))
def add_exchange_rate(body: ExchangeRateIn, container: ContainerDep, actor: Manager) -> dict:
    """Add the rate of a currency to the base currency from a day on (until a later rate); reports convert each
    day with the latest rate on or before it. A second rate for the same day is 409."""
    rate = services.add_exchange_rate(container.uow(actor=actor), container.settings.base_currency,
                                      body.currency, body.rate, body.valid_on)
    return _exchange_rate(rate)
