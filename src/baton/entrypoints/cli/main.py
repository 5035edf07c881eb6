"""The `baton` command line: serve, database, demo data, inventory import."""

from __future__ import annotations

import typer

from baton.entrypoints.cli import customers, db, inventory, risk, serve, tokens, users

app = typer.Typer(help="Baton order management.", no_args_is_help=True, add_completion=False)
app.add_typer(db.app, name="db")
app.add_typer(inventory.app, name="inventory")
app.add_typer(tokens.app, name="tokens")
app.add_typer(users.app, name="users")
app.add_typer(customers.app, name="customers")
app.add_typer(risk.app, name="risk-rules")
app.command("permissions")(tokens.permissions)
app.command("serve")(serve.serve)
app.command("demo")(serve.demo)
app.command("seed")(serve.seed)

if __name__ == "__main__":
    app()
