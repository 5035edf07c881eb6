"""`baton customers export|erase EMAIL_OR_ID`: privacy requests from the server's shell."""

from __future__ import annotations

import json

import typer

from baton.bootstrap import bootstrap
from baton.customers import privacy
from baton.entrypoints.cli.output import console, refused
from baton.shared.actor import cli_actor

app = typer.Typer(help="Customers: privacy requests (export, erase).", no_args_is_help=True)

WHO = typer.Argument(..., help="The customer's email address or id (cus_…).")


@app.command("export")
def export(who: str = WHO) -> None:
    """Print everything Baton holds about the customer as JSON on standard output."""
    container = bootstrap()
    with refused("Not exported"):
        customer_id = privacy.resolve(container.reader(), who)
        data = privacy.export_customer(container.uow(actor=cli_actor()), customer_id)
    print(json.dumps(data, indent=2, ensure_ascii=False))


@app.command("erase")
def erase(
    who: str = WHO,
    reason: str = typer.Option(..., help="Why, e.g. the request's reference (no personal data: it is audited)."),
    yes: bool = typer.Option(False, "--yes", help="Do not ask for confirmation."),
) -> None:
    """Pseudonymise the customer everywhere; orders, amounts and stock stay. This cannot be undone."""
    container = bootstrap()
    with refused("Not erased"):
        customer_id = privacy.resolve(container.reader(), who)
        if not yes:
            typer.confirm(f"Erase the personal data of customer {customer_id}? This cannot be undone.", abort=True)
        customer = privacy.erase_customer(container.uow(actor=cli_actor()), customer_id, reason)
    console.print(f"Erased customer {customer['id']}: {customer['orders']} order(s) kept, personal data "
                  f"pseudonymised as {customer['email']}.")
