"""`baton tax-rates|channels|exchange-rates …`: the money settings, as the settings API manages them."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from typing import TypeVar

import typer
from rich.console import Console
from rich.table import Table

from baton.bootstrap import bootstrap
from baton.entrypoints.cli.output import console, refused
from baton.shared.actor import cli_actor
from baton.shared.clock import utcnow
from baton.tax import services
from baton.tax.settings import rate_text

T = TypeVar("T")
DAY = ["%Y-%m-%d"]

tax_rates = typer.Typer(help="Tax rates by country, region and tax class; a change is a newer version.",
                        no_args_is_help=True)
channels = typer.Typer(help="Whether each channel's prices include tax.", no_args_is_help=True)
exchange_rates = typer.Typer(help="Exchange rates to the base currency (BATON_BASE_CURRENCY), for reports.",
                             no_args_is_help=True)


def all_pages(fetch: Callable[[str | None], services.Page[T]]) -> Iterator[T]:
    cursor: str | None = None
    while True:
        page = fetch(cursor)
        yield from page.items
        if page.next_cursor is None:
            return
        cursor = page.next_cursor


# -- tax rates ---------------------------------------------------------------------------------------------------
@tax_rates.command("list")
def list_tax_rates(
    country: str | None = typer.Option(None, help="Only this country, e.g. DE."),
    tax_class: str | None = typer.Option(None, help="Only this tax class, e.g. standard."),
) -> None:
    """Every version of every rate, by country, region, class and first day."""
    container, today = bootstrap(), utcnow().date()
    table = Table("id", "country", "region", "tax class", "rate", "valid from", "state")
    with refused("Not listed"):
        for v in all_pages(lambda c: services.list_tax_rates(container.reader(), country, tax_class, 500, c)):
            r = v.rate
            table.add_row(v.id, r.country, r.region or "(whole country)", r.tax_class, rate_text(r.rate),
                          r.valid_from.isoformat(), "in force or history" if v.in_force(today) else "scheduled")
    Console().print(table)


@tax_rates.command("add")
def add_tax_rate(
    country: str = typer.Argument(..., help="ISO 3166-1 alpha-2 code of the destination, e.g. DE."),
    tax_class: str = typer.Argument(..., help="The products' tax class, e.g. standard, reduced, shipping."),
    rate: str = typer.Argument(..., help="A fraction between 0 and 1: 0.19 is 19 %."),
    valid_from: datetime = typer.Option(..., formats=DAY, help="The first day (UTC) it applies, YYYY-MM-DD."),
    region: str | None = typer.Option(None, help="ISO 3166-2 subdivision, e.g. CA of US-CA."),
) -> None:
    """Add a version of a rate, in force from --valid-from until a later version."""
    with refused("Not added"):
        v = services.add_tax_rate(bootstrap().uow(actor=cli_actor()), country, region, tax_class, rate,
                                  valid_from.date())
    where = f"{v.rate.country}-{v.rate.region}" if v.rate.region else v.rate.country
    console.print(f"Added tax rate {v.id}: {where} {v.rate.tax_class} {rate_text(v.rate.rate)} from "
                  f"{v.rate.valid_from}.")


@tax_rates.command("remove")
def remove_tax_rate(rate_id: str = typer.Argument(..., help="The rate's id, from `baton tax-rates list`.")) -> None:
    """Delete a version not yet in force (one in force is history: add a newer version instead)."""
    with refused("Not removed"):
        v = services.remove_tax_rate(bootstrap().uow(actor=cli_actor()), rate_id)
    console.print(f"Removed tax rate {v.id} ({v.rate.country} {v.rate.tax_class} {rate_text(v.rate.rate)} from "
                  f"{v.rate.valid_from}).")


# -- channels ----------------------------------------------------------------------------------------------------
@channels.command("list")
def list_channels() -> None:
    """Every channel and its tax mode."""
    table = Table("channel", "prices include")
    for channel, mode in services.channel_modes(bootstrap().reader()).items():
        table.add_row(str(channel), str(mode))
    Console().print(table)


@channels.command("set-tax-mode")
def set_tax_mode(
    channel: str = typer.Argument(..., help="web, app, marketplace, store, phone or b2b."),
    mode: str = typer.Argument(..., help="tax_inclusive (prices contain tax) or tax_exclusive (tax is added)."),
) -> None:
    """Set whether a channel's prices include tax; orders placed from now on are taxed so."""
    with refused("Not set"):
        known, prices_include = services.set_channel_mode(bootstrap().uow(actor=cli_actor()), channel, mode)
    console.print(f"Channel {known} now prices {prices_include}.")


# -- exchange rates ----------------------------------------------------------------------------------------------
@exchange_rates.command("list")
def list_exchange_rates(currency: str | None = typer.Option(None, help="Only this currency, e.g. USD.")) -> None:
    """The rates to the base currency, by currency and day."""
    container = bootstrap()
    base = container.settings.base_currency
    table = Table("currency", f"rate ({base} per unit)", "valid on", "id")
    with refused("Not listed"):
        code = currency.upper() if currency else None
        for r in all_pages(lambda c: services.list_exchange_rates(container.reader(), base, code, 500, c)):
            table.add_row(r.currency, rate_text(r.rate), r.valid_on.isoformat(), r.id)
    Console().print(table)


@exchange_rates.command("add")
def add_exchange_rate(
    currency: str = typer.Argument(..., help="ISO 4217 code, e.g. USD."),
    rate: str = typer.Argument(..., help="Units of the base currency 1 CURRENCY is worth, e.g. 0.9234."),
    valid_on: datetime = typer.Option(..., formats=DAY, help="The first day (UTC) it converts, YYYY-MM-DD."),
) -> None:
    """Add the rate of a currency from a day on (until a later rate)."""
    container = bootstrap()
    with refused("Not added"):
        r = services.add_exchange_rate(container.uow(actor=cli_actor()), container.settings.base_currency,
                                       currency, rate, valid_on.date())
    console.print(f"Added exchange rate {r.id}: 1 {r.currency} = {rate_text(r.rate)} {r.base_currency} from "
                  f"{r.valid_on}.")
