"""The `baton` command line: serve, database, demo data, inventory import."""

from __future__ import annotations

import typer

from baton.entrypoints.cli import customers, db, inventory, invoices, reports, risk, serve, settings, tokens, users
from baton.entrypoints.cli import events as event_commands
from baton.entrypoints.cli import notifications as notification_commands
from baton.entrypoints.cli import payments as payment_commands
from baton.entrypoints.cli import webhooks as webhook_commands
from baton.entrypoints.cli import worker as worker_command

app = typer.Typer(help="Baton order management.", no_args_is_help=True, add_completion=False)
app.add_typer(db.app, name="db")
app.add_typer(inventory.app, name="inventory")
app.add_typer(tokens.app, name="tokens")
app.add_typer(users.app, name="users")
app.add_typer(customers.app, name="customers")
app.add_typer(risk.app, name="risk-rules")
app.add_typer(payment_commands.app, name="payments")
app.add_typer(invoices.app, name="invoices")
app.add_typer(settings.tax_rates, name="tax-rates")
app.add_typer(settings.channels, name="channels")
app.add_typer(settings.exchange_rates, name="exchange-rates")
app.add_typer(reports.app, name="reports")
app.add_typer(webhook_commands.app, name="webhooks")
app.add_typer(event_commands.app, name="events")
app.add_typer(notification_commands.app, name="notifications")
app.command("permissions")(tokens.permissions)
app.command("serve")(serve.serve)
app.command("demo")(serve.demo)
app.command("seed")(serve.seed)
app.command("worker")(worker_command.worker)

if __name__ == "__main__":
    app()
