"""`baton webhooks add|list|enable|remove`: webhook subscriptions."""

from __future__ import annotations

import typer
from rich.console import Console
from rich.table import Table

from baton.bootstrap import bootstrap
from baton.entrypoints.cli.output import console, refused
from baton.events import services
from baton.shared.actor import cli_actor

app = typer.Typer(help="Webhook subscriptions: events POSTed, signed, to your URLs.", no_args_is_help=True)


@app.command("add")
def add(
    url: str = typer.Argument(..., help="Where to POST the events, e.g. https://example.com/baton-hooks."),
    event: list[str] = typer.Option(["*"], "--event", "-e", help='An event type (repeat), or "*" for all.'),
    description: str = typer.Option("", help="What this subscription is for."),
) -> None:
    """Subscribe a URL. Prints the signing secret on standard output: it is shown this once."""
    with refused("Not created"):
        subscription, secret = services.subscribe(bootstrap().uow(actor=cli_actor()), url, event, description)
    console.print(f"Created webhook {subscription.id} for {', '.join(subscription.event_types)} → {subscription.url}."
                  " Its signing secret follows; store it now, it is not shown again.")
    print(secret)


@app.command("list")
def list_webhooks() -> None:
    """Every subscription that was not removed."""
    table = Table("id", "url", "events", "status", "failing since", "created")
    for s in services.subscriptions(bootstrap().reader()):
        table.add_row(s.id, s.url, ", ".join(s.event_types), str(s.status),
                      f"{s.failing_since:%Y-%m-%d %H:%M}" if s.failing_since else "", f"{s.created_at:%Y-%m-%d %H:%M}")
    Console().print(table)


@app.command("enable")
def enable(webhook_id: str = typer.Argument(..., help="The webhook's id, from `baton webhooks list`.")) -> None:
    """Enable a subscription that was disabled after failing for days; its pending deliveries go again."""
    with refused("Not enabled"):
        subscription = services.enable(bootstrap().uow(actor=cli_actor()), webhook_id)
    console.print(f"Webhook {subscription.id} ({subscription.url}) is {subscription.status}.")


@app.command("remove")
def remove(webhook_id: str = typer.Argument(..., help="The webhook's id, from `baton webhooks list`.")) -> None:
    """Stop sending to it; pending deliveries are dropped, the log stays."""
    with refused("Not removed"):
        subscription = services.remove(bootstrap().uow(actor=cli_actor()), webhook_id)
    console.print(f"Removed webhook {subscription.id} ({subscription.url}).")
