"""`baton reports sales`: the sales report per currency and in the base currency, as the API answers it."""

from __future__ import annotations

from datetime import datetime

import typer
from rich.console import Console
from rich.table import Table

from baton.bootstrap import bootstrap
from baton.entrypoints.cli.output import console, refused
from baton.finance import reports
from baton.finance.reports import Figures
from baton.shared.money import format_money

app = typer.Typer(help="Finance reports from the money ledger.", no_args_is_help=True)
DAY = ["%Y-%m-%d"]


@app.command("sales")
def sales(
    start: datetime = typer.Option(..., "--from", formats=DAY, help="The first UTC day, YYYY-MM-DD."),
    end: datetime = typer.Option(..., "--to", formats=DAY, help="The last UTC day, included."),
    locale: str = typer.Option("en_US", help="How amounts read, e.g. en_US, de_DE, ja_JP."),
) -> None:
    """Gross sales, refunds, tax and net per currency, converted to the base currency with each day's rate."""
    container = bootstrap()
    base = container.settings.base_currency
    with refused("No report"):
        format_money(0, base, locale)
        report = reports.sales_report(container.reader(), base, start.date(), end.date())
    table = Table("currency", "gross sales", "refunds", "tax", "net", f"net in {base}",
                  title=f"Sales {report.start} to {report.end} (in {base}: each day at its rate)")
    for c in report.currencies:
        table.add_row(c.currency, *_row(c.figures, c.currency, locale), format_money(c.in_base.net, base, locale))
    table.add_row(f"total in {base}", *_row(report.total, base, locale), format_money(report.total.net, base, locale),
                  style="bold")
    Console().print(table)
    if not report.currencies:
        console.print("No sales were booked in this period.")


def _row(f: Figures, currency: str, locale: str) -> list[str]:
    return [format_money(amount, currency, locale) for amount in (f.gross_sales, f.refunds, f.tax, f.net)]
