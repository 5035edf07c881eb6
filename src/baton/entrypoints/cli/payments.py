"""`baton payments settle-pending`: settle the payment transactions a gateway never answered."""

from __future__ import annotations

import typer
from rich.console import Console
from rich.markup import escape

from baton.bootstrap import bootstrap
from baton.entrypoints.cli.output import refused
from baton.payments.sweep import DEFAULT_AGE, DEFAULT_LIMIT, sweep
from baton.shared.actor import cli_actor

app = typer.Typer(help="Payments: settle transactions a gateway did not answer.", no_args_is_help=True)


@app.command("settle-pending")
def settle_pending(
    older_than: int = typer.Option(DEFAULT_AGE, "--older-than", min=0, metavar="SECONDS",
                                   help="Only transactions pending for longer than this."),
    limit: int = typer.Option(DEFAULT_LIMIT, min=1, help="At most this many orders; run again for the rest."),
) -> None:
    """Ask the gateways again about every transaction pending for longer than --older-than seconds (the same
    idempotency keys: nothing is charged twice) and record their answers. Safe to run in several places at
    once: an order another run is settling is skipped."""
    container = bootstrap()
    actor = cli_actor()
    with refused("Not settled"):
        settled = sweep(lambda: container.uow(actor=actor), container.reader, container.gateway,
                        older_than=older_than, limit=limit)
    out = Console(soft_wrap=True)  # one line per outcome, whatever the terminal width
    if not settled:
        out.print(f"Nothing was pending for longer than {older_than} seconds.")
        return
    for order in settled:
        out.print(f"[bold]{order.number}[/bold] ({order.order_id})")
        for outcome in order.outcomes:
            out.print(f"  {escape(outcome)}")
    waiting = sum(order.still_pending for order in settled)
    out.print(f"Settled {len(settled)} order(s); {waiting} transaction(s) still wait for the gateway.")
