"""`baton risk-rules list|set|delete`: the fraud and risk rules that screen every new order."""

from __future__ import annotations

import json

import typer
from rich.console import Console
from rich.table import Table

from baton.bootstrap import bootstrap
from baton.entrypoints.cli.output import console, refused
from baton.orders import risk_services
from baton.orders.risk import PARAMETERS
from baton.shared.actor import cli_actor

_KINDS = "; ".join(f"{kind} ({', '.join(params) or 'no params'})" for kind, params in PARAMETERS.items())
app = typer.Typer(help="Fraud and risk rules: a new order that matches an active rule is put on hold.",
                  no_args_is_help=True)


@app.command("list")
def list_rules() -> None:
    """Every rule with its kind, parameters and state."""
    table = Table("code", "kind", "params", "state", "updated")
    for rule in risk_services.list_rules(bootstrap().reader()):
        table.add_row(rule.code, str(rule.kind), json.dumps(rule.params), "active" if rule.active else "inactive",
                      f"{rule.updated_at:%Y-%m-%d %H:%M}")
    Console().print(table)


@app.command("set")
def set_rule(
    code: str = typer.Argument(..., help="Your name for the rule, e.g. big-first-order."),
    kind: str = typer.Option(..., help=f"One of: {_KINDS}."),
    param: list[str] = typer.Option([], help="A parameter as name=value, e.g. amount=500.00 (repeat)."),
    active: bool = typer.Option(True, "--active/--inactive", help="Whether the rule screens new orders."),
) -> None:
    """Create or replace a rule. Running servers see the change within a few seconds."""
    params: dict[str, str] = {}
    for item in param:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            console.print(f"[red]Not saved:[/red] --param {item!r}: write it as name=value.")
            raise typer.Exit(2)
        params[name.strip()] = value.strip()
    with refused("Not saved"):
        rule, created = risk_services.set_rule(bootstrap().uow(actor=cli_actor()), code, kind, params, active)
    state = "active" if rule.active else "inactive"
    console.print(f"{'Created' if created else 'Replaced'} rule {rule.code} ({rule.kind}, "
                  f"{json.dumps(rule.params)}, {state}).")


@app.command("delete")
def delete_rule(code: str = typer.Argument(..., help="The rule's code, from `baton risk-rules list`.")) -> None:
    """Delete a rule; holds it placed stay until an agent releases them."""
    with refused("Not deleted"):
        rule = risk_services.delete_rule(bootstrap().uow(actor=cli_actor()), code)
    console.print(f"Deleted rule {rule.code} ({rule.kind}).")
