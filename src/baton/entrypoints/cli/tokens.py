"""`baton tokens create|list|revoke` and `baton permissions`."""

from __future__ import annotations

import typer
from rich.console import Console
from rich.table import Table

from baton.bootstrap import bootstrap
from baton.entrypoints.cli.output import console, refused
from baton.identity import services
from baton.identity.permissions import markdown_table
from baton.shared.actor import cli_actor

app = typer.Typer(help="API tokens: create (shown once), list, revoke.", no_args_is_help=True)


@app.command("create")
def create(
    role: str = typer.Option(..., help="admin, agent, fulfillment, finance, analyst or integration."),
    name: str = typer.Option(..., help="Who or what uses the token, e.g. 'shop-frontend'."),
    location: list[str] = typer.Option([], help="A location the token is limited to (repeat; required for "
                                                 "fulfillment)."),
    expires: int | None = typer.Option(None, help="Days until the token stops working; default: never."),
) -> None:
    """Create a token and print it alone on standard output. It is shown once and stored hashed."""
    with refused("Not created"):
        token, secret = services.create_token(bootstrap().uow(actor=cli_actor()), role, name, location, expires)
    console.print(f"Created token {token.id} ({token.role}) for {token.name}; it is shown once:")
    print(secret)


@app.command("list")
def list_tokens() -> None:
    """Every token with its role, scope and state (never the secret)."""
    table = Table("id", "name", "role", "locations", "created", "expires", "state")
    for token in services.list_tokens(bootstrap().reader(), 10_000, None):
        state = "revoked" if token.revoked_at else "active"
        table.add_row(token.id, token.name, token.role, ", ".join(token.locations) or "all",
                      f"{token.created_at:%Y-%m-%d}", f"{token.expires_at:%Y-%m-%d}" if token.expires_at else "never",
                      state)
    Console().print(table)


@app.command("revoke")
def revoke(token_id: str = typer.Argument(..., help="The token's id (tok_…), from `baton tokens list`.")) -> None:
    """Stop a token at once, in every process."""
    with refused("Not revoked"):
        token = services.revoke_token(bootstrap().uow(actor=cli_actor()), token_id)
    console.print(f"Revoked {token.id} ({token.name}).")


def permissions() -> None:
    """Print the permission table (roles × actions, money limits) as Markdown."""
    print(markdown_table())
