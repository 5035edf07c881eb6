"""`baton customers export|erase EMAIL_OR_ID`: privacy requests from the server's shell."""

from __future__ import annotations

import json

import typer
from rich.console import Console

from baton.bootstrap import bootstrap
from baton.customers import privacy
from baton.shared.actor import cli_actor
from baton.shared.errors import BatonError

app = typer.Typer(help="Customers: privacy requests (export, erase).", no_args_is_help=True)
console = Console(stderr=True)
WHO = typer.Argument(..., help="The customer's email address or id (cus_…).")


@app.command("export")
def export(who: str = WHO) -> None:
    """Print everything Baton holds about the customer as JSON on standard output."""
    container = bootstrap()
    try:
        customer_id = privacy.resolve(container.reader(), who)
        data = privacy.export_customer(container.uow(actor=cli_actor()), customer_id)
    except BatonError as error:
        console.print(f"[red]Not exported:[/red] {error.detail}")
        raise typer.Exit(2) from None
    print(json.dumps(data, indent=2, ensure_ascii=False))


@app.command("erase")
def erase(
    who: str = WHO,
    reason: str = typer.Option(..., help="Why, e.g. the request's reference (no personal data: it is audited)."),
    yes: bool = typer.Option(False, "--yes", help="Do not ask for confirmation."),
) -> None:
    """Pseudonymise the customer everywhere; orders, amounts and stock stay. This cannot be undone."""
    container = bootstrap()
    try:
        customer_id = privacy.resolve(container.reader(), who)
        if not yes:
            typer.confirm(f"Erase the personal data of customer {customer_id}? This cannot be undone.", abort=True)
        customer = privacy.erase_customer(container.uow(actor=cli_actor()), customer_id, reason)
    except BatonError as error:
        console.print(f"[red]Not erased:[/red] {error.detail}")
        raise typer.Exit(2) from None
    console.print(f"Erased customer {customer['id']}: {customer['orders']} order(s) kept, personal data "
                  f"pseudonymised as {customer['email']}.")
